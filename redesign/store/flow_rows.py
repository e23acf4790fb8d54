"""How a Flow is split into rows (`flow_items`) and put back together.

Each function, role, data item, step, hand-off and scenario is its own row, and the
flow's remaining fields (id, name, period, ...) are one more row of kind "flow".
So two people editing two different steps write two different rows, and every
row has its own change history in the event log (target "step:S3", ...).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from redesign.model import Flow

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

Key = tuple[str, str]


def target(kind: str, item_id: str) -> str:
    return f"{kind}:{item_id}"


def header_body(flow: Flow) -> dict[str, Any]:
    return flow.model_dump(mode="json", exclude=set(LIST_FIELDS.values()))


def split(flow: Flow) -> dict[Key, tuple[int, dict[str, Any]]]:
    """(kind, id) -> (position, body) for every part of the flow."""
    parts: dict[Key, tuple[int, dict[str, Any]]] = {HEADER: (0, header_body(flow))}
    for kind, field in LIST_FIELDS.items():
        for position, item in enumerate(getattr(flow, field)):
            parts[(kind, item.id)] = (position, item.model_dump(mode="json"))
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
