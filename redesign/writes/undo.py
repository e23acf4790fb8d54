"""Undo: the inverse of one write's flow edits and decisions, as new events.

Undo never deletes history: it appends events that put each touched row back as it
was before the write (each marked `undoes=<version>`), so undoing is itself in the log.
A row someone changed again since is put back too (the newest write is what undo
reverts, and later writes are undone first); a row already as it was is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from redesign.writes.events import UNDOABLE_KINDS, Body, Event, EventKind, Item, Logged, Verb
from redesign.writes.parts import flow_of
from redesign.writes.plan import Plan, Snapshot
from redesign.writes.refusals import Reason, check_flow, refuse
from redesign.writes.replay import Rows, apply_event, put

NOTHING = "There is nothing to undo: no flow edit or settled decision yet."


def revert_phase(event: Logged) -> tuple[int, int]:
    """The order undo reverts one write's events in (a stable sort keeps newest-first within a phase).

    Added rows go and changed rows get their old body first; deleted rows come back
    at their old positions, lowest first (deletions never renumber the rows that
    stay, so those places are free); decisions follow their steps. Writes that
    moved rows carry the old positions (`layout`), which undo applies last.
    """
    if event.kind.verb is Verb.REORDER:
        return (3, 0)
    if event.kind.item is Item.DECISION:
        return (2, 0)
    if event.kind.verb is Verb.DELETE:
        return (1, event.position if event.position is not None else 0)
    return (0, 0)


def _end(rows: Rows, kind: str) -> int:
    return max((p.position for k, p in rows.parts.items() if k[0] == kind), default=-1) + 1


def inverse(event: Logged, rows: Rows, undone: int) -> Event | None:
    """The event that puts back what `event` changed, given the rows as they are now (None: nothing to do)."""
    summary = f"undid a change ({event.summary})"
    tid = event.target_id
    if event.kind.item is Item.DECISION:
        current: Body | None = rows.decisions.get(tid)
        kind = EventKind.DECISION_UNSETTLE if event.before is None else EventKind.DECISION_SETTLE
        return Event(kind, event.target, current, event.before, undoes=undone, summary=summary)
    item = event.kind.item
    if event.kind.verb is Verb.REORDER:  # the positions come back from the write's layout, after every row
        return Event(event.kind, event.target, event.after, event.before, undoes=undone, summary=summary)
    existing = rows.parts.get((item.value, tid))
    if event.kind.verb is Verb.ADD and existing is not None:
        return Event(
            EventKind.of(item, Verb.DELETE),
            event.target,
            existing.body,
            None,
            position=existing.position,
            undoes=undone,
            summary=summary,
        )
    if event.kind.verb is Verb.UPDATE and existing is not None:
        return Event(event.kind, event.target, existing.body, event.before, undoes=undone, summary=summary)
    if event.kind.verb is Verb.DELETE and existing is None:
        position = event.position if event.position is not None else _end(rows, item.value)
        return Event(
            EventKind.of(item, Verb.ADD),
            event.target,
            None,
            event.before,
            position=position,
            undoes=undone,
            summary=summary,
        )
    return None


def undo_plan(rows: Rows, logged: Sequence[Logged], undone: int) -> tuple[Plan, Rows]:
    """The plan reverting the events of version `undone`, and the rows it leaves."""
    events = [e for e in logged if e.kind in UNDOABLE_KINDS]
    work = rows.copy()
    out: list[Event] = []
    for e in sorted(reversed(events), key=revert_phase):
        back = inverse(e, work, undone)
        if back is not None:
            apply_event(work, back)
            out.append(back)
    layouts = {e.kind.item.value: e.layout for e in events if e.layout is not None}
    for kind, layout in layouts.items():  # every row is back: put them exactly where they stood
        put(work.parts, kind, layout)
    if not out:  # nothing left to revert: still mark the version undone, or undo would stick on it
        out.append(Event(EventKind.UNDO_NOOP, "workshop", undoes=undone, summary="undid nothing (already undone)"))
    return Plan(tuple(out), layouts=layouts), work


def undo(snapshot: Snapshot) -> Plan:
    """Revert the newest write not undone yet; refused if there is none or the result would be inconsistent."""
    found = snapshot.undoable()
    if found is None:
        raise refuse(Reason.INVALID, NOTHING)
    rows = Rows(dict(snapshot.parts()), snapshot.settled_bodies())
    plan, after = undo_plan(rows, found[1], found[0])
    check_flow(flow_of(after.parts), after.settled(), what="Undoing that change")
    return plan
