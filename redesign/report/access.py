"""Which exports a person may start in which phase (issue 13, point 3).

The facilitator may export anything at any time (they prepare the room's material).
Participants may export the flow itself (JSON, BPMN, Mermaid) at any time; the
executive summaries and the impact tables (PDF, PowerPoint, HTML, Markdown, CSV,
Excel) once the room has reached "Impact": before that there is nothing settled
to summarise, and a summary is the heaviest work the server does.
"""

from __future__ import annotations

from redesign.workshop import Phase

FLOW_ONLY = frozenset({"json", "bpmn", "mermaid"})
PARTICIPANT_SUMMARY_PHASES = frozenset({Phase.IMPACT, Phase.EXPORT})


def export_refusal(fmt: str, phase: Phase | str, is_facilitator: bool) -> str | None:
    """Why this person may not start export `fmt` now (a sentence for the page), or None."""
    if is_facilitator or fmt in FLOW_ONLY or Phase(phase) in PARTICIPANT_SUMMARY_PHASES:
        return None
    return (
        f'Summaries and impact tables open to everyone in "{Phase.IMPACT.title}" and "{Phase.EXPORT.title}"; '
        f'the workshop is in "{Phase(phase).title}". The facilitator can export them now.'
    )
