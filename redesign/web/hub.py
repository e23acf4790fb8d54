"""This process's fan-out to open pages: "workshop W is at version N", and who is on its board now.

Open pages subscribe through the push route (one server-sent-event stream per page). The hub lives
on the server's event loop; the store announces versions from other threads (a script's write, the
PostgreSQL listener), which `version` hands over to the loop. A page gets only its own workshop's
messages: subscribers are kept per workshop, and nothing is sent across.

Presence: a person is present while at least one of their pages holds a stream here; `select`
records the step they have selected. Each replica tells the others about its own people (one small
message per person, on every change and every `HEARTBEAT_S`), and forgets another replica's people
that it has not heard about for `EXPIRE_S` (a replica that was killed says nothing).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

log = logging.getLogger(__name__)

HEARTBEAT_S = 10.0
EXPIRE_S = 30.0
QUEUE_SIZE = 256
CLOSING = "closing"
"""Put in every subscriber's queue when the server stops: its stream ends (never sent to the page)."""


@dataclass(frozen=True)
class Person:
    """Someone on a workshop's board, as the others see them."""

    id: str
    name: str
    function: str
    step: str | None = None


@dataclass(eq=False)
class Subscriber:
    """One open page: its workshop, its person, and the messages waiting to be sent to it."""

    workshop_id: str
    person: Person
    queue: asyncio.Queue[tuple[str, dict[str, object]]] = field(
        default_factory=lambda: asyncio.Queue(maxsize=QUEUE_SIZE)
    )

    def put(self, event: str, data: dict[str, object]) -> None:
        try:
            self.queue.put_nowait((event, data))
        except asyncio.QueueFull:  # a stalled page: drop the oldest, the newest carries the state
            self.queue.get_nowait()
            self.queue.put_nowait((event, data))


Sender = Callable[[list[str]], None]
"""Sends presence messages to the other replicas (blocking; run off the loop)."""


