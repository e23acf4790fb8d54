"""`import_file` and `export_data`: one entry point per direction, clear refusals."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from bpmn_corpus import built_flow, decisions_in_step_order

from redesign.io import formats
from redesign.io.flow_json import dumps
from redesign.io.formats import EXPORT_FORMATS, detect_format, export_data, import_file, read_import
from redesign.validation import FlowInvalid


def _error(name: str, data: bytes) -> str:
    with pytest.raises(FlowInvalid) as info:
        import_file(name, data)
    return str(info.value)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("flow.json", b"{}", "json"),
        ("map.BPMN", b"<x/>", "bpmn"),
        ("map.xml", b"<x/>", "bpmn"),
        ("steps.csv", b"a", "csv"),
        ("steps.tsv", b"a", "csv"),
        ("steps.xlsx", b"PK", "xlsx"),
        ("upload", b"PK\x03\x04rest", "xlsx"),
        ("upload", b'\xef\xbb\xbf  {"a": 1}', "json"),
        ("upload", b"\n<?xml version='1.0'?><definitions/>", "bpmn"),
    ],
)
def test_detect_format(name: str, data: bytes, expected: str) -> None:
    assert detect_format(name, data) == expected


def test_every_format_comes_back_in() -> None:
    flow = built_flow()
    again, report = import_file("flow.json", export_data(flow, "json"))
    assert again == flow and report.format == "json" and report.steps == 5 and report.handoffs == 8
    again, report = import_file("flow.bpmn", export_data(flow, "bpmn"))
    assert again == decisions_in_step_order(flow) and report.format == "bpmn"
    again, report = import_file("flow.xlsx", export_data(flow, "xlsx"))
    assert [s.id for s in again.steps] == [s.id for s in flow.steps] and report.format == "xlsx"
    archive = zipfile.ZipFile(io.BytesIO(export_data(flow, "csv")))
    assert archive.namelist() == [
        "steps.csv",
        "handoffs.csv",
        "decisions.csv",
        "roles.csv",
        "functions.csv",
        "data_items.csv",
    ]
    again, report = import_file("steps.csv", archive.read("steps.csv"))
    assert len(again.steps) == 5 and report.format == "csv"
    assert export_data(flow, "mermaid").startswith(b"flowchart LR\n")
    assert export_data(flow, "csv") == export_data(flow, "csv")  # reproducible bytes
    assert set(EXPORT_FORMATS) == {"json", "csv", "xlsx", "bpmn", "mermaid"}


def test_clear_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _error("a.json", b"") == "the file is empty"
    assert _error("old.xls", b"\xd0\xcf\x11\xe0") == "old Excel .xls files are not read: save the sheet as .xlsx or CSV"
    assert _error("mystery", b"\x00\x01binary") == (
        'cannot tell what kind of file "mystery" is; expected a Crossflow .json flow, '
        "a BPMN 2.0 .bpmn/.xml file, or a .csv/.xlsx step list"
    )
    assert _error("broken.json", b'{"schema_version": 1,\n "id": }').startswith("line 2, column 8: not valid JSON")
    monkeypatch.setattr(formats, "MAX_IMPORT_BYTES", 100)
    assert _error("big.csv", b"name\n" + b"x\n" * 100) == "the file is 205 bytes; the limit is 100 bytes"
    with pytest.raises(ValueError, match="unknown data format"):
        export_data(built_flow(), "docx")


def test_read_import_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "invoice.json"
    path.write_text(dumps(built_flow()), encoding="utf-8")
    flow, report = read_import(path)
    assert flow == built_flow() and report.source == "invoice.json"
    with pytest.raises(FlowInvalid, match="cannot read the file"):
        read_import(tmp_path / "missing.bpmn")
