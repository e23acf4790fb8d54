"""Reading the bytes of a BPMN file: wrong encodings, files cut off, limits checked first.

Each case is a small file written here. A file that says UTF-8 but holds a
windows-1252 byte is read, with a note naming the byte and where it is; a file
that ends early is named as cut off; a file over the step limit is refused before
any model is built, in words and units a person reads.
"""

from __future__ import annotations

import pytest

from redesign.io.bpmn_import import import_bpmn
from redesign.io.safe_xml import parse_xml
from redesign.validation import FlowInvalid

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{BPMN}" id="d" targetNamespace="t">\n'


def _error(data: bytes) -> str:
    with pytest.raises(FlowInvalid) as info:
        import_bpmn(data, "bad.bpmn")
    return str(info.value)


def test_declared_utf8_with_a_windows_1252_byte_is_read_with_a_note() -> None:
    body = (
        '<process id="p">\n'
        '  <task id="a" name="Rechnung kl\xe4ren" />\n'  # 0xE4: "ä" in windows-1252, not UTF-8
        '  <task id="b" name="Gr\xc3\xbc\xc3\x9fe senden" />\n'  # valid UTF-8 "Grüße" stays as it is
        '  <sequenceFlow id="f" sourceRef="a" targetRef="b" name="\x93ok\x94" />\n'
        "</process>\n</definitions>\n"
    )
    data = HEAD.encode() + body.encode("latin-1")
    flow, report = import_bpmn(data, "x.bpmn")
    assert [s.name for s in flow.steps] == ["Rechnung klären", "Grüße senden"]
    assert flow.handoffs[0].condition == "\u201cok\u201d"  # 0x93/0x94: windows-1252's curly quotes
    note = next(n for n in report.notes if "not UTF-8" in n)
    assert "says it is UTF-8" in note and "byte 0xE4 at line 4, column 33" in note
    assert "windows-1252" in note and '"ä"' in note


def test_declared_utf8_with_a_byte_windows_1252_lacks_is_refused_naming_it() -> None:
    data = HEAD.encode() + b'<process id="p">\n  <task id="a" name="x\x81y" />\n</process>\n</definitions>\n'
    message = _error(data)
    assert message.startswith("line 4, column 23: the file says it is UTF-8, but byte 0x81 there is not UTF-8")
    assert "not windows-1252 either" in message and "save it as UTF-8" in message


def test_the_byte_named_is_the_one_windows_1252_lacks_too() -> None:
    body = '<process id="p">\n  <task id="a" name="kl\xe4ren" />\n  <task id="b" name="x\x8dy" />\n</process>\n'
    message = _error(HEAD.encode() + body.encode("latin-1") + b"</definitions>\n")
    assert message.startswith("line 5, column 23: the file says it is UTF-8, but byte 0x8D there is not UTF-8")


def test_file_cut_in_the_middle_of_a_character() -> None:
    data = HEAD.encode() + '<process id="p">\n  <task id="a" name="Prü'.encode()[:-1]
    message = _error(data)
    assert message.startswith("line 4, column 24: the file is cut off")


def test_file_cut_off_names_the_line_column_and_open_element() -> None:
    data = HEAD + '<process id="p">\n  <task id="a" name="Check order" />\n  <task id="b" na'
    message = _error(data.encode())
    assert message.startswith("line 5, column 17: the file is cut off: it ends before the XML is complete")
    assert 'inside <process> "p"' in message


def test_file_cut_after_the_last_complete_element() -> None:
    data = HEAD + '<process id="p" name="Order">\n  <task id="a" name="Check order" />\n'
    message = _error(data.encode())
    assert message.startswith("line 4, column 36: the file is cut off")
    assert 'inside <process> "Order"' in message


def test_a_syntax_error_in_the_middle_is_not_called_cut_off() -> None:
    data = HEAD + '<process id="p">\n  <task id="a" name="x" />\n  </tsak>\n</process>\n</definitions>\n'
    message = _error(data.encode())
    assert message == "line 5, column 5: not well-formed XML: mismatched tag"


def test_declared_encoding_python_knows_and_bytes_that_do_not_fit_it() -> None:
    text = HEAD.replace("UTF-8", "windows-1252") + '<process id="p"><task id="a" name="x\x81"/></process></definitions>'
    message = _error(text.encode("latin-1"))
    assert message.startswith("line 3, column 37: the file says it is windows-1252, but byte 0x81")


def test_utf16_without_a_byte_order_mark() -> None:
    text = HEAD.replace("UTF-8", "UTF-16") + '<process id="p"><task id="a" name="Prüfen"/></process></definitions>'
    flow, _ = import_bpmn(text.encode("utf-16-le"), "x.bpmn")
    assert flow.steps[0].name == "Prüfen"


def test_parse_keeps_lines_and_drops_comments() -> None:
    doc = parse_xml(b'<a>\n<!-- note -->\n<b id="x"/>\n</a>')
    assert [child.get("id") for child in doc.root] == ["x"]
    assert doc.line(doc.root[0]) == 3


def _many_tasks(n: int) -> bytes:
    tasks = "".join(f'<task id="t{i}" name="Task {i}"/>\n' for i in range(n))
    return (HEAD + f'<process id="p">\n{tasks}</process>\n</definitions>\n').encode()


def test_too_many_tasks_are_refused_before_any_model_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    import redesign.io.bpmn_import as bpmn_import

    def no_reader(*_args: object) -> None:
        raise AssertionError("the reader must not start on a file over the limit")

    monkeypatch.setattr(bpmn_import, "_BpmnReader", no_reader)
    message = _error(_many_tasks(20_000))
    # HEAD takes two lines and <process> one, so task number n (from 1) is on line n + 3.
    assert message == (
        "line 10004: the file has more than 10,000 tasks and named decisions (number 10,001 is on line 10,004); "
        "a Crossflow flow holds at most 10,000 steps: split the process into smaller files"
    )
    assert "Step(" not in message and "list should have" not in message


def test_tasks_in_comments_do_not_count_towards_the_limit() -> None:
    commented = "".join(f'<!-- <task id="c{i}"/> -->\n' for i in range(10_001))
    data = (HEAD + f'<process id="p">\n{commented}<task id="a" name="Only"/>\n</process>\n</definitions>\n').encode()
    flow, _ = import_bpmn(data, "x.bpmn")
    assert [s.name for s in flow.steps] == ["Only"]


def test_exactly_the_limit_imports() -> None:
    flow, _ = import_bpmn(_many_tasks(10_000), "x.bpmn")
    assert len(flow.steps) == 10_000


def test_a_file_over_the_size_limit_says_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    import redesign.io.bpmn_limits as limits

    monkeypatch.setattr(limits, "MAX_BPMN_BYTES", 2 * 2**20)
    message = _error(HEAD.encode() + b" " * (3 * 2**20) + b"<process id='p'/></definitions>")
    assert message == "the file is 3.0 MiB; the limit is 2 MiB"
