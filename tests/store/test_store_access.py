"""Who may do what: tokens, join codes, roles and phases, workshop isolation, size bounds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from redesign.model import Decision, Flow, Step, Tag
from redesign.store.errors import AccessDenied, InvalidInput, LimitExceeded, NotFound
from redesign.store.service import WorkshopService
from redesign.workshop import MAX_PARTICIPANTS, MAX_WORKSHOP_STEPS, Phase
from tests.store.store_flows import close_flow, open_room

CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$")


def test_create_gives_a_code_a_key_and_a_facilitator_seat(svc: WorkshopService) -> None:
    created = svc.create_workshop("Close redesign", "Close faster", close_flow(), "Fran")
    assert CODE.match(created.join_code)
    assert len(created.facilitator_key.replace("-", "")) == 20
    me = svc.whoami(created.facilitator_token)
    assert (me.name, me.is_facilitator, me.workshop_id) == ("Fran", True, created.workshop_id)
    state = svc.state(created.facilitator_token)
    assert state.version == svc.version(created.workshop_id) == 1
    assert state.join_code == created.join_code
    assert state.flow == close_flow()
    assert state.can.control and not state.can.propose


def test_join_is_case_and_dash_insensitive_and_takes_function_id_or_name(svc: WorkshopService) -> None:
    created = svc.create_workshop("W", "", close_flow(), "Fran")
    a = svc.join(created.join_code.lower().replace("-", ""), "Ana", "FINANCE")
    b = svc.join(" " + created.join_code.lower() + " ", "Bob", "ops")
    assert svc.whoami(a.token).function == "finance"
    assert svc.whoami(b.token).function == "ops"
    assert a.workshop_id == b.workshop_id == created.workshop_id
    assert a.participant_id != b.participant_id


def test_unknown_and_malformed_codes_are_not_found_without_hints(svc: WorkshopService) -> None:
    created = svc.create_workshop("W", "", close_flow(), "Fran")
    near = created.join_code[:-1] + ("2" if created.join_code[-1] != "2" else "3")
    with pytest.raises(NotFound) as err:
        svc.join(near, "Ana", "finance")
    assert str(err.value) == f'No workshop has the code "{near}". Check the code with your facilitator.'
    with pytest.raises(NotFound, match="No workshop has the code"):
        svc.join("not a code", "Ana", "finance")


def test_unknown_function_lists_the_functions(svc: WorkshopService) -> None:
    created = svc.create_workshop("W", "", close_flow(), "Fran")
    with pytest.raises(InvalidInput) as err:
        svc.join(created.join_code, "Ana", "Legal")
    assert '"Legal" is not one of this workshop\'s functions. Choose one of: Sales, IT, HR, Finance, Ops.' in str(
        err.value
    )


def test_a_name_already_at_the_table_is_refused(svc: WorkshopService) -> None:
    room = open_room(svc)
    with pytest.raises(InvalidInput, match='Someone called "Ana" has already joined'):
        svc.join(room.created.join_code, "ana", "ops")


def test_unknown_or_missing_tokens_are_refused(svc: WorkshopService) -> None:
    for token in ("nope", "", None):
        with pytest.raises(AccessDenied, match="not valid for any workshop"):
            svc.state(token)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        svc.version("no-such-workshop")


def test_participant_is_refused_every_facilitator_action(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.CONVERGE)
    token = room.ana.token
    attempts = [
        lambda: svc.settle(token, Decision(step="S1", tag=Tag.AUGMENT)),
        lambda: svc.unsettle(token, "S1"),
        lambda: svc.set_phase(token, Phase.IMPACT),
        lambda: svc.set_timer(token, 300),
        lambda: svc.set_focus(token, "S1"),
        lambda: svc.set_lock(token, True),
        lambda: svc.set_reveal(token, True),
        lambda: svc.undo(token),
        lambda: svc.export_workshop(token),
        lambda: svc.delete_workshop(token, room.created.facilitator_key),
    ]
    version = svc.version(room.wid)
    for attempt in attempts:
        with pytest.raises(AccessDenied, match="Only the facilitator"):
            attempt()
    assert svc.version(room.wid) == version  # refused writes leave no trace


def test_phase_rules_are_enforced(svc: WorkshopService) -> None:
    room = open_room(svc)  # map phase
    with pytest.raises(AccessDenied, match='Tags are proposed in "Tag & vote" or "Converge"'):
        svc.propose(room.ana.token, "S1", Tag.AUGMENT)
    svc.set_phase(room.fac, Phase.VOTE)
    v = svc.version(room.wid)
    with pytest.raises(AccessDenied, match="Participants edit the flow in"):
        svc.update_step(room.ana.token, v, close_flow().steps[0].model_copy(update={"touch_minutes": 5}))
    svc.propose(room.ana.token, "S1", Tag.AUGMENT)
    svc.set_lock(room.fac, True)
    with pytest.raises(AccessDenied, match="pens down"):
        svc.propose(room.bob.token, "S1", Tag.HUMAN)
    svc.comment(room.bob.token, "step", "S1", "Why is this locked?", "question")  # comments stay open
    v = svc.version(room.wid)
    svc.update_step(room.fac, v, close_flow().steps[0].model_copy(update={"touch_minutes": 5}))  # facilitator may


def test_a_participant_of_workshop_a_cannot_touch_workshop_b(svc: WorkshopService) -> None:
    a = open_room(svc, phase=Phase.VOTE)
    b_flow = close_flow(6)
    b = open_room(svc, flow=b_flow, phase=Phase.VOTE)
    b_comment = svc.comment(b.ana.token, "step", "S6", "B only")
    with pytest.raises(AccessDenied, match="not joined this workshop"):
        svc.state_for(b.wid, a.ana.token)
    with pytest.raises(NotFound):
        svc.propose(a.ana.token, "S6", Tag.HUMAN)  # S6 exists only in B
    with pytest.raises(NotFound):
        svc.resolve_comment(a.fac, b_comment.id)  # comment numbers are per workshop: A has no #1
    with pytest.raises(NotFound):
        svc.comment(a.ana.token, "step", "S5", "no such step here")
    # every call is scoped by the token: A's facilitator acts on A only
    svc.set_phase(a.fac, Phase.CONVERGE)
    state_b = svc.state(b.fac)
    assert state_b.phase == Phase.VOTE
    assert [c.text for c in state_b.comments] == ["B only"]
    assert svc.state(a.fac).comments == []
    assert all(p.workshop_id == b.wid for p in state_b.participants)


def test_proposals_stay_private_until_revealed(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.VOTE)
    svc.propose(room.ana.token, "S1", Tag.AUGMENT, "drafts take hours")
    svc.propose(room.bob.token, "S1", Tag.AUTOMATE)
    svc.propose(room.bob.token, "S1", Tag.HUMAN, "changed my mind")  # one current proposal per person and step
    ana_view = svc.state(room.ana.token)
    assert [(p.participant_name, p.tag) for p in ana_view.proposals] == [("Ana", Tag.AUGMENT)]
    assert ana_view.proposal_counts == {"S1": {Tag.AUGMENT: 1, Tag.HUMAN: 1}}
    assert {p.participant_name for p in svc.state(room.fac).proposals} == {"Ana", "Bob"}
    hidden = [e for e in svc.history(room.ana.token) if e.kind == "proposal.set" and e.actor_name == "Bob"]
    assert [e.summary for e in hidden] == ["proposed a tag for step S1"] * 2
    assert all(e.before is None and e.after is None for e in hidden)
    svc.set_reveal(room.fac, True)
    assert {(p.participant_name, p.tag) for p in svc.state(room.ana.token).proposals} == {
        ("Ana", Tag.AUGMENT),
        ("Bob", Tag.HUMAN),
    }
    shown = [e for e in svc.history(room.ana.token) if e.kind == "proposal.set" and e.actor_name == "Bob"]
    assert shown[0].summary == "proposed human for step S1" and shown[0].after == {
        "tag": "human",
        "rationale": "changed my mind",
    }


def test_reclaim_facilitator_rotates_the_token(svc: WorkshopService) -> None:
    created = svc.create_workshop("W", "", close_flow(), "Fran")
    with pytest.raises(AccessDenied, match="does not match"):
        svc.reclaim_facilitator(created.join_code, "WRONG-KEY")
    again = svc.reclaim_facilitator(created.join_code.lower(), created.facilitator_key.lower().replace("-", " "))
    assert svc.whoami(again.token).is_facilitator
    with pytest.raises(AccessDenied):
        svc.whoami(created.facilitator_token)


def test_text_is_stored_as_typed(svc: WorkshopService) -> None:
    room = open_room(svc)
    nasty = "<script>alert('x')</script> **bold** & ünïcode\nsecond line"
    out = svc.comment(room.ana.token, "step", "S1", nasty, "risk")
    assert out.text == nasty
    assert svc.state(room.bob.token).comments[0].text == nasty


# --------------------------------------------------------------------------- bounds


def test_name_goal_comment_and_rationale_bounds(svc: WorkshopService) -> None:
    with pytest.raises(InvalidInput, match="The workshop name is 81 characters long; the limit is 80"):
        svc.create_workshop("x" * 81, "", close_flow(), "Fran")
    with pytest.raises(InvalidInput, match="The workshop name must not be empty"):
        svc.create_workshop("  ", "", close_flow(), "Fran")
    with pytest.raises(InvalidInput, match="The goal is 2,001 characters long"):
        svc.create_workshop("W", "g" * 2001, close_flow(), "Fran")
    room = open_room(svc, phase=Phase.VOTE)
    with pytest.raises(InvalidInput, match="The name must not be empty"):
        svc.join(room.created.join_code, "", "finance")
    with pytest.raises(InvalidInput, match="The name is 81 characters long"):
        svc.join(room.created.join_code, "n" * 81, "finance")
    assert svc.comment(room.ana.token, "step", "S1", "c" * 4000).text == "c" * 4000
    with pytest.raises(InvalidInput, match="The comment is 4,001 characters long"):
        svc.comment(room.ana.token, "step", "S1", "c" * 4001)
    with pytest.raises(InvalidInput, match="The comment is empty"):
        svc.comment(room.ana.token, "step", "S1", "   ")
    with pytest.raises(InvalidInput, match="The rationale is 2,001 characters long"):
        svc.propose(room.ana.token, "S1", Tag.HUMAN, "r" * 2001)
    with pytest.raises(InvalidInput, match='"maybe" is not a tag'):
        svc.propose(room.ana.token, "S1", "maybe")
    with pytest.raises(InvalidInput, match="not a kind of comment"):
        svc.comment(room.ana.token, "step", "S1", "x", "rant")  # type: ignore[arg-type]


def test_flow_size_bound(svc: WorkshopService) -> None:
    big = close_flow(MAX_WORKSHOP_STEPS)
    created = svc.create_workshop("Big", "", big, "Fran")  # exactly at the limit is fine
    too_many = big.model_copy(update={"steps": [*big.steps, Step(id="extra", name="One too many", function="finance")]})
    with pytest.raises(LimitExceeded, match="at most 5,000 steps"):
        svc.create_workshop("Bigger", "", too_many, "Fran")
    with pytest.raises(LimitExceeded, match="at most 5,000 steps"):
        svc.add_step(created.facilitator_token, 1, Step(id="extra", name="One too many", function="finance"))


def test_participant_bound(svc: WorkshopService) -> None:
    created = svc.create_workshop("Full", "", close_flow(), "Fran")
    doc = svc.export_workshop(created.facilitator_token)
    stamp = datetime(2026, 11, 23, tzinfo=UTC).isoformat()
    doc["participants"] += [
        {"id": f"p{i}", "name": f"Person {i}", "function": "ops", "is_facilitator": False, "joined_at": stamp}
        for i in range(2, MAX_PARTICIPANTS + 1)
    ]
    full = svc.import_workshop(doc, "Fran")
    assert len(svc.state(full.facilitator_token).participants) == MAX_PARTICIPANTS
    with pytest.raises(LimitExceeded, match="This workshop is full: it has 500 participants"):
        svc.join(full.join_code, "Latecomer", "ops")


def test_invalid_flows_are_refused_with_their_problems(svc: WorkshopService) -> None:
    broken = Flow.model_validate(
        {**close_flow().model_dump(), "handoffs": [{"id": "H1", "source": "S1", "target": "nowhere"}]}
    )
    with pytest.raises(InvalidInput) as err:
        svc.create_workshop("W", "", broken, "Fran")
    assert [str(p) for p in err.value.problems] == ['handoffs[0].target: unknown step "nowhere"']
    assert "nowhere" in str(err.value)


# --------------------------------------------------------------------------- samples


def test_samples_are_listed_and_create_workshops(svc: WorkshopService) -> None:
    samples = {s.id: s for s in svc.list_samples()}
    if "month_end_close" not in samples:
        pytest.skip("sample_processes/month_end_close.json is not there yet")
    info = samples["month_end_close"]
    assert info.steps > 0 and info.functions
    created = svc.create_from_sample("month_end_close", "Fran", goal="Close in 3 days")
    state = svc.state(created.facilitator_token)
    assert state.name == info.name[:80] and len(state.flow.steps) == info.steps and state.goal == "Close in 3 days"
    for bad in ("../requirements", "no_such_sample", ""):
        with pytest.raises(NotFound, match="There is no sample process"):
            svc.create_from_sample(bad, "Fran")
