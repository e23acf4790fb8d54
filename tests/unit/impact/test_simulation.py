"""The flow simulation agrees with queueing formulas where they exist, and refuses flows with no end."""

from __future__ import annotations

import math

import pytest

from redesign.impact.assess import assess
from redesign.impact.simulation import SimulationRefused, compare_runs, simulate, simulate_impact
from redesign.model import Flow, Handoff, Role, Step, default_functions
from redesign.samples import load_sample


def _queues(lam: float, mus: list[float], people: int = 1, **flow: object) -> Flow:
    """A line of single-role stations; arrivals lam per minute, service rate mu per minute per person."""
    base = Flow(id="q", name="Queue", functions=default_functions(), **flow)
    per_minute = base.fte_hours_per_period * 60.0
    roles = [Role(id=f"r{i}", name=f"Role {i}", function="ops", headcount=people) for i in range(len(mus))]
    steps = [
        Step(id=f"s{i}", name=f"Station {i}", function="ops", owner=f"r{i}", volume=lam * per_minute,
             touch_minutes=1.0 / mu)
        for i, mu in enumerate(mus)
    ]  # fmt: skip
    handoffs = [Handoff(id=f"h{i}", source=f"s{i - 1}", target=f"s{i}") for i in range(1, len(mus))]
    return base.model_copy(update={"roles": roles, "steps": steps, "handoffs": handoffs})


def test_mm1_mean_time_in_system_within_5_percent() -> None:
    lam, mu = 0.5, 1.0
    result = simulate(_queues(lam, [mu]), cases=40_000, cv=1.0)
    assert result.lead_mean_minutes == pytest.approx(1.0 / (mu - lam), rel=0.05)
    role = result.roles[0]
    assert role.utilisation == pytest.approx(lam / mu, rel=0.05)


def test_tandem_queues_add_up_within_5_percent() -> None:
    lam, mus = 0.5, [1.0, 1.25]
    result = simulate(_queues(lam, mus), cases=40_000, cv=1.0)
    expected = sum(1.0 / (mu - lam) for mu in mus)  # Jackson network: each station an M/M/1
    assert result.lead_mean_minutes == pytest.approx(expected, rel=0.05)


def test_mmc_matches_erlang_c_within_5_percent() -> None:
    lam, mu, c = 1.6, 1.0, 2
    a = lam / mu
    rho = a / c
    p0 = 1.0 / (sum(a**k / math.factorial(k) for k in range(c)) + a**c / (math.factorial(c) * (1 - rho)))
    wq = (a**c / (math.factorial(c) * (1 - rho))) * p0 / (c * mu - lam)
    result = simulate(_queues(lam, [mu], people=c), cases=60_000, cv=1.0)
    assert result.lead_mean_minutes == pytest.approx(wq + 1.0 / mu, rel=0.05)


def test_a_flow_that_cannot_reach_an_end_is_refused_with_the_step_named() -> None:
    flow = _queues(0.1, [1.0, 1.0, 1.0])
    # s0 -> s1 -> s2 -> back to s1, and nothing leaves the loop
    trapped = flow.model_copy(update={"handoffs": [*flow.handoffs, Handoff(id="back", source="s2", target="s1")]})
    with pytest.raises(SimulationRefused, match=r'"Station [12]"'):
        simulate(trapped, cases=10)


def test_automating_off_the_bottleneck_does_not_shorten_the_lead_time() -> None:
    # Station 0 is slow and busy (the bottleneck); station 1 is quick. Removing station 1's touch time
    # saves hours but barely moves the lead time, and the simulation says so.
    flow = _queues(0.45, [0.5, 20.0])
    after = flow.model_copy(update={"steps": [flow.steps[0], flow.steps[1].model_copy(update={"touch_minutes": 0.01})]})
    result = compare_runs(flow, after, ["s1"], cases=20_000)
    assert result.after.lead_p50_minutes == pytest.approx(result.before.lead_p50_minutes, rel=0.05)
    assert any("barely moves" in n and "Station 0" in n for n in result.notes)


def test_an_overloaded_role_is_named() -> None:
    result = simulate(_queues(1.2, [1.0]), cases=2_000, cv=1.0)
    assert result.roles[0].overloaded


def test_sales_sample_before_and_after_have_no_nan() -> None:
    flow = load_sample("sales_forecasting")
    sim = simulate_impact(flow, assess(flow, flow.scenarios[0]), cases=3_000)
    for run in (sim.before, sim.after):
        assert all(math.isfinite(x) and x >= 0 for x in (run.lead_p50_minutes, run.lead_p90_minutes))
        assert run.lead_p50_minutes <= run.lead_p90_minutes
        assert all(r.utilisation >= 0 for r in run.roles)
