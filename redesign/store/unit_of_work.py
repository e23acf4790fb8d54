"""The unit of work: one write transaction on behalf of one participant, and how transactions run.

A write locks its workshop's row first, collects the events it logs, and on `flush`
bumps the version and appends the events in the same transaction; `transaction`
retries what a retry can cure (deadlocks, serialization failures, "database is
locked", a pooled connection found dead before anything was sent).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from redesign.model import Flow
from redesign.store import announce, transfer
from redesign.store import repository as repo
from redesign.store.database import read_transaction, write_transaction
from redesign.store.errors import StoreUnavailable
from redesign.store.flow_cache import FlowCache, RowsKey
from redesign.store.records import ParticipantRecord, Seat, WorkshopRecord
from redesign.writes.events import Event, EventKind

T = TypeVar("T")

WRITE_ATTEMPTS = 5
_RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def retryable(exc: sa.exc.DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


@dataclass
class Write:
    """One write transaction on behalf of one participant (or of nobody, for create/import).

    The workshop row is locked first; the version moves (to `version`) only if the
    write logged an event, so a no-op save does not make every page reload.
    """

    conn: Connection
    workshop: WorkshopRecord  # as locked, before this write
    me: ParticipantRecord | Seat | None  # the caller's seat; None for create/import (and a join, until seated)
    now: datetime
    events: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)  # per-workshop counters this write advanced
    layouts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> positions before rows moved
    flows: FlowCache | None = None  # the service's parsed flows (None: parse every time)
    _flow: Flow | None = None
    _flow_key: RowsKey | None = None  # the rows `_flow` was parsed from (when it came from `flows`)

    @property
    def wid(self) -> str:
        return str(self.workshop.id)

    @property
    def version(self) -> int:
        """The version this write produces (if it changes anything)."""
        return int(self.workshop.version) + 1

    @property
    def result_version(self) -> int:
        return self.version if self.events else int(self.workshop.version)

    def take(self, counter: str) -> int:
        """The next number of a per-workshop counter (participant_seq, comment_seq): the row is locked,
        so its value cannot move under us; `flush` stores the new value."""
        value = self.counters.get(counter, int(getattr(self.workshop, counter))) + 1
        self.counters[counter] = value
        return value

    def keep_layout(self, kind: str) -> None:
        """Remember where the rows of `kind` stand before this write moves them (undo restores it exactly)."""
        if kind not in self.layouts:
            self.layouts[kind] = repo.positions(self.conn, self.wid, kind)

    def flow(self) -> Flow:
        if self._flow is None:
            if self.flows is None:
                self._flow = transfer.load_flow(self.conn, self.wid)
            else:
                self._flow, self._flow_key = self.flows.load(self.conn, self.wid)
        return self._flow

    def item(self, kind: str, item_id: str) -> tuple[int, Any] | None:
        """(position, body) of one flow item as committed. Before this write changes anything, taken from the
        rows `flow()` was read from (a round trip less per step edit); else read again."""
        self.flow()
        if self._flow_key is not None and not self.events:
            found = next(((p, b) for k, i, p, b in self._flow_key[1] if k == kind and i == item_id), None)
            return None if found is None else (found[0], repo.loads(found[1]))
        return repo.flow_item(self.conn, self.wid, kind, item_id)

    def forget_flow(self) -> None:
        self._flow = None
        self._flow_key = None

    def updated_item(self, kind: str, item_id: str, body: Any, flow: Flow) -> None:
        """One item's body was replaced, making `flow` (checked): keep it for this write and the next."""
        if self.flows is None or self._flow_key is None:
            self.forget_flow()
            return
        self._flow_key = self.flows.put_after_update(self._flow_key, kind, item_id, body, flow)
        self._flow = flow

    def record(self, event: Event) -> None:
        """Log an event the write model decided (see `redesign.store.apply`)."""
        self.log(
            event.kind,
            event.target,
            event.before,
            event.after,
            position=event.position,
            undoes=event.undoes,
            summary=event.summary,
        )

    def log(
        self,
        kind: EventKind,
        target: str,
        before: Any = None,
        after: Any = None,
        *,
        position: int | None = None,
        undoes: int | None = None,
        summary: str | None = None,
    ) -> None:
        event = repo.event_row(self.wid, self.version, self.now, self.me, kind, target, before, after, summary)
        self.events.append({**event, "position": position, "undoes": undoes})

    def flush(self) -> int:
        """Bump the version and append the events (if any); returns the resulting version."""
        for kind, layout in self.layouts.items():  # carried by the write's first event on that kind
            carrier = next((e for e in self.events if EventKind(e["kind"]).item == kind), None)
            if carrier is not None:
                carrier["layout"] = repo.dumps(layout)
        if self.events:
            first = int(self.workshop.event_seq) + 1
            for offset, event in enumerate(self.events):
                event["seq"] = first + offset
            self.counters["event_seq"] = first + len(self.events) - 1
            repo.commit_version(self.conn, self.wid, self.version, self.now, **self.counters)
            repo.insert_events(self.conn, self.events)
        elif self.counters:  # cannot happen today (every numbered thing is logged); kept safe
            repo.commit_version(self.conn, self.wid, int(self.workshop.version), self.now, **self.counters)
        return self.result_version


def transaction(engine: sa.Engine, body: Callable[[Connection], T]) -> T:
    """Run `body` in a write transaction, retrying transient failures.

    Retried: serialization failures and deadlocks (PostgreSQL), "database is
    locked" (SQLite), and a pooled connection found dead before anything was
    sent (connections are not pinged on checkout, to save a round trip per
    write). Never retried: a failure while committing, whose outcome is unknown.
    """
    for attempt in range(WRITE_ATTEMPTS):
        committing = False
        try:
            with write_transaction(engine) as conn:
                announce.begin(conn)
                result = body(conn)
                committing = True
                versions = announce.taken(conn)
            announce.published(versions)  # committed: tell the open pages (redesign/store/announce.py)
            return result
        except sa.exc.DBAPIError as exc:
            if committing and not retryable(exc):
                raise StoreUnavailable(
                    "The database connection broke while saving; reload to see whether your change was kept."
                ) from exc
            if not (retryable(exc) or exc.connection_invalidated):
                if isinstance(exc, sa.exc.OperationalError):
                    raise StoreUnavailable(f"The database is not available: {exc.orig}") from exc
                raise
            if attempt == WRITE_ATTEMPTS - 1:
                raise StoreUnavailable("The database stayed busy; please try again in a moment.") from exc
            time.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")


def read(engine: sa.Engine, body: Callable[[Connection], T], snapshot: bool = True) -> T:
    """Run `body` in a read transaction (one repeatable snapshot unless `snapshot` is False)."""
    for attempt in range(2):
        try:
            with read_transaction(engine, snapshot) as conn:
                return body(conn)
        except sa.exc.DBAPIError as exc:
            if exc.connection_invalidated and attempt == 0:
                continue  # a pooled connection that died while idle: reads are safe to repeat
            if isinstance(exc, sa.exc.OperationalError):
                raise StoreUnavailable(f"The database is not available: {exc.orig}") from exc
            raise
    raise AssertionError("unreachable")
