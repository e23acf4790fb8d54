"""The board's drag: one write moves a step to a lane and a place in the order; stale and undo rules hold."""

from __future__ import annotations

import pytest

from redesign.store.errors import AccessDenied, NotFound, StaleEdit
from redesign.store.service import WorkshopService
from redesign.workshop import Phase
from tests.store.store_flows import open_room


def order(svc: WorkshopService, token: str) -> list[str]:
    return [s.id for s in svc.state(token).flow.steps]


def test_move_changes_function_and_order_in_one_version(svc: WorkshopService) -> None:
    room = open_room(svc)
    v = svc.version(room.wid)
    assert svc.move_step(room.ana.token, v, "S4", "finance", "S2") == v + 1
    flow = svc.state(room.fac).flow
    assert [s.id for s in flow.steps] == ["S1", "S4", "S2", "S3"]
    assert flow.step("S4").function == "finance"
    assert svc.move_step(room.ana.token, v + 1, "S1", "ops", None) == v + 2  # None: to the end
    assert order(svc, room.fac) == ["S4", "S2", "S3", "S1"]


def test_drop_where_it_stood_saves_nothing(svc: WorkshopService) -> None:
    room = open_room(svc)
    v = svc.version(room.wid)
    function = svc.state(room.fac).flow.step("S2").function
    assert svc.move_step(room.ana.token, v, "S2", function, "S3") == v
    assert svc.move_step(room.ana.token, v, "S2", function, "S2") == v
    assert svc.version(room.wid) == v


def test_second_mover_of_the_same_card_is_refused_with_the_first_movers_name(svc: WorkshopService) -> None:
    room = open_room(svc)
    seen = svc.version(room.wid)
    svc.move_step(room.ana.token, seen, "S3", "finance", "S1")
    with pytest.raises(StaleEdit) as err:
        svc.move_step(room.bob.token, seen, "S3", "ops", None)
    assert err.value.changes[0].actor_name == "Ana"
    assert order(svc, room.fac)[0] == "S3"  # Ana's move stands
    svc.move_step(room.bob.token, seen, "S4", "finance", "S1")  # another card from the same version: fine
    assert order(svc, room.fac)[:3] == ["S3", "S4", "S1"]


def test_undo_puts_the_card_back(svc: WorkshopService) -> None:
    room = open_room(svc)
    before = svc.state(room.fac).flow
    svc.move_step(room.ana.token, svc.version(room.wid), "S4", "finance", "S1")
    svc.undo(room.fac)
    after = svc.state(room.fac).flow
    assert [s.id for s in after.steps] == [s.id for s in before.steps]
    assert after.step("S4").function == before.step("S4").function


def test_bad_moves_are_refused_and_change_nothing(svc: WorkshopService) -> None:
    room = open_room(svc)
    v = svc.version(room.wid)
    with pytest.raises(NotFound):
        svc.move_step(room.ana.token, v, "S9", "finance", None)
    with pytest.raises(NotFound):
        svc.move_step(room.ana.token, v, "S1", "finance", "S9")
    with pytest.raises(Exception, match="no function"):
        svc.move_step(room.ana.token, v, "S1", "nowhere", None)
    svc.set_phase(room.fac, Phase.VOTE)
    with pytest.raises(AccessDenied):
        svc.move_step(room.ana.token, svc.version(room.wid), "S1", "ops", None)
    assert order(svc, room.fac) == ["S1", "S2", "S3", "S4"]
