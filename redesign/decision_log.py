"""What the decision log needs from a settled decision, and what a given one still lacks.

Pure. The settle form asks for these before it settles (or records, explicitly, that
the room decides them later); the summaries print "to decide later" in their place.
"""

from __future__ import annotations

from redesign.model import Decision, Tag

DECIDE_LATER = "to decide later"
"""What the summaries print for a detail the room chose to decide later."""


def missing_details(decision: Decision) -> list[str]:
    """The decision-log details this decision lacks, in the form's order, as short phrases.

    An AI tag (augment, automate) needs a named human overseer: the person who reviews
    and can override the system (EU AI Act Art 14; see docs/methodology.md#governance-flags).
    """
    missing = []
    if not decision.rationale.strip():
        missing.append("a rationale")
    if decision.owner is None:
        missing.append("an accountable owner")
    if decision.tag in (Tag.AUGMENT, Tag.AUTOMATE) and decision.overseer is None:
        missing.append(f"a human overseer (needed for {decision.tag.value})")
    if not decision.success_measure.strip():
        missing.append("a success measure")
    if decision.review_date is None:
        missing.append("a review date")
    return missing


def missing_sentence(missing: list[str]) -> str:
    """'a rationale, a success measure and a review date'."""
    if len(missing) <= 1:
        return "".join(missing)
    return ", ".join(missing[:-1]) + " and " + missing[-1]


__all__ = ["DECIDE_LATER", "missing_details", "missing_sentence"]
