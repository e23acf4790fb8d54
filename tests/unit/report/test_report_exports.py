"""export(): every format, file names and MIME types, scenario choice, clear errors."""

from __future__ import annotations

import gc
import io
import zipfile

import pytest
from openpyxl import load_workbook

from bench.exports import synthetic_with_decisions
from redesign.io.flow_json import loads
from redesign.model import Flow, Scenario
from redesign.report.exports import AS_IS, FORMATS, export, pick_scenario, summarize
from redesign.report.record import WorkshopRecord
from tests.unit.report.report_flows import tiny_flow

MAGIC = {
    "pdf": b"%PDF-",
    "pptx": b"PK\x03\x04",
    "xlsx": b"PK\x03\x04",
    "csv": b"PK\x03\x04",
    "html": b"<!DOCTYPE html>",
    "md": b"# ",
    "json": b"{",
    "bpmn": b"<?xml",
    "mermaid": b"flowchart LR",
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_gives_bytes_a_name_and_a_mime(fmt: str, sales_flow: Flow, sales_record: WorkshopRecord) -> None:
    result = export(sales_flow, fmt, "Ambitious", sales_record)
    assert result.data.startswith(MAGIC[fmt])
    assert result.mime == FORMATS[fmt].mime
    assert result.filename.endswith(FORMATS[fmt].extension)
    expected = "sales_forecasting-ambitious" if FORMATS[fmt].summary else "sales_forecasting"
    assert result.filename == expected + FORMATS[fmt].extension


def test_expected_mime_types() -> None:
    assert FORMATS["pdf"].mime == "application/pdf"
    assert FORMATS["pptx"].mime == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    assert FORMATS["html"].mime == "text/html" and FORMATS["md"].mime == "text/markdown"
    assert FORMATS["csv"].mime == "application/zip" and FORMATS["json"].mime == "application/json"
    assert list(FORMATS) == ["pdf", "pptx", "html", "md", "json", "csv", "xlsx", "bpmn", "mermaid"]


def test_unknown_format_names_the_allowed_ones(sales_flow: Flow) -> None:
    with pytest.raises(ValueError) as info:
        export(sales_flow, "docx")
    message = str(info.value)
    assert '"docx"' in message and all(f in message for f in FORMATS)


def test_unknown_scenario_names_the_flows_scenarios(sales_flow: Flow) -> None:
    with pytest.raises(ValueError, match=r'unknown scenario "Wild".*"Cautious", "Ambitious"'):
        export(sales_flow, "md", "Wild")
    with pytest.raises(ValueError, match='unknown scenario "Wild"'):
        export(sales_flow, "csv", "Wild")


def test_format_names_are_forgiving(sales_flow: Flow) -> None:
    assert export(sales_flow, "PDF").filename.endswith(".pdf")
    assert export(sales_flow, ".markdown").mime == "text/markdown"


def test_scenario_defaults_first_then_suggested_then_as_is(sales_flow: Flow) -> None:
    # Changed deliberately (issue 15 point 8): a flow with no scenario is summarised with its suggested
    # tags, as a scenario named "Suggested" that says so; the as-is stays for a flow nothing is suggested for.
    assert pick_scenario(sales_flow, None).name == "Cautious"
    assert pick_scenario(sales_flow, "ambitious").name == "Ambitious"  # names match case-insensitively
    bare = tiny_flow().model_copy(update={"scenarios": []})
    assert pick_scenario(bare, None) is AS_IS
    result = export(bare, "md")
    assert result.filename == "tiny-suggested.md" and b"# Tiny orders: Suggested" in result.data
    assert b"nothing here was decided by the workshop" in result.data
    assert summarize(bare).scope.decided > 0
    empty = bare.model_copy(update={"steps": [], "handoffs": []})
    assert summarize(empty).scenario_name == "As-is" and summarize(empty).scope.decided == 0
    # An unsaved scenario object (the workshop's settled decisions) is taken as it is.
    settled = Scenario(id="workshop_decisions", name="Workshop decisions", decisions=tiny_flow().scenarios[0].decisions)
    assert export(tiny_flow(), "md", settled).filename == "tiny-workshop_decisions.md"


def test_json_round_trips(sales_flow: Flow) -> None:
    assert loads(export(sales_flow, "json").data) == sales_flow


def test_csv_zip_has_the_flow_and_impact_tables(sales_flow: Flow) -> None:
    with zipfile.ZipFile(io.BytesIO(export(sales_flow, "csv").data)) as archive:
        names = set(archive.namelist())
        decisions = archive.read("decisions.csv").decode("utf-8")
    assert {"steps.csv", "handoffs.csv", "decisions.csv", "impact_roles.csv"} <= names
    # No scenario asked for: every scenario's decisions, and the first scenario's impact.
    assert "Cautious" in decisions and "Ambitious" in decisions
    with zipfile.ZipFile(io.BytesIO(export(sales_flow, "csv", "Ambitious").data)) as archive:
        assert "Cautious" not in archive.read("decisions.csv").decode("utf-8")


def test_xlsx_opens_with_a_sheet_per_table(sales_flow: Flow) -> None:
    book = load_workbook(io.BytesIO(export(sales_flow, "xlsx", "Ambitious").data), read_only=True)
    assert {"steps", "handoffs", "decisions", "impact_roles"} <= set(book.sheetnames)


def test_mermaid_marks_the_scenarios_tags(sales_flow: Flow) -> None:
    text = export(sales_flow, "mermaid", "Ambitious").data.decode("utf-8")
    assert "classDef automate" in text and "classDef augment" in text
    plain = export(tiny_flow().model_copy(update={"scenarios": []}), "mermaid").data.decode("utf-8")
    assert "classDef" not in plain


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_blank_flow_exports_in_every_format(fmt: str) -> None:
    from redesign.model import blank_flow

    result = export(blank_flow(), fmt)
    assert result.data.startswith(MAGIC[fmt].replace(b"# ", b"#") if fmt == "md" else MAGIC[fmt])


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_text_export_keeps_the_collector_as_it_was(fmt: str) -> None:
    """The collector is paused while the summary is drawn, and back on afterwards (and stays off if it was off)."""
    flow = synthetic_with_decisions(30)
    assert gc.isenabled()
    export(flow, fmt)
    assert gc.isenabled()
    gc.disable()
    try:
        export(flow, fmt)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_markdown_export_leaves_no_reference_cycles() -> None:
    """Everything a Markdown export of a decided flow makes is freed by reference counting; the flow's graphs
    used to be cycles (networkx's cached views) that waited for a full pass of the collector over every object."""
    flow = synthetic_with_decisions(60)
    export(flow, "md")  # first call fills module-level caches
    gc.collect()
    gc.disable()
    try:
        export(flow, "md")
        assert gc.collect() == 0
    finally:
        gc.enable()
