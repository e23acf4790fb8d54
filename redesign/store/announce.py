"""Announcing committed versions (and presence) to whoever listens, in this process and on other replicas.

Every write that moves a workshop's version records it on its connection (`note`, called where the
version is bumped). After the transaction has committed, the service hands what was recorded to
`published`, which calls this process's version listeners (the push route's fan-out): nothing is
announced that was not saved, and a rolled-back write announces nothing.

On PostgreSQL, `taken` (called just before the commit) runs `pg_notify` inside the same transaction,
one per workshop with the last version it reached (a batch of writes moves a workshop many times;
listeners only want the newest), so the notification is delivered to every replica's `PgListener`
exactly when (and only if) the write commits. The replica that wrote hears its own notification too;
listeners keep the highest version they have seen per workshop, so a version announced twice is
delivered once.

A write made by another process on SQLite (a CLI command, a second server on the same file) has no
NOTIFY; `current_versions` lets the push route read the versions of the workshops it has open pages
for, a cheap indexed read a few times a second, and announce what moved (on PostgreSQL the same
check runs rarely, as a safety net for notifications missed while a listener reconnected).

Presence (who is on the board, which step each has selected) is not stored: each replica keeps its
own people in memory and tells the others through the presence channel (`send_presence`).
On SQLite (one process) there are no other replicas and nothing is sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection

from redesign.store import tables as t
from redesign.store.database import is_sqlite, normalize_url

log = logging.getLogger(__name__)

VERSION_CHANNEL = "crossflow_versions"
PRESENCE_CHANNEL = "crossflow_presence"
_KEY = "crossflow.announce"
_NOTIFY = sa.text("SELECT pg_notify(:channel, :payload)")

VersionListener = Callable[[str, int], None]
PresenceListener = Callable[[str], None]

_lock = threading.Lock()
_version_listeners: list[VersionListener] = []
_presence_listeners: list[PresenceListener] = []


def on_version(listener: VersionListener) -> Callable[[], None]:
    """Call `listener(workshop_id, version)` for every committed version; returns an unsubscribe."""
    with _lock:
        _version_listeners.append(listener)
    return lambda: _remove(_version_listeners, listener)


def on_presence(listener: PresenceListener) -> Callable[[], None]:
    """Call `listener(payload)` for every presence message from a replica (PostgreSQL only)."""
    with _lock:
        _presence_listeners.append(listener)
    return lambda: _remove(_presence_listeners, listener)


def _remove(listeners: list[Any], listener: Any) -> None:
    with _lock:
        if listener in listeners:
            listeners.remove(listener)


def begin(conn: Connection) -> None:
    """Start a write attempt with nothing recorded (a retried attempt must not inherit the last one's)."""
    conn.info.pop(_KEY, None)


def note(conn: Connection, workshop_id: str, version: int) -> None:
    """Record that this transaction moves `workshop_id` to `version` (announced after it commits)."""
    conn.info.setdefault(_KEY, {})[workshop_id] = int(version)


def taken(conn: Connection) -> dict[str, int]:
    """What this transaction recorded (call inside it, just before it commits); on PostgreSQL, notify
    the replicas of it, in the same transaction (delivered if and when it commits)."""
    versions = dict(conn.info.pop(_KEY, None) or {})
    if versions and not is_sqlite(conn.engine):
        payloads = [{"channel": VERSION_CHANNEL, "payload": f"{wid}:{v}"} for wid, v in sorted(versions.items())]
        conn.execute(_NOTIFY, payloads)
    return versions


def published(versions: dict[str, int]) -> None:
    """Tell this process's listeners about versions that have just been committed."""
    for workshop_id, version in versions.items():
        deliver_version(workshop_id, version)


def deliver_version(workshop_id: str, version: int) -> None:
    with _lock:
        listeners = list(_version_listeners)
    for listener in listeners:
        try:
            listener(workshop_id, version)
        except Exception:  # a broken listener must not fail the write that was already saved
            log.exception("A version listener failed")


def _deliver_presence(payload: str) -> None:
    with _lock:
        listeners = list(_presence_listeners)
    for listener in listeners:
        try:
            listener(payload)
        except Exception:
            log.exception("A presence listener failed")


def send_presence(engine: sa.Engine, payloads: Iterable[str]) -> None:
    """Send presence messages to the other replicas (nothing to do on SQLite: one process)."""
    batch = [{"channel": PRESENCE_CHANNEL, "payload": p} for p in payloads]
    if not batch or is_sqlite(engine):
        return
    with engine.connect() as conn:
        conn.execute(_NOTIFY, batch)
        conn.commit()


def current_versions(engine: sa.Engine, workshop_ids: Iterable[str]) -> dict[str, int]:
    """The stored versions of these workshops (one query)."""
    ids = sorted(set(workshop_ids))
    if not ids:
        return {}
    query = sa.select(t.workshops.c.id, t.workshops.c.version).where(t.workshops.c.id.in_(ids))
    with engine.connect() as conn:
        return {str(row.id): int(row.version) for row in conn.execute(query)}


def libpq_url(url: str | URL) -> str:
    """A plain libpq connection string for psycopg from the store's URL."""
    parsed = normalize_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


class PgListener:
    """A thread holding one PostgreSQL connection that LISTENs to both channels and hands what arrives to
    this process's listeners. A dropped connection is reopened (with a growing pause); pages do not
    miss versions meanwhile for long, because each page falls back to polling when its push goes quiet."""

    def __init__(self, url: str | URL, on_reconnect: Callable[[], None] | None = None) -> None:
        self._url = libpq_url(url)
        self._stop = threading.Event()
        self._on_reconnect = on_reconnect
        self._conn: psycopg.Connection[Any] | None = None
        self._thread = threading.Thread(target=self._run, name="crossflow-pg-listen", daemon=True)
        self.connected = threading.Event()

    def start(self) -> PgListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        conn = self._conn
        if conn is not None:
            try:
                conn.cancel_safe(timeout=2)
            except Exception:  # closing anyway
                log.debug("cancel on stop failed", exc_info=True)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        pause = 0.2
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
                    self._conn = conn
                    conn.execute(f"LISTEN {VERSION_CHANNEL}")
                    conn.execute(f"LISTEN {PRESENCE_CHANNEL}")
                    self.connected.set()
                    if not first and self._on_reconnect is not None:
                        self._on_reconnect()
                    first, pause = False, 0.2
                    while not self._stop.is_set():
                        for note_ in conn.notifies(timeout=1.0):
                            self._dispatch(note_.channel, note_.payload)
            except Exception as exc:  # the database went away: try again
                if self._stop.is_set():
                    break
                log.warning("Listening for announcements failed (%s); retrying in %.1f s", exc, pause)
            finally:
                self._conn = None
                self.connected.clear()
            self._stop.wait(pause)
            pause = min(pause * 2, 5.0)

    @staticmethod
    def _dispatch(channel: str, payload: str) -> None:
        if channel == VERSION_CHANNEL:
            workshop_id, _, version = payload.rpartition(":")
            if workshop_id and version.isdigit():
                deliver_version(workshop_id, int(version))
        elif channel == PRESENCE_CHANNEL:
            _deliver_presence(payload)
