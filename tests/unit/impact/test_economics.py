"""Step economics: hand-computed hours for the small flow, defaults, overrides, conservation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from impact_flows import flows, one_step_flow, small_flow

from redesign.impact.assess import assess
from redesign.impact.catalog import catalog
from redesign.impact.economics import augment_kind
from redesign.model import Decision, Rubric, Step, StepKind, Tag


def _step(impact, step_id):
    return next(s for s in impact.steps if s.step == step_id)


def test_automate_with_catalog_defaults_hand_computed() -> None:
    # 100 cases x 6 min = 10 h; a = 0.65, r_exc = 0.10, T_exc = 1.5 x 6 = 9 min, monitoring 0.5 h/week.
    e = _step(assess(small_flow(), "s"), "intake")
    assert e.before_hours == pytest.approx(10.0)
    lines = {(line.role, line.activity): line for line in e.lines}
    assert lines[("clerk", "doing")].after == pytest.approx(3.5)  # 10 x (1 - 0.65)
    assert lines[("clerk", "handling_exceptions")].after == pytest.approx(0.975)  # 100 x .65 x .1 x 9 / 60
    assert lines[("clerk", "monitoring")].after == pytest.approx(0.5)
    assert e.after_hours == pytest.approx(4.975)
    assert e.saved_hours == pytest.approx(5.025)
    assert e.parameter_origin == {
        "automation_rate": "effort_automation_rate",
        "exception_rate": "effort_exception_rate",
        "exception_minutes": "effort_exception_minutes_factor",
        "monitoring_hours": "effort_monitoring_hours_per_week",
    }
    assert e.reason.rule == "econ_automate" and e.reason.steps == ["intake"]
    assert e.reason.numbers["automation_rate"] == 0.65


def test_augment_with_catalog_defaults_hand_computed() -> None:
    # "Check claim" is knowledge work: g = 0.25; validation 0.10 x 12 = 1.2 min per case.
    e = _step(assess(small_flow(), "s"), "check")
    assert e.parameters["time_saving"] == 0.25
    assert e.parameter_origin["time_saving"] == "augment_knowledge_work"
    assert e.after_hours == pytest.approx(15.0 + 2.0)  # 20 x .75 + 100 x 1.2 / 60
    assert e.saved_hours == pytest.approx(3.0)
    assert e.after_touch_minutes == pytest.approx(10.2)


def test_augment_time_saving_over_the_cap_is_capped_unless_e1() -> None:
    e = _step(assess(small_flow(), "s"), "side")
    assert e.parameters["time_saving"] == 0.5
    assert e.parameter_origin["time_saving"] == "effort_augment_cap"
    assert e.parameters["validation_minutes"] == 0.0 and e.parameter_origin["validation_minutes"] == "decision"
    assert e.after_hours == pytest.approx(2.5)
    assert "capped at 50%" in e.reason.text
    flow = small_flow()
    side = flow.step("side").model_copy(update={"rubric": Rubric(exposure="E1")})
    flow = flow.model_copy(update={"steps": [side if s.id == "side" else s for s in flow.steps]})
    e1 = _step(assess(flow, "s"), "side")
    assert e1.parameters["time_saving"] == 0.6 and e1.after_hours == pytest.approx(2.0)


def test_human_step_keeps_its_hours() -> None:
    e = _step(assess(small_flow(), "s"), "approve")
    assert (e.before_hours, e.after_hours, e.saved_hours) == (5.0, 5.0, 0.0)
    assert e.reason.rule == "econ_human"


def test_totals_hand_computed() -> None:
    t = assess(small_flow(), "s").totals
    assert t.before_hours == pytest.approx(40.0)
    assert t.after_hours == pytest.approx(29.475)
    assert t.saved_hours == pytest.approx(10.525)
    assert t.saved_fte == pytest.approx(10.525 / (1680 / 52))
    assert t.saved_hours_per_year == pytest.approx(10.525 * 52)
    # only the clerk has a cost: (15 - 7.475) h x 40
    assert t.cost_saved_per_period == pytest.approx(7.525 * 40) and t.costed_roles == ["clerk"]


def test_decision_overrides_beat_defaults() -> None:
    step = Step(id="x", name="Key in", function="ops", owner="owner", volume=60, touch_minutes=10)
    decision = Decision(
        step="x", tag=Tag.AUTOMATE, automation_rate=0.5, exception_rate=0.2, exception_minutes=30, monitoring_hours=2
    )
    e = assess(one_step_flow(step, decision), "s").steps[0]
    # 10 h; residual 5 h; exceptions 60 x .5 x .2 x 30 / 60 = 3 h; monitoring 2 h
    assert e.after_hours == pytest.approx(10.0)
    assert set(e.parameter_origin.values()) == {"decision"}


def test_monitoring_default_follows_the_period() -> None:
    step = Step(id="x", name="Key in", function="ops", owner="owner", volume=10, touch_minutes=6)
    flow = one_step_flow(step, Decision(step="x", tag=Tag.AUTOMATE), period="month")
    e = assess(flow, "s").steps[0]
    assert e.parameters["monitoring_hours"] == pytest.approx(0.5 * 52 / 12)


@pytest.mark.parametrize(
    ("name", "kind", "judgment", "expected"),
    [
        ("Approve budget", StepKind.DECISION, None, "augment_judgment"),
        ("Prepare numbers", StepKind.TASK, 5, "augment_judgment"),
        ("Draft the offer letter", StepKind.TASK, None, "augment_drafting"),
        ("Answer customer tickets", StepKind.TASK, None, "augment_support"),
        ("Reconcile accounts", StepKind.TASK, 2, "augment_knowledge_work"),
        ("Write wrap-up notes", StepKind.TASK, None, "augment_drafting"),
        ("Summarise the enquiries", StepKind.TASK, None, "augment_drafting"),
        # Whole words: a keyword inside a longer word says nothing about the work.
        ("Issue notebooks to new starters", StepKind.TASK, None, "augment_knowledge_work"),
        ("Check supportive documents", StepKind.TASK, None, "augment_knowledge_work"),
        ("Update customerless accounts", StepKind.TASK, None, "augment_knowledge_work"),
    ],
)
def test_augment_kind_picks_the_time_saving_source(name, kind, judgment, expected) -> None:
    step = Step(id="x", name=name, function="ops", kind=kind, rubric=Rubric(judgment=judgment))
    assert augment_kind(step).id == expected


def test_effort_defaults_all_name_a_source() -> None:
    for p in catalog().effort.parameters:
        assert p.source.strip(), p.id
    for k in catalog().effort.augment_kinds:
        assert k.source.strip() and 0 < k.time_saving <= 0.5, k.id


@settings(max_examples=150, deadline=None)
@given(flows())
def test_hours_are_conserved(flow) -> None:
    impact = assess(flow, "sc")
    for e in impact.steps:
        assert e.saved_hours == e.before_hours - e.after_hours
        assert math.isclose(e.before_hours, math.fsum(line.before for line in e.lines), abs_tol=1e-9)
        assert math.isclose(e.after_hours, math.fsum(line.after for line in e.lines), abs_tol=1e-9)
    t = impact.totals
    assert t.saved_hours == t.before_hours - t.after_hours
    people = [r for r in impact.roles if r.kind == "human"]
    machines = [r for r in impact.roles if r.kind == "ai_agent"]
    assert math.isclose(math.fsum(r.before_hours for r in people), t.before_hours, rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(math.fsum(r.after_hours for r in people), t.after_hours, rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(math.fsum(r.before_hours for r in machines), t.machine_hours_before, abs_tol=1e-6)
    steps_before = math.fsum(e.before_hours for e in impact.steps)
    assert math.isclose(steps_before, t.before_hours + t.machine_hours_before, rel_tol=1e-9, abs_tol=1e-6)
    # every governance review step's hours sit in its owner's "after"
    for new in impact.new_steps:
        role = next(r for r in impact.roles if r.role == new.owner)
        assert role.after_hours >= new.hours - 1e-9


def test_steps_an_ai_agent_already_does_are_machine_time() -> None:
    bot_step = Step(id="b", name="Match payments", function="it", owner="agent", volume=600, touch_minutes=1)
    person = Step(id="x", name="Key in", function="ops", owner="owner", volume=60, touch_minutes=10)
    t = assess(one_step_flow(person, Decision(step="x", tag=Tag.HUMAN), more_steps=[bot_step]), "s").totals
    assert (t.before_hours, t.machine_hours_before, t.machine_hours_after) == (10.0, 10.0, 10.0)
    assert t.saved_hours == 0.0 and t.before_fte == pytest.approx(10.0 / FTE_WEEK)


FTE_WEEK = 1680 / 52
