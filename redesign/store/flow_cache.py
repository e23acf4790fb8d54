"""Parsed flows, kept by the exact rows they were parsed from, so a step edit need not re-parse the flow.

Profiling the mixed load of issue 13 (50 people proposing, commenting and editing steps)
showed that inside the group commit's critical section about half the time went to
`Flow.model_validate` on the whole flow, once per step edit, while every other writer
waited. The rows themselves are cheap to read; parsing them is not.

The key is the tuple of (kind, item_id, position, body text) of every row of the
workshop's flow as read inside the writing transaction, after the workshop's row is
locked: the committed content itself, not a version number that could lag. A hit is
therefore the very flow `assemble` would build from those rows; an edit can never be
checked against a stale flow. An edit that changes one item stores the flow it made
under the rows it wrote (`put_after_update`), so the next edit hits too.

Flows handed out are shared: callers must treat them as read-only (they do: every
change goes through `model_copy(update=...)`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from redesign.model import Flow
from redesign.store import repository as repo
from redesign.writes import parts

RowsKey = tuple[str, tuple[tuple[str, str, int, str], ...]]
"""(workshop id, every flow row as (kind, item_id, position, body text), in the order read)."""


class FlowCache:
    """A small LRU of parsed flows, shared by the threads of one service (thread-safe)."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._flows: OrderedDict[RowsKey, Flow] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def load(self, conn: Connection, workshop_id: str) -> tuple[Flow, RowsKey]:
        """The workshop's flow as committed (and visible to `conn`), with the key it is kept under."""
        rows = repo.flow_items(conn, workshop_id)
        key: RowsKey = (workshop_id, tuple((r.kind, r.item_id, int(r.position), str(r.body)) for r in rows))
        with self._lock:
            flow = self._flows.get(key)
            if flow is not None:
                self._flows.move_to_end(key)
                self.hits += 1
                return flow, key
            self.misses += 1
        flow = parts.assemble((kind, item_id, position, repo.loads(body)) for kind, item_id, position, body in key[1])
        self._put(key, flow)
        return flow, key

    def put_after_update(self, key: RowsKey, kind: str, item_id: str, body: Any, flow: Flow) -> RowsKey:
        """Keep `flow` (the result of replacing one item's body) under the rows that update wrote."""
        text = repo.dumps(body)
        rows: Sequence[tuple[str, str, int, str]] = [
            (k, i, p, text if (k, i) == (kind, item_id) else b) for k, i, p, b in key[1]
        ]
        new_key: RowsKey = (key[0], tuple(rows))
        self._put(new_key, flow)
        return new_key

    def _put(self, key: RowsKey, flow: Flow) -> None:
        with self._lock:
            self._flows[key] = flow
            self._flows.move_to_end(key)
            while len(self._flows) > self._size:
                self._flows.popitem(last=False)
