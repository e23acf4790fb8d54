"""The pure facilitation rules: permissions per phase, consensus, contribution, wording, bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redesign.model import Decision, Tag
from redesign.workshop import (
    AGREEMENT_THRESHOLD,
    MAX_NAME,
    PHASES,
    ContributionRow,
    EventOut,
    Participant,
    Phase,
    ProposalOut,
    consensus,
    contribution,
    function_contribution,
    name_problem,
    permissions,
    refusal,
    settled_scenario,
    text_problem,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
H, A, X = Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE


def person(pid: str, function: str, facilitator: bool = False) -> Participant:
    return Participant(id=pid, workshop_id="w", name=pid.upper(), function=function, is_facilitator=facilitator,
                       joined_at=T0)  # fmt: skip


def vote(pid: str, function: str, step: str, tag: Tag) -> ProposalOut:
    return ProposalOut(participant_id=pid, participant_name=pid, function=function, step_id=step, tag=tag,
                       rationale="", at=T0)  # fmt: skip


# --------------------------------------------------------------------------- permissions

# (phase, participant (edit, propose, comment), facilitator (edit, settle))
MATRIX = [
    (Phase.MAP, (True, False, True), (True, False)),
    (Phase.ANNOTATE, (True, False, True), (True, False)),
    (Phase.VOTE, (False, True, True), (True, False)),
    (Phase.CONVERGE, (False, True, True), (True, True)),
    (Phase.IMPACT, (False, False, True), (True, True)),
    (Phase.EXPORT, (False, False, True), (False, False)),
]


@pytest.mark.parametrize(("phase", "part", "fac"), MATRIX)
def test_permissions_per_phase(phase: Phase, part: tuple[bool, bool, bool], fac: tuple[bool, bool]) -> None:
    p = permissions(phase, is_facilitator=False, locked=False)
    assert (p.edit_flow, p.propose, p.comment, p.settle, p.control) == (*part, False, False)
    f = permissions(phase, is_facilitator=True, locked=False)
    assert (f.edit_flow, f.propose, f.comment, f.settle, f.control) == (fac[0], False, True, fac[1], True)


@pytest.mark.parametrize("phase", PHASES)
def test_lock_stops_participant_edits_and_proposals_but_not_comments_or_the_facilitator(phase: Phase) -> None:
    locked = permissions(phase, is_facilitator=False, locked=True)
    assert (locked.edit_flow, locked.propose, locked.comment) == (False, False, True)
    assert permissions(phase, True, True) == permissions(phase, True, False)


def test_refusals_say_why() -> None:
    assert refusal("settle", Phase.CONVERGE, False, False) == "Only the facilitator can do that."
    assert refusal("control", Phase.MAP, False, False) == "Only the facilitator can do that."
    assert refusal("propose", Phase.MAP, False, False) == (
        'Tags are proposed in "Tag & vote" or "Converge"; the workshop is in "Map the flow".'
    )
    assert "locked editing" in (refusal("edit_flow", Phase.MAP, False, True) or "")
    assert "pens down" in (refusal("propose", Phase.VOTE, False, True) or "")
    assert refusal("edit_flow", Phase.VOTE, False, False) == (
        'Participants edit the flow in "Map the flow" or "Mark data and pain points"; '
        'the workshop is in "Tag & vote". Add a comment instead.'
    )
    assert refusal("settle", Phase.VOTE, True, False) == (
        'Steps are settled in "Converge" or "See the impact"; the workshop is in "Tag & vote".'
    )
    assert refusal("propose", Phase.VOTE, True, False) is not None  # facilitators do not vote
    assert refusal("comment", Phase.EXPORT, False, False) is None
    assert refusal("edit_flow", Phase.MAP, False, False) is None


def test_every_phase_has_a_title_and_asks_each_role_something() -> None:
    assert [p.value for p in PHASES] == ["map", "annotate", "vote", "converge", "impact", "export"]
    assert Phase.VOTE.title == "Tag & vote"
    for phase in PHASES:
        assert phase.title and phase.asks(True) and phase.asks(False)
        assert phase.asks(True) != phase.asks(False)


# --------------------------------------------------------------------------- consensus


def test_consensus_hand_computed() -> None:
    # S1: finance p1 augment, finance p2 augment, ops p3 automate, ops p4 automate, ops p5 augment
    #   -> augment 3, automate 2; agreement 3/5 = 0.6 (not below the threshold);
    #      finance leans augment, ops leans automate (2 vs 1) -> functions differ -> disagreement.
    # S2: four humans + one augment -> 4/5 = 0.8, everybody's function leans human -> agreement.
    # S3: one automate, one augment, one human -> tie at 1 each: the most human tag leads, 1/3.
    people = [person("p1", "finance"), person("p2", "finance"), person("p3", "ops"), person("p4", "ops"),
              person("p5", "ops")]  # fmt: skip
    votes = [
        vote("p1", "finance", "S1", A), vote("p2", "finance", "S1", A), vote("p3", "ops", "S1", X),
        vote("p4", "ops", "S1", X), vote("p5", "ops", "S1", A),
        vote("p1", "finance", "S2", H), vote("p2", "finance", "S2", H), vote("p3", "ops", "S2", H),
        vote("p4", "ops", "S2", H), vote("p5", "ops", "S2", A),
        vote("p1", "finance", "S3", X), vote("p3", "ops", "S3", A), vote("p4", "ops", "S3", H),
    ]  # fmt: skip
    s1, s2, s3 = consensus(votes, people)
    assert s1.step_id == "S1"
    assert s1.votes == {A: 3, X: 2}
    assert s1.leading_tag == A
    assert s1.agreement == pytest.approx(0.6)
    assert s1.by_function == {"finance": A, "ops": X}
    assert s1.disagreement is True
    assert (s2.leading_tag, s2.agreement, s2.by_function, s2.disagreement) == (
        H, pytest.approx(0.8), {"finance": H, "ops": H}, False
    )  # fmt: skip
    assert s3.leading_tag == H
    assert s3.agreement == pytest.approx(1 / 3)
    assert s3.by_function == {"finance": X, "ops": H}  # ops tie (augment 1, human 1) keeps the person in
    assert s3.disagreement is True


def test_low_agreement_alone_is_disagreement() -> None:
    # one function, split 2 human / 1 augment / 1 automate -> 2/4 = 0.5 < 0.6
    votes = [vote("a", "hr", "S", H), vote("b", "hr", "S", H), vote("c", "hr", "S", A), vote("d", "hr", "S", X)]
    (c,) = consensus(votes)
    assert c.agreement == pytest.approx(0.5)
    assert c.agreement < AGREEMENT_THRESHOLD
    assert c.by_function == {"hr": H}
    assert c.disagreement is True


def test_consensus_uses_the_listed_function_and_step_order() -> None:
    votes = [vote("p1", "stale-copy", "S2", A)]
    result = consensus(votes, [person("p1", "finance")], steps=["S1", "S2"])
    assert [c.step_id for c in result] == ["S1", "S2"]
    assert result[0].leading_tag is None and result[0].votes == {} and result[0].disagreement is False
    assert result[1].by_function == {"finance": A}


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(list(Tag))), max_size=30))
def test_consensus_invariants(pairs: list[tuple[str, Tag]]) -> None:
    votes = [vote(f"p{i}", fn, "S", tag) for i, (fn, tag) in enumerate(pairs)]
    result = consensus(votes)
    if not pairs:
        assert result == []
        return
    (c,) = result
    assert sum(c.votes.values()) == len(pairs)
    assert c.leading_tag is not None and c.votes[c.leading_tag] == max(c.votes.values())
    assert 1 / 3 - 1e-9 <= c.agreement <= 1.0
    assert set(c.by_function) == {fn for fn, _ in pairs}


# --------------------------------------------------------------------------- contribution


def test_contribution_flags_silent_people_and_functions() -> None:
    people = [person("f", "", facilitator=True), person("p1", "finance"), person("p2", "finance"),
              person("p3", "ops")]  # fmt: skip
    proposals = [vote("p1", "finance", "S1", A), vote("p1", "finance", "S2", H)]

    class C:
        def __init__(self, author: str) -> None:
            self.author_id = author

    def ev(actor: str | None, kind: str) -> EventOut:
        return EventOut(seq=1, version=1, at=T0, actor_id=actor, actor_name="x", actor_function="", kind=kind,
                        target="step:S1", summary="")  # fmt: skip

    events = [ev("p3", "step.update"), ev("p3", "handoff.add"), ev("p1", "proposal.set"), ev("f", "step.update"),
              ev("p2", "phase.set")]  # fmt: skip
    rows = contribution(people, proposals, [C("p1"), C("p1"), C("p3")], events)
    assert [(r.participant_id, r.proposals, r.comments, r.edits, r.silent) for r in rows] == [
        ("p1", 2, 2, 0, False),  # proposal.set is not a flow edit
        ("p2", 0, 0, 0, True),  # a phase.set by a participant is impossible, and not an edit anyway
        ("p3", 0, 1, 2, False),
    ]
    totals = {f.function: f for f in function_contribution(rows, ["sales", "finance", "ops"])}
    assert (totals["finance"].participants, totals["finance"].proposals, totals["finance"].silent) == (2, 2, False)
    assert (totals["ops"].edits, totals["ops"].silent) == (2, False)
    assert (totals["sales"].participants, totals["sales"].silent) == (0, True)  # nobody from Sales came


def test_function_totals_without_a_function_list() -> None:
    row = ContributionRow(participant_id="p", name="P", function="it", proposals=0, comments=0, edits=0, silent=True)
    (total,) = function_contribution([row])
    assert (total.function, total.participants, total.silent) == ("it", 1, True)


# --------------------------------------------------------------------------- bounds and scenario


def test_name_and_text_bounds() -> None:
    assert name_problem("Ana", "name") is None
    assert name_problem("   ", "name") == "The name must not be empty."
    assert name_problem("x" * MAX_NAME, "name") is None
    assert name_problem("x" * (MAX_NAME + 1), "name") == "The name is 81 characters long; the limit is 80."
    assert "single line" in (name_problem("a\nb", "name") or "")
    assert text_problem("x" * 4000, "comment", 4000) is None
    assert text_problem("x" * 4001, "comment", 4000) == "The comment is 4,001 characters long; the limit is 4,000."


def test_settled_scenario_carries_the_decisions() -> None:
    class State:
        def __init__(self) -> None:
            self.decisions = [Decision(step="S1", tag=Tag.AUTOMATE, owner="fpa")]

    scenario = settled_scenario(State())
    assert scenario.name == "Workshop decisions"
    assert scenario.decision_for("S1") == Decision(step="S1", tag=Tag.AUTOMATE, owner="fpa")
