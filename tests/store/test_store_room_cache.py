"""The view route's reads (`WorkshopService.shared_state`, redesign/store/room_cache.py): the workshop is
read once per version for every seat, yet each seat gets exactly what `state` gives it, and a change
made through another replica is seen at its new version."""

from __future__ import annotations

from redesign.store.schemas import Phase, WorkshopState
from redesign.store.service import WorkshopService
from tests.store.store_flows import open_room


def _same(a: WorkshopState, b: WorkshopState) -> None:
    assert a.model_dump() == b.model_dump()


def test_every_seat_gets_what_state_gives_it_from_one_read_per_version(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.VOTE)
    fac, ana, bob = room.created.facilitator_token, room.ana.token, room.bob.token
    svc.propose(ana, "S1", "automate", "rules are clear")
    svc.propose(bob, "S1", "human")
    svc.comment(bob, "step", "S2", "Who owns this?")
    for token in (fac, ana, bob):
        _same(svc.shared_state(token), svc.state(token))
    assert svc._rooms.misses == 1 and svc._rooms.hits == 2
    before_reveal = svc.shared_state(ana)
    assert [p.participant_id for p in before_reveal.proposals] == [room.ana.participant_id]  # own only
    assert len(svc.shared_state(fac).proposals) == 2
    svc.set_reveal(fac, True)
    _same(svc.shared_state(ana), svc.state(ana))
    assert len(svc.shared_state(ana).proposals) == 2
    assert svc._rooms.misses == 2


def test_a_change_through_another_replica_is_read_at_its_version(database_url: str) -> None:
    first, second = WorkshopService.from_url(database_url), WorkshopService.from_url(database_url)
    try:
        room = open_room(first, phase=Phase.VOTE)
        ana = room.ana.token
        seen = first.shared_state(ana)
        second.comment(room.bob.token, "step", "S1", "Data arrives late")
        now = first.shared_state(ana)
        assert now.version > seen.version
        assert [c.text for c in now.comments] == ["Data arrives late"]
        _same(now, first.state(ana))
    finally:
        first.dispose()
        second.dispose()
