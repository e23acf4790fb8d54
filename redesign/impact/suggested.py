"""The "Suggested" scenario: the engine's suggested tags, used when a flow has no scenario.

A flow fresh from an import or a template has no redesign yet; assessing the as-is flow
would say "nothing changes". Instead the suggested tags (`redesign.impact.suggest`)
become a scenario named "Suggested", and every output says that is what it is, so no
reader mistakes it for a decision the workshop took.
"""

from __future__ import annotations

from redesign.model import Decision, Flow, Scenario, Tag

SUGGESTED_ID = "suggested"
SUGGESTED_NAME = "Suggested"
SUGGESTED_NOTE = (
    "This flow has no scenario, so the analysis uses the suggested tags as a scenario named "
    '"Suggested": nothing here was decided by the workshop.'
)


def suggested_scenario(flow: Flow) -> Scenario:
    """A scenario that applies every suggested augment/automate tag (human steps stay undecided)."""
    from redesign.impact.suggest import suggest  # the O*NET index loads only when needed

    decisions = [Decision(step=item.step, tag=item.tag) for item in suggest(flow).items if item.tag != Tag.HUMAN]
    return Scenario(id=SUGGESTED_ID, name=SUGGESTED_NAME, description=SUGGESTED_NOTE, decisions=decisions)


def is_suggested(scenario: Scenario) -> bool:
    return scenario.id == SUGGESTED_ID and scenario.description == SUGGESTED_NOTE


def scenario_or_suggested(flow: Flow, scenario: Scenario | None) -> Scenario:
    """The scenario given, else the flow's first, else the "Suggested" one."""
    if scenario is not None:
        return scenario
    return flow.scenarios[0] if flow.scenarios else suggested_scenario(flow)


__all__ = [
    "SUGGESTED_ID",
    "SUGGESTED_NAME",
    "SUGGESTED_NOTE",
    "is_suggested",
    "scenario_or_suggested",
    "suggested_scenario",
]
