"""`decide` without a database: stale checks, refusals and the events a command makes."""

from __future__ import annotations

from redesign.model import Decision, Step, Tag
from redesign.writes import commands as cmd
from redesign.writes.events import EventKind
from redesign.writes.memory import MemoryWorkshop
from redesign.writes.plan import Plan
from redesign.writes.refusals import Reason, Refusal
from tests.unit.writes.write_flows import close_flow


def step(room: MemoryWorkshop, step_id: str) -> Step:
    return next(s for s in room.flow().steps if s.id == step_id)


def test_an_edit_of_what_someone_else_changed_since_is_stale_and_names_them() -> None:
    room = MemoryWorkshop.of(close_flow(3))
    s1 = step(room, "S1")
    assert isinstance(room.write("ana", cmd.UpdateItem(0, s1.model_copy(update={"touch_minutes": 45}))), Plan)
    refused = room.write("bob", cmd.UpdateItem(0, s1.model_copy(update={"touch_minutes": 50})))
    assert isinstance(refused, Refusal) and refused.reason is Reason.STALE
    assert [c.actor_name for c in refused.changes] == ["ana"] and "touch minutes 30 -> 45" in refused.message
    other = room.write("bob", cmd.UpdateItem(0, step(room, "S2").model_copy(update={"touch_minutes": 5})))
    assert isinstance(other, Plan)  # a different step is not stale
    mine = room.write("ana", cmd.UpdateItem(0, step(room, "S1").model_copy(update={"touch_minutes": 60})))
    assert isinstance(mine, Plan)  # nor is your own earlier change


def test_two_people_dragging_the_same_card_the_second_is_refused() -> None:
    room = MemoryWorkshop.of(close_flow(4))
    first = room.write("ana", cmd.MoveStep(0, "S4", "hr", "S1"))
    assert isinstance(first, Plan) and [e.kind for e in first.events] == [EventKind.STEP_UPDATE, EventKind.STEP_REORDER]
    assert [s.id for s in room.flow().steps] == ["S4", "S1", "S2", "S3"] and step(room, "S4").function == "hr"
    second = room.write("bob", cmd.MoveStep(0, "S4", "ops", None))
    assert isinstance(second, Refusal) and second.reason is Reason.STALE
    assert isinstance(room.write("bob", cmd.MoveStep(0, "S2", "ops", None)), Plan)  # another card moves freely


def test_refusals_say_what_is_wrong_and_change_nothing() -> None:
    room = MemoryWorkshop.of(close_flow(3))
    future = room.write("ana", cmd.DeleteStep(7, "S1"))
    assert isinstance(future, Refusal) and "only at version 0" in future.message
    missing = room.write("ana", cmd.DeleteHandoff(0, "H9"))
    assert isinstance(missing, Refusal) and missing.reason is Reason.MISSING
    dangling = room.write("ana", cmd.AddItem(0, Step(id="S9", name="New", function="nowhere")))
    assert isinstance(dangling, Refusal) and dangling.reason is Reason.INVALID and dangling.problems
    assert room.version == 0 and room.log == []


def test_deleting_a_step_takes_its_handoffs_and_decision_and_undo_brings_them_back() -> None:
    room = MemoryWorkshop.of(close_flow(3))
    room.write("fran", cmd.Settle(Decision(step="S2", tag=Tag.AUTOMATE)))
    plan = room.write("fran", cmd.DeleteStep(1, "S2"))
    assert isinstance(plan, Plan)
    kinds = [e.kind for e in plan.events]
    assert kinds == [
        EventKind.HANDOFF_DELETE,
        EventKind.HANDOFF_DELETE,
        EventKind.DECISION_UNSETTLE,
        EventKind.STEP_DELETE,
    ]
    assert isinstance(room.write("fran", cmd.Undo()), Plan)
    assert room.flow() == close_flow(3) and set(room.rows.decisions) == {"S2"}


def test_a_no_op_update_makes_no_event() -> None:
    room = MemoryWorkshop.of(close_flow(2))
    plan = room.write("ana", cmd.UpdateItem(0, step(room, "S1")))
    assert plan == Plan() and room.version == 0
