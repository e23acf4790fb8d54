"""How events read: the History tab's text and the stale-edit message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from redesign.workshop import EventSummary
from redesign.writes.describe import describe_event, field_changes, stale_message
from redesign.writes.events import PAYLOADS, Event, EventKind, Shape, payload_problem

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_describe_changes_in_plain_words() -> None:
    before = {"id": "S3", "name": "Reconcile with Finance", "touch_minutes": 30.0, "pca": 80.0}
    after = {**before, "touch_minutes": 45.0}
    assert describe_event("step.update", "step:S3", before, after) == (
        'changed step S3 "Reconcile with Finance" (touch minutes 30 -> 45)'
    )
    assert describe_event("step.add", "step:S9", None, {"name": "New"}) == 'added step S9 "New"'
    assert describe_event("handoff.delete", "handoff:H1", {"source": "S1", "target": "S2"}, None) == (
        "deleted hand-off H1 (S1 -> S2)"
    )
    assert describe_event("proposal.set", "step:S1", None, {"tag": "augment"}) == "proposed augment for step S1"
    assert describe_event("proposal.set", "step:S1", None, {"tag": "augment"}, private=True) == (
        "proposed a tag for step S1"
    )
    assert describe_event("decision.settle", "decision:S1", None, {"tag": "automate"}) == (
        "settled step S1 as automate"
    )
    assert describe_event("phase.set", "workshop", "map", "vote") == 'moved the workshop to "Tag & vote"'
    assert describe_event("comment.add", "comment:4", None, {"target": "step S2", "kind": "risk"}) == (
        "flagged a risk on step S2"
    )


def test_field_changes_lists_three_then_counts() -> None:
    before = {"a": 1, "b": True, "c": "x", "d": [1], "rubric": {"rules": 2}}
    after = {"a": 2, "b": False, "c": "y", "d": [1, 2], "rubric": {"rules": 4}}
    assert field_changes(before, after) == 'a 1 -> 2, b yes -> no, c "x" -> "y", 2 more'
    assert field_changes({"rubric": {"rules": 2}}, {"rubric": {"rules": 4}}) == "rubric rules 2 -> 4"
    assert field_changes({"pca": 80.0}, {"pca": 92.5}) == "%C&A 80 -> 92.5"


def test_stale_message_names_who_and_what() -> None:
    summary = 'changed step S3 "Reconcile with Finance" (touch minutes 30 -> 45)'
    change = EventSummary(
        version=13, at=T0, actor_name="Ana", actor_function="Finance", kind="step.update", target="step:S3",
        summary=summary,
    )  # fmt: skip
    assert stale_message(12, [change]) == (
        'Your edit is based on version 12, but since then Ana (Finance) changed step S3 "Reconcile with Finance" '
        "(touch minutes 30 -> 45). Reload to see it, then apply your change again."
    )
    many = stale_message(12, [change] * 5)
    assert many.count("Ana (Finance)") == 3 and "2 more changes were made" in many


def test_every_kind_has_its_own_words_and_unknown_kinds_read_as_themselves() -> None:
    told = {kind: describe_event(kind, "step:S1", {"name": "A"}, {"name": "B", "tag": "human"}) for kind in EventKind}
    assert all(text and text != kind.value for kind, text in told.items() if kind is not EventKind.UNDO_NOOP)
    assert describe_event("widget.spin", "workshop", None, None) == "widget.spin"


def test_kinds_split_into_item_and_verb() -> None:
    assert EventKind.STEP_REORDER.item == "step" and EventKind.STEP_REORDER.verb == "reorder"
    assert EventKind.of("handoff", EventKind.HANDOFF_ADD.verb) is EventKind.HANDOFF_ADD
    assert EventKind.STEP_ADD == "step.add"  # stored as its text


def test_every_kind_declares_its_payload_and_events_are_checked_against_it() -> None:
    assert set(PAYLOADS) == set(EventKind)
    assert PAYLOADS[EventKind.STEP_UPDATE] is Shape.BODY and PAYLOADS[EventKind.STEP_REORDER] is Shape.ORDER
    assert payload_problem(EventKind.STEP_REORDER, ["S1", "S2"]) is None
    assert payload_problem(EventKind.PROPOSAL_SET, {"tag": "human"}) == "proposal.set payload lacks rationale"
    with pytest.raises(TypeError, match=r"step\.update carries a body"):
        Event(EventKind.STEP_UPDATE, "step:S1", None, ["S1"])
    with pytest.raises(TypeError, match="lacks id"):
        Event(EventKind.STEP_ADD, "step:S1", None, {"name": "no id"})
