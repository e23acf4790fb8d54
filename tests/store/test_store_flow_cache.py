"""Step edits reuse the parsed flow (redesign/store/flow_cache.py) but are never checked against a stale one:
the cache is keyed by the committed rows read inside the write, so a change made through another
replica (another service on the same database) is seen by the next edit."""

from __future__ import annotations

import pytest

from redesign.model import Handoff
from redesign.store.errors import InvalidInput
from redesign.store.service import WorkshopService
from tests.store.store_flows import open_room


def test_consecutive_step_edits_reuse_the_parsed_flow_and_keep_every_edit(svc: WorkshopService) -> None:
    room = open_room(svc)
    fac = room.created.facilitator_token
    for i in range(1, 4):
        state = svc.state(fac)
        step = next(s for s in state.flow.steps if s.id == f"S{i}")
        svc.update_step(fac, state.version, step.model_copy(update={"description": f"edited {i}"}))
    flow = svc.state(fac).flow
    assert [s.description for s in flow.steps[:3]] == ["edited 1", "edited 2", "edited 3"]
    assert svc._flows.misses == 1  # parsed once; each edit kept the flow it made for the next
    assert svc._flows.hits == 2


def test_an_edit_is_checked_against_the_flow_another_replica_changed(database_url: str) -> None:
    first, second = WorkshopService.from_url(database_url), WorkshopService.from_url(database_url)
    try:
        room = open_room(first)
        fac = room.created.facilitator_token
        state = first.state(fac)
        step = next(s for s in state.flow.steps if s.id == "S1")
        first.update_step(fac, state.version, step.model_copy(update={"description": "cached"}))  # first caches
        second.delete_step(fac, second.state(fac).version, "S4")  # the other replica removes S4
        version = first.state(fac).version
        with pytest.raises(InvalidInput, match="S4"):
            first.add_handoff(fac, version, Handoff(id="HX", source="S1", target="S4"))
        edited = next(s for s in first.state(fac).flow.steps if s.id == "S2")
        first.update_step(fac, version, edited.model_copy(update={"description": "after"}))
        flow = second.state(fac).flow
        assert "S4" not in {s.id for s in flow.steps}
        assert next(s for s in flow.steps if s.id == "S2").description == "after"
        assert next(s for s in flow.steps if s.id == "S1").description == "cached"
    finally:
        first.dispose()
        second.dispose()
