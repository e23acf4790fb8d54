"""A workshop's flow, decisions and event log held in memory: the write model without a database.

`MemoryWorkshop.write` decides a command against its snapshot and, if the command is
not refused, replays the plan and logs its events the way the store flushes a write
(one new version; the old positions of moved rows ride on the first event of their
kind). The property tests run merge and undo on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from redesign.model import Decision, Flow
from redesign.writes.commands import Command
from redesign.writes.decide import decide
from redesign.writes.describe import describe_event
from redesign.writes.events import UNDOABLE_KINDS, Body, Key, Logged
from redesign.writes.parts import Placed, flow_of, split
from redesign.writes.plan import Plan
from redesign.writes.refusals import Refusal
from redesign.writes.replay import Rows, replay

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class MemorySnapshot:
    """A `Snapshot` over rows and a log in memory, seen by `actor_id`."""

    rows: Rows
    log: list[Logged]
    version: int
    actor_id: str | None

    def flow(self) -> Flow:
        return flow_of(self.rows.parts)

    def item(self, kind: str, item_id: str) -> Placed | None:
        return self.rows.parts.get((kind, item_id))

    def parts(self) -> dict[Key, Placed]:
        """In the store's reading order: by kind, then position."""
        return dict(sorted(self.rows.parts.items(), key=lambda kv: (kv[0][0], kv[1].position)))

    def end(self, kind: str) -> int:
        return max((p.position for k, p in self.rows.parts.items() if k[0] == kind), default=-1) + 1

    def position_taken(self, kind: str, position: int) -> bool:
        return any(k[0] == kind and p.position == position for k, p in self.rows.parts.items())

    def decisions(self) -> list[Decision]:
        return self.rows.settled()

    def decision(self, step_id: str) -> Body | None:
        return self.rows.decisions.get(step_id)

    def settled_bodies(self) -> dict[str, Body]:
        return dict(self.rows.decisions)

    def edits_since(self, version: int, targets: Iterable[str] | None) -> list[Logged]:
        wanted = None if targets is None else set(targets)
        return [
            e
            for e in self.log
            if e.version > version and e.kind in UNDOABLE_KINDS and (wanted is None or e.target in wanted)
        ]

    def undoable(self) -> tuple[int, list[Logged]] | None:
        undone = {e.undoes for e in self.log if e.undoes is not None}
        versions = [
            e.version for e in self.log if e.kind in UNDOABLE_KINDS and e.undoes is None and e.version not in undone
        ]
        if not versions:
            return None
        newest = max(versions)
        return newest, [e for e in self.log if e.version == newest]


@dataclass
class MemoryWorkshop:
    rows: Rows
    version: int = 0
    log: list[Logged] = field(default_factory=list)

    @classmethod
    def of(cls, flow: Flow) -> MemoryWorkshop:
        return cls(Rows(split(flow)))

    def snapshot(self, actor_id: str | None) -> MemorySnapshot:
        return MemorySnapshot(self.rows.copy(), list(self.log), self.version, actor_id)

    def flow(self) -> Flow:
        return flow_of(self.rows.parts)

    def write(self, actor_id: str, command: Command) -> Plan | Refusal:
        plan = decide(self.snapshot(actor_id), command)
        if isinstance(plan, Plan):
            self.commit(actor_id, plan)
        return plan

    def commit(self, actor_id: str, plan: Plan) -> None:
        if not plan.events:
            return
        layouts = {
            kind: {k[1]: p.position for k, p in self.rows.parts.items() if k[0] == kind} for kind in plan.kept_layouts
        }
        self.rows = replay(self.rows, plan)
        self.version += 1
        carried: set[str] = set()
        for event in plan.events:
            kind = event.kind.item.value
            layout = layouts.get(kind) if kind not in carried else None
            if layout is not None:
                carried.add(kind)
            summary = event.summary or describe_event(event.kind, event.target, event.before, event.after)
            logged = Logged(
                seq=len(self.log) + 1,
                version=self.version,
                at=_EPOCH,
                actor_id=actor_id,
                actor_name=actor_id,
                actor_function="",
                kind=event.kind,
                target=event.target,
                summary=summary,
                before=event.before,
                after=event.after,
                position=event.position,
                undoes=event.undoes,
                layout=layout,
            )
            self.log.append(logged)
