"""What the decision log needs before a step is settled, and 'decide later' in the summaries (issue 16.6)."""

from __future__ import annotations

from datetime import date

from redesign.decision_log import DECIDE_LATER, missing_details, missing_sentence
from redesign.model import Decision, Tag
from redesign.report.record import decision_rows
from redesign.samples import load_sample


def test_an_empty_augment_decision_lacks_everything_the_log_needs() -> None:
    missing = missing_details(Decision(step="s", tag=Tag.AUGMENT))
    assert missing == [
        "a rationale",
        "an accountable owner",
        "a human overseer (needed for augment)",
        "a success measure",
        "a review date",
    ]


def test_a_human_decision_needs_no_overseer_and_a_full_one_lacks_nothing() -> None:
    human = Decision(
        step="s", tag=Tag.HUMAN, rationale="r", owner="o", success_measure="m", review_date=date(2026, 9, 1)
    )
    assert missing_details(human) == []
    assert missing_details(human.model_copy(update={"tag": Tag.AUTOMATE})) == ["a human overseer (needed for automate)"]
    assert missing_details(human.model_copy(update={"rationale": "  "})) == ["a rationale"]


def test_missing_sentence_reads_as_a_list() -> None:
    assert missing_sentence(["a", "b", "c"]) == "a, b and c"
    assert missing_sentence(["a"]) == "a"


def test_the_log_says_decide_later_instead_of_a_blank_only_when_the_room_chose_it() -> None:
    flow = load_sample("sales_forecasting")
    step = flow.steps[0].id
    later = decision_rows(flow, [Decision(step=step, tag=Tag.AUGMENT, details_later=True)])[0]
    assert (later.rationale, later.success_measure, later.owner) == (DECIDE_LATER,) * 3
    blank = decision_rows(flow, [Decision(step=step, tag=Tag.AUGMENT)])[0]
    assert (blank.rationale, blank.success_measure, blank.owner) == ("", "", "")
