"""A flow with no scenario is assessed with its suggested tags, named "Suggested", and says so."""

from __future__ import annotations

import pytest

from redesign.cli import main
from redesign.impact.assess import assess
from redesign.impact.suggested import SUGGESTED_NAME, scenario_or_suggested, suggested_scenario
from redesign.model import Tag
from redesign.samples import load_sample, sample_ids


@pytest.mark.parametrize("sample", sample_ids())
def test_every_sample_gets_an_impact(sample: str) -> None:
    flow = load_sample(sample)
    scenario = scenario_or_suggested(flow, None)
    impact = assess(flow, scenario)
    if not flow.scenarios:
        assert impact.scenario_name == SUGGESTED_NAME
        assert impact.notes[0].kind == "suggested_scenario"
        assert "Suggested" in impact.notes[0].text
        assert impact.totals.saved_hours != 0


def test_suggested_decides_only_ai_tags() -> None:
    flow = load_sample("customer_service_cases").model_copy(update={"scenarios": []})
    scenario = suggested_scenario(flow)
    assert scenario.decisions
    assert all(d.tag != Tag.HUMAN for d in scenario.decisions)


def test_a_named_scenario_is_not_called_suggested() -> None:
    flow = load_sample("sales_forecasting")
    impact = assess(flow, scenario_or_suggested(flow, None))
    assert impact.scenario_name != SUGGESTED_NAME
    assert all(n.kind != "suggested_scenario" for n in impact.notes)


def test_cli_impact_without_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["impact", "sample_processes/customer_service_cases.json"]) == 0
    out = capsys.readouterr().out
    assert 'Impact of "Suggested"' in out
    lines = out.splitlines()
    assert any("nothing here was decided by the workshop" in line for line in lines[:5])
