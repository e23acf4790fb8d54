"""The native file format: round trips, size limit, broken input."""

from __future__ import annotations

import json

import pytest

from redesign.io.flow_json import MAX_FILE_BYTES, decode_json, dumps, loads, read_flow
from redesign.validation import FlowInvalid
from tests.unit.flows import doc, three_step_flow


def test_save_then_load_gives_the_same_flow() -> None:
    flow = three_step_flow()
    assert loads(dumps(flow)) == flow


def test_load_then_save_gives_the_same_text() -> None:
    text = dumps(three_step_flow())
    assert dumps(loads(text)) == text


def test_saved_files_start_with_the_schema_version() -> None:
    assert next(iter(json.loads(dumps(three_step_flow())))) == "schema_version"


def test_a_byte_order_mark_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + json.dumps(doc()).encode()
    assert loads(data).id == "tiny"


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"\xff\xfe\x00garbage", "not a text file"),
        (b"{not json", "line 1, column 2: not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, ""),
    ],
)
def test_broken_input_gives_one_clear_problem(data: bytes, start: str) -> None:
    with pytest.raises(FlowInvalid) as err:
        loads(data)
    assert len(err.value.problems) == 1
    assert str(err.value).startswith(start)


def test_huge_input_is_refused_before_parsing() -> None:
    with pytest.raises(FlowInvalid, match="the limit is"):
        decode_json(b" " * (MAX_FILE_BYTES + 1))


def test_read_flow_names_a_missing_file(tmp_path) -> None:
    with pytest.raises(FlowInvalid, match="cannot read the file"):
        read_flow(tmp_path / "missing.json")


def test_wrong_types_are_reported_not_raised() -> None:
    with pytest.raises(FlowInvalid) as err:
        loads(json.dumps(doc(steps="lots", handoffs=[1, 2])))
    text = str(err.value)
    assert "steps:" in text and "handoffs[0]:" in text
