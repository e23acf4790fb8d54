"""Ranges: Monte Carlo over the catalog's parameter ranges, and the one-at-a-time sensitivity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from impact_flows import flows, small_flow

from redesign.impact.assess import assess
from redesign.impact.ranges import OPTIMISTIC_PERCENTILE, Range, _Model, likely_words, ranges, uncertain_parameters
from redesign.impact.suggested import scenario_or_suggested
from redesign.samples import load_sample, sample_ids


def _at_modes(flow, impact) -> dict[str, float]:
    values = {k: np.array([u.mode]) for k, u in uncertain_parameters().items()}
    return {k: float(v[0]) for k, v in _Model(flow, impact).evaluate(values, 1).items()}


@pytest.mark.parametrize("sample", sample_ids())
def test_at_the_catalog_values_the_model_is_the_point_estimate(sample: str) -> None:
    flow = load_sample(sample)
    for scenario in flow.scenarios or [scenario_or_suggested(flow, None)]:
        impact = assess(flow, scenario)
        got = _at_modes(flow, impact)
        e2e = {c.metric: c.after for c in impact.end_to_end.changes}
        assert got["saved_hours"] == pytest.approx(impact.totals.saved_hours, abs=1e-6)
        assert got["lead_time"] == pytest.approx(e2e["lead_time_minutes"], abs=1e-6)
        assert got["pca"] == pytest.approx(e2e["rolled_pca"], abs=1e-6)
        assert got["cost_saved"] == pytest.approx(impact.totals.cost_saved_per_period or 0.0, abs=1e-6)


def test_every_range_has_a_source_and_the_sensitivity_is_ordered() -> None:
    flow = load_sample("sales_forecasting")
    result = ranges(flow, assess(flow, flow.scenarios[0]))
    assert {r.metric for r in result.ranges} >= {"saved_hours", "saved_fte", "lead_time", "pca"}
    assert "docs/methodology.md#ranges" in result.reason.source
    swings = [s.swing for s in result.sensitivity]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0


def test_the_same_seed_gives_the_same_range() -> None:
    flow = small_flow()
    impact = assess(flow, "s")
    assert ranges(flow, impact) == ranges(flow, impact)


def test_a_decision_figure_is_not_drawn() -> None:
    flow = small_flow()
    decided = flow.scenarios[0].decisions
    automate = {"automation_rate": 0.5, "exception_rate": 0.1, "exception_minutes": 5.0, "monitoring_hours": 1.0}
    augment = {"time_saving": 0.3, "validation_minutes": 1.0}
    fixed = [d.model_copy(update={"automate": automate, "augment": augment}.get(d.tag, {})) for d in decided]
    scenario = flow.scenarios[0].model_copy(update={"decisions": fixed})
    impact = assess(flow, scenario)
    saved = next(r for r in ranges(flow, impact).ranges if r.metric == "saved_hours")
    assert saved.p10 == pytest.approx(saved.p90)  # nothing uncertain is left in the hours
    assert saved.point_percentile == 100.0 and not saved.optimistic  # every draw is the estimate: no warning


@settings(max_examples=60, deadline=None)
@given(flows())
def test_p10_p50_p90_are_ordered_finite_and_within_the_work_there_is(flow) -> None:
    impact = assess(flow, "sc")
    result = ranges(flow, impact, draws=200)
    for r in result.ranges:
        assert all(math.isfinite(x) for x in (r.p10, r.p50, r.p90)), r
        assert r.p10 <= r.p50 + 1e-9 and r.p50 <= r.p90 + 1e-9, r
        assert 0.0 <= r.point_percentile <= 100.0, r
    saved = result.get("saved_hours")
    assert saved is not None
    # Hours conserved: no draw saves more than the people's hours of the decided steps.
    decided = sum(s.before_hours for s in impact.steps if s.tag != "human")
    assert saved.p90 <= decided + 1e-6
    pca = result.get("pca")
    if pca is not None:
        assert pca.p10 >= 0.0 and pca.p90 <= 100.0 + 1e-9


def _range(point: float, percentile: float) -> Range:
    return Range(
        metric="saved_hours", label="Hours", unit="h", point=point, p10=18.0, p50=21.0, p90=24.0,
        point_percentile=percentile,
    )  # fmt: skip


def test_a_central_estimate_reads_as_its_range_and_median() -> None:
    words = likely_words(_range(21.5, 55.0), lambda v: f"{v:.1f}", "h")
    assert words == "likely 18.0 to 24.0 h (P10-P90), median 21.0 h"


def test_an_estimate_above_most_draws_is_called_optimistic_with_the_share_that_reaches_it() -> None:
    words = likely_words(_range(24.5, 93.0), lambda v: f"{v:.1f}", "h")
    assert words.startswith("likely 18.0 to 24.0 h (P10-P90), median 21.0 h; the estimate is optimistic")
    assert "only 7 % of the draws reach it" in words and "plan on the median" in words
    assert "none of the draws" in likely_words(_range(30.0, 100.0), str, "h")
    assert not _range(24.0, OPTIMISTIC_PERCENTILE - 0.1).optimistic


def test_the_point_percentile_counts_the_draws_at_or_below_the_estimate() -> None:
    # Month-end close: the catalog's typical values are the favourable end of the exception,
    # monitoring and validation ranges, so most draws save fewer hours than the estimate.
    flow = load_sample("month_end_close")
    impact = assess(flow, flow.scenarios[0])
    result = ranges(flow, impact)
    saved = result.get("saved_hours")
    assert saved is not None and saved.point > saved.p90 and saved.optimistic
    assert saved.point_percentile > 90.0
    assert f"above {saved.point_percentile:.0f} % of the draws" in result.reason.text
