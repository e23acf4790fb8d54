"""The three-way merge of a replaced flow, without a database.

Properties: with nobody else's changes the caller's flow is taken as sent; a caller who
changed nothing keeps everyone else's changes (no silent revert); changes to different
parts by two people both land; the same part changed differently by both is refused as
stale and nothing is written.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from redesign.model import Flow, Step
from redesign.writes import commands as cmd
from redesign.writes.memory import MemoryWorkshop
from redesign.writes.merge import merge
from redesign.writes.parts import Placed, split
from redesign.writes.plan import Plan
from redesign.writes.refusals import Reason, Refusal
from tests.unit.writes.write_flows import close_flow

N = 5
BASE = 30  # every step's touch minutes in close_flow
minutes = st.lists(st.sampled_from([BASE, 45, 60]), min_size=N, max_size=N)  # few values: collisions are common


def touched(flow: Flow, values: list[int], which: set[int]) -> Flow:
    """`flow` with the touch minutes of the steps at the `which` indexes set from `values`."""
    steps = [
        s.model_copy(update={"touch_minutes": float(values[i])}) if i in which else s for i, s in enumerate(flow.steps)
    ]
    return flow.model_copy(update={"steps": steps})


@given(st.permutations(range(N)), minutes, st.integers(0, 2))
def test_without_others_the_callers_flow_is_taken_as_sent(order: list[int], values: list[int], new: int) -> None:
    base = close_flow(N)
    steps = [base.steps[i].model_copy(update={"touch_minutes": float(values[i])}) for i in order]
    steps += [Step(id=f"N{k}", name=f"New {k}", function="ops") for k in range(new)]
    wanted = base.model_copy(update={"steps": steps})
    room = MemoryWorkshop.of(base)
    assert isinstance(room.write("ana", cmd.ReplaceFlow(0, wanted)), Plan)
    assert room.flow() == wanted


@settings(max_examples=50)
@given(minutes, st.sets(st.integers(0, N - 1), min_size=1))
def test_a_caller_who_changed_nothing_keeps_the_others_changes(values: list[int], theirs: set[int]) -> None:
    base = close_flow(N)
    room = MemoryWorkshop.of(base)
    assert isinstance(room.write("bob", cmd.ReplaceFlow(0, touched(base, values, theirs))), Plan)
    after_bob = room.flow()
    assert isinstance(room.write("ana", cmd.ReplaceFlow(0, base)), Plan)  # Ana saw version 0 and sends it back
    assert room.flow() == after_bob


@settings(max_examples=50)
@given(minutes, minutes, st.sets(st.integers(0, N - 1), min_size=1), st.sets(st.integers(0, N - 1), min_size=1))
def test_changes_to_different_steps_both_land_and_the_same_step_changed_twice_is_stale(
    mine: list[int], theirs: list[int], my_steps: set[int], their_steps: set[int]
) -> None:
    base = close_flow(N)
    room = MemoryWorkshop.of(base)
    assert isinstance(room.write("bob", cmd.ReplaceFlow(0, touched(base, theirs, their_steps))), Plan)
    before = (room.flow(), room.version, len(room.log))
    result = room.write("ana", cmd.ReplaceFlow(0, touched(base, mine, my_steps)))
    # Both changed the step (away from what Ana saw) and to different values.
    clashing = {i for i in my_steps & their_steps if BASE != theirs[i] != mine[i] != BASE}
    if clashing:
        assert isinstance(result, Refusal) and result.reason is Reason.STALE
        assert {c.target for c in result.changes} <= {f"step:{base.steps[i].id}" for i in my_steps & their_steps}
        assert (room.flow(), room.version, len(room.log)) == before  # a refusal writes nothing
        return
    assert isinstance(result, Plan)
    got = {s.id: s.touch_minutes for s in room.flow().steps}
    for i, step in enumerate(base.steps):
        expected = mine[i] if i in my_steps and mine[i] != BASE else theirs[i] if i in their_steps else BASE
        assert got[step.id] == float(expected)


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, 3), min_size=1))
def test_merge_alone_keeps_current_where_the_caller_sent_what_they_saw(current_values: dict[str, int]) -> None:
    current = {("step", k): Placed(i, {"id": k, "v": v}) for i, (k, v) in enumerate(sorted(current_values.items()))}
    seen = {key: {**placed.body, "v": -1} for key, placed in current.items()}  # everyone else changed everything
    wanted = {key: Placed(placed.position, seen[key]) for key, placed in current.items()}
    merged = merge(current, wanted, seen)
    assert merged.conflicts == frozenset() and merged.bodies == {k: p.body for k, p in current.items()}


def test_split_places_every_part() -> None:
    parts = split(close_flow(3))
    assert parts[("step", "S2")].position == 1 and parts[("flow", "flow")].position == 0
