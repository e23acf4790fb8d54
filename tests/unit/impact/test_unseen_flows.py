"""Two realistic flows unlike the samples (tests/unit/impact/data): an insurer's motor claims and a
municipality's housing-benefit applications (no scenario). They check what an executive reads:
regulated uses found or rightly not found, and money and hours that hold up."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from redesign.impact.assess import Impact, assess
from redesign.impact.regulated import detect
from redesign.impact.suggested import is_suggested, scenario_or_suggested
from redesign.io.flow_json import read_flow
from redesign.model import Decision, Flow, Scenario, Tag

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def motor() -> Flow:
    return read_flow(DATA / "motor_claims.json")


@pytest.fixture(scope="module")
def housing() -> Flow:
    return read_flow(DATA / "housing_benefit.json")


@pytest.fixture(scope="module")
def motor_impact(motor: Flow) -> Impact:
    return assess(motor, "straight_through")


@pytest.fixture(scope="module")
def housing_impact(housing: Flow) -> Impact:
    scenario = scenario_or_suggested(housing, None)
    assert is_suggested(scenario) and scenario.name == "Suggested"
    return assess(housing, scenario)


def _numbers_hold_up(impact: Impact) -> None:
    t, c = impact.totals, impact.costs
    assert 0 < t.saved_hours < t.before_hours
    assert math.isclose(t.before_hours - t.after_hours, t.saved_hours, abs_tol=0.01)
    assert math.isclose(t.saved_fte, t.saved_hours / impact.fte_hours_per_period, rel_tol=1e-6)
    for r in impact.roles:
        assert r.after_hours >= 0 and math.isfinite(r.after_hours)
    assert 0 <= c.bankable_fte <= c.freed_fte
    assert c.bankable_fte == math.fsum(r.bankable_fte for r in c.roles)
    assert c.payback_months is not None and 0 < c.payback_months < 24
    for step in impact.steps:
        assert 0 <= step.after_hours <= step.before_hours + 1e-9


def test_motor_claims_numbers_hold_up(motor_impact: Impact) -> None:
    _numbers_hold_up(motor_impact)
    # 10 steps at 3,000 claims a month: 5,532.7 h before (hand-worked from volume x touch minutes).
    assert motor_impact.totals.before_hours == pytest.approx(5532.67, abs=0.01)


def test_housing_benefit_numbers_hold_up(housing_impact: Impact) -> None:
    _numbers_hold_up(housing_impact)


def test_no_whole_fte_is_redeployed_from_a_role_still_over_capacity(
    motor_impact: Impact, housing_impact: Impact
) -> None:
    # Motor engineers free 2.63 FTE but 5 people still face 5.11 FTE of work: none can leave.
    motor = {c.role: c for c in motor_impact.costs.roles}
    engineer = motor["motor_engineer"]
    assert engineer.freed_fte > 2 and engineer.bankable_fte == 0 and engineer.held
    assert motor["fraud_analyst"].bankable_fte == 1 and not motor["fraud_analyst"].held
    assert motor_impact.costs.bankable_fte == 2
    # Fraud analyst (1 x 60) and payments clerk (1 x 40) at 1,680 h a year; no engineer.
    assert motor_impact.costs.cash_per_year == pytest.approx(100 * 1680)
    assert "Motor engineer (desk assessor): 2.63 FTE freed, but the work left still needs 102% of its 5 people" in (
        motor_impact.costs.reason.text
    )
    # Benefits assessors free 3.87 FTE and still need 122% of their 18 people: no cash at all.
    assessor = {c.role: c for c in housing_impact.costs.roles}["assessor"]
    assert assessor.freed_fte > 3 and assessor.bankable_fte == 0 and assessor.held
    assert housing_impact.costs.bankable_fte == 0 and housing_impact.costs.cash_per_year == 0


def test_housing_benefit_decisions_are_annex3_5a_with_their_words(housing: Flow) -> None:
    found = {(d.step, d.area or d.kind): d for d in detect(housing)}
    # A reconsideration decides the award again (Annex III 5(a): granting, reducing, revoking).
    for step in ("eligibility", "means_test", "award_decision", "reconsideration"):
        assert found[(step, "annex3_5a")].kind == "area"
    words = {w for e in found[("eligibility", "annex3_5a")].evidence for w in e.words}
    assert {"eligibility", "housing benefit"} <= words or {"assess", "housing benefit"} <= words
    assert ("intake", "annex3_5a") not in found and ("payment_setup", "annex3_5a") not in found
    assert not any(d.area == "annex3_5c" for d in found.values())


def test_the_suggested_housing_scenario_asks_to_confirm_5a(housing_impact: Impact) -> None:
    flag = next(f for f in housing_impact.governance if f.rule == "gov_confirm_area")
    assert "Annex III point 5(a)" in flag.message
    assert {"eligibility", "means_test", "award_decision", "reconsideration"} <= set(flag.steps)


def test_automating_the_housing_benefit_decision_raises_art22(housing: Flow) -> None:
    scenario = Scenario(
        id="auto_award",
        name="Automatic award",
        decisions=[Decision(step="award_decision", tag=Tag.AUTOMATE, system="ai", owner="senior_assessor")],
    )
    flow = housing.model_copy(update={"scenarios": [scenario]})
    flags = {f.rule: f for f in assess(flow, "auto_award").governance}
    assert flags["gov_gdpr_art22"].steps == ["award_decision"]
    assert "Annex III point 5(a)" in flags["gov_confirm_area"].message


def test_motor_claims_are_never_annex3_5c(motor: Flow, motor_impact: Impact) -> None:
    # 5(c) is life and health insurance; a motor injury claim that reads a medical report is neither.
    assert not any(d.area == "annex3_5c" for d in detect(motor))
    assert not any("5(c)" in f.message for f in motor_impact.governance)


def test_a_missing_it_signoff_does_not_call_a_rules_based_step_ai(motor: Flow, motor_impact: Impact) -> None:
    # "Pay settlement" runs on rules written by people (system "rules"): not an AI system (AI Act Art 3(1)).
    flag = next(f for f in motor_impact.governance if f.rule == "gov_no_it_signoff")
    assert flag.message.startswith("3 automated or AI-assisted steps lack IT security and integration sign-off: ")
    assert "payment" in flag.steps
    scenario = motor.scenario("straight_through")
    decisions = [d.model_copy(update={"system": "ai"}) if d.step == "payment" else d for d in scenario.decisions]
    all_ai = motor.model_copy(update={"scenarios": [scenario.model_copy(update={"decisions": decisions})]})
    flag = next(f for f in assess(all_ai, "straight_through").governance if f.rule == "gov_no_it_signoff")
    assert flag.message.startswith("3 AI steps lack IT security and integration sign-off: ")
