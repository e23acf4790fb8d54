"""Acceptance on the shipped samples (issue 3): sales forecasting roles and shared metrics,
recruiting screening BLOCK / WARN with an overseer step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redesign.impact.assess import assess, default_scenario
from redesign.impact.compare import compare
from redesign.impact.suggest import suggest
from redesign.io.flow_json import read_flow
from redesign.model import Decision, Scenario, Tag

SAMPLES = Path(__file__).resolve().parents[3] / "sample_processes"
SALES = SAMPLES / "sales_forecasting.json"
RECRUITING = SAMPLES / "recruiting_hiring.json"

pytestmark = pytest.mark.skipif(not SALES.exists() or not RECRUITING.exists(), reason="samples not present")

# Role ids as written in sample_processes/sales_forecasting.json
SALES_ROLES = {
    "sales_rep": "sales rep",
    "sales_manager": "sales manager",
    "revops_analyst": "RevOps",
    "fpa_analyst": "FP&A",
    "comp_analyst": "HR compensation",
}


def _impact_json(path: Path, scenario: str | None = None) -> dict:
    flow = read_flow(path)
    chosen = scenario if scenario is not None else default_scenario(flow)
    return json.loads(assess(flow, chosen).model_dump_json())


@pytest.mark.parametrize("scenario", [None, "cautious", "ambitious"])
def test_sales_forecasting_reports_hours_per_role(scenario) -> None:
    data = _impact_json(SALES, scenario)
    roles = {r["role"]: r for r in data["roles"]}
    for role_id, label in SALES_ROLES.items():
        assert role_id in roles, f"{label} role missing"
        role = roles[role_id]
        assert role["before_hours"] > 0, label
        assert role["after_hours"] >= 0 and role["before_fte"] is not None
        assert role["reason"]["rule"] and role["reason"]["steps"]


def test_sales_forecasting_shares_a_metric_between_sales_and_finance() -> None:
    data = _impact_json(SALES)
    shared = [i for i in data["incentives"] if {"sales", "finance"} <= set(i["shared_by"])]
    assert any(i["rule"] == "inc_sales_forecast_shared" for i in shared)
    assert all(i["owner"] for i in shared)  # exactly one accountable role each
    names = [i["metric"] for i in shared]
    assert any("1 - WMAPE" in n for n in names) and any("bias" in n.lower() for n in names)


def _walk_items(data: dict):
    def walk(node):
        if isinstance(node, dict):
            if "reason" in node and isinstance(node["reason"], dict):
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    yield from walk(data)


@pytest.mark.parametrize("path", [SALES, RECRUITING], ids=["sales", "recruiting"])
def test_every_item_carries_its_reason_and_step_ids(path) -> None:
    data = _impact_json(path)
    items = list(_walk_items(data))
    assert len(items) > 50
    for item in items:
        reason = item["reason"]
        assert reason["rule"] and reason["source"] and reason["text"]
        assert reason["steps"], reason["rule"]


def _recruiting_with(tag: Tag) -> tuple:
    flow = read_flow(RECRUITING)
    scenario = Scenario(id="t", name="Screening test", decisions=[Decision(step="screening", tag=tag, it_signoff=True)])
    return flow, assess(flow, scenario)


def test_recruiting_automated_screening_is_blocked_citing_annex_iii_4a() -> None:
    _, impact = _recruiting_with(Tag.AUTOMATE)
    blocks = [f for f in impact.governance if f.severity == "BLOCK" and f.step == "screening"]
    cited = [f for f in blocks if "Annex III point 4(a)" in f.message]
    assert cited, [f.message for f in blocks]
    assert cited[0].remedy.startswith('Switch "') and "augment" in cited[0].remedy
    assert impact.blocked
    assert any(i.step == "screening" for i in impact.pilot.held)


def test_recruiting_augmented_screening_warns_with_an_overseer_step_in_a_role() -> None:
    flow, impact = _recruiting_with(Tag.AUGMENT)
    assert not [f for f in impact.governance if f.severity == "BLOCK" and f.step == "screening"]
    warn = next(f for f in impact.governance if f.rule == "gov_annex3_augment" and f.step == "screening")
    assert warn.severity == "WARN" and "Annex III point 4(a)" in warn.message
    review = next(n for n in impact.new_steps if n.id == warn.oversight_step)
    step = flow.step("screening")
    assert review.hours == pytest.approx(step.volume * review.minutes_per_case / 60)
    assert review.hours > 0
    owner = next(r for r in impact.roles if r.role == review.owner)
    assert owner.after_by_activity.get("overseeing", 0) >= review.hours - 1e-9
    assert "screening" in [d for r in impact.roles for d in r.steps]


def test_the_samples_own_aggressive_scenario_is_blocked_on_screening() -> None:
    impact = assess(read_flow(RECRUITING), "aggressive")
    assert any(f.rule == "gov_annex3_automate" and f.step == "screening" for f in impact.governance)


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_sample_assesses_compares_and_suggests(path) -> None:
    flow = read_flow(path)
    for scenario in [None, *flow.scenarios]:
        impact = assess(flow, scenario)
        assert abs(impact.totals.saved_hours - (impact.totals.before_hours - impact.totals.after_hours)) < 1e-6
    assert len(compare(flow).scenarios) == len(flow.scenarios)
    assert len(suggest(flow, None).items) == len(flow.steps)
