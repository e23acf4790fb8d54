"""Uploads on the start page: a broken or huge file gets one clear message, never a traceback."""

from __future__ import annotations

from pathlib import Path

from redesign.ui.components.uploads import read_upload

ROOT = Path(__file__).resolve().parents[2]


def test_a_sample_uploads() -> None:
    data = (ROOT / "sample_processes" / "sales_forecasting.json").read_bytes()
    result = read_upload("sales_forecasting.json", data)
    assert result.error is None
    assert result.summary == "Read sales_forecasting.json: 22 steps in 5 lanes, 29 hand-offs."


def test_broken_xml_names_the_line() -> None:
    result = read_upload("map.bpmn", b'<?xml version="1.0"?>\n<definitions>\n<process>\n</definitions>')
    assert result.flow is None
    assert result.error.startswith("map.bpmn could not be imported: ")
    assert "line 4" in result.error


def test_binary_junk_is_refused() -> None:
    result = read_upload("flow.json", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    assert result.flow is None and "could not be imported" in result.error


def test_a_huge_file_is_refused_by_size() -> None:
    result = read_upload("big.json", b" " * (21 * 1024 * 1024))
    assert result.flow is None and "the file is 21 MiB; the limit is 20 MiB" in result.error


def test_an_invalid_flow_lists_its_problems() -> None:
    result = read_upload("bad.json", b'{"schema_version": 1, "id": "x", "name": "X", "steps": [{"id": "a"}]}')
    assert result.flow is None
    assert "steps[0].name: is required" in result.error and "steps[0].function: is required" in result.error
