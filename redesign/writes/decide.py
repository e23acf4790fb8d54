"""`decide(snapshot, command)`: the events a command makes, or why it is refused.

Every flow edit first checks it is not stale: if someone else changed a part it
touches after the version its author saw (`base_version`), it is refused and the
message says who changed what. Proposals and comments never come here: they are
never stale (see `redesign.store.contributions`).
"""

from __future__ import annotations

from collections.abc import Iterable

from redesign.model import Decision, Handoff, Step
from redesign.writes import commands as cmd
from redesign.writes.events import Body, Event, EventKind, Key, Logged, Verb
from redesign.writes.merge import inserted, merge, merged_order, moved, moved_line
from redesign.writes.parts import LIST_FIELDS, Placed, assemble, line, split, target
from redesign.writes.plan import Plan, Snapshot
from redesign.writes.refusals import (
    Reason,
    Refusal,
    Refused,
    check_flow,
    check_problems,
    check_steps,
    flow_problems,
    item_problems,
    missing_item,
    refuse,
    stale,
)
from redesign.writes.undo import undo


def decide(snapshot: Snapshot, command: cmd.Command) -> Plan | Refusal:
    try:
        match command:
            case cmd.AddItem():
                return _add(snapshot, command)
            case cmd.UpdateItem():
                _refuse_if_stale(snapshot, command.base_version, [_target(command.item)])
                return _update(snapshot, command.item)
            case cmd.DeleteStep():
                return _delete_step(snapshot, command)
            case cmd.DeleteHandoff():
                return _delete_handoff(snapshot, command)
            case cmd.MoveStep():
                return _move_step(snapshot, command)
            case cmd.ReplaceFlow():
                return _replace_flow(snapshot, command)
            case cmd.Settle():
                return _settle(snapshot, command.decision)
            case cmd.Unsettle():
                return _unsettle(snapshot, command.step_id)
            case cmd.Undo():
                return undo(snapshot)
    except Refused as exc:
        return exc.refusal
    raise TypeError(f"not a command: {command!r}")


# --------------------------------------------------------------------------- staleness


def changes_by_others(s: Snapshot, base_version: int, targets: Iterable[str] | None) -> list[Logged]:
    """Flow edits and decisions by someone other than the writer since `base_version`, oldest first."""
    if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0:
        raise refuse(Reason.INVALID, "base_version must be the workshop version you saw (a whole number).")
    if base_version > s.version:
        raise refuse(
            Reason.INVALID,
            f"Your edit says it is based on version {base_version}, but the workshop is only at version "
            f"{s.version}. Reload and try again.",
        )
    return [e for e in s.edits_since(base_version, targets) if e.actor_id != s.actor_id]


def _function_names(s: Snapshot) -> dict[str, str]:
    return {f.id: f.name for f in s.flow().functions}


def _refuse_if_stale(s: Snapshot, base_version: int, targets: Iterable[str]) -> None:
    others = changes_by_others(s, base_version, targets)
    if others:
        raise stale(base_version, others, _function_names(s))


# --------------------------------------------------------------------------- steps and hand-offs


def _kind(item: Step | Handoff) -> str:
    return "step" if isinstance(item, Step) else "handoff"


def _target(item: Step | Handoff) -> str:
    return target(_kind(item), item.id)


def _deleted(kind: str, item_id: str, placed: Placed) -> Event:
    return Event(EventKind.of(kind, Verb.DELETE), target(kind, item_id), placed.body, None, position=placed.position)


