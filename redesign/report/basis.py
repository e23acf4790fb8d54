"""What an executive summary is based on: the room's settled decisions, a prepared scenario, or suggestions.

The summary's title and goal come from its scenario, so each basis is a Scenario
named and described for what it is: a prepared scenario or Crossflow's
suggestions never pass for what the room decided (issue 16, point 5).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from redesign.model import Decision, Flow, Scenario, Tag
from redesign.report import formatting as fmt

SETTLED = "settled"
SUGGESTIONS = "suggestions"
SCENARIO_PREFIX = "scenario:"


@dataclass(frozen=True)
class Basis:
    key: str  # SETTLED, SUGGESTIONS or "scenario:<id>"
    label: str  # the choice as a person reads it
    explanation: str  # one sentence for the page: what the summary will say and on what grounds
    scenario: Scenario  # what the impact engine assesses; its name becomes the summary's title


def settled_basis(decisions: Sequence[Decision]) -> Basis:
    count = len(decisions)
    return Basis(
        key=SETTLED,
        label=f"Settled decisions ({count})",
        explanation=f"Based on the {count} decision{'s' if count != 1 else ''} the room settled; "
        "steps not settled stay as they are.",
        scenario=Scenario(
            id="workshop_decisions",
            name="Workshop decisions",
            description="The decisions the facilitator settled with the room.",
            decisions=list(decisions),
        ),
    )


def scenario_basis(scenario: Scenario) -> Basis:
    name = f"Prepared scenario “{scenario.name}” (not settled by the room)"
    told = scenario.description.strip()
    return Basis(
        key=SCENARIO_PREFIX + scenario.id,
        label=f"Prepared scenario “{scenario.name}” ({fmt.counted(len(scenario.decisions), 'decision')})",
        explanation=f"Based on the prepared scenario “{scenario.name}”, which came with the flow: "
        "the room has not settled it, and the summary's title says so.",
        scenario=scenario.model_copy(
            update={
                "name": name[:200],
                "description": f"A scenario prepared before the workshop; the room has not settled it. {told}".strip(),
            }
        ),
    )


def suggestions_basis(suggested: Iterable[tuple[str, Tag]]) -> Basis:
    decisions = [Decision(step=step, tag=tag) for step, tag in suggested]
    return Basis(
        key=SUGGESTIONS,
        label=f"Crossflow's suggested tags ({fmt.counted(len(decisions), 'step')})",
        explanation="Based on the tags Crossflow suggests from each step's rubric and task evidence: "
        "nobody has decided them, and the summary's title says so.",
        scenario=Scenario(
            id="crossflow_suggestions",
            name="Crossflow's suggestions (not decided by the room)",
            description="Tags suggested by Crossflow's rules for every step; nobody has decided them.",
            decisions=decisions,
        ),
    )


def bases(flow: Flow, settled: Sequence[Decision]) -> list[Basis]:
    """The settled decisions (when there are any) first, then each prepared scenario; suggestions are added
    by the caller (they take a moment to compute)."""
    out = [settled_basis(settled)] if settled else []
    return out + [scenario_basis(s) for s in flow.scenarios]


__all__ = ["SETTLED", "SUGGESTIONS", "Basis", "bases", "scenario_basis", "settled_basis", "suggestions_basis"]
