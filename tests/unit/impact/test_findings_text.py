"""Findings, not templates: no explained text repeats word for word within an assessment (every sample)."""

from __future__ import annotations

from collections import Counter

import pytest

from redesign.impact.assess import assess
from redesign.impact.suggested import scenario_or_suggested
from redesign.report.summary import build_summary
from redesign.samples import load_sample, sample_ids


def _scenarios(sample: str):
    flow = load_sample(sample)
    return flow, flow.scenarios or [scenario_or_suggested(flow, None)]


@pytest.mark.parametrize("sample", sample_ids())
def test_no_reason_text_repeats_word_for_word(sample: str) -> None:
    flow, scenarios = _scenarios(sample)
    for scenario in scenarios:
        texts = Counter(item.reason.text for item in assess(flow, scenario).items())
        repeated = [t for t, n in texts.items() if n > 1]
        assert not repeated, (sample, scenario.id, repeated[:2])


@pytest.mark.parametrize("sample", sample_ids())
def test_the_executive_page_names_a_shared_metric_with_its_owner(sample: str) -> None:
    flow, scenarios = _scenarios(sample)
    scenario = scenarios[0]
    executive = build_summary(flow, scenario, assess(flow, scenario)).executive
    assert "owned by" in executive.shared_metric or executive.shared_metric == "No shared metric in this scenario."
    assert executive.pilot_first.startswith("Wave 1") or "Nothing to pilot" in executive.pilot_first


def test_the_sales_sample_leads_with_forecast_accuracy_shared_by_sales_and_finance() -> None:
    flow = load_sample("sales_forecasting")
    executive = build_summary(flow, flow.scenarios[0], assess(flow, flow.scenarios[0])).executive
    assert executive.shared_metric.startswith("Forecast accuracy")
    assert "Sales" in executive.shared_metric and "Finance" in executive.shared_metric