def _add(s: Snapshot, c: cmd.AddItem) -> Plan:
    kind, item = _kind(c.item), c.item
    _refuse_if_stale(s, c.base_version, [target(kind, item.id)])
    if s.item(kind, item.id) is not None:
        word = "step" if kind == "step" else "hand-off"
        raise refuse(Reason.INVALID, f'A {word} with id "{item.id}" already exists; pick another id.')
    flow = s.flow()
    if kind == "step":
        check_steps(len(flow.steps) + 1)
    if c.after is None:
        position = s.end(kind)
    else:
        anchor = s.item(kind, c.after)
        if anchor is None:
            raise refuse(Reason.MISSING, f'There is no step "{c.after}" to add the new step after.')
        position = anchor.position + 1
    field = LIST_FIELDS[kind]
    check_flow(flow.model_copy(update={field: [*getattr(flow, field), item]}))
    body = item.model_dump(mode="json")
    added = Event(EventKind.of(kind, Verb.ADD), target(kind, item.id), None, body, position=position)
    shifts = s.position_taken(kind, position)  # the rows from there on move down one place
    return Plan((added,), keep_layout=frozenset({kind}) if shifts else frozenset())


def _update(s: Snapshot, item: Step | Handoff) -> Plan:
    """Replace one step or hand-off (no event if nothing changed); the plan carries the flow it makes."""
    kind = _kind(item)
    current = s.item(kind, item.id)
    if current is None:
        raise missing_item(kind, item.id)
    body = item.model_dump(mode="json")
    if body == current.body:
        return Plan()
    flow = s.flow()
    field = LIST_FIELDS[kind]
    items = [item if x.id == item.id else x for x in getattr(flow, field)]
    changed = flow.model_copy(update={field: items})
    index = next(i for i, x in enumerate(items) if x.id == item.id)
    own = item_problems(flow, kind, index, body)  # only what this item refers to
    if own is None:
        check_flow(changed, s.decisions())
    else:
        check_problems(own)
    updated = Event(EventKind.of(kind, Verb.UPDATE), target(kind, item.id), current.body, body)
    return Plan((updated,), flow=changed)


def _delete_step(s: Snapshot, c: cmd.DeleteStep) -> Plan:
    """The step, its hand-offs, its settled decision and its decisions in the flow's scenarios go."""
    flow = s.flow()
    touching = [h for h in flow.handoffs if c.step_id in (h.source, h.target)]
    _refuse_if_stale(s, c.base_version, [target("step", c.step_id), *(target("handoff", h.id) for h in touching)])
    current = s.item("step", c.step_id)
    if current is None:
        raise missing_item("step", c.step_id)
    events: list[Event] = []
    for h in touching:
        placed = s.item("handoff", h.id)
        assert placed is not None  # the flow was read from the same rows
        events.append(_deleted("handoff", h.id, placed))
    decided = s.decision(c.step_id)
    if decided is not None:
        events.append(Event(EventKind.DECISION_UNSETTLE, f"decision:{c.step_id}", decided, None))
    for sc in flow.scenarios:
        if sc.decision_for(c.step_id) is not None:
            kept = sc.model_copy(update={"decisions": [d for d in sc.decisions if d.step != c.step_id]})
            before, after = sc.model_dump(mode="json"), kept.model_dump(mode="json")
            events.append(Event(EventKind.SCENARIO_UPDATE, target("scenario", sc.id), before, after))
    events.append(_deleted("step", c.step_id, current))
    return Plan(tuple(events))


def _delete_handoff(s: Snapshot, c: cmd.DeleteHandoff) -> Plan:
    _refuse_if_stale(s, c.base_version, [target("handoff", c.handoff_id)])
    current = s.item("handoff", c.handoff_id)
    if current is None:
        raise missing_item("handoff", c.handoff_id)
    return Plan((_deleted("handoff", c.handoff_id, current),))


