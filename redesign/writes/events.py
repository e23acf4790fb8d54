"""What a workshop's event log can hold: the kinds of events and the shape of one event.

An event kind reads "<item>.<verb>" in the log (kept as text there, so logs written
before this module read the same); in code it is an `EventKind`, whose `item` and
`verb` say what it touched and how, instead of splitting strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeAlias

Json: TypeAlias = Any
"""A JSON value as stored in the log (dicts, lists, str, int, float, bool, None)."""

Body: TypeAlias = dict[str, Any]
"""One flow part (a step, hand-off, ... or the flow's own fields) as `model_dump(mode="json")`."""

Key: TypeAlias = tuple[str, str]
"""(item kind, id) of one flow part: ("step", "S3"), ("flow", "flow")."""


class Item(StrEnum):
    """What an event is about."""

    FLOW = "flow"  # the flow's own fields (id, name, period, ...)
    FUNCTION = "function"
    ROLE = "role"
    DATA_ITEM = "data_item"
    STEP = "step"
    HANDOFF = "handoff"
    SCENARIO = "scenario"
    DECISION = "decision"
    PROPOSAL = "proposal"
    COMMENT = "comment"
    PHASE = "phase"
    LOCK = "lock"
    REVEAL = "reveal"
    TIMER = "timer"
    FOCUS = "focus"
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    WORKSHOP = "workshop"
    UNDO = "undo"


FLOW_ITEMS: tuple[Item, ...] = (
    Item.FLOW,
    Item.FUNCTION,
    Item.ROLE,
    Item.DATA_ITEM,
    Item.STEP,
    Item.HANDOFF,
    Item.SCENARIO,
)
"""The parts of a flow the store keeps one row (and one change history) each."""


class Verb(StrEnum):
    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"
    REORDER = "reorder"
    SETTLE = "settle"
    UNSETTLE = "unsettle"
    SET = "set"
    WITHDRAW = "withdraw"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    JOIN = "join"
    RECLAIM = "reclaim"
    CREATE = "create"
    IMPORT = "import"
    NOOP = "noop"


class EventKind(StrEnum):
    """Every kind of event the log holds. A StrEnum: equal to (and stored as) its text."""

    FLOW_ADD = "flow.add"
    FLOW_UPDATE = "flow.update"
    FLOW_DELETE = "flow.delete"
    FUNCTION_ADD = "function.add"
    FUNCTION_UPDATE = "function.update"
    FUNCTION_DELETE = "function.delete"
    FUNCTION_REORDER = "function.reorder"
    ROLE_ADD = "role.add"
    ROLE_UPDATE = "role.update"
    ROLE_DELETE = "role.delete"
    ROLE_REORDER = "role.reorder"
    DATA_ITEM_ADD = "data_item.add"
    DATA_ITEM_UPDATE = "data_item.update"
    DATA_ITEM_DELETE = "data_item.delete"
    DATA_ITEM_REORDER = "data_item.reorder"
    STEP_ADD = "step.add"
    STEP_UPDATE = "step.update"
    STEP_DELETE = "step.delete"
    STEP_REORDER = "step.reorder"
    HANDOFF_ADD = "handoff.add"
    HANDOFF_UPDATE = "handoff.update"
    HANDOFF_DELETE = "handoff.delete"
    HANDOFF_REORDER = "handoff.reorder"
    SCENARIO_ADD = "scenario.add"
    SCENARIO_UPDATE = "scenario.update"
    SCENARIO_DELETE = "scenario.delete"
    SCENARIO_REORDER = "scenario.reorder"
    DECISION_SETTLE = "decision.settle"
    DECISION_UNSETTLE = "decision.unsettle"
    PROPOSAL_SET = "proposal.set"
    PROPOSAL_WITHDRAW = "proposal.withdraw"
    COMMENT_ADD = "comment.add"
    COMMENT_RESOLVE = "comment.resolve"
    COMMENT_REOPEN = "comment.reopen"
    PHASE_SET = "phase.set"
    LOCK_SET = "lock.set"
    REVEAL_SET = "reveal.set"
    TIMER_SET = "timer.set"
    FOCUS_SET = "focus.set"
    PARTICIPANT_JOIN = "participant.join"
    FACILITATOR_RECLAIM = "facilitator.reclaim"
    WORKSHOP_CREATE = "workshop.create"
    WORKSHOP_IMPORT = "workshop.import"
    UNDO_NOOP = "undo.noop"

    @property
    def item(self) -> Item:
        return Item(self.value.partition(".")[0])

    @property
    def verb(self) -> Verb:
        return Verb(self.value.partition(".")[2])

    @property
    def is_flow_edit(self) -> bool:
        return self.item in FLOW_ITEMS

    @classmethod
    def of(cls, item: Item | str, verb: Verb) -> EventKind:
        """The kind for (item, verb), e.g. of("step", Verb.ADD) is STEP_ADD; ValueError if there is none."""
        return cls(f"{Item(item).value}.{verb.value}")


class Shape(StrEnum):
    """What an event's `before` and `after` hold (each may also be None: not there, not set)."""

    BODY = "body"  # a flow part's body: `model_dump(mode="json")` of a Step, Handoff, ... or the flow's fields
    ORDER = "order"  # the ids of a kind's rows, in order (a reorder)
    DECISION = "decision"  # a settled Decision's body
    PROPOSAL = "proposal"  # {"tag", "rationale"}
    COMMENT = "comment"  # {"target", "kind", "text"}
    SEAT = "seat"  # {"name", "function"}
    NAMED = "named"  # {"name"}
    SETTING = "setting"  # a workshop setting's value: text, yes/no or an ISO time
    NOTHING = "nothing"  # no payload


def _shape(kind: EventKind) -> Shape:
    if kind.is_flow_edit:
        return Shape.ORDER if kind.verb is Verb.REORDER else Shape.BODY
    return {
        Item.DECISION: Shape.DECISION,
        Item.PROPOSAL: Shape.PROPOSAL,
        Item.COMMENT: Shape.COMMENT if kind.verb is Verb.ADD else Shape.SETTING,
        Item.PARTICIPANT: Shape.SEAT,
        Item.WORKSHOP: Shape.NAMED,
        Item.FACILITATOR: Shape.NOTHING,
        Item.UNDO: Shape.NOTHING,
    }.get(kind.item, Shape.SETTING)


PAYLOADS: dict[EventKind, Shape] = {kind: _shape(kind) for kind in EventKind}
"""The payload each kind of event carries."""

_KEYS: dict[Shape, set[str]] = {
    Shape.BODY: {"id"},
    Shape.DECISION: {"step"},
    Shape.PROPOSAL: {"tag", "rationale"},
    Shape.COMMENT: {"target", "kind", "text"},
    Shape.SEAT: {"name", "function"},
    Shape.NAMED: {"name"},
}


def payload_problem(kind: EventKind, value: Json) -> str | None:
    """Why `value` cannot be a `before` or `after` of `kind` (None: it can)."""
    shape = PAYLOADS[kind]
    if value is None:
        return None
    if shape is Shape.NOTHING:
        return f"{kind.value} carries no payload"
    if shape is Shape.ORDER:
        ok = isinstance(value, list) and all(isinstance(i, str) for i in value)
        return None if ok else f"{kind.value} carries a list of ids"
    if shape is Shape.SETTING:
        ok = isinstance(value, str | bool | int)
        return None if ok else f"{kind.value} carries a setting (text, yes/no, number)"
    if not isinstance(value, dict):
        return f"{kind.value} carries a {shape.value} (a JSON object)"
    missing = _KEYS[shape] - set(value)
    return f"{kind.value} payload lacks {', '.join(sorted(missing))}" if missing else None


UNDOABLE_KINDS: frozenset[EventKind] = frozenset(k for k in EventKind if k.is_flow_edit or k.item is Item.DECISION)
"""Flow edits and settled decisions; proposals, comments and controls are not undone."""

EDIT_KINDS: frozenset[EventKind] = frozenset(k for k in UNDOABLE_KINDS if k.is_flow_edit)
"""The events that count as someone editing the flow."""


def target(item: Item | str, item_id: str) -> str:
    """How an event names what it touched: "step:S3", "decision:S3", "comment:4"."""
    return f"{Item(item).value}:{item_id}"


def target_id(target_text: str) -> str:
    """The id part of a target ("S3" of "step:S3"); the whole text for targets without one ("workshop")."""
    return target_text.partition(":")[2] or target_text


@dataclass(frozen=True)
class Event:
    """One change, as decided by the write model and before the store numbers it.

    `before` / `after` are the payload: for a flow part its body (None when it did not /
    no longer exists), for a reorder the list of ids before and after, for a decision
    its body, for a control the setting's value. `position` is where an added or
    deleted flow part stands; `undoes` the version an undo reverts.
    """

    kind: EventKind
    target: str
    before: Json = None
    after: Json = None
    position: int | None = None
    undoes: int | None = None
    summary: str | None = None  # None: described from the kind and payload (`describe.describe_event`)

    def __post_init__(self) -> None:
        for value in (self.before, self.after):
            problem = payload_problem(self.kind, value)
            if problem:
                raise TypeError(f"Not a {self.kind.value} event: {problem}.")

    @property
    def target_id(self) -> str:
        return target_id(self.target)


@dataclass(frozen=True)
class Logged:
    """One event as read back from the log (numbered, dated, with its actor)."""

    seq: int
    version: int
    at: datetime
    actor_id: str | None
    actor_name: str
    actor_function: str
    kind: EventKind
    target: str
    summary: str
    before: Json = None
    after: Json = None
    position: int | None = None
    undoes: int | None = None
    layout: Mapping[str, int] | None = None  # where the rows of this kind stood before the write moved them

    @property
    def target_id(self) -> str:
        return target_id(self.target)
