"""What a caller asks of the workshop's flow and decisions, as values (see `decide`).

Inputs are already checked for shape (a valid Step, a whole-number version); whether
they fit the workshop as it is now is `decide`'s question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from redesign.model import Decision, Flow, Handoff, Step


@dataclass(frozen=True)
class AddItem:
    """Insert a step or hand-off; a step goes after the step `after` (None: at the end)."""

    base_version: int
    item: Step | Handoff
    after: str | None = None


@dataclass(frozen=True)
class UpdateItem:
    """Replace the step or hand-off with the same id."""

    base_version: int
    item: Step | Handoff


@dataclass(frozen=True)
class DeleteStep:
    """Delete a step with its hand-offs, its settled decision and its decisions in the flow's scenarios."""

    base_version: int
    step_id: str


@dataclass(frozen=True)
class DeleteHandoff:
    base_version: int
    handoff_id: str


@dataclass(frozen=True)
class MoveStep:
    """Put a step in `function`'s lane, just before the step `before` in the flow's order (None: the end)."""

    base_version: int
    step_id: str
    function: str
    before: str | None


@dataclass(frozen=True)
class ReplaceFlow:
    """The table editor's bulk edit: the whole flow as the caller wants it (merged three ways)."""

    base_version: int
    flow: Flow


@dataclass(frozen=True)
class Settle:
    """The room's decision for a step (replaces an earlier one)."""

    decision: Decision


@dataclass(frozen=True)
class Unsettle:
    step_id: str


@dataclass(frozen=True)
class Undo:
    """Revert the newest flow edit or settle not undone yet (which one the snapshot says)."""


Command: TypeAlias = (
    AddItem | UpdateItem | DeleteStep | DeleteHandoff | MoveStep | ReplaceFlow | Settle | Unsettle | Undo
)
