"""The shipped sample processes: valid, canonical, realistic enough to teach with.

The samples are data, so these tests pin what a workshop relies on: every file
loads without problems and round-trips byte for byte, has a readable size, spans
several functions, shows at least one data-quality break point and one rework
loop, and the flagship (sales forecasting) and recruiting samples carry the break
points, roles, regulatory flags and scenarios the facilitator guide talks about.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from redesign.io.flow_json import dumps, loads
from redesign.metrics import analyze
from redesign.model import DEFAULT_FUNCTIONS, Flow, Tag

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_processes"
HIGH_RISK_CATALOG = ROOT / "redesign" / "impact" / "catalog" / "high_risk_areas.json"

NAMES = (
    "sales_forecasting",
    "recruiting_hiring",
    "month_end_close",
    "customer_service_cases",
    "it_incident_management",
    "employee_onboarding",
    "procure_to_pay",
)

# The 35 O*NET skills (research/frameworks.md 3.1); step skills must use these names exactly.
ONET_SKILLS = frozenset(
    {
        "Reading Comprehension",
        "Active Listening",
        "Writing",
        "Speaking",
        "Mathematics",
        "Science",
        "Critical Thinking",
        "Active Learning",
        "Learning Strategies",
        "Monitoring",
        "Social Perceptiveness",
        "Coordination",
        "Persuasion",
        "Negotiation",
        "Instructing",
        "Service Orientation",
        "Complex Problem Solving",
        "Operations Analysis",
        "Technology Design",
        "Equipment Selection",
        "Installation",
        "Programming",
        "Operations Monitoring",
        "Operation and Control",
        "Equipment Maintenance",
        "Troubleshooting",
        "Repairing",
        "Quality Control Analysis",
        "Judgment and Decision Making",
        "Systems Analysis",
        "Systems Evaluation",
        "Time Management",
        "Management of Financial Resources",
        "Management of Material Resources",
        "Management of Personnel Resources",
    }
)
WORKING_DAY_MINUTES = 480


@cache
def text(name: str) -> str:
    return (SAMPLES / f"{name}.json").read_text(encoding="utf-8")


@cache
def flow(name: str) -> Flow:
    return loads(text(name))


def test_the_sample_folder_holds_exactly_the_seven_samples() -> None:
    assert sorted(p.stem for p in SAMPLES.glob("*.json")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_sample_loads_without_problems_and_round_trips_byte_for_byte(name: str) -> None:
    sample = flow(name)
    assert sample.id == name
    assert sample.problems() == []
    assert dumps(sample) == text(name)


@pytest.mark.parametrize("name", NAMES)
def test_sample_is_a_workshop_sized_cross_functional_flow(name: str) -> None:
    sample = flow(name)
    assert 12 <= len(sample.steps) <= 30
    assert len({s.function for s in sample.steps}) >= 3
    assert sample.description.strip()
    assert "APQC PCF" in sample.source
    assert all(s.description.strip() for s in sample.steps)


@pytest.mark.parametrize("name", NAMES)
def test_sample_shows_break_points_and_rework(name: str) -> None:
    metrics = analyze(flow(name))
    assert metrics.break_points
    assert metrics.rework_loops
    assert metrics.cross_function_handoffs >= 3


@pytest.mark.parametrize("name", NAMES)
def test_every_step_below_the_threshold_explains_why(name: str) -> None:
    sample = flow(name)
    low = [s for s in sample.steps if s.pca < sample.dq_threshold]
    assert low
    assert all(s.dq_note.strip() for s in low)


@pytest.mark.parametrize("name", NAMES)
def test_steps_are_owned_by_a_costed_role_of_their_own_lane(name: str) -> None:
    sample = flow(name)
    roles = sample.roles_by_id()
    for step in sample.steps:
        owner = roles[step.owner]
        assert owner.function == step.function, step.id
        assert owner.kind == "human" and owner.hourly_cost and owner.headcount >= 1, step.id


@pytest.mark.parametrize("name", NAMES)
def test_volumes_fit_the_headcount(name: str) -> None:
    # An as-is sample where one flow alone overloads a role would be unrealistic.
    assert [b for b in analyze(flow(name)).bottlenecks if b.kind == "capacity"] == []


@pytest.mark.parametrize("name", NAMES)
def test_skills_are_onet_names_and_most_steps_have_a_rubric(name: str) -> None:
    sample = flow(name)
    for step in sample.steps:
        assert step.skills, step.id
        assert set(step.skills) <= ONET_SKILLS, (step.id, set(step.skills) - ONET_SKILLS)
    scored = [s for s in sample.steps if s.rubric.rules is not None and s.rubric.judgment is not None]
    assert len(scored) >= 0.8 * len(sample.steps)


@pytest.mark.parametrize("name", NAMES)
def test_high_risk_areas_are_catalog_ids(name: str) -> None:
    known = {a["id"] for a in json.loads(HIGH_RISK_CATALOG.read_text(encoding="utf-8"))["areas"]}
    for step in flow(name).steps:
        if step.high_risk_area is not None:
            assert re.fullmatch(r"annex3_\d[a-e]?", step.high_risk_area)
            assert step.high_risk_area in known, step.id


@pytest.mark.parametrize("name", NAMES)
def test_default_functions_keep_their_default_names_and_colours(name: str) -> None:
    defaults = {i: (n, c) for i, n, c in DEFAULT_FUNCTIONS}
    for function in flow(name).functions:
        if function.id in defaults:
            assert (function.name, function.colour) == defaults[function.id]


def test_at_least_two_samples_carry_scenarios() -> None:
    assert sum(1 for name in NAMES if flow(name).scenarios) >= 2


# --------------------------------------------------------------------- sales forecasting


def test_sales_forecasting_has_the_functions_and_roles_of_the_research() -> None:
    sample = flow("sales_forecasting")
    assert sample.period == "week"
    assert {"sales", "it", "hr", "finance", "ops"} <= {s.function for s in sample.steps}
    names = {r.name for r in sample.roles}
    assert {
        "Sales rep",
        "Frontline sales manager",
        "Regional sales VP",
        "Chief revenue officer (CRO)",
        "RevOps analyst",
        "Data engineer",
        "CRM admin",
        "HR compensation analyst",
        "FP&A analyst",
        "Chief financial officer (CFO)",
    } <= names
    assert 20 <= len(sample.steps) <= 24


def test_sales_forecasting_break_points_are_the_named_ones() -> None:
    sample = flow("sales_forecasting")
    found = {(b.kind, b.id) for b in analyze(sample).break_points}
    # CRM closed-won vs ERP booking definition: a Sales -> Finance hand-off.
    assert ("handoff", "closed_won_vs_booking") in found
    handoff = next(h for h in sample.handoffs if h.id == "closed_won_vs_booking")
    steps = sample.steps_by_id()
    assert (steps[handoff.source].function, steps[handoff.target].function) == ("sales", "finance")
    assert "closed_won" in handoff.data
    # Manager spreadsheet overrides, and stale close dates.
    assert ("step", "manager_adjustment") in found
    assert "spreadsheet" in steps["manager_adjustment"].dq_note
    assert ("step", "update_opps") in found
    assert "close date" in steps["update_opps"].dq_note


def test_sales_forecast_cycle_fits_in_a_working_week() -> None:
    metrics = analyze(flow("sales_forecasting"))
    assert WORKING_DAY_MINUTES <= metrics.lead_time_minutes <= 5 * WORKING_DAY_MINUTES
    for step_id in ("rep_forecast_call", "manager_adjustment", "regional_rollup", "finance_reconcile", "cfo_signoff"):
        assert step_id in metrics.critical_path
    loops = {(loop.source, loop.target) for loop in metrics.rework_loops}
    assert ("finance_reconcile", "regional_rollup") in loops


def test_sales_commission_is_an_annex_iii_4b_decision() -> None:
    step = flow("sales_forecasting").step("commission_calc")
    assert step.function == "hr"
    assert step.high_risk_area == "annex3_4b"
    assert step.decides_for_person


def test_sales_forecasting_has_a_cautious_and_an_ambitious_scenario() -> None:
    sample = flow("sales_forecasting")
    assert [s.name for s in sample.scenarios] == ["Cautious", "Ambitious"]
    for scenario in sample.scenarios:
        augment = [d for d in scenario.decisions if d.tag == Tag.AUGMENT]
        assert augment and all(d.overseer for d in augment)
        assert any(d.it_signoff for d in scenario.decisions)
        assert all(d.owner and d.rationale for d in scenario.decisions)
        assert any(d.automation_rate is not None or d.time_saving is not None for d in scenario.decisions)
        assert any(d.success_measure and d.review_date for d in scenario.decisions)
    # Ambitious is bold but compliant: the Annex III 4(b) step is augmented, not automated.
    assert sample.scenario("Ambitious").decision_for("commission_calc").tag == Tag.AUGMENT


# --------------------------------------------------------------------------- recruiting


def test_recruiting_screening_is_an_annex_iii_4a_decision_about_a_person() -> None:
    sample = flow("recruiting_hiring")
    screening = sample.step("screening")
    assert screening.name == "Application screening and shortlisting"
    assert screening.high_risk_area == "annex3_4a"
    assert screening.decides_for_person
    interviews = sample.step("panel_interviews")
    assert not interviews.emotion_recognition
    assert sample.step("offer_approval").function == "finance"


def test_recruiting_scenarios_contrast_oversight_with_a_blocked_automation() -> None:
    sample = flow("recruiting_hiring")
    cautious = sample.scenario("Cautious").decision_for("screening")
    assert cautious.tag == Tag.AUGMENT
    assert cautious.overseer == "recruiter"
    aggressive = sample.scenario("Aggressive")
    assert aggressive.decision_for("screening").tag == Tag.AUTOMATE
    # The teaching point: this scenario must raise a governance BLOCK, and says so.
    assert "BLOCK" in aggressive.description
