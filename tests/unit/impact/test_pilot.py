"""Pilot plan: waves by value and risk; BLOCKs and no-value steps are held."""

from __future__ import annotations

from impact_flows import one_step_flow

from redesign.impact.assess import assess
from redesign.model import Decision, Flow, Handoff, Rubric, Scenario, Step, StepKind, Tag


def _flow(decisions: list[Decision], steps: list[Step]) -> Flow:
    flow = one_step_flow(steps[0], None, more_steps=steps[1:])
    return flow.model_copy(update={"scenarios": [Scenario(id="s", name="S", decisions=decisions)]})


def _key(i: int, volume: float, **kw) -> Step:
    return Step(id=f"k{i}", name=f"Key in {i}", function="ops", owner="owner", volume=volume, touch_minutes=10, **kw)


def test_wave_one_takes_the_most_valuable_low_risk_steps() -> None:
    steps = [_key(i, 100 * (i + 1)) for i in range(5)]
    plan = assess(_flow([Decision(step=s.id, tag=Tag.AUTOMATE, it_signoff=True) for s in steps], steps), "s").pilot
    assert [w.number for w in plan.waves] == [1, 2]
    assert [i.step for i in plan.waves[0].items] == ["k4", "k3", "k2"]  # most hours saved first, at most 3
    assert [i.step for i in plan.waves[1].items] == ["k1", "k0"]
    assert plan.waves[0].items[0].reason.rule == "pilot_wave_1" and plan.waves[0].reason.rule == "pilot_wave_1"
    assert plan.waves[1].items[0].reason.rule == "pilot_wave_2"


def test_a_step_that_costs_hours_for_a_quality_gain_is_not_a_pilot() -> None:
    """Automating a rare, error-prone step: monitoring outweighs the hours, but %C&A rises."""
    rare = _key(0, 1, pca=60)
    steps = [rare, _key(1, 100), _key(2, 200)]
    plan = assess(_flow([Decision(step=s.id, tag=Tag.AUTOMATE, it_signoff=True) for s in steps], steps), "s").pilot
    rare_item = next(i for w in plan.waves for i in w.items if i.step == "k0")
    assert rare_item.net_hours < 0 < rare_item.pca_gain
    assert rare_item.value > max(i.value for i in plan.waves[0].items)  # it would have led wave 1 by value
    assert [i.step for i in plan.waves[0].items] == ["k2", "k1"]
    assert [i.step for i in plan.waves[1].items] == ["k0"]
    assert plan.waves[1].items[0].reason.rule == "pilot_wave_2"


def test_high_error_cost_waits_for_governance_but_a_missing_sign_off_is_a_task() -> None:
    # Changed deliberately (issue 15 point 10): a missing IT sign-off no longer sends a step to wave 3.
    steps = [_key(0, 100), _key(1, 100, rubric=Rubric(error_cost=5)), _key(2, 100)]
    decisions = [
        Decision(step="k0", tag=Tag.AUTOMATE, it_signoff=True),
        Decision(step="k1", tag=Tag.AUTOMATE, it_signoff=True),
        Decision(step="k2", tag=Tag.AUTOMATE),  # no IT sign-off: a task to schedule
    ]
    plan = assess(_flow(decisions, steps), "s").pilot
    third = next(w for w in plan.waves if w.number == 3)
    assert {i.step for i in third.items} == {"k1"}
    assert all(i.reason.rule == "pilot_wave_3" for i in third.items)
    first = next(w for w in plan.waves if w.number == 1)
    k2 = next(i for i in first.items if i.step == "k2")
    assert k2.tasks and "IT" in k2.tasks[0] and "Schedule first" in k2.reason.text


def test_with_no_low_risk_step_the_least_risky_one_pilots_first() -> None:
    steps = [_key(0, 100, rubric=Rubric(error_cost=5)), _key(1, 300, rubric=Rubric(error_cost=4))]
    decisions = [Decision(step=s.id, tag=Tag.AUTOMATE, it_signoff=True) for s in steps]
    plan = assess(_flow(decisions, steps), "s").pilot
    assert plan.waves[0].number == 1
    assert [i.step for i in plan.waves[0].items] == ["k1"]  # error cost 4 is less risky than 5
    assert "oversight in place" in plan.waves[0].items[0].reason.text


def test_every_sample_with_candidates_has_a_wave_one() -> None:
    from redesign.impact.suggested import scenario_or_suggested
    from redesign.samples import load_sample, sample_ids

    for sample in sample_ids():
        flow = load_sample(sample)
        for scenario in flow.scenarios or [scenario_or_suggested(flow, None)]:
            plan = assess(flow, scenario).pilot
            if any(i.net_hours > 0 for w in plan.waves for i in w.items):
                assert plan.waves[0].number == 1, (sample, scenario.id)


def test_blocked_and_valueless_steps_are_held() -> None:
    screen = Step(id="s1", name="Screen", function="hr", owner="owner", kind=StepKind.DECISION, volume=100,
                  touch_minutes=5, high_risk_area="annex3_4a", decides_for_person=True)  # fmt: skip
    idle = Step(id="s2", name="Idle", function="ops", owner="owner", volume=0, touch_minutes=5)
    flow = _flow([Decision(step="s1", tag=Tag.AUTOMATE, it_signoff=True),
                  Decision(step="s2", tag=Tag.AUTOMATE, it_signoff=True)], [screen, idle])  # fmt: skip
    flow = flow.model_copy(update={"handoffs": [Handoff(id="h", source="s1", target="s2")]})
    plan = assess(flow, "s").pilot
    assert plan.waves == []
    rules = {i.step: i.reason.rule for i in plan.held}
    assert rules == {"s1": "pilot_held_block", "s2": "pilot_held_no_value"}
    assert next(i for i in plan.held if i.step == "s1").severity == "BLOCK"
