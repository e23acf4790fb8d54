"""What a participant's page looks like (`page_look`): the live check skips a redraw only when it is unchanged."""

from __future__ import annotations

import json

import pytest

from redesign.model import Decision, Tag
from redesign.store.service import WorkshopService
from redesign.ui import live
from redesign.views.looks import page_look, table_look
from redesign.workshop import Phase
from tests.ui.conftest import open_page


def room(svc: WorkshopService):
    created = svc.create_from_sample("sales_forecasting", "Fran")
    sam = svc.join(created.join_code, "Sam", "sales")
    fin = svc.join(created.join_code, "Fin", "finance")
    svc.set_phase(created.facilitator_token, Phase.VOTE)
    return created, sam, fin


def test_another_persons_private_proposal_leaves_the_page_alike(svc: WorkshopService) -> None:
    _, sam, fin = room(svc)
    before = svc.state(sam.token)
    svc.propose(fin.token, "update_opps", Tag.AUTOMATE, "the CRM can do it")
    after = svc.state(sam.token)
    assert after.version > before.version
    assert after.proposal_counts != before.proposal_counts  # the state did change ...
    assert page_look(after) == page_look(before)  # ... but nothing Sam's map and header show


def test_my_own_proposal_changes_my_page(svc: WorkshopService) -> None:
    _, sam, _ = room(svc)
    before = svc.state(sam.token)
    svc.propose(sam.token, "update_opps", Tag.AUGMENT)
    assert page_look(svc.state(sam.token)) != page_look(before)


def test_after_reveal_only_a_change_of_the_leading_tag_shows(svc: WorkshopService) -> None:
    created, sam, fin = room(svc)
    svc.propose(fin.token, "update_opps", Tag.AUTOMATE)
    svc.set_reveal(created.facilitator_token, True)
    first = svc.state(sam.token)
    ann = svc.join(created.join_code, "Ann", "finance")
    svc.propose(ann.token, "update_opps", Tag.AUTOMATE)  # 2 automate: automate still leads
    second = svc.state(sam.token)
    assert page_look(second) == page_look(first)
    for name in ("Bo", "Cy", "Di"):
        svc.propose(svc.join(created.join_code, name, "it").token, "update_opps", Tag.HUMAN)
    third = svc.state(sam.token)  # 3 human vs 2 automate: the map shows human now
    assert page_look(third) != page_look(second)


def test_comments_phase_focus_timer_lock_and_settling_change_the_page(svc: WorkshopService) -> None:
    created, sam, fin = room(svc)
    fac = created.facilitator_token
    step = svc.state(fac).flow.step("update_opps")
    changes = [
        lambda: svc.comment(fin.token, "step", "update_opps", "Half the deals lack a close date", "data_quality"),
        lambda: svc.set_focus(fac, "update_opps"),
        lambda: svc.set_timer(fac, 300),
        lambda: svc.set_lock(fac, True),
        lambda: svc.set_phase(fac, Phase.CONVERGE),
        lambda: svc.settle(fac, Decision(step=step.id, tag=Tag.AUGMENT, owner=step.owner)),
    ]
    for change in changes:
        before = page_look(svc.state(sam.token))
        change()
        assert page_look(svc.state(sam.token)) != before


def test_a_table_keeps_its_look_through_votes_and_comments_but_not_a_flow_edit(svc: WorkshopService) -> None:
    created, sam, fin = room(svc)
    svc.set_phase(created.facilitator_token, Phase.MAP)  # editing the flow is open
    before = svc.state(sam.token)
    svc.comment(fin.token, "step", "update_opps", "Who owns this?", "question")
    after_comment = svc.state(sam.token)
    assert page_look(after_comment) != page_look(before)  # the map shows the comment count ...
    assert table_look(after_comment) == table_look(before)  # ... the steps table does not
    step = after_comment.flow.step("update_opps")
    svc.update_step(fin.token, after_comment.version, step.model_copy(update={"touch_minutes": step.touch_minutes + 5}))
    assert table_look(svc.state(sam.token)) != table_look(after_comment)


def _listener(at) -> dict[str, object] | None:
    """The data the page hands its live listener (redesign/ui/live.py), None if it holds none."""
    found = [json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == "crossflow_live"]
    listeners = [data for data in found if not data.get("kick")]
    return listeners[0] if listeners else None


def test_each_workshop_page_holds_the_push_listener_for_its_own_workshop(svc: WorkshopService) -> None:
    created, sam, _ = room(svc)
    svc.set_timer(created.facilitator_token, 300)
    version = svc.version(created.workshop_id)
    for page in ("workshop", "impact", "export"):
        at = open_page(page, sam.token)
        assert not at.exception
        data = _listener(at)
        assert data is not None, page
        assert data["w"] == created.workshop_id and data["version"] == version
        assert data["events"] == f"/crossflow/events?w={created.workshop_id}"
        assert data["view"] == f"/crossflow/view?w={created.workshop_id}"
        # the board's page gives its map look (cards then come from the view route); the others do not
        assert bool(data["mapLook"]) == (page == "workshop"), page
        # one countdown, the large timer bar (it runs in the browser), not a second one in the status
        assert "timer" not in data
        assert [e for e in at.get("bidi_component") if e.proto.component_name.endswith("crossflow.timer")], page
        assert not [c for c in at.caption if "live · version" in c.value]  # the listener draws the status


def test_poll_mode_keeps_the_polling_indicator(svc: WorkshopService, monkeypatch: pytest.MonkeyPatch) -> None:
    _, sam, _ = room(svc)
    monkeypatch.setattr(live, "LIVE_MODE", "poll")
    at = open_page("workshop", sam.token)
    assert _listener(at) is None
    shown = [c.value for c in at.caption if "live · version" in c.value]
    assert shown == [f"🟢 live · version {svc.state(sam.token).version}"]
