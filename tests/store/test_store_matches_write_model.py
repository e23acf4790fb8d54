"""The store carries out the write model's plans as the in-memory model does (`redesign.writes.replay`).

Property: the same writes, made through the service (SQLite and PostgreSQL) and on a
`MemoryWorkshop`, leave the same flow (order included) and the same settled decisions,
and each is accepted or refused by both; so the database-free properties of merge and
undo in tests/unit/writes speak for the store too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redesign.model import Step
from redesign.store.errors import StoreError
from redesign.store.service import WorkshopService
from redesign.writes import commands as cmd
from redesign.writes.memory import MemoryWorkshop
from redesign.writes.plan import Plan
from tests.store.store_flows import close_flow
from tests.unit.writes.test_undo_properties import bulk, command, single

N = 5


def carried_out(svc: WorkshopService, token: str, c: cmd.Command) -> None:
    match c:
        case cmd.ReplaceFlow():
            svc.replace_flow(token, c.base_version, c.flow)
        case cmd.DeleteStep():
            svc.delete_step(token, c.base_version, c.step_id)
        case cmd.AddItem():
            assert isinstance(c.item, Step)
            svc.add_step(token, c.base_version, c.item, c.after)
        case cmd.MoveStep():
            svc.move_step(token, c.base_version, c.step_id, c.function, c.before)
        case cmd.UpdateItem():
            assert isinstance(c.item, Step)
            svc.update_step(token, c.base_version, c.item)
        case cmd.Settle():
            svc.settle(token, c.decision)
        case cmd.Unsettle():
            svc.unsettle(token, c.step_id)
        case cmd.Undo():
            svc.undo(token)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(bulk, single, st.just({"op": "undo"})), min_size=1, max_size=6))
def test_the_store_and_the_write_model_agree(svc: WorkshopService, edits: list[dict[str, Any]]) -> None:
    created = svc.create_workshop("Agree", "", close_flow(N), "Fran")
    token = created.facilitator_token
    svc.set_phase(token, "converge")  # the facilitator may edit the flow and settle
    room = MemoryWorkshop.of(svc.state(token).flow)
    base = svc.state(token).version
    for round_, e in enumerate(edits):
        c = cmd.Undo() if e["op"] == "undo" else command(room, e, round_)
        if c is None:
            continue
        expected = room.write("fran", c)
        c = _shifted(c, base)  # the store's versions count the create and phase events too
        try:
            carried_out(svc, token, c)
            accepted = True
        except StoreError:
            accepted = False
        assert accepted == isinstance(expected, Plan), (c, expected)
        state = svc.state(token)
        assert state.flow == room.flow()
        assert {d.step: d.model_dump(mode="json") for d in state.decisions} == room.rows.decisions


def _shifted(c: cmd.Command, by: int) -> cmd.Command:
    if isinstance(c, cmd.Settle | cmd.Unsettle | cmd.Undo):
        return c
    return replace(c, base_version=c.base_version + by)
