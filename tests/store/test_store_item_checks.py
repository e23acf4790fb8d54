"""A step or hand-off edit checks only what the edited item refers to (`transfer.item_problems`).

The guarantee: on a consistent flow, replacing one step or hand-off (same id) finds exactly
the problems the whole-flow check (`flow_problems`, settled decisions included) finds, with
the same locations and messages, and an edit the whole check accepts is accepted. Property
tested over random bodies that refer to known and unknown functions, roles, data items and
steps.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from redesign.model import Decision, Handoff, Role, Step, Tag
from redesign.store import transfer
from tests.store.store_flows import close_flow

FLOW = close_flow(5)
DECISIONS = [Decision(step="S2", tag=Tag.HUMAN, owner="accountant")]

functions = st.sampled_from(["finance", "ops", "legal", "nowhere"])
roles = st.one_of(st.none(), st.sampled_from(["accountant", "planner", "ghost"]))
data = st.lists(st.sampled_from(["ledger", "invoice"]), max_size=3)
steps = st.sampled_from(["S1", "S3", "S5", "S9"])


def _whole(kind: str, item: Step | Handoff) -> list[str]:
    field = "steps" if kind == "step" else "handoffs"
    items = [item if x.id == item.id else x for x in getattr(FLOW, field)]
    return [str(p) for p in transfer.flow_problems(FLOW.model_copy(update={field: items}), DECISIONS)]


def _local(kind: str, item: Step | Handoff) -> list[str] | None:
    field = "steps" if kind == "step" else "handoffs"
    index = next(i for i, x in enumerate(getattr(FLOW, field)) if x.id == item.id)
    found = transfer.item_problems(FLOW, kind, index, item.model_dump(mode="json"))
    return None if found is None else [str(p) for p in found]


def test_the_flow_used_is_consistent() -> None:
    assert transfer.flow_problems(FLOW, DECISIONS) == []


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["S1", "S2", "S4"]), functions, roles, data, data)
def test_a_step_edit_finds_what_the_whole_check_finds(
    step_id: str, function: str, owner: str | None, data_in: list[str], data_out: list[str]
) -> None:
    step = Step(id=step_id, name="Edited", function=function, owner=owner, data_in=data_in, data_out=data_out)
    assert _local("step", step) == _whole("step", step)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["H1", "H3"]), steps, steps, data, st.booleans())
def test_a_handoff_edit_finds_what_the_whole_check_finds(
    handoff_id: str, source: str, target: str, carried: list[str], rework: bool
) -> None:
    handoff = Handoff(id=handoff_id, source=source, target=target, data=carried, rework=rework)
    assert _local("handoff", handoff) == _whole("handoff", handoff)


def test_other_kinds_ask_for_the_whole_check() -> None:
    role = Role(id="accountant", name="Accountant", function="finance")
    assert transfer.item_problems(FLOW, "role", 0, role.model_dump(mode="json")) is None
