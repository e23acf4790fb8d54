"""The payback and the cash in words, one wording for the Impact page and the exports.

Capacity and cash are kept apart (docs/methodology.md#costs-and-payback): the payback is
counted on the value of the hours freed, which is money only once that time is put to
work; the cash that can be banked is the whole FTE one role frees. Both places that show
the money say so with these phrases, so the rule is worded once.
"""

from __future__ import annotations

from collections.abc import Callable

from redesign.impact.costs import Costs

__all__ = ["YEARS_FROM_MONTHS", "cash_words", "payback_words"]

YEARS_FROM_MONTHS = 24  # from two years on, the payback is also said in years


def payback_words(c: Costs) -> str:
    """ "payback 14 months if the freed capacity is put to work", "no payback", or "" when no value is known."""
    if c.value_per_year is None:
        return ""
    if not c.payback_months:
        return "no payback"
    months = f"payback {c.payback_months:,.0f} months"
    if c.payback_months >= YEARS_FROM_MONTHS:
        months += f" ({c.payback_months / 12:,.1f} years)"  # "156 months" is read faster as 13 years
    capacity_value = c.value_per_year - c.outcome_gain_per_year
    # Outcome gains alone (a better forecast, less bad debt) need no one's time put to work.
    return f"{months} if the freed capacity is put to work" if capacity_value > 0 else months


def cash_words(c: Costs, money: Callable[[float], str]) -> str:
    """ "cash if the 1 whole FTE is redeployed: EUR 80,000 a year", or why there is none to bank."""
    if c.bankable_fte >= 1 and c.cash_per_year:
        verb = "is" if round(c.bankable_fte) == 1 else "are"
        return f"cash if the {c.bankable_fte:,.0f} whole FTE {verb} redeployed: {money(c.cash_per_year)} a year"
    return "no cash to bank: no whole FTE can be redeployed"
