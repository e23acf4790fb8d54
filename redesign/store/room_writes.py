"""The small writes of a live room that are neither flow edits (`redesign.writes`) nor new
proposals and comments (`contributions`): withdrawing a proposal, resolving a comment and the
facilitator's controls (phase, timer, focus, lock, reveal). Each runs inside a `Write`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from redesign.store import repository as repo
from redesign.store.errors import AccessDenied, InvalidInput, NotFound, missing_item
from redesign.store.unit_of_work import Write
from redesign.workshop import MAX_TIMER_SECONDS
from redesign.writes.events import EventKind


def withdraw(w: Write, step_id: str) -> None:
    assert w.me is not None
    existing = repo.proposal(w.conn, w.wid, step_id, w.me.id)
    if existing is None:
        raise NotFound(f'You have no proposal on step "{step_id}" to withdraw.')
    repo.delete_proposal(w.conn, w.wid, step_id, w.me.id)
    before = {"tag": existing.tag, "rationale": existing.rationale}
    w.log(EventKind.PROPOSAL_WITHDRAW, f"step:{step_id}", before)


def resolve(w: Write, comment_id: Any, resolved: bool) -> None:
    """Mark a comment resolved (or open again); its author or the facilitator may."""
    assert w.me is not None
    row = repo.comment(w.conn, w.wid, comment_id) if isinstance(comment_id, int) else None
    if row is None:
        raise NotFound(f"There is no comment #{comment_id} in this workshop.")
    if row.participant_id != w.me.id and not w.me.is_facilitator:
        raise AccessDenied("Only the author of a comment or the facilitator can resolve it.")
    if bool(row.resolved) != bool(resolved):
        repo.set_comment_resolved(w.conn, w.wid, comment_id, bool(resolved))
        kind = EventKind.COMMENT_RESOLVE if resolved else EventKind.COMMENT_REOPEN
        w.log(kind, f"comment:{comment_id}", row.resolved, resolved)


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def control(w: Write, kind: EventKind, column: str, value: Any) -> None:
    """Set one of the workshop's settings (phase, timer_ends_at, locked, revealed)."""
    before = getattr(w.workshop, column)
    repo.update_workshop(w.conn, w.wid, **{column: value})
    w.log(kind, "workshop", _shown(before), _shown(value))


def focus(w: Write, step_id: str | None) -> None:
    if step_id is not None and (not isinstance(step_id, str) or w.item("step", step_id) is None):
        raise missing_item("step", step_id)
    before = w.workshop.focus_step
    repo.update_workshop(w.conn, w.wid, focus_step=step_id)
    w.log(EventKind.FOCUS_SET, "workshop", before, step_id)


def timer_seconds(seconds: Any) -> int | None:
    """`seconds` if it is a timer's length (1 s to MAX_TIMER_SECONDS) or None, else InvalidInput."""
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= MAX_TIMER_SECONDS
    ):
        raise InvalidInput(f"A timer runs from 1 second to {MAX_TIMER_SECONDS // 3600} hours.")
    return seconds
