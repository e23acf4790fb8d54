"""Scenario comparison: each scenario assessed on the same flow, side by side."""

from __future__ import annotations

import json

import pytest
from impact_flows import small_flow

from redesign.impact.compare import compare
from redesign.model import Decision, Scenario, Tag


def _flow():
    flow = small_flow()
    bold = Scenario(id="bold", name="Bold", decisions=[Decision(step=s, tag=Tag.AUTOMATE) for s in ("intake", "side")])
    return flow.model_copy(update={"scenarios": [*flow.scenarios, bold]})


def test_rows_per_scenario_with_hand_checked_figures() -> None:
    result = compare(_flow())
    assert [s.scenario for s in result.scenarios] == ["s", "bold"]
    small = result.scenarios[0]
    assert (small.automate, small.augment, small.human, small.decided) == (1, 2, 1, 3)
    assert small.saved_hours == pytest.approx(10.525)
    assert small.lead_time_before == pytest.approx(228.0)
    assert small.reason.rule == "cmp_scenario" and set(small.reason.steps) == {"intake", "check", "side"}
    bold = result.scenarios[1]
    # side: 5 h -> 1.75 residual + 20 x .65 x .1 x 22.5 / 60 = 0.4875 + 0.5 monitoring
    assert bold.saved_hours == pytest.approx(5.025 + 5 - 1.75 - 0.4875 - 0.5)


def test_role_hours_per_scenario() -> None:
    result = compare(_flow())
    clerk = next(r for r in result.roles if r.role == "clerk")
    assert clerk.before_hours == pytest.approx(15.0)
    assert clerk.after_hours["s"] == pytest.approx(7.475)
    assert clerk.after_hours["bold"] == pytest.approx(4.975 + 2.7375)
    analyst = next(r for r in result.roles if r.role == "analyst")
    assert analyst.after_hours == {"s": pytest.approx(17.0), "bold": pytest.approx(20.0)}
    assert clerk.reason.steps


def test_chosen_scenarios_and_json_stays_a_table() -> None:
    result = compare(_flow(), ["bold"])
    assert [s.scenario for s in result.scenarios] == ["bold"] and len(result.impacts) == 1
    assert "impacts" not in json.loads(result.model_dump_json())


def test_flow_without_scenarios() -> None:
    flow = small_flow(scenarios=[])
    assert compare(flow).scenarios == []
