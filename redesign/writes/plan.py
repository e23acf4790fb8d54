"""What `decide` hands the store: the snapshot it reads and the plan it returns.

The `Snapshot` is the workshop as the writing transaction sees it, after its row is
locked (the store reads it lazily over SQL; `memory.MemorySnapshot` holds it in memory
for tests). The `Plan` is the write: its events in log order, and where rows stand
afterwards. The store carries out a plan event by event (`redesign.store.apply`);
`replay.replay` does the same to a snapshot in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from redesign.model import Decision, Flow
from redesign.writes.events import Body, Event, Logged
from redesign.writes.parts import Parts, Placed


class Snapshot(Protocol):
    """The workshop before the write (read-only)."""

    @property
    def version(self) -> int:
        """The workshop's version before this write."""
        ...

    @property
    def actor_id(self) -> str | None:
        """Who writes (None: Crossflow itself)."""
        ...

    def flow(self) -> Flow: ...

    def item(self, kind: str, item_id: str) -> Placed | None: ...

    def parts(self) -> Parts: ...

    def end(self, kind: str) -> int:
        """One past the highest position of `kind` (0 when there is none)."""
        ...

    def position_taken(self, kind: str, position: int) -> bool: ...

    def decisions(self) -> list[Decision]: ...

    def decision(self, step_id: str) -> Body | None: ...

    def settled_bodies(self) -> dict[str, Body]:
        """Every settled decision's body, by step id."""
        ...

    def edits_since(self, version: int, targets: Iterable[str] | None) -> list[Logged]:
        """Flow edits and decisions logged after `version` (by anyone), oldest first; all targets if None."""
        ...

    def undoable(self) -> tuple[int, list[Logged]] | None:
        """The newest version with a flow edit or decision that is neither an undo nor undone, and its events."""
        ...


@dataclass(frozen=True)
class Plan:
    """One write's events (in log order) and the positions rows take after them.

    Adds of a kind in `renumber` need no room made for them: that kind's rows are all
    renumbered afterwards, in the listed order. Elsewhere an add at a taken position
    moves the rows from there on down one place. The positions rows had before the
    write are kept (for undo) for every kind in `renumber` or `keep_layout`; `layouts`
    puts exact positions back (that is how undo restores them).
    """

    events: tuple[Event, ...] = ()
    renumber: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    keep_layout: frozenset[str] = frozenset()
    layouts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    flow: Flow | None = None  # the flow after the write, when deciding built it (the store keeps it parsed)

    @property
    def kept_layouts(self) -> frozenset[str]:
        return self.keep_layout | frozenset(self.renumber)
