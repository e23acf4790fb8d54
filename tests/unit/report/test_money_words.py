"""The payback and cash phrases shared by the Impact page and the exports."""

from __future__ import annotations

import pytest

from redesign.impact.assess import assess
from redesign.impact.costs import Costs
from redesign.report.money_words import cash_words, payback_words
from redesign.samples import load_sample


@pytest.fixture(scope="module")
def costs() -> Costs:
    flow = load_sample("sales_forecasting")
    return assess(flow, flow.scenarios[0]).costs


def eur(value: float) -> str:
    return f"EUR {value:,.0f}"


def test_the_payback_on_freed_capacity_says_it_needs_the_time_put_to_work(costs: Costs) -> None:
    assert costs.payback_months and costs.value_per_year and costs.outcome_gain_per_year == 0
    assert payback_words(costs) == f"payback {costs.payback_months:,.0f} months if the freed capacity is put to work"


def test_a_payback_on_outcome_gains_alone_has_no_condition(costs: Costs) -> None:
    gains_only = costs.model_copy(update={"value_per_year": 50_000.0, "outcome_gain_per_year": 50_000.0})
    assert payback_words(gains_only) == f"payback {costs.payback_months:,.0f} months"


def test_a_long_payback_is_also_said_in_years(costs: Costs) -> None:
    long = costs.model_copy(update={"payback_months": 156.0})
    assert payback_words(long) == "payback 156 months (13.0 years) if the freed capacity is put to work"
    short = costs.model_copy(update={"payback_months": 23.0})
    assert payback_words(short) == "payback 23 months if the freed capacity is put to work"


def test_no_value_gives_no_payback_phrase_and_none_that_never_pays_back_says_so(costs: Costs) -> None:
    assert payback_words(costs.model_copy(update={"value_per_year": None})) == ""
    assert payback_words(costs.model_copy(update={"payback_months": None})) == "no payback"


def test_cash_is_only_the_whole_fte_one_role_frees(costs: Costs) -> None:
    assert costs.bankable_fte < 1
    assert cash_words(costs, eur) == "no cash to bank: no whole FTE can be redeployed"
    one = costs.model_copy(update={"bankable_fte": 1.0, "cash_per_year": 80_000.0})
    assert cash_words(one, eur) == "cash if the 1 whole FTE is redeployed: EUR 80,000 a year"
    two = costs.model_copy(update={"bankable_fte": 2.0, "cash_per_year": 150_000.0})
    assert cash_words(two, eur) == "cash if the 2 whole FTE are redeployed: EUR 150,000 a year"
