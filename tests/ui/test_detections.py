"""Impact page, Governance: regulated uses found in the words, confirmed or dismissed by a click (AppTest)."""

from __future__ import annotations

from redesign.store.service import WorkshopService
from tests.ui.conftest import open_page

STEP = "reference_checks"  # "Run background and reference checks": an Art 22 candidate nobody labelled


def _workshop(svc: WorkshopService):
    created = svc.create_from_sample("recruiting_hiring", "Fran")
    return created


def _expander(at, words: str):
    return next(e for e in at.expander if words in e.label)


def test_detections_are_listed_with_their_evidence(svc: WorkshopService) -> None:
    created = _workshop(svc)
    at = open_page("impact", created.facilitator_token)
    assert not at.exception
    box = _expander(at, "Run background and reference checks")
    assert "to confirm" in box.label
    shown = "\n".join(m.value for m in box.markdown)
    assert "GDPR Art 22" in shown and "step name" in shown
    # The page says which evidence its flags and detections read (the exports say the same in their notes).
    assert any("O\\*NET tasks matched to it" in c.value for c in at.caption)  # Markdown: an escaped asterisk


def test_dismissing_records_who_and_why_on_the_step(svc: WorkshopService) -> None:
    created = _workshop(svc)
    at = open_page("impact", created.facilitator_token)
    keys = [t.key for t in at.text_input if t.key and t.key.startswith(f"det_why:{STEP}:art22")]
    assert keys
    at.text_input(key=keys[0]).input("references only inform the panel").run()
    button = next(b for b in at.button if b.key and b.key.startswith(f"det_no:{STEP}:art22"))
    button.click().run()
    assert not at.exception
    step = svc.state(created.facilitator_token).flow.step(STEP)
    assert [(d.key, d.by, d.why) for d in step.dismissed] == [("art22", "Fran", "references only inform the panel")]
    assert "dismissed" in _expander(at, "Run background and reference checks").label


def test_confirming_sets_the_step_field_and_needs_no_reason(svc: WorkshopService) -> None:
    created = _workshop(svc)
    at = open_page("impact", created.facilitator_token)
    button = next(b for b in at.button if b.key and b.key.startswith(f"det_yes:{STEP}:art22"))
    button.click().run()
    assert not at.exception
    assert svc.state(created.facilitator_token).flow.step(STEP).decides_for_person


def test_dismiss_is_disabled_without_a_reason(svc: WorkshopService) -> None:
    created = _workshop(svc)
    at = open_page("impact", created.facilitator_token)
    button = next(b for b in at.button if b.key and b.key.startswith(f"det_no:{STEP}:art22"))
    assert button.disabled


def test_detections_show_before_anything_is_decided(svc: WorkshopService) -> None:
    created = _workshop(svc)
    at = open_page("impact", created.facilitator_token)
    at.selectbox(key="impact_scenario").select_index(0).run()  # the workshop's own decisions: none yet
    assert not at.exception
    assert any("decides nothing yet" in i.value for i in at.info)
    assert "to confirm" in _expander(at, "Run background and reference checks").label
