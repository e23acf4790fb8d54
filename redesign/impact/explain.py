"""Why an output says what it says: the `Reason` every impact item carries.

A facilitator asked "where does that come from?" in front of the room reads the
reason: the catalog rule that fired, the publication behind it, the steps it looked
at, the figures it used and one plain sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from redesign.built import in_order
from redesign.impact.catalog import catalog

Number = float | int | str


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: str  # catalog rule id
    source: str  # the publication or article behind the rule
    steps: list[str]  # step ids the rule looked at
    numbers: dict[str, Number]  # the figures it used, by name, at full precision (round when showing)
    text: str  # one plain sentence


_SOURCES: dict[str, str] = {}
"""Rule id -> its source, filled on first use (the catalog is read-only; a 5,000-step flow asks 20,000 times)."""


def _source(rule: str) -> str:
    _SOURCES[rule] = source = catalog().rule(rule).source
    return source


def because(rule: str, steps: Iterable[str], text: str, numbers: Mapping[str, Number] | None = None) -> Reason:
    """A reason for catalog rule ``rule``; its source comes from the catalog."""
    # Built without re-validating: every field is typed at the call site, and the engine makes tens of
    # thousands of reasons on a large flow (validation was a fifth of the assessment's time).
    source = _SOURCES.get(rule) or _source(rule)
    figures = dict(numbers) if numbers else {}
    # Most reasons name one step (`[step.id]`): nothing to de-duplicate, a copy will do.
    ids = steps.copy() if type(steps) is list and len(steps) < 2 else list(dict.fromkeys(steps))
    # Every field, in Reason's order (`in_order`).
    return in_order(Reason, {"rule": rule, "source": source, "steps": ids, "numbers": figures, "text": text})


def hours(value: float) -> str:
    """Hours for a sentence: one decimal, thousands separated."""
    return f"{value:,.1f} h"


def hours_each(value: float) -> str:
    """One person's share of freed hours: "0.3 h", or minutes below a tenth of an hour ("0.0 h" read as nothing)."""
    if value >= 0.05:
        return hours(value)
    minutes = value * 60
    return f"{minutes:.0f} min" if minutes >= 0.5 else "under a minute"


def counted(n: int, noun: str) -> str:
    """ "1 step", "2 steps": a count with its noun in the right number (nouns plural by an s)."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def agreeing(n: int, one: str, many: str) -> str:
    """The verb that agrees with a count: agreeing(1, "has", "have") -> "has"."""
    return one if n == 1 else many
