"""Why a write is refused, as data: the store turns a `Refusal` into its own error.

A refusal never changes anything; its message is one plain sentence a page can show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from redesign.model import Decision, Flow, Problem, Scenario, reference_problems
from redesign.workshop import MAX_WORKSHOP_STEPS, SETTLED_SCENARIO_ID, EventSummary
from redesign.writes.describe import stale_message
from redesign.writes.events import Logged
from redesign.writes.parts import LIST_FIELDS


class Reason(StrEnum):
    STALE = "stale"  # someone else changed what the write touches since the version its author saw
    INVALID = "invalid"  # the write would leave the flow inconsistent, or its input is wrong
    MISSING = "missing"  # it names a step, hand-off or decision that is not there
    LIMIT = "limit"  # the flow would grow past a size bound


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    message: str
    problems: tuple[Problem, ...] = ()
    changes: tuple[EventSummary, ...] = field(default=())  # for STALE: the changes by others, oldest first


class Refused(Exception):
    """Raised inside the write model and returned by `decide` as its `refusal`."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def refuse(reason: Reason, message: str, problems: Sequence[Problem] = ()) -> Refused:
    return Refused(Refusal(reason, message, tuple(problems)))


def missing_item(kind: str, item_id: object) -> Refused:
    """The refusal for a step or hand-off that is not in the workshop's flow."""
    return refuse(Reason.MISSING, missing_item_text(kind, item_id))


def missing_item_text(kind: str, item_id: object) -> str:
    word = "step" if kind == "step" else "hand-off"
    return f'There is no {word} "{item_id}" in this workshop\'s flow.'


def flow_problems(flow: Flow, decisions: Sequence[Decision] = ()) -> list[Problem]:
    """Cross-reference problems of a flow, including the settled decisions as a scenario."""
    doc = flow.model_dump(mode="json")
    if decisions:
        settled = Scenario(id=SETTLED_SCENARIO_ID, name="Workshop decisions", decisions=list(decisions))
        doc["scenarios"] = [*doc["scenarios"], settled.model_dump(mode="json")]
    prefix = f"scenarios[{len(flow.scenarios)}]"
    # Say "settled decisions" rather than point at a scenario index nobody sees.
    return [
        Problem(location=p.location.replace(f"{prefix}.decisions", "settled decisions"), message=p.message)
        if p.location.startswith(prefix)
        else p
        for p in reference_problems(doc)
    ]


_CHECKED_ALONE = {"step": ("functions", "roles", "data_items"), "handoff": ("steps", "data_items")}
"""The item kinds whose replacement (same id) can only break the item's own references, and the lists
those references point into. Nothing else refers to a step's or hand-off's content, only to its id."""


def item_problems(flow: Flow, kind: str, index: int, body: Mapping[str, Any]) -> list[Problem] | None:
    """The cross-reference problems of replacing item `index` of `kind` with `body` (same id), checking
    only what that item refers to; None for a kind that needs the whole flow checked (`flow_problems`).

    A step edit used to re-check the whole flow and every settled decision (profiling issue 13's mixed
    load: ~1.5 ms of each edit's time inside the write queue on 50 steps, growing with the flow). The
    problems found are the same, with the same locations, as `flow_problems` finds for that item.
    """
    lists = _CHECKED_ALONE.get(kind)
    if lists is None:
        return None
    field = LIST_FIELDS[kind]
    doc: dict[str, Any] = {name: [{"id": item.id} for item in getattr(flow, name)] for name in lists}
    doc[field] = [body]
    mine, placed = f"{field}[0]", f"{field}[{index}]"
    return [
        Problem(location=placed + p.location[len(mine) :], message=p.message)
        for p in reference_problems(doc)
        if p.location == mine or p.location.startswith(mine + ".")
    ]


def problems_refusal(problems: Sequence[Problem], what: str = "This change") -> Refusal | None:
    if not problems:
        return None
    listed = "; ".join(str(p) for p in problems[:5])
    more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    return Refusal(Reason.INVALID, f"{what} would leave the flow inconsistent: {listed}{more}.", tuple(problems))


def check_problems(problems: Sequence[Problem], what: str = "This change") -> None:
    refusal = problems_refusal(problems, what)
    if refusal is not None:
        raise Refused(refusal)


def invalid_flow(flow: Flow, decisions: Sequence[Decision] = (), what: str = "This change") -> Refusal | None:
    """Why `flow` (with the settled `decisions`) cannot be saved, or None."""
    return problems_refusal(flow_problems(flow, decisions), what)


def check_flow(flow: Flow, decisions: Sequence[Decision] = (), what: str = "This change") -> None:
    refusal = invalid_flow(flow, decisions, what)
    if refusal is not None:
        raise Refused(refusal)


def too_many_steps(n: int) -> Refusal | None:
    if n <= MAX_WORKSHOP_STEPS:
        return None
    return Refusal(
        Reason.LIMIT, f"A workshop flow can have at most {MAX_WORKSHOP_STEPS:,} steps; this one would have {n:,}."
    )


def check_steps(n: int) -> None:
    refusal = too_many_steps(n)
    if refusal is not None:
        raise Refused(refusal)


def stale(base_version: int, events: Sequence[Logged], function_names: dict[str, str]) -> Refused:
    """The refusal listing the changes by others since `base_version` (function ids shown as names)."""
    changes = tuple(
        EventSummary(
            version=e.version,
            at=e.at,
            actor_name=e.actor_name,
            actor_function=function_names.get(e.actor_function, e.actor_function),
            kind=e.kind.value,
            target=e.target,
            summary=e.summary,
        )
        for e in events
    )
    return Refused(Refusal(Reason.STALE, stale_message(base_version, changes), changes=changes))
