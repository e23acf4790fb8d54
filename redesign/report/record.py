"""What a live workshop adds to a summary: who was there, what was decided, what stays disputed.

Pure: built from the workshop's participants, proposals and settled decisions (as
the store hands them to a page) by `record_from_workshop`. Names are resolved here,
once, so every renderer prints the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict

from redesign.decision_log import DECIDE_LATER
from redesign.model import Decision, Flow, Tag
from redesign.report.notes import NoteRow, open_notes
from redesign.workshop import CommentOut, Participant, ProposalOut, consensus

FACILITATOR = "Facilitator"
"""The function shown for the facilitator, who sits at the table for no function."""


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonRow(_Row):
    name: str
    function: str  # the function's name (or FACILITATOR)


class DecisionRow(_Row):
    """One line of the decision log."""

    step_id: str
    step: str  # the step's name
    tag: Tag
    owner: str  # name of the accountable role, "" when none is named
    success_measure: str
    review_date: date | None
    it_signoff: bool
    rationale: str


class Leaning(_Row):
    function: str  # function name
    tag: Tag


class Disagreement(_Row):
    """A step the room did not agree on."""

    step_id: str
    step: str
    leading_tag: Tag | None
    agreement: float  # share of the votes for the leading tag, 0..1
    votes: int
    leanings: list[Leaning]  # each function's leaning, in the flow's function order
    settled_tag: Tag | None  # what the facilitator settled it as (None: still open)


class WorkshopRecord(_Row):
    name: str
    goal: str = ""
    held_on: date | None = None
    participants: list[PersonRow] = []
    decisions: list[DecisionRow] = []
    disagreements: list[Disagreement] = []
    open_notes: list[NoteRow] = []  # unresolved comments and flags (redesign.report.notes)


def _function_names(flow: Flow) -> dict[str, str]:
    return {f.id: f.name for f in flow.functions}


def decision_rows(flow: Flow, decisions: Iterable[Decision]) -> list[DecisionRow]:
    """The decision log in flow order (decisions on unknown steps last, by id)."""
    steps = flow.steps_by_id()
    roles = flow.roles_by_id()
    order = {s.id: i for i, s in enumerate(flow.steps)}
    ordered = sorted(decisions, key=lambda d: (order.get(d.step, len(order)), d.step))
    rows = []
    for d in ordered:
        owner = roles[d.owner].name if d.owner in roles else (d.owner or "")
        later = DECIDE_LATER if d.details_later else ""  # said on purpose, not a blank
        rows.append(
            DecisionRow(
                step_id=d.step,
                step=steps[d.step].name if d.step in steps else d.step,
                tag=d.tag,
                owner=owner or later,
                success_measure=d.success_measure or later,
                review_date=d.review_date,
                it_signoff=d.it_signoff,
                rationale=d.rationale or later,
            )
        )
    return rows


def disagreements(
    flow: Flow,
    participants: Iterable[Participant],
    proposals: Iterable[ProposalOut],
    decisions: Iterable[Decision] = (),
) -> list[Disagreement]:
    """Disputed steps per `redesign.workshop.consensus`, in flow order."""
    names = _function_names(flow)
    function_rank = {f.id: i for i, f in enumerate(flow.functions)}
    steps = flow.steps_by_id()
    settled = {d.step: d.tag for d in decisions}
    rows = []
    for c in consensus(proposals, participants, [s.id for s in flow.steps]):
        if not c.disagreement:
            continue
        leanings = sorted(c.by_function.items(), key=lambda kv: (function_rank.get(kv[0], len(function_rank)), kv[0]))
        rows.append(
            Disagreement(
                step_id=c.step_id,
                step=steps[c.step_id].name,
                leading_tag=c.leading_tag,
                agreement=c.agreement,
                votes=sum(c.votes.values()),
                leanings=[Leaning(function=names.get(f, f or FACILITATOR), tag=t) for f, t in leanings],
                settled_tag=settled.get(c.step_id),
            )
        )
    return rows


def record_from_workshop(
    name: str,
    goal: str,
    flow: Flow,
    participants: Iterable[Participant],
    proposals: Iterable[ProposalOut],
    decisions: Iterable[Decision],
    held_on: date | None = None,
    comments: Iterable[CommentOut] = (),
) -> WorkshopRecord:
    """The record of a workshop from what the store returns (``WorkshopState`` fields)."""
    people = list(participants)
    settled = list(decisions)
    names = _function_names(flow)
    return WorkshopRecord(
        name=name,
        goal=goal,
        held_on=held_on,
        participants=[
            PersonRow(name=p.name, function=FACILITATOR if p.is_facilitator else names.get(p.function, p.function))
            for p in people
        ],
        decisions=decision_rows(flow, settled),
        disagreements=disagreements(flow, people, proposals, settled),
        open_notes=open_notes(flow, comments),
    )


__all__ = [
    "DecisionRow",
    "Disagreement",
    "Leaning",
    "PersonRow",
    "WorkshopRecord",
    "decision_rows",
    "disagreements",
    "record_from_workshop",
]
