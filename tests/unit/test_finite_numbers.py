"""Finite numbers only (issue 13, point 4): NaN and infinity are refused with their own message,
whichever way a number enters (the model, JSON, CSV, XLSX, BPMN), and JSON never writes `Infinity`."""

from __future__ import annotations

import io
import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from pydantic import ValidationError

from redesign.io import flow_json
from redesign.io.formats import export_bpmn, import_bpmn
from redesign.io.spreadsheet_import import import_csv, import_xlsx
from redesign.model import Decision, Flow, Step
from redesign.samples import load_sample
from redesign.validation import FlowInvalid

BAD = [float("nan"), float("inf"), float("-inf"), "NaN", "Infinity", "-Infinity", "1e400", 10**400]


def _messages(exc: ValidationError) -> list[str]:
    return [e["msg"] for e in exc.errors()]


@pytest.mark.parametrize("value", BAD, ids=repr)
def test_model_refuses_nan_and_infinity_with_its_own_message(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Step(id="a", name="A", function="f", touch_minutes=value)
    (message,) = _messages(caught.value)
    assert message.startswith("must be a finite number, but it is ")
    assert "greater than" not in message
    assert ("NaN" in message) == (str(value).lower() == "nan")


def test_every_float_field_of_a_decision_and_a_flow_is_finite_only() -> None:
    with pytest.raises(ValidationError, match="finite number"):
        Decision(step="a", tag="automate", automation_rate=float("nan"))
    with pytest.raises(ValidationError, match="finite number"):
        Flow(id="f", name="F", fte_hours_per_year=float("inf"))


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_step_takes_exactly_the_finite_non_negative_numbers(value: float) -> None:
    try:
        step = Step(id="a", name="A", function="f", wait_minutes=value)
    except ValidationError:
        assert not (math.isfinite(value) and value >= 0)
    else:
        assert math.isfinite(step.wait_minutes) and step.wait_minutes >= 0


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_json_flow_with_a_non_finite_number_is_refused(literal: str) -> None:
    doc = flow_json.dumps(load_sample("sales_forecasting"))
    bad = re.sub(r'"touch_minutes": [0-9.]+', f'"touch_minutes": {literal}', doc, count=1)
    assert bad != doc
    with pytest.raises(FlowInvalid) as caught:
        flow_json.loads(bad)
    assert "must be a finite number" in str(caught.value)
    assert "touch_minutes" in str(caught.value)


def test_json_export_never_writes_infinity() -> None:
    flow = load_sample("sales_forecasting")
    text = flow_json.dumps(flow)
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the export"))
    # a step that skipped validation cannot smuggle infinity into the file either
    broken = Step.model_construct(**{**flow.steps[0].__dict__, "touch_minutes": math.inf})
    smuggled = flow.model_copy(update={"steps": [broken, *flow.steps[1:]]})
    with pytest.raises(ValueError, match="not JSON compliant"):
        flow_json.dumps(smuggled)


@pytest.mark.parametrize("cell", ["inf", "NaN", "1e400", "-Infinity"])
def test_csv_with_a_non_finite_number_is_refused(cell: str) -> None:
    data = f"Step,Name,Function,Touch minutes\n1,Take order,Sales,{cell}\n".encode()
    with pytest.raises(FlowInvalid) as caught:
        import_csv(data, "sheet.csv")
    assert f"'{cell}' is not a number" in str(caught.value)


@pytest.mark.parametrize("cell", ["1e400", "Infinity", "nan"])  # openpyxl cannot store a float inf/nan cell
def test_xlsx_with_a_non_finite_number_is_refused(cell: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Step", "Name", "Function", "Wait minutes"])
    sheet.append([1, "Take order", "Sales", cell])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(FlowInvalid) as caught:
        import_xlsx(buffer.getvalue(), "sheet.xlsx")
    assert "is not a number" in str(caught.value)


@pytest.mark.parametrize("value", ["INF", "NaN", "1e400", "-Infinity"])
def test_bpmn_with_a_non_finite_number_keeps_the_step_and_reports_the_value(value: str) -> None:
    xml = export_bpmn(load_sample("sales_forecasting"))
    bad = re.sub(r'touch_minutes="[^"]*"', f'touch_minutes="{value}"', xml, count=1)
    assert bad != xml
    flow, report = import_bpmn(bad.encode("utf-8"), "bad.bpmn")
    assert all(math.isfinite(s.touch_minutes) for s in flow.steps)
    reasons = " ".join(s.reason for s in report.skipped)
    assert "touch_minutes: must be a finite number" in reasons
