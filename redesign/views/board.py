"""What the live board draws, as plain JSON-ready data (no Streamlit here, so it is unit-tested).

The layout is the swimlane layout the PDF and slides use (`redesign.flowchart`), with every
function's lane kept so a card can be dragged into a function that has no step yet.
Before reveal the cards show only settled tags and the viewer's own proposal: the
facilitator's projected screen shows what participants see (issue 16, point 3); `peek`
is the facilitator's private, deliberate look at the room's leading tags.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from redesign.flowchart import ChartPage, chart_pages
from redesign.metrics import FlowMetrics
from redesign.model import Flow, Tag
from redesign.store.schemas import WorkshopState
from redesign.workshop import CommentKind

TAG_WORD = {Tag.HUMAN: "Human", Tag.AUGMENT: "Augment", Tag.AUTOMATE: "Automate"}
TAG_SHAPE = {Tag.HUMAN: "■", Tag.AUGMENT: "◆", Tag.AUTOMATE: "⬢"}
NOTE_KINDS: dict[CommentKind, str] = {
    "comment": "Comment",
    "data_quality": "Data-quality flag",
    "risk": "Risk",
    "question": "Question",
}


def shown_tags(state: WorkshopState, peek: bool = False) -> dict[str, tuple[Tag, str]]:
    """Step id -> (tag, why): settled; else the room's leading proposal once revealed (or peeked)."""
    tags: dict[str, tuple[Tag, str]] = {d.step: (d.tag, "settled") for d in state.decisions}
    if not (state.revealed or (peek and state.me.is_facilitator)):
        return tags
    for step_id, counts in state.proposal_counts.items():
        if step_id not in tags and counts:
            tags[step_id] = (max(counts, key=lambda t: counts[t]), "leading")
    return tags


def open_comments(state: WorkshopState, kind: str) -> dict[str, int]:
    return dict(Counter(c.target_id for c in state.comments if c.target_kind == kind and not c.resolved))


def board_layout(flow: Flow) -> ChartPage:
    """The swimlane layout on one page with every function's lane (the same for every viewer)."""
    return chart_pages(flow, {}, max_columns=10**6, keep_empty_lanes=True)[0]


def board_data(
    state: WorkshopState,
    metrics: FlowMetrics,
    *,
    peek: bool = False,
    notice: dict[str, Any] | None = None,
    ack: int = 0,
    layout: ChartPage | None = None,
) -> dict[str, Any]:
    """Everything the board's JS needs; the same state draws the same data (so a rerun redraws nothing).

    `layout`: `board_layout(state.flow)`, shared by every viewer of this version when given."""
    flow = state.flow
    page = layout or board_layout(flow)
    tags = shown_tags(state, peek)
    mine = {p.step_id: p.tag for p in state.proposals if p.participant_id == state.me.id}
    step_notes = open_comments(state, "step")
    handoff_notes = open_comments(state, "handoff")
    breaks = {bp.id for bp in metrics.break_points if bp.kind == "step"}
    bad_handoffs = {bp.id for bp in metrics.break_points if bp.kind == "handoff"}
    steps = flow.steps_by_id()
    cards = []
    for box in page.boxes:
        step = steps[box.step_id]
        tag = tags.get(box.step_id)
        own = mine.get(box.step_id)
        cards.append(
            {
                "id": step.id,
                "n": box.number,
                "name": step.name,
                "lane": step.function,
                "x": box.x,
                "y": box.y,
                "tag": tag[0].value if tag else None,
                "tagWhy": tag[1] if tag else None,
                "mine": own.value if own else None,
                "pca": round(step.pca),
                "break": step.id in breaks,
                "notes": step_notes.get(step.id, 0),
                "focus": step.id == state.focus_step,
            }
        )
    pair_ids: dict[tuple[str, str], str] = {}
    for h in flow.handoffs:
        pair_ids.setdefault((h.source, h.target), h.id)
    wires = [
        {
            "id": pair_ids[(a.source, a.target)],
            "source": a.source,
            "target": a.target,
            "loop": a.loop,
            "bad": pair_ids[(a.source, a.target)] in bad_handoffs,
            "notes": handoff_notes.get(pair_ids[(a.source, a.target)], 0),
            "points": [list(p) for p in a.points],
        }
        for a in page.arrows
    ]
    can = state.can
    return {
        "workshop": state.workshop_id,
        "version": state.version,
        "me": {"id": state.me.id, "name": state.me.name, "facilitator": state.me.is_facilitator},
        "phase": state.phase.value,
        "phaseTitle": state.phase.title,
        "locked": state.locked,
        "revealed": state.revealed,
        "can": {"edit": can.edit_flow, "propose": can.propose, "comment": can.comment},
        "columns": max(page.columns, 1),
        "rows": page.rows,
        "lanes": [
            {"id": b.function, "name": b.name, "colour": b.colour, "top": b.top, "height": b.height} for b in page.bands
        ],
        "cards": cards,
        "wires": wires,
        "peek": bool(peek and state.me.is_facilitator and not state.revealed),
        "notice": notice,
        "ack": ack,
        "noteKinds": NOTE_KINDS,
        "tagWords": {t.value: TAG_WORD[t] for t in Tag},
        "tagShapes": {t.value: TAG_SHAPE[t] for t in Tag},
    }
