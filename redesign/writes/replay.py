"""A plan carried out in memory, exactly as the store carries it out in SQL (`redesign.store.apply`).

Undo uses it to check the flow it would leave behind before anything is written, and
the property tests use it as the model of the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from redesign.model import Decision
from redesign.writes.events import Body, Event, EventKind, Key, Verb
from redesign.writes.parts import Placed
from redesign.writes.plan import Plan


@dataclass
class Rows:
    """A workshop's flow rows and settled decisions (bodies by step id), as the store holds them."""

    parts: dict[Key, Placed] = field(default_factory=dict)
    decisions: dict[str, Body] = field(default_factory=dict)

    def copy(self) -> Rows:
        return Rows(dict(self.parts), dict(self.decisions))

    def settled(self) -> list[Decision]:
        return [Decision.model_validate(body) for body in self.decisions.values()]


def insert_at(parts: dict[Key, Placed], key: Key, position: int, body: Body) -> None:
    """Insert at `position`; if that place is taken, the rows from there on move one place down."""
    kind = key[0]
    if any(k[0] == kind and p.position == position for k, p in parts.items()):
        for k, p in list(parts.items()):
            if k[0] == kind and p.position >= position:
                parts[k] = Placed(p.position + 1, p.body)
    parts[key] = Placed(position, body)


def apply_event(rows: Rows, event: Event, renumbered: frozenset[str] = frozenset()) -> None:
    """One event's change to the rows (a reorder changes nothing by itself: see `put`)."""
    kind = event.kind
    if kind is EventKind.DECISION_SETTLE:
        rows.decisions[event.target_id] = event.after
    elif kind is EventKind.DECISION_UNSETTLE:
        rows.decisions.pop(event.target_id, None)
    elif kind.is_flow_edit:
        key = (kind.item.value, event.target_id)
        if kind.verb is Verb.ADD:
            assert event.position is not None
            if key[0] in renumbered:  # renumbered afterwards: no room needs making
                rows.parts[key] = Placed(event.position, event.after)
            else:
                insert_at(rows.parts, key, event.position, event.after)
        elif kind.verb is Verb.UPDATE and key in rows.parts:
            rows.parts[key] = Placed(rows.parts[key].position, event.after)
        elif kind.verb is Verb.DELETE:
            rows.parts.pop(key, None)


def put(parts: dict[Key, Placed], kind: str, positions: Mapping[str, int]) -> None:
    """Exact positions for the listed rows of `kind` (rows that are gone are skipped)."""
    for item_id, position in positions.items():
        key = (kind, item_id)
        if key in parts:
            parts[key] = Placed(position, parts[key].body)


def replay(rows: Rows, plan: Plan) -> Rows:
    """The rows after a plan: its events, then its renumbering, then its layouts (`rows` is left alone)."""
    out = rows.copy()
    for event in plan.events:
        apply_event(out, event, frozenset(plan.renumber))
    for kind, order in plan.renumber.items():
        put(out.parts, kind, {item_id: i for i, item_id in enumerate(order)})
    for kind, layout in plan.layouts.items():
        put(out.parts, kind, layout)
    return out
