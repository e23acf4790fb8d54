"""Undo as the inverse of events, without a database.

Property: any sequence of writes (bulk replacements that move, drop, change and add steps;
single inserts, deletes, moves across lanes, updates; settling and reopening decisions),
undone one by one, gives back each earlier flow and its settled decisions exactly,
order included. The store's own test (tests/store/test_store_undo_properties.py) checks
the same through SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from redesign.model import Decision, Flow, Handoff, Step, Tag
from redesign.writes import commands as cmd
from redesign.writes.events import EventKind
from redesign.writes.memory import MemoryWorkshop
from redesign.writes.plan import Plan
from redesign.writes.refusals import Reason, Refusal
from tests.unit.writes.write_flows import close_flow

N = 5
bulk = st.fixed_dictionaries(
    {
        "op": st.just("replace"),
        "order": st.permutations(range(N)),
        "keep": st.lists(st.booleans(), min_size=N, max_size=N),
        "new": st.integers(0, 2),
        "touch": st.lists(st.integers(0, 90), min_size=N, max_size=N),
    }
)
single = st.fixed_dictionaries(
    {
        "op": st.sampled_from(["add_after", "add_end", "delete", "move", "update", "settle", "unsettle"]),
        "at": st.integers(0, 9),
        "to": st.integers(0, 9),
    }
)


def replaced(flow: Flow, e: dict[str, Any], round_: int) -> Flow:
    """Reorder, drop, change and add steps; keep only the hand-offs whose ends survive."""
    steps = [flow.steps[i] for i in e["order"] if i < len(flow.steps)]
    steps = [s for s, keep in zip(steps, e["keep"], strict=False) if keep] or steps[:1]
    steps = [s.model_copy(update={"touch_minutes": float(m)}) for s, m in zip(steps, e["touch"], strict=False)]
    steps += [Step(id=f"N{round_}_{k}", name=f"New {round_}.{k}", function="ops") for k in range(e["new"])]
    ids = {s.id for s in steps}
    handoffs = [h for h in flow.handoffs if h.source in ids and h.target in ids]
    if len(steps) > 1:
        handoffs.append(Handoff(id=f"X{round_}", source=steps[0].id, target=steps[-1].id))
    return flow.model_copy(update={"steps": steps, "handoffs": handoffs})


def command(room: MemoryWorkshop, e: dict[str, Any], round_: int) -> cmd.Command | None:
    flow, v = room.flow(), room.version
    steps = flow.steps
    at, to = e.get("at", 0), e.get("to", 0)
    here, there = steps[at % len(steps)], steps[to % len(steps)]
    match e["op"]:
        case "replace":
            return cmd.ReplaceFlow(v, replaced(flow, e, round_))
        case "delete" if len(steps) > 1:
            return cmd.DeleteStep(v, here.id)
        case "add_after" | "add_end":
            step = Step(id=f"A{round_}", name=f"Added {round_}", function="hr")
            return cmd.AddItem(v, step, here.id if e["op"] == "add_after" else None)
        case "move":
            lane = ("finance", "ops", "hr")[to % 3]
            return cmd.MoveStep(v, here.id, lane, there.id if at != to else None)
        case "update":
            return cmd.UpdateItem(v, here.model_copy(update={"touch_minutes": float(to * 7)}))
        case "settle":
            return cmd.Settle(Decision(step=here.id, tag=(Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE)[to % 3]))
        case "unsettle" if room.rows.decisions:
            return cmd.Unsettle(sorted(room.rows.decisions)[at % len(room.rows.decisions)])
    return None


def seen(room: MemoryWorkshop) -> tuple[Flow, dict[str, Any]]:
    return room.flow(), dict(room.rows.decisions)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(bulk, single), min_size=1, max_size=6))
def test_undoing_every_write_restores_each_earlier_flow_and_decisions(edits: list[dict[str, Any]]) -> None:
    room = MemoryWorkshop.of(close_flow(N))
    before_each = []  # the flow and decisions before each write that logged something
    for round_, e in enumerate(edits):
        c = command(room, e, round_)
        if c is None:
            continue
        before = seen(room)
        result = room.write("fran", c)
        if isinstance(result, Refusal):  # e.g. dropping a step that has a settled decision
            assert result.reason is Reason.INVALID and seen(room) == before  # a refusal changes nothing
            continue
        if result.events:  # a write that changed nothing left nothing to undo
            before_each.append(before)
    for older in reversed(before_each):
        assert isinstance(room.write("fran", cmd.Undo()), Plan)
        assert seen(room) == older
    refused = room.write("fran", cmd.Undo())
    assert isinstance(refused, Refusal) and refused.reason is Reason.INVALID  # nothing left to undo


def test_undo_events_say_what_they_undo() -> None:
    room = MemoryWorkshop.of(close_flow(3))
    room.write("fran", cmd.DeleteStep(0, "S2"))
    deleted = [e.kind for e in room.log]
    assert deleted == [EventKind.HANDOFF_DELETE, EventKind.HANDOFF_DELETE, EventKind.STEP_DELETE]
    room.write("fran", cmd.Undo())
    undone = room.log[len(deleted) :]
    assert {e.kind for e in undone} == {EventKind.HANDOFF_ADD, EventKind.STEP_ADD}
    assert all(e.undoes == 1 and e.summary.startswith("undid a change (deleted") for e in undone)
    assert room.flow() == close_flow(3)
