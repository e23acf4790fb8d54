"""What the board draws (`board_data`): lanes, cards, hand-offs, and what stays private before reveal."""

from __future__ import annotations

import json

import pytest

from redesign.flowchart import chart_pages
from redesign.metrics import analyze
from redesign.model import Tag
from redesign.store.service import WorkshopService
from redesign.views.board import board_data
from redesign.workshop import Phase


def room(svc: WorkshopService):
    created = svc.create_from_sample("sales_forecasting", "Fran")
    sam = svc.join(created.join_code, "Sam", "sales")
    fin = svc.join(created.join_code, "Fin", "finance")
    return created, sam, fin


def data_for(svc: WorkshopService, token: str, peek: bool = False) -> dict:
    state = svc.state(token)
    return board_data(state, analyze(state.flow), peek=peek)


def test_every_step_is_a_card_in_its_lane_and_every_hand_off_a_wire(svc: WorkshopService) -> None:
    created, _, _ = room(svc)
    flow = svc.state(created.facilitator_token).flow
    data = data_for(svc, created.facilitator_token)
    assert {c["id"]: (c["name"], c["lane"]) for c in data["cards"]} == {s.id: (s.name, s.function) for s in flow.steps}
    pairs = {(h.source, h.target) for h in flow.handoffs}
    assert {(w["source"], w["target"]) for w in data["wires"]} == pairs
    ids = {h.id for h in flow.handoffs}
    assert all(w["id"] in ids and len(w["points"]) >= 2 for w in data["wires"])
    json.dumps(data)  # goes to the browser as JSON
    assert data == data_for(svc, created.facilitator_token)  # the same state draws the same board


def test_a_function_without_steps_keeps_its_lane_on_the_board_not_in_print(svc: WorkshopService) -> None:
    created, sam, _ = room(svc)
    svc.move_step(sam.token, svc.state(sam.token).version, "sop_intake", "finance", None)  # Ops' only step
    state = svc.state(created.facilitator_token)
    assert "ops" not in {s.function for s in state.flow.steps}
    assert "ops" in {lane["id"] for lane in data_for(svc, created.facilitator_token)["lanes"]}
    assert "ops" not in {b.function for b in chart_pages(state.flow, {}, max_columns=10)[0].bands}


def test_before_reveal_the_facilitators_board_shows_what_participants_see(svc: WorkshopService) -> None:
    created, sam, fin = room(svc)
    fac = created.facilitator_token
    svc.set_phase(fac, Phase.VOTE)
    svc.propose(sam.token, "update_opps", Tag.AUTOMATE)
    svc.propose(fin.token, "update_opps", Tag.AUTOMATE)

    def tags(token: str, peek: bool = False) -> dict:
        return {c["id"]: (c["tag"], c["mine"]) for c in data_for(svc, token, peek)["cards"]}

    assert tags(fac)["update_opps"] == (None, None)  # the projected screen: nothing leaks
    assert tags(sam.token)["update_opps"] == (None, "automate")  # Sam sees his own proposal only
    assert tags(fac, peek=True)["update_opps"] == ("automate", None)  # the facilitator's deliberate peek
    assert tags(sam.token, peek=True)["update_opps"] == (None, "automate")  # a participant cannot peek
    svc.set_reveal(fac, True)
    assert tags(fac)["update_opps"] == ("automate", None)
    assert tags(sam.token)["update_opps"] == ("automate", "automate")


def test_rights_follow_the_phase_and_the_lock(svc: WorkshopService) -> None:
    created, sam, _ = room(svc)
    fac = created.facilitator_token
    assert data_for(svc, sam.token)["can"] == {"edit": True, "propose": False, "comment": True}
    svc.set_phase(fac, Phase.VOTE)
    assert data_for(svc, sam.token)["can"] == {"edit": False, "propose": True, "comment": True}
    svc.set_lock(fac, True)
    locked = data_for(svc, sam.token)
    assert locked["can"] == {"edit": False, "propose": False, "comment": True} and locked["locked"]


def test_a_note_of_an_unknown_kind_is_refused_with_one_line_before_the_store() -> None:
    from redesign.store.errors import StoreError
    from redesign.ui.components.board import _note

    with pytest.raises(StoreError, match="no kind of note called 'gossip'; nothing saved"):
        _note("not-a-token", {"kind": "gossip", "target": "s1", "text": "psst"})
