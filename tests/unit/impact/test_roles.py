"""Roles: hours and FTE per role, the activity shift, new duties, AI agents, no-owner hours."""

from __future__ import annotations

import pytest
from impact_flows import one_step_flow, small_flow

from redesign.impact.assess import assess
from redesign.impact.scenario_view import UNASSIGNED
from redesign.model import Decision, Role, RoleKind, Step, StepKind, Tag

FTE_WEEK = 1680 / 52


def _role(impact, role_id):
    return next(r for r in impact.roles if r.role == role_id)


def test_role_hours_and_fte_hand_computed() -> None:
    impact = assess(small_flow(), "s")
    clerk = _role(impact, "clerk")
    # before: intake 10 + side 5; after: 3.5 doing + 0.975 exceptions + 0.5 monitoring + side 2.5
    assert clerk.before_hours == pytest.approx(15.0)
    assert clerk.after_hours == pytest.approx(7.475)
    assert clerk.freed_fte == pytest.approx(7.525 / FTE_WEEK)
    assert clerk.cost_change_per_period == pytest.approx(-7.525 * 40)
    assert clerk.before_by_activity == {"doing": pytest.approx(15.0)}
    assert clerk.after_by_activity["handling_exceptions"] == pytest.approx(0.975)
    analyst = _role(impact, "analyst")
    assert (analyst.before_hours, analyst.after_hours) == (pytest.approx(20.0), pytest.approx(17.0))
    assert analyst.after_by_activity == {"reviewing": pytest.approx(15.0), "validating": pytest.approx(2.0)}
    assert _role(impact, "manager").change_hours == 0.0
    assert clerk.reason.rule == "role_hours" and set(clerk.reason.steps) == {"intake", "side"}


def test_a_role_finding_says_which_steps_move_its_hours() -> None:
    impact = assess(small_flow(), "s")
    clerk = _role(impact, "clerk").reason.text
    # intake: 10 h -> 3.5 + 0.975 + 0.5 = 4.975 h (-5.0); side: 5 h -> 2.5 h (-2.5)
    assert 'Mostly "Key in claim" (automated, -5.0 h) and "File copy" (augmented, -2.5 h).' in clerk
    analyst = _role(impact, "analyst").reason.text
    assert 'Mostly "Check claim" (augmented, -3.0 h).' in analyst and clerk != analyst
    assert "Mostly" not in _role(impact, "manager").reason.text  # nothing moves: no driver named


def test_new_duties_monitor_exceptions_validate() -> None:
    impact = assess(small_flow(), "s")
    duties = {d.kind: d for d in _role(impact, "clerk").responsibilities}
    # side is augmented with 0 validation minutes, so the clerk gets no validation duty
    assert set(duties) == {"handle_exceptions", "monitor_automation"}
    assert duties["monitor_automation"].hours == pytest.approx(0.5)
    assert duties["monitor_automation"].reason.rule == "role_resp_monitor"
    analyst = {d.kind for d in _role(impact, "analyst").responsibilities}
    assert analyst == {"validate_ai_output"}
    assert _role(impact, "manager").responsibilities == []


def test_ai_agent_is_a_role_with_its_accountable_human() -> None:
    step = Step(id="x", name="Key in", function="ops", owner="owner", volume=60, touch_minutes=10)
    impact = assess(one_step_flow(step, Decision(step="x", tag=Tag.AUTOMATE, ai_agent="agent")), "s")
    agent = _role(impact, "agent")
    assert agent.kind == "ai_agent" and agent.accountable_role == "boss"
    assert agent.before_fte is None and agent.reason.rule == "role_ai_agent"
    boss = {d.kind: d for d in _role(impact, "boss").responsibilities}
    assert "own_ai_agent" in boss and "monitor_automation" in boss  # monitoring goes to the agent's human
    assert boss["own_ai_agent"].reason.steps == ["x"]


def test_overseer_hours_appear_in_the_overseer_role() -> None:
    step = Step(id="x", name="Screen applications", function="hr", owner="owner", kind=StepKind.DECISION,
                volume=300, touch_minutes=10, high_risk_area="annex3_4a", decides_for_person=True)  # fmt: skip
    impact = assess(one_step_flow(step, Decision(step="x", tag=Tag.AUGMENT, overseer="boss")), "s")
    review = next(n for n in impact.new_steps if n.kind == "oversight")
    # review minutes = max(1, 0.2 x 10) = 2; 300 x 2 / 60 = 10 h
    assert review.owner == "boss" and review.hours == pytest.approx(10.0)
    boss = _role(impact, "boss")
    assert boss.after_by_activity == {"overseeing": pytest.approx(10.0)}
    assert {d.kind for d in boss.responsibilities} == {"oversee_high_risk_step"}


def test_overseer_defaults_to_the_owners_accountable_role() -> None:
    roles = [
        Role(id="owner", name="Owner", function="hr", accountable_role="boss"),
        Role(id="boss", name="Boss", function="hr"),
        Role(id="agent", name="Agent", function="it", kind=RoleKind.AI_AGENT, accountable_role="boss"),
    ]
    step = Step(id="x", name="Screen", function="hr", owner="owner", volume=60, touch_minutes=5,
                high_risk_area="annex3_4a", decides_for_person=True)  # fmt: skip
    impact = assess(one_step_flow(step, Decision(step="x", tag=Tag.AUGMENT), roles=roles), "s")
    assert impact.new_steps[0].owner == "boss"


def test_steps_without_owner_count_under_a_no_owner_role() -> None:
    step = Step(id="x", name="Key in", function="ops", volume=60, touch_minutes=10)
    impact = assess(one_step_flow(step, Decision(step="x", tag=Tag.AUGMENT)), "s")
    nobody = _role(impact, UNASSIGNED)
    assert nobody.name == "No owner" and nobody.before_hours == pytest.approx(10.0)
