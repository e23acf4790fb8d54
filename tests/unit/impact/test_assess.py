"""assess(): the one entry point; every output item explained; bad input gets a plain message."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from impact_flows import flows, one_step_flow, small_flow

from redesign.impact.assess import Impact, assess
from redesign.impact.catalog import catalog
from redesign.impact.scenario_view import ScenarioInvalid
from redesign.model import Decision, Scenario, Step, Tag


def test_scenario_by_id_name_or_object() -> None:
    flow = small_flow()
    by_id = assess(flow, "s")
    assert assess(flow, "small").totals == by_id.totals  # case-insensitive name
    assert assess(flow, flow.scenarios[0]).totals == by_id.totals
    assert (by_id.scenario_id, by_id.scenario_name, by_id.period) == ("s", "Small", "week")


def test_unknown_scenario_is_a_plain_message() -> None:
    with pytest.raises(ScenarioInvalid, match='unknown scenario "bold" \\(this flow has: "Small"\\)'):
        assess(small_flow(), "bold")


def test_decision_for_a_step_not_in_the_flow_is_a_plain_message() -> None:
    bad = Scenario(id="b", name="Bad", decisions=[Decision(step="ghost", tag=Tag.AUTOMATE)])
    with pytest.raises(ScenarioInvalid, match='decides step "ghost", which is not in the flow'):
        assess(small_flow(), bad)
    twice = Scenario(id="t", name="Twice", decisions=[Decision(step="side", tag=Tag.AUTOMATE)] * 2)
    with pytest.raises(ScenarioInvalid, match='decides step "side" twice'):
        assess(small_flow(), twice)


def test_as_is_changes_nothing() -> None:
    impact = assess(small_flow(), None)
    assert impact.totals.saved_hours == 0 and impact.new_steps == [] and impact.pilot.waves == []
    assert all(c.change == 0 for c in impact.end_to_end.changes)
    assert impact.notes == []


def test_undecided_steps_note() -> None:
    flow = small_flow()
    partial = Scenario(id="p", name="Partial", decisions=[Decision(step="side", tag=Tag.AUGMENT)])
    [note] = assess(flow, partial).notes
    assert note.reason.rule == "note_undecided" and note.reason.steps == ["intake", "check", "approve"]


def test_unknown_area_id_never_crashes_the_whole_assessment() -> None:
    odd = Step(id="x", name="Screen", function="hr", owner="owner", volume=10, touch_minutes=5,
               high_risk_area="annex9_1a", decides_for_person=True, profiling=True)  # fmt: skip
    for tag in Tag:
        impact = assess(one_step_flow(odd, Decision(step="x", tag=tag)), "s")
        assert any(f.rule == "gov_unknown_area" for f in impact.governance)


def test_json_round_trip() -> None:
    impact = assess(small_flow(), "s")
    again = Impact.model_validate_json(impact.model_dump_json())
    assert again == impact
    assert json.loads(impact.model_dump_json())["totals"]["saved_hours"] == pytest.approx(10.525)


@settings(max_examples=120, deadline=None)
@given(flows())
def test_every_output_item_has_a_reason_with_rule_source_and_steps(flow) -> None:
    impact = assess(flow, "sc")
    step_ids = {s.id for s in flow.steps} | {n.id for n in impact.new_steps}
    count = 0
    for item in impact.items():
        reason = item.reason
        assert reason.rule in catalog().sources, reason.rule
        assert reason.source == catalog().rule(reason.rule).source
        assert reason.text.strip()
        assert reason.steps, (type(item).__name__, reason.rule)
        assert set(reason.steps) <= step_ids
        count += 1
    assert count >= len(flow.steps)  # at least the per-step economics


def test_what_is_missing_is_counted_in_words_that_agree() -> None:
    timed = Step(id="b", name="Timed step", function="hr", owner="owner", volume=10, touch_minutes=5)
    untimed = Step(id="a", name="Untimed step", function="hr", owner="nobody", volume=10, touch_minutes=0)
    texts = [n.text for n in assess(one_step_flow(untimed, more_steps=[timed])).notes]
    assert any(t.startswith("1 step has no touch minutes (Untimed step)") for t in texts), texts
    assert any(t.startswith("1 step has no owner role (Untimed step)") for t in texts), texts
    assert not any("(s)" in t for t in texts)
