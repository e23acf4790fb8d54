"""A plan of the write model carried out in SQL, inside the write's transaction.

The same rules as `redesign.writes.replay` (which does it in memory): an added row
makes room at a taken place unless its kind is renumbered afterwards; a reorder moves
nothing by itself (the plan's `renumber` does, after every event); a deleted step
leaves the focus. Each event is logged as it is carried out.
"""

from __future__ import annotations

from redesign.store import repository as repo
from redesign.store.unit_of_work import Write
from redesign.writes.events import Event, EventKind, Item, Verb
from redesign.writes.plan import Plan


def carry_out(w: Write, plan: Plan) -> None:
    for kind in sorted(plan.kept_layouts):  # before any row of that kind moves (undo puts them back)
        w.keep_layout(kind)
    added: list[tuple[str, str, int, object]] = []  # rows of renumbered kinds: one bulk insert
    for event in plan.events:
        if event.kind.is_flow_edit and event.kind.verb is Verb.ADD and event.kind.item in plan.renumber:
            assert event.position is not None
            added.append((event.kind.item.value, event.target_id, event.position, event.after))
        else:
            _apply(w, event)
        w.record(event)
    repo.insert_items(w.conn, w.wid, added)
    for kind, order in plan.renumber.items():
        repo.set_positions(w.conn, w.wid, kind, list(order))
    for kind, layout in plan.layouts.items():
        repo.put_positions(w.conn, w.wid, kind, dict(layout))
    _keep_flow(w, plan)


def _apply(w: Write, event: Event) -> None:
    kind, tid = event.kind, event.target_id
    if kind is EventKind.DECISION_SETTLE:
        repo.put_decision(w.conn, w.wid, tid, event.after, w.me.id if w.me else None, w.now)
    elif kind is EventKind.DECISION_UNSETTLE:
        repo.delete_decision(w.conn, w.wid, tid)
    elif kind.is_flow_edit:
        item = kind.item.value
        if kind.verb is Verb.ADD:
            assert event.position is not None
            repo.insert_item_at(w.conn, w.wid, item, tid, event.position, event.after)
        elif kind.verb is Verb.UPDATE:
            repo.update_item(w.conn, w.wid, item, tid, event.after)
        elif kind.verb is Verb.DELETE:
            repo.delete_item(w.conn, w.wid, item, tid)
            if kind.item is Item.STEP and w.workshop.focus_step == tid:
                repo.update_workshop(w.conn, w.wid, focus_step=None)
    elif kind is not EventKind.UNDO_NOOP:
        raise ValueError(f"A write plan cannot carry {kind.value} events.")


def _keep_flow(w: Write, plan: Plan) -> None:
    """Keep the flow the plan made parsed for the next write (one item replaced), else let it be read again."""
    flow_edits = [e for e in plan.events if e.kind.is_flow_edit]
    if not flow_edits:
        return
    only = flow_edits[0]
    if plan.flow is not None and len(plan.events) == 1 and only.kind.verb is Verb.UPDATE:
        w.updated_item(only.kind.item.value, only.target_id, only.after, plan.flow)
    else:
        w.forget_flow()
