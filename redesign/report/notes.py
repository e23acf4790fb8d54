"""What the room flagged and did not close: open comments, data-quality flags, risks and questions.

Pure. `open_notes(flow, comments)` groups the workshop's unresolved comments by the
step (or hand-off) they are on, in flow order, each with who raised it; `notes_table`
lays them out once for every renderer. Comments are plain text as typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from redesign.model import Flow
from redesign.workshop import CommentOut

if TYPE_CHECKING:
    from redesign.report.tables import TableData

KIND_LABEL: dict[str, str] = {
    "data_quality": "Data quality",
    "risk": "Risk",
    "question": "Question",
    "comment": "Comment",
}
"""The order flags are listed in within a step: data quality first, plain comments last."""

NO_NOTES = "No open comments or flags: everything raised in the workshop was resolved."
NO_NOTES_RECORD = "No workshop record: comments and flags are kept only for a live workshop."


class NoteRow(BaseModel):
    """One open comment or flag."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target: str  # the step's name, or "hand-off A → B"
    kind: str  # KIND_LABEL value
    text: str
    author: str  # "Name (Function)"
    at: datetime


def _targets(flow: Flow) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], int]]:
    """Each step and hand-off's label and its rank (steps in flow order, each hand-off after its source)."""
    steps = flow.steps_by_id()
    labels: dict[tuple[str, str], str] = {}
    rank: dict[tuple[str, str], int] = {}
    for i, s in enumerate(flow.steps):
        labels["step", s.id] = s.name
        rank["step", s.id] = 2 * i
    order = {s.id: i for i, s in enumerate(flow.steps)}
    for h in flow.handoffs:
        source = steps[h.source].name if h.source in steps else h.source
        target = steps[h.target].name if h.target in steps else h.target
        labels["handoff", h.id] = f"hand-off {source} → {target}"
        rank["handoff", h.id] = 2 * order.get(h.source, len(order)) + 1
    return labels, rank


def open_notes(flow: Flow, comments: Iterable[CommentOut]) -> list[NoteRow]:
    """The unresolved comments and flags, per step in flow order, data-quality flags first within a step.

    A comment on a deleted step or hand-off is kept (nothing said is lost), last, under its id.
    """
    labels, rank = _targets(flow)
    functions = {f.id: f.name for f in flow.functions}
    kinds = list(KIND_LABEL)
    rows = []
    for c in comments:
        if c.resolved:
            continue
        key = (c.target_kind, c.target_id)
        function = functions.get(c.author_function, c.author_function) or "facilitator"
        order = (rank.get(key, len(rank) * 2), c.target_id, kinds.index(c.kind) if c.kind in kinds else 9, c.at)
        rows.append(
            (
                order,
                NoteRow(
                    target=labels.get(key, f"{c.target_kind} {c.target_id} (deleted)"),
                    kind=KIND_LABEL.get(c.kind, c.kind),
                    text=c.text.strip(),
                    author=f"{c.author_name} ({function})",
                    at=c.at,
                ),
            )
        )
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


def no_notes(workshop: str | None) -> str:
    """What the section says when it has no rows: nothing open, or no workshop to have raised any."""
    return NO_NOTES_RECORD if workshop is None else NO_NOTES


def notes_table(notes: list[NoteRow]) -> TableData:
    """The open notes as a table for every renderer: where, what kind, who raised it, what they said."""
    # Imported here: tables imports the summary, which holds NoteRow (a cycle at import time).
    from redesign.report.tables import TableData

    rows = [[n.target, n.kind, n.author, n.text] for n in notes]
    return TableData(["Step", "Kind", "Raised by", "What they said"], rows, "LLLL", [3, 1.3, 2.2, 6.5])


__all__ = ["KIND_LABEL", "NO_NOTES", "NO_NOTES_RECORD", "NoteRow", "no_notes", "notes_table", "open_notes"]
