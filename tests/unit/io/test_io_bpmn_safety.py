"""Hostile and damaged XML: refused with a clear message, never a traceback.

Also the encodings real exports come in: a UTF-8 byte-order mark, ISO-8859-1 and
windows-125x declarations (fixtures written here with non-ASCII names).
"""

from __future__ import annotations

import pytest

from redesign.io.bpmn_import import import_bpmn
from redesign.io.formats import import_file
from redesign.validation import FlowInvalid

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _doc(body: str, encoding: str = "UTF-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<definitions xmlns="{BPMN}" id="d" targetNamespace="t">\n'
        f'  <process id="p" name="Einkauf">\n{body}\n  </process>\n</definitions>\n'
    )


TWO_TASKS = """    <task id="a" name="Prüfung der Rechnung" />
    <task id="b" name="Café bestellen – 5 €" />
    <sequenceFlow id="f" sourceRef="a" targetRef="b" name="geprüft" />"""


def _error(data: bytes) -> str:
    with pytest.raises(FlowInvalid) as info:
        import_bpmn(data, "bad.bpmn")
    return str(info.value)


def test_billion_laughs_is_refused() -> None:
    attack = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
        b'<task id="t" name="&lol3;"/></process></definitions>'
    )
    message = _error(attack)
    assert "document type declaration" in message and "refused" in message


def test_external_entity_is_refused() -> None:
    attack = (
        b'<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
        b'<task id="t" name="&xxe;"/></process></definitions>'
    )
    message = _error(attack)
    assert "refused" in message
    assert "root:" not in message  # nothing of the file leaks into the message


def test_external_dtd_reference_is_refused() -> None:
    attack = b'<?xml version="1.0"?>\n<!DOCTYPE definitions SYSTEM "http://example.com/evil.dtd">\n<definitions/>'
    assert "document type declaration" in _error(attack)


def test_broken_xml_names_the_line() -> None:
    broken = _doc(TWO_TASKS + "\n    <task id='c'>\n    </tsak>").encode()
    message = _error(broken)
    lines = broken.decode().splitlines()
    assert lines[7].strip() == "</tsak>"  # line 8 is where the parser notices
    assert message == "line 8, column 7: not well-formed XML: mismatched tag"


def test_truncated_file_is_named_as_cut_off() -> None:
    cut = _doc(TWO_TASKS).encode()[:-40]
    message = _error(cut)
    last_line = cut.decode().count("\n") + 1
    assert message.startswith(f"line {last_line}, column ")
    assert "the file is cut off" in message and 'inside <process> "Einkauf"' in message


def test_not_xml_and_empty() -> None:
    assert _error(b"") == "the file is empty"
    assert "not well-formed XML" in _error(b"just some text")


def test_not_bpmn_names_the_root() -> None:
    message = _error(b'<?xml version="1.0"?>\n<html><body/></html>')
    assert message.startswith("line 2: the root element is <html>")
    assert "BPMN 2.0 file starts with <definitions>" in message


def test_latin1_bytes_without_a_declaration_are_read_with_a_note() -> None:
    latin1 = _doc(TWO_TASKS, encoding="UTF-8").replace('<?xml version="1.0" encoding="UTF-8"?>\n', "")
    flow, report = import_bpmn(latin1.replace("– 5 €", "").encode("latin-1"), "x.bpmn")
    assert flow.steps[0].name == "Prüfung der Rechnung"
    assert any("declares no encoding" in note and "0xFC" in note for note in report.notes)


def test_unknown_encoding_is_a_clear_message() -> None:
    message = _error(_doc(TWO_TASKS, encoding="klingon-8").encode())
    assert "klingon-8" in message


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "windows-1250", "cp1252", "UTF-8"])
def test_declared_encodings_give_correct_text(encoding: str) -> None:
    text = _doc(TWO_TASKS, encoding=encoding)
    if encoding == "ISO-8859-1":
        text = text.replace("– 5 €", "- 5 EUR")  # ISO-8859-1 has no dash or euro sign
    flow, _ = import_bpmn(text.encode(encoding), "x.bpmn")
    names = [s.name for s in flow.steps]
    assert names[0] == "Prüfung der Rechnung"
    assert names[1] == ("Café bestellen - 5 EUR" if encoding == "ISO-8859-1" else "Café bestellen – 5 €")
    assert flow.handoffs[0].condition == "geprüft"


def test_utf8_byte_order_mark() -> None:
    data = b"\xef\xbb\xbf" + _doc(TWO_TASKS).encode("utf-8")
    flow, _ = import_file("with-bom.bpmn", data)
    assert [s.name for s in flow.steps] == ["Prüfung der Rechnung", "Café bestellen – 5 €"]


def test_utf16_with_byte_order_mark() -> None:
    data = _doc(TWO_TASKS, encoding="UTF-16").encode("utf-16")
    flow, _ = import_bpmn(data)
    assert flow.steps[0].name == "Prüfung der Rechnung"


def test_deep_nesting_is_a_message_not_a_crash() -> None:
    deep = "<subProcess id='s{0}'>"
    body = "".join(deep.format(i) for i in range(3000)) + "</subProcess>" * 3000
    data = _doc("    " + body).encode()
    try:
        flow, _ = import_bpmn(data)
    except FlowInvalid as exc:
        assert "nested too deeply" in str(exc)
    else:
        assert len(flow.steps) == 1  # the outer sub-process; the rest is inside it
