"""The workshop record: participants by function name, the decision log, disagreements from consensus()."""

from __future__ import annotations

from datetime import date

import pytest

from redesign.model import Decision, Tag
from redesign.report.record import FACILITATOR, WorkshopRecord, decision_rows, record_from_workshop
from tests.unit.report.conftest import person, vote
from tests.unit.report.report_flows import tiny_flow


def test_disagreement_when_functions_lean_differently() -> None:
    flow = tiny_flow()
    ana, ben, cy = person("p1", "Ana", "sales"), person("p2", "Ben", "finance"), person("p3", "Cy", "sales")
    # Step a: Sales (2 votes) automate, Finance human -> automate leads with 2/3, functions split.
    # Step b: everyone augment -> agreement 1.0, no disagreement.
    proposals = [
        vote(ana, "a", Tag.AUTOMATE),
        vote(cy, "a", Tag.AUTOMATE),
        vote(ben, "a", Tag.HUMAN),
        vote(ana, "b", Tag.AUGMENT),
        vote(ben, "b", Tag.AUGMENT),
    ]
    record = record_from_workshop("W", "Goal", flow, [ana, ben, cy], proposals, [])
    (d,) = record.disagreements
    assert (d.step_id, d.step, d.leading_tag, d.votes) == ("a", "Enter orders", Tag.AUTOMATE, 3)
    assert d.agreement == pytest.approx(2 / 3)
    # Leanings in the flow's function order (Sales, then Finance), by name.
    assert [(lean.function, lean.tag) for lean in d.leanings] == [("Sales", Tag.AUTOMATE), ("Finance", Tag.HUMAN)]
    assert d.settled_tag is None


def test_settled_disputes_carry_the_settled_tag_and_the_log_resolves_names() -> None:
    flow = tiny_flow()
    ana, ben = person("p1", "Ana", "sales"), person("p2", "Ben", "finance")
    settled = [
        Decision(step="b", tag=Tag.HUMAN, owner="fpa", review_date=date(2026, 9, 1)),
        Decision(step="a", tag=Tag.AUGMENT, owner="rep", it_signoff=True),
    ]
    proposals = [vote(ana, "a", Tag.AUTOMATE), vote(ben, "a", Tag.HUMAN)]
    record = record_from_workshop("W", "", flow, [ana, ben], proposals, settled, held_on=date(2026, 5, 4))
    (d,) = record.disagreements
    assert d.settled_tag == Tag.AUGMENT and d.agreement == 0.5
    assert d.leading_tag == Tag.HUMAN  # a tie keeps the person in
    # The log is in flow order, whatever order the decisions came in.
    assert [(r.step, r.owner, r.tag) for r in record.decisions] == [
        ("Enter orders", "Sales rep", Tag.AUGMENT),
        ("Check orders", "FP&A analyst", Tag.HUMAN),
    ]
    assert record.decisions[1].review_date == date(2026, 9, 1) and record.held_on == date(2026, 5, 4)


def test_participants_by_function_name_facilitator_included() -> None:
    flow = tiny_flow()
    people = [person("p1", "Ana", "sales"), person("f", "Fran", "", facilitator=True), person("p2", "Zed", "legal")]
    record = record_from_workshop("W", "", flow, people, [], [])
    assert [(p.name, p.function) for p in record.participants] == [
        ("Ana", "Sales"),
        ("Fran", FACILITATOR),
        ("Zed", "legal"),  # a function the flow does not know keeps its id
    ]
    assert record.disagreements == []


def test_decision_rows_keep_unknown_ids_readable() -> None:
    rows = decision_rows(tiny_flow(), [Decision(step="ghost", tag=Tag.HUMAN, owner="nobody")])
    assert (rows[0].step, rows[0].owner) == ("ghost", "nobody")


def test_record_is_plain_data_that_round_trips() -> None:
    record = WorkshopRecord(name="W", goal="G")
    assert WorkshopRecord.model_validate_json(record.model_dump_json()) == record
