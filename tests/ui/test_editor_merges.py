"""The editors change only what the person edited (issue 16.1) and keep a refused edit (16.2)."""

from __future__ import annotations

from redesign.model import Handoff
from redesign.samples import load_sample
from redesign.store.service import WorkshopService
from redesign.ui.components.editors import both_changed, edited_fields, handoff_from_form, reapply
from tests.ui.conftest import open_page

FLOW = load_sample("sales_forecasting")


def test_a_new_channel_keeps_the_data_the_hand_off_carries() -> None:
    old = FLOW.handoffs[0]
    assert old.data == ["rep_roster"]
    form = {k: getattr(old, k) for k in ("channel", "condition", "data", "pca", "wait_minutes", "rework", "dq_note")}
    new, existed = handoff_from_form(FLOW, old.source, old.target, {**form, "channel": "HRIS webhook"})
    assert existed and new == old.model_copy(update={"channel": "HRIS webhook"})


def test_a_pair_without_a_hand_off_gets_a_new_one() -> None:
    a, b = FLOW.steps[0].id, FLOW.steps[-1].id
    new, existed = handoff_from_form(FLOW, a, b, {"channel": "email"})
    assert not existed and (new.source, new.target, new.channel) == (a, b, "email")
    assert new.id not in {h.id for h in FLOW.handoffs}


def test_a_step_feeding_itself_is_rework() -> None:
    a = FLOW.steps[0].id
    new, _ = handoff_from_form(FLOW, a, a, {"rework": False})
    assert isinstance(new, Handoff) and new.rework


def test_a_refused_edit_is_reapplied_on_the_new_version_and_both_changes_are_named() -> None:
    base = FLOW.steps[0]
    mine = base.model_copy(update={"dq_note": "my note", "name": "My name"})
    theirs = base.model_copy(update={"name": "Their name", "wait_minutes": 99.0})
    fields = edited_fields(base, mine)
    assert fields == {"dq_note": "my note", "name": "My name"}
    merged = reapply(theirs, fields)
    assert (merged.dq_note, merged.name, merged.wait_minutes) == ("my note", "My name", 99.0)
    assert both_changed(base.model_dump(), theirs, fields) == ["name"]


def test_when_both_change_the_same_field_the_dialog_shows_theirs_and_keeps_yours(svc: WorkshopService) -> None:
    created = svc.create_from_sample("sales_forecasting", "Fran")
    sales = svc.join(created.join_code, "Sam", "sales")
    finance = svc.join(created.join_code, "Fin", "finance")
    version = svc.version(created.workshop_id)
    at = open_page("workshop", sales.token)
    at.session_state["dialog"] = ("edit", "update_opps", version)
    at.run()
    theirs = svc.state(finance.token).flow.step("update_opps").model_copy(update={"name": "Update deals"})
    svc.update_step(finance.token, version, theirs)
    next(t for t in at.text_input if t.label == "Name").input("Update opportunities daily")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    shown = " ".join(c.value for c in at.caption)
    assert "Both of you changed **name**" in shown and "Update deals" in shown, shown
    assert next(t for t in at.text_input if t.label == "Name").value == "Update opportunities daily"
    next(b for b in at.button if b.label == "Discard my changes and show the latest version").click().run()
    assert not at.exception
    assert next(t for t in at.text_input if t.label == "Name").value == "Update deals"