def _move_step(s: Snapshot, c: cmd.MoveStep) -> Plan:
    """One write for the board's drag: the lane change is a step.update, the new order a step.reorder
    aimed at this step, so a second person moving the same card from an older version is refused as
    stale (the first save wins) while other cards move freely."""
    _refuse_if_stale(s, c.base_version, [target("step", c.step_id)])
    flow = s.flow()
    step = next((x for x in flow.steps if x.id == c.step_id), None)
    if step is None:
        raise missing_item("step", c.step_id)
    if c.function not in flow.functions_by_id():
        raise refuse(Reason.INVALID, f'There is no function "{c.function}" to move the step to.')
    old = [x.id for x in flow.steps]
    if c.before is not None and c.before not in old:
        raise missing_item("step", c.before)
    lane = _update(s, step.model_copy(update={"function": c.function})) if step.function != c.function else Plan()
    new = moved_line(old, c.step_id, c.before)
    if new == old:
        return lane
    moved_event = Event(EventKind.STEP_REORDER, target("step", c.step_id), old, new, summary=f"moved {step.name}")
    return Plan((*lane.events, moved_event), renumber={"step": tuple(new)})


# --------------------------------------------------------------------------- the table editor's bulk edit


def _replace_flow(s: Snapshot, c: cmd.ReplaceFlow) -> Plan:
    """A three-way merge against what the caller saw (see `merge`); conflicts refuse the whole edit."""
    check_steps(len(c.flow.steps))
    current = s.parts()
    wanted = split(c.flow)
    by_others = changes_by_others(s, c.base_version, None)
    seen: dict[Key, Body | None] = {}
    for e in by_others:  # oldest first: the first event's "before" is what the caller saw
        kind, _, item_id = e.target.partition(":")
        if kind in LIST_FIELDS or kind == "flow":
            seen.setdefault((kind, item_id), e.before)
    merged = merge(current, wanted, seen)
    if merged.conflicts:
        raise stale(c.base_version, [e for e in by_others if e.target in merged.conflicts], _function_names(s))
    order = merged_order(current, wanted, merged.bodies)
    result = assemble((k[0], k[1], order[k], body) for k, body in merged.bodies.items())
    check_steps(len(result.steps))
    check_flow(result, s.decisions(), what="This edit")
    events: list[Event] = []
    renumber: dict[str, tuple[str, ...]] = {}
    for kind in sorted({k[0] for k in merged.bodies}):
        old = line(current, kind)
        new = [k[1] for k in sorted((k for k in merged.bodies if k[0] == kind), key=lambda k: order[k])]
        if moved(old, new):
            events.append(Event(EventKind.of(kind, Verb.REORDER), f"{kind}:*", old, new))
        if moved(old, new) or inserted(old, new):  # pure deletions leave gaps and renumber nothing
            renumber[kind] = tuple(new)
    events += [_deleted(*key, placed) for key, placed in current.items() if key not in merged.bodies]
    for key, body in merged.bodies.items():
        if key in current and current[key].body != body:
            events.append(Event(EventKind.of(key[0], Verb.UPDATE), target(*key), current[key].body, body))
    for key, body in merged.bodies.items():
        if key not in current:
            events.append(Event(EventKind.of(key[0], Verb.ADD), target(*key), None, body, position=order[key]))
    return Plan(tuple(events), renumber=renumber)


# --------------------------------------------------------------------------- decisions


def _settle(s: Snapshot, decision: Decision) -> Plan:
    if s.item("step", decision.step) is None:
        raise missing_item("step", decision.step)
    others = [d for d in s.decisions() if d.step != decision.step]
    mine = [p for p in flow_problems(s.flow(), [*others, decision]) if p.location.startswith("settled decisions")]
    if mine:
        listed = "; ".join(p.message for p in mine)
        raise refuse(Reason.INVALID, f"This decision names something the flow does not have: {listed}.", mine)
    after = decision.model_dump(mode="json")
    return Plan((Event(EventKind.DECISION_SETTLE, f"decision:{decision.step}", s.decision(decision.step), after),))


def _unsettle(s: Snapshot, step_id: str) -> Plan:
    before = s.decision(step_id)
    if before is None:
        raise refuse(Reason.MISSING, f'Step "{step_id}" has no settled decision.')
    return Plan((Event(EventKind.DECISION_UNSETTLE, f"decision:{step_id}", before, None),))