class Hub:
    def __init__(self, send: Sender | None = None, replica: str | None = None) -> None:
        self.replica = replica or secrets.token_hex(6)
        self._send = send
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subs: dict[str, set[Subscriber]] = {}
        self._latest: dict[str, int] = {}
        self._local: dict[str, dict[str, tuple[Person, int]]] = {}  # workshop -> person id -> (person, pages)
        self._remote: dict[str, dict[tuple[str, str], tuple[Person, float]]] = {}  # (replica, id) -> (person, until)
        self._closing = False

    # ------------------------------------------------------------------ from any thread

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def version(self, workshop_id: str, version: int) -> None:
        """A committed version (thread-safe): goes to the workshop's open pages, once per version."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_version, workshop_id, version)

    def close(self) -> None:
        """The server is stopping (thread-safe, and safe from a signal handler): end every stream."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_close)

    def remote_presence(self, payload: str) -> None:
        """A presence message from a replica (thread-safe)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_remote, payload)

    # ------------------------------------------------------------------ on the loop

    def watched(self) -> list[str]:
        """The workshops that have open pages here."""
        return list(self._subs)

    def versions(self, found: dict[str, int]) -> None:
        """Versions read from the store (on the loop): announce those that moved."""
        for workshop_id, version in found.items():
            self._on_version(workshop_id, version)

    def latest(self, workshop_id: str) -> int | None:
        return self._latest.get(workshop_id)

    def seen(self, workshop_id: str, version: int) -> None:
        """A version read from the store (e.g. when a page connects): later announcements must be newer."""
        if version > self._latest.get(workshop_id, -1):
            self._latest[workshop_id] = version

    def subscribe(self, workshop_id: str, person: Person) -> Subscriber:
        sub = Subscriber(workshop_id, person)
        self._subs.setdefault(workshop_id, set()).add(sub)
        here = self._local.setdefault(workshop_id, {})
        known, pages = here.get(person.id, (person, 0))
        here[person.id] = (known, pages + 1)
        if pages == 0:
            self._presence_changed(workshop_id, known)
        else:
            sub.put("presence", {"people": self.people(workshop_id)})
        if self._closing:  # a page that connects while the server stops gets a stream that ends at once
            sub.put(CLOSING, {})
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self._subs.get(sub.workshop_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.workshop_id]
        here = self._local.get(sub.workshop_id, {})
        if sub.person.id not in here:
            return
        person, pages = here[sub.person.id]
        if pages > 1:
            here[sub.person.id] = (person, pages - 1)
            return
        del here[sub.person.id]
        if not here:
            del self._local[sub.workshop_id]
        self._presence_changed(sub.workshop_id, person, gone=True)

    def select(self, workshop_id: str, person: Person, step: str | None) -> None:
        """`person` has selected `step` (None: nothing) on the board."""
        here = self._local.get(workshop_id, {})
        if person.id not in here:
            return  # no open page of theirs here: nothing to show
        known, pages = here[person.id]
        if known.step == step:
            return
        moved = replace(known, step=step)
        here[person.id] = (moved, pages)
        self._presence_changed(workshop_id, moved)

    def people(self, workshop_id: str) -> list[dict[str, object]]:
        """Everyone on the board now (this replica's and the others'), once each, by name."""
        now = time.monotonic()
        found = {pid: person for pid, (person, _) in self._local.get(workshop_id, {}).items()}
        for (_, pid), (person, until) in self._remote.get(workshop_id, {}).items():
            if until > now:
                found.setdefault(pid, person)
        return [asdict(p) for p in sorted(found.values(), key=lambda p: (p.name.lower(), p.id))]

    def heartbeat(self) -> None:
        """Every HEARTBEAT_S: tell the other replicas who is still here; forget who they stopped mentioning."""
        now = time.monotonic()
        for workshop_id, remote in list(self._remote.items()):
            stale = [key for key, (_, until) in remote.items() if until <= now]
            for key in stale:
                del remote[key]
            if not remote:
                del self._remote[workshop_id]
            if stale:
                self._broadcast_presence(workshop_id)
        self._tell(
            [
                self._message(workshop_id, person)
                for workshop_id, here in self._local.items()
                for person, _ in here.values()
            ]
        )

    def _on_version(self, workshop_id: str, version: int) -> None:
        if version <= self._latest.get(workshop_id, -1):
            return
        self._latest[workshop_id] = version
        for sub in self._subs.get(workshop_id, ()):
            sub.put("version", {"version": version})

    def _on_close(self) -> None:
        self._closing = True
        for subs in self._subs.values():
            for sub in subs:
                sub.put(CLOSING, {})

    def _on_remote(self, payload: str) -> None:
        try:
            message = json.loads(payload)
            replica, workshop_id, pid = str(message["r"]), str(message["w"]), str(message["id"])
            person = Person(**message["p"]) if message.get("p") else None
        except (ValueError, KeyError, TypeError):
            log.warning("Ignored a malformed presence message")
            return
        if replica == self.replica:
            return
        remote = self._remote.setdefault(workshop_id, {})
        before = remote.get((replica, pid), (None, 0.0))[0]
        if person is None:
            remote.pop((replica, pid), None)
        else:
            remote[(replica, pid)] = (person, time.monotonic() + EXPIRE_S)
        if before != person and workshop_id in self._subs:
            self._broadcast_presence(workshop_id)

    def _presence_changed(self, workshop_id: str, person: Person, gone: bool = False) -> None:
        self._broadcast_presence(workshop_id)
        self._tell([self._message(workshop_id, person, gone)])

    def _broadcast_presence(self, workshop_id: str) -> None:
        people = self.people(workshop_id)
        for sub in self._subs.get(workshop_id, ()):
            sub.put("presence", {"people": people})

    def _message(self, workshop_id: str, person: Person, gone: bool = False) -> str:
        return json.dumps({"r": self.replica, "w": workshop_id, "id": person.id, "p": None if gone else asdict(person)})

    def _tell(self, payloads: list[str]) -> None:
        if not payloads or self._send is None or self._loop is None:
            return
        send = self._send
        future = self._loop.run_in_executor(None, send, payloads)
        future.add_done_callback(_log_failure)


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("Could not tell the other replicas about presence: %s", future.exception())
