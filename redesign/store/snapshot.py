"""The write model's `Snapshot` over SQL: the workshop as the writing transaction sees it.

Read lazily, one small query per question, inside the transaction that holds the
workshop's row lock, so nothing it answers can change before the write commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from redesign.model import Decision, Flow
from redesign.store import repository as repo
from redesign.store.unit_of_work import Write
from redesign.writes.events import Body, Key, Logged
from redesign.writes.parts import Placed


class StoreSnapshot:
    def __init__(self, w: Write) -> None:
        self._w = w
        self._parts: dict[Key, Placed] | None = None

    @property
    def version(self) -> int:
        return int(self._w.workshop.version)

    @property
    def actor_id(self) -> str | None:
        return None if self._w.me is None else str(self._w.me.id)

    def flow(self) -> Flow:
        return self._w.flow()

    def item(self, kind: str, item_id: str) -> Placed | None:
        found = self._w.item(kind, item_id)
        return None if found is None else Placed(*found)

    def parts(self) -> dict[Key, Placed]:
        if self._parts is None:
            rows = repo.flow_items(self._w.conn, self._w.wid)
            self._parts = {(r.kind, r.item_id): Placed(int(r.position), repo.loads(r.body)) for r in rows}
        return self._parts

    def end(self, kind: str) -> int:
        return repo.max_position(self._w.conn, self._w.wid, kind) + 1

    def position_taken(self, kind: str, position: int) -> bool:
        return repo.position_taken(self._w.conn, self._w.wid, kind, position)

    def decisions(self) -> list[Decision]:
        return [Decision.model_validate(body) for body in self.settled_bodies().values()]

    def decision(self, step_id: str) -> Body | None:
        found: Body | None = repo.decision(self._w.conn, self._w.wid, step_id)
        return found

    def settled_bodies(self) -> dict[str, Body]:
        return {r.step_id: repo.loads(r.body) for r in repo.decisions(self._w.conn, self._w.wid)}

    def edits_since(self, version: int, targets: Iterable[str] | None) -> list[Logged]:
        return repo.edits_since(self._w.conn, self._w.wid, version, targets)

    def undoable(self) -> tuple[int, list[Logged]] | None:
        version = repo.last_undoable_version(self._w.conn, self._w.wid)
        if version is None:
            return None
        return version, repo.events_of_version(self._w.conn, self._w.wid, version)
