"""Data out as tables: CSV texts and one XLSX workbook."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from bpmn_corpus import built_flow, sample_flows
from openpyxl import load_workbook
from pydantic import BaseModel

from redesign.io.spreadsheet_import import import_csv, import_xlsx
from redesign.io.tables import STEP_COLUMNS, export_csv, export_xlsx, impact_tables
from redesign.model import Step


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class _RoleChange(BaseModel):
    role: str
    hours_before: float
    hours_after: float
    new_duties: list[str] = []


class _Metric(BaseModel):
    before: float
    after: float


class _Metrics(BaseModel):
    lead_time: _Metric
    handoffs: _Metric
    flags: list[_RoleChange] = []


class _Impact(BaseModel):
    scenario: str
    roles: list[_RoleChange]
    metrics: _Metrics
    notes: list[str]
    nothing: list[_RoleChange] = []


IMPACT = _Impact(
    scenario="ambitious",
    roles=[
        _RoleChange(role="AP clerk", hours_before=120, hours_after=40.5, new_duties=["exception handling"]),
        _RoleChange(role="Controller", hours_before=30, hours_after=32),
    ],
    metrics=_Metrics(
        lead_time=_Metric(before=1734, after=290),
        handoffs=_Metric(before=8, after=8),
        flags=[_RoleChange(role="x", hours_before=1, hours_after=2)],
    ),
    notes=["=cmd|' /C calc'!A0", "second"],
)


def test_csv_tables_and_their_values() -> None:
    flow = built_flow()
    tables = export_csv(flow)
    assert list(tables) == ["steps", "handoffs", "decisions", "roles", "functions", "data_items"]
    steps = _rows(tables["steps"])
    assert list(steps[0]) == list(STEP_COLUMNS)
    read = steps[1]
    assert (read["step"], read["function"], read["owner"], read["next"]) == (
        "read-data",
        "IT",
        "Invoice reader",
        "match",
    )
    assert (read["touch minutes"], read["%C&A"], read["volume"]) == ("6", "72", "1200")
    assert (read["data in"], read["data out"]) == ("Invoice PDF", "Invoice PDF; Purchase order")
    assert read["skills"] == "data entry; attention to detail"
    assert steps[2]["next"] == "pay; approve"  # two hand-offs to "pay" listed once
    assert steps[0]["touch minutes"] == "2.5"
    handoffs = _rows(tables["handoffs"])
    assert len(handoffs) == 8
    assert (handoffs[0]["from function"], handoffs[0]["to function"], handoffs[0]["cross-function"]) == (
        "Ops",
        "IT",
        "yes",
    )
    assert handoffs[4]["cross-function"] == "no" and handoffs[5]["rework"] == "yes"
    assert handoffs[1]["%C&A"] == "72" and handoffs[0]["%C&A"] == ""
    decisions = _rows(tables["decisions"])
    assert [(d["scenario"], d["step"], d["tag"]) for d in decisions] == [
        ("Cautious", "read-data", "augment"),
        ("Cautious", "approve", "human"),
        ("Ambitious", "read-data", "automate"),
        ("Ambitious", "match", "automate"),
        ("Ambitious", "pay", "automate"),
    ]
    assert decisions[2]["automation rate"] == "0.85" and decisions[2]["review date"] == "2026-03-31"
    assert decisions[2]["it signoff"] == "yes"
    roles = _rows(tables["roles"])
    assert roles[2] == {
        "id": "ocr_bot",
        "name": "Invoice reader",
        "function": "IT",
        "kind": "ai_agent",
        "headcount": "1",
        "hourly cost": "",
        "accountable role": "controller",
        "description": "",
    }


def test_one_scenario_adds_tags_and_filters_decisions() -> None:
    flow = built_flow()
    tables = export_csv(flow, scenario=flow.scenario("ambitious"))
    steps = _rows(tables["steps"])
    assert [s["tag"] for s in steps] == ["", "automate", "automate", "", "automate"]
    assert len(_rows(tables["decisions"])) == 3


def test_impact_is_flattened_generically() -> None:
    tables = impact_tables(IMPACT)
    assert list(tables) == ["impact_summary", "impact_roles", "impact_metrics_flags"]
    assert tables["impact_summary"] == [
        {"field": "scenario", "value": "ambitious"},
        {"field": "metrics.lead_time.before", "value": 1734},
        {"field": "metrics.lead_time.after", "value": 290},
        {"field": "metrics.handoffs.before", "value": 8},
        {"field": "metrics.handoffs.after", "value": 8},
        {"field": "notes", "value": "=cmd|' /C calc'!A0; second"},
    ]
    assert tables["impact_roles"][0] == {
        "role": "AP clerk",
        "hours_before": 120,
        "hours_after": 40.5,
        "new_duties": "exception handling",
    }
    csv_tables = export_csv(built_flow(), impact=IMPACT)
    assert "impact_roles" in csv_tables
    summary = _rows(csv_tables["impact_summary"])
    assert summary[-1]["value"] == "'=cmd|' /C calc'!A0; second"  # formula-like text is defused


def test_formula_like_text_is_never_a_formula() -> None:
    flow = built_flow()
    evil = '=HYPERLINK("http://evil.example","click")'
    steps = [flow.steps[0].model_copy(update={"name": evil, "description": "+1-555"}), *flow.steps[1:]]
    flow = flow.model_copy(update={"steps": steps})
    first = _rows(export_csv(flow)["steps"])[0]
    assert first["name"] == "'" + evil and first["description"] == "'+1-555"
    data = export_xlsx(flow)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    # and the importer reads our CSV back to the original text
    again, _ = import_csv(export_csv(flow)["steps"].encode())
    assert again.steps[0].name == evil and again.steps[0].description == "+1-555"


def test_xlsx_workbook() -> None:
    flow = built_flow()
    workbook = load_workbook(io.BytesIO(export_xlsx(flow, flow.scenario("cautious"), IMPACT)))
    assert workbook.sheetnames == [
        "steps",
        "handoffs",
        "decisions",
        "roles",
        "functions",
        "data_items",
        "impact_summary",
        "impact_roles",
        "impact_metrics_flags",
    ]
    steps = workbook["steps"]
    assert [c.value for c in steps[1]][: len(STEP_COLUMNS)] == list(STEP_COLUMNS)
    assert steps["A1"].font.bold and steps.freeze_panes == "A2"
    assert steps["G3"].value == 6 and isinstance(steps["G3"].value, int)  # touch minutes stay numbers
    assert steps["G2"].value == 2.5
    assert workbook["decisions"].max_row == 3  # header + 2 decisions of "Cautious"


def test_long_and_clashing_sheet_names() -> None:
    class Odd(BaseModel):
        a_really_long_list_name_that_goes_past_31: list[_Metric]
        a_really_long_list_name_that_goes_past_32: list[_Metric]

    odd = Odd(
        a_really_long_list_name_that_goes_past_31=[_Metric(before=1, after=2)],
        a_really_long_list_name_that_goes_past_32=[_Metric(before=3, after=4)],
    )
    names = load_workbook(io.BytesIO(export_xlsx(built_flow(), impact=odd))).sheetnames
    assert names[-2:] == ["impact_a_really_long_list_name_", "impact_a_really_long_list_nam_2"]


def test_exported_steps_import_again() -> None:
    flow = built_flow()
    for again, _ in (
        import_csv(export_csv(flow)["steps"].encode("utf-8"), "invoice.csv"),
        import_xlsx(export_xlsx(flow), "invoice.xlsx"),
    ):
        assert [s.id for s in again.steps] == [s.id for s in flow.steps]
        keep = ("name", "kind", "touch_minutes", "wait_minutes", "volume", "pca", "description", "stakes", "dq_note")
        assert [s.model_dump(include=set(keep)) for s in again.steps] == [
            s.model_dump(include=set(keep)) for s in flow.steps
        ]
        function_names = {f.id: f.name for f in flow.functions}
        again_names = {f.id: f.name for f in again.functions}
        assert [again_names[s.function] for s in again.steps] == [function_names[s.function] for s in flow.steps]
        pairs = {(h.source, h.target) for h in flow.handoffs}
        assert {(h.source, h.target) for h in again.handoffs} == pairs
        assert [s.skills for s in again.steps] == [s.skills for s in flow.steps]
        assert isinstance(again.steps[0], Step)


def test_real_impact_assessment_exports() -> None:
    """Whatever shape `redesign.impact.assess` gives, every sample's impact becomes sheets."""
    assess = pytest.importorskip("redesign.impact.assess").assess
    flows = [flow for _, flow in sample_flows() if flow.scenarios]
    assert flows
    for flow in flows:
        scenario = flow.scenarios[-1]
        impact = assess(flow, scenario)
        tables = export_csv(flow, scenario, impact)
        impact_names = [name for name in tables if name.startswith("impact_")]
        assert "impact_summary" in impact_names and len(impact_names) >= 2
        workbook = load_workbook(io.BytesIO(export_xlsx(flow, scenario, impact)), read_only=True)
        assert len(workbook.sheetnames) == len(tables)
        assert all(len(name) <= 31 for name in workbook.sheetnames)
