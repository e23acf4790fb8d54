"""How a Flow is split into rows (`flow_items`) and put back together.

Each function, role, data item, step, hand-off and scenario is its own row, and the
flow's remaining fields (id, name, period, ...) are one more row of kind "flow".
So two people editing two different steps write two different rows, and every
row has its own change history in the event log (target "step:S3", ...).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from redesign.model import Flow
from redesign.writes.events import Body, Key

LIST_FIELDS: dict[str, str] = {
    "function": "functions",
    "role": "roles",
    "data_item": "data_items",
    "step": "steps",
    "handoff": "handoffs",
    "scenario": "scenarios",
}
HEADER = ("flow", "flow")
"""(kind, item_id) of the row holding the flow's own fields."""


@dataclass(frozen=True)
class Placed:
    """One flow part as stored: where it stands among its kind (gaps allowed) and its body."""

    position: int
    body: Body


Parts: TypeAlias = Mapping[Key, Placed]
"""Every part of a flow, by (kind, id)."""


def target(kind: str, item_id: str) -> str:
    return f"{kind}:{item_id}"


def line(parts: Parts, kind: str) -> list[str]:
    """The ids of `kind`, in their order."""
    return [k[1] for k in sorted((k for k in parts if k[0] == kind), key=lambda k: parts[k].position)]


def flow_of(parts: Parts) -> Flow:
    return assemble((k[0], k[1], p.position, p.body) for k, p in parts.items())


def header_body(flow: Flow) -> dict[str, Any]:
    return flow.model_dump(mode="json", exclude=set(LIST_FIELDS.values()))


def split(flow: Flow) -> dict[Key, Placed]:
    """Every part of the flow, placed at its index in its list."""
    parts: dict[Key, Placed] = {HEADER: Placed(0, header_body(flow))}
    for kind, field in LIST_FIELDS.items():
        for position, item in enumerate(getattr(flow, field)):
            parts[(kind, item.id)] = Placed(position, item.model_dump(mode="json"))
    return parts


def assemble(rows: Iterable[tuple[str, str, int, Any]]) -> Flow:
    """Rows of (kind, item_id, position, body) back into a Flow (validated by the model)."""
    doc: dict[str, Any] = {}
    lists: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for kind, _item_id, position, body in rows:
        if (kind, _item_id) == HEADER:
            doc.update(body)
        else:
            lists[LIST_FIELDS[kind]].append((position, body))
    for field in LIST_FIELDS.values():
        doc[field] = [body for _, body in sorted(lists.get(field, []), key=lambda pair: pair[0])]
    return Flow.model_validate(doc)
