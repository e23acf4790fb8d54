"""Flow edits: stale detection, the bulk-edit merge, cascades, undo, the event log."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from redesign.model import Decision, Flow, Handoff, Step, Tag
from redesign.store.errors import AccessDenied, InvalidInput, NotFound, StaleEdit
from redesign.store.service import WorkshopService
from redesign.workshop import Phase, settled_scenario
from tests.store.store_flows import close_flow, open_room


def step(svc: WorkshopService, token: str, step_id: str) -> Step:
    return svc.state(token).flow.step(step_id)


def test_stale_edit_is_refused_with_who_and_what(svc: WorkshopService) -> None:
    room = open_room(svc)
    seen = svc.version(room.wid)
    s3 = step(svc, room.bob.token, "S3")
    s3_renamed = s3.model_copy(update={"name": "Reconcile with Finance"})
    svc.update_step(room.fac, seen, s3_renamed)  # the facilitator renames first
    seen = svc.version(room.wid)
    svc.update_step(room.ana.token, seen, s3_renamed.model_copy(update={"touch_minutes": 45}))
    with pytest.raises(StaleEdit) as err:
        svc.update_step(room.bob.token, seen, s3_renamed.model_copy(update={"wait_minutes": 60}))
    assert str(err.value) == (
        f'Your edit is based on version {seen}, but since then Ana (Finance) changed step S3 "Reconcile with Finance" '
        "(touch minutes 30 -> 45). Reload to see it, then apply your change again."
    )
    (change,) = err.value.changes
    assert (change.actor_name, change.actor_function, change.kind, change.target) == (
        "Ana",
        "Finance",
        "step.update",
        "step:S3",
    )
    assert step(svc, room.fac, "S3").touch_minutes == 45  # Ana's edit stands, Bob's did not overwrite it
    assert step(svc, room.fac, "S3").wait_minutes == 0


def test_other_entities_proposals_comments_and_own_edits_never_make_an_edit_stale(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.MAP)
    seen = svc.version(room.wid)
    s1, s2 = step(svc, room.fac, "S1"), step(svc, room.fac, "S2")
    svc.update_step(room.ana.token, seen, s1.model_copy(update={"pca": 70}))
    svc.comment(room.ana.token, "step", "S2", "Is this right?")
    svc.update_step(room.bob.token, seen, s2.model_copy(update={"pca": 90}))  # another step: fine
    svc.update_step(room.bob.token, seen, s2.model_copy(update={"pca": 95}))  # my own change since: fine
    svc.set_phase(room.fac, Phase.VOTE)
    base = svc.version(room.wid)
    svc.propose(room.ana.token, "S1", Tag.AUGMENT)
    svc.update_step(room.fac, base, s1.model_copy(update={"pca": 75}))  # a proposal since: fine
    flow = svc.state(room.fac).flow
    assert (flow.step("S1").pca, flow.step("S2").pca) == (75, 95)


def test_base_version_must_be_one_the_caller_could_have_seen(svc: WorkshopService) -> None:
    room = open_room(svc)
    s1 = step(svc, room.fac, "S1")
    with pytest.raises(InvalidInput, match="only at version"):
        svc.update_step(room.ana.token, svc.version(room.wid) + 5, s1)
    with pytest.raises(InvalidInput, match="whole number"):
        svc.update_step(room.ana.token, -1, s1)


def test_versions_move_once_per_change_and_not_for_no_ops(svc: WorkshopService) -> None:
    room = open_room(svc)
    v = svc.version(room.wid)
    s1 = step(svc, room.fac, "S1")
    assert svc.update_step(room.ana.token, v, s1) == v  # unchanged: nothing logged, no reload for anyone
    assert svc.version(room.wid) == v
    assert svc.update_step(room.ana.token, v, s1.model_copy(update={"volume": 11})) == v + 1
    assert svc.state(room.bob.token).version == v + 1


def test_add_step_after_another_and_refuse_bad_ones(svc: WorkshopService) -> None:
    room = open_room(svc)
    v = svc.version(room.wid)
    new = Step(id="S1b", name="Check accruals", function="finance", owner="accountant")
    v = svc.add_step(room.ana.token, v, new, after="S1")
    assert [s.id for s in svc.state(room.fac).flow.steps] == ["S1", "S1b", "S2", "S3", "S4"]
    v = svc.add_step(room.ana.token, v, Step(id="S5", name="Report", function="ops"))
    assert svc.state(room.fac).flow.steps[-1].id == "S5"
    with pytest.raises(InvalidInput, match='A step with id "S1b" already exists'):
        svc.add_step(room.ana.token, v, new)
    with pytest.raises(InvalidInput) as err:
        svc.add_step(room.ana.token, v, Step(id="S9", name="Lost", function="legal"))
    assert [str(p) for p in err.value.problems] == ['steps[6].function: unknown function "legal"']
    with pytest.raises(NotFound, match='no step "nope"'):
        svc.add_step(room.ana.token, v, Step(id="S9", name="X", function="ops"), after="nope")
    with pytest.raises(NotFound, match='There is no step "S42"'):
        svc.update_step(room.ana.token, v, Step(id="S42", name="X", function="ops"))


def test_someone_else_adding_the_same_id_makes_it_stale(svc: WorkshopService) -> None:
    room = open_room(svc)
    v = svc.version(room.wid)
    svc.add_step(room.ana.token, v, Step(id="S9", name="Ana's step", function="finance"))
    with pytest.raises(StaleEdit, match="Ana \\(Finance\\) added step S9"):
        svc.add_step(room.bob.token, v, Step(id="S9", name="Bob's step", function="ops"))


def test_handoff_edits(svc: WorkshopService) -> None:
    room = open_room(svc)
    v = svc.version(room.wid)
    v = svc.add_handoff(room.ana.token, v, Handoff(id="R1", source="S3", target="S1", rework=True))
    v = svc.update_handoff(room.ana.token, v, Handoff(id="R1", source="S3", target="S1", rework=True, wait_minutes=60))
    assert svc.state(room.fac).flow.handoffs[-1].wait_minutes == 60
    with pytest.raises(InvalidInput, match='unknown step "S99"'):
        svc.add_handoff(room.ana.token, v, Handoff(id="R2", source="S1", target="S99"))
    v = svc.delete_handoff(room.bob.token, v, "R1")
    assert [h.id for h in svc.state(room.fac).flow.handoffs] == ["H1", "H2", "H3"]
    with pytest.raises(NotFound):
        svc.delete_handoff(room.bob.token, v, "R1")


def test_delete_step_cascades_and_undo_brings_everything_back(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.CONVERGE)
    svc.propose(room.ana.token, "S2", Tag.AUTOMATE, "it is copy-paste")
    comment = svc.comment(room.bob.token, "step", "S2", "data arrives late", "data_quality")
    svc.settle(room.fac, Decision(step="S2", tag=Tag.AUTOMATE, owner="planner"))
    svc.set_focus(room.fac, "S2")
    before = svc.state(room.fac)
    svc.delete_step(room.fac, before.version, "S2")
    after = svc.state(room.fac)
    assert [s.id for s in after.flow.steps] == ["S1", "S3", "S4"]
    assert [h.id for h in after.flow.handoffs] == ["H3"]  # H1 (S1->S2) and H2 (S2->S3) went with it
    assert after.decisions == [] and after.focus_step is None
    assert after.proposals == [] and after.proposal_counts == {}  # kept in the store, hidden while S2 is gone
    assert [(c.id, c.orphaned) for c in after.comments] == [(comment.id, True)]
    svc.undo(room.fac)
    back = svc.state(room.fac)
    assert back.flow == before.flow
    assert back.decisions == before.decisions
    assert [(p.participant_name, p.tag) for p in back.proposals] == [("Ana", Tag.AUTOMATE)]
    assert [c.orphaned for c in back.comments] == [False]


def test_undo_restores_the_previous_state_step_by_step(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.CONVERGE)
    original = svc.state(room.fac)
    v = svc.update_step(room.fac, original.version, original.flow.step("S1").model_copy(update={"touch_minutes": 5}))
    after_first = svc.state(room.fac)
    svc.propose(room.ana.token, "S1", Tag.AUTOMATE)  # not undone: proposals belong to people
    svc.add_step(room.fac, svc.version(room.wid), Step(id="S5", name="New", function="ops"))
    svc.settle(room.fac, Decision(step="S1", tag=Tag.AUTOMATE))
    svc.undo(room.fac)  # the settle
    assert svc.state(room.fac).decisions == []
    svc.undo(room.fac)  # the added step
    assert svc.state(room.fac).flow == after_first.flow
    svc.undo(room.fac)  # the touch-minutes edit
    final = svc.state(room.fac)
    assert final.flow == original.flow
    assert final.version > v
    assert [p.tag for p in final.proposals] == [Tag.AUTOMATE]
    with pytest.raises(InvalidInput, match="nothing to undo"):
        svc.undo(room.fac)
    undo_events = [e for e in svc.history(room.fac) if e.summary.startswith("undid a change")]
    assert len(undo_events) == 3


def test_undo_of_a_resettle_restores_the_earlier_decision(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.CONVERGE)
    first = Decision(step="S1", tag=Tag.AUGMENT, owner="accountant", success_measure="close in 3 days")
    svc.settle(room.fac, first)
    svc.settle(room.fac, Decision(step="S1", tag=Tag.AUTOMATE))
    svc.undo(room.fac)
    assert svc.state(room.ana.token).decisions == [first]
    assert settled_scenario(svc.state(room.ana.token)).decisions == [first]


def test_settle_checks_roles_and_unsettle_needs_a_decision(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.CONVERGE)
    with pytest.raises(InvalidInput, match='unknown role "cfo"'):
        svc.settle(room.fac, Decision(step="S1", tag=Tag.AUTOMATE, owner="cfo"))
    with pytest.raises(NotFound):
        svc.settle(room.fac, Decision(step="S99", tag=Tag.AUTOMATE))
    with pytest.raises(NotFound, match="no settled decision"):
        svc.unsettle(room.fac, "S1")
    svc.settle(room.fac, Decision(step="S3", tag=Tag.HUMAN, review_date="2027-03-01", it_signoff=True))
    svc.settle(room.fac, Decision(step="S1", tag=Tag.AUGMENT))
    assert [d.step for d in svc.state(room.bob.token).decisions] == ["S1", "S3"]  # in step order
    svc.unsettle(room.fac, "S3")
    assert [d.step for d in svc.state(room.bob.token).decisions] == ["S1"]


def test_replacing_a_role_a_decision_needs_is_refused(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.CONVERGE)
    svc.settle(room.fac, Decision(step="S1", tag=Tag.AUGMENT, owner="planner"))
    state = svc.state(room.fac)
    flow = close_flow()
    without_planner = flow.model_copy(
        update={
            "roles": [r for r in flow.roles if r.id != "planner"],
            "steps": [s.model_copy(update={"owner": None}) for s in flow.steps],
        }
    )
    with pytest.raises(InvalidInput, match=r'settled decisions\[0\].owner: unknown role "planner"'):
        svc.replace_flow(room.fac, state.version, without_planner)


# --------------------------------------------------------------------------- bulk edit (replace_flow)


def _edit(flow: Flow, step_id: str, **changes: object) -> Flow:
    return flow.model_copy(
        update={"steps": [s.model_copy(update=changes) if s.id == step_id else s for s in flow.steps]}
    )


def test_replace_flow_applies_changes_and_keeps_others_work(svc: WorkshopService) -> None:
    room = open_room(svc)
    seen = svc.state(room.bob.token)
    svc.update_step(room.ana.token, seen.version, seen.flow.step("S1").model_copy(update={"touch_minutes": 99}))
    mine = _edit(seen.flow, "S2", name="Bob's rename")  # Bob's table still shows S1 as it was
    mine = mine.model_copy(update={"steps": [*mine.steps, Step(id="S5", name="Added", function="ops")]})
    svc.replace_flow(room.bob.token, seen.version, mine)
    flow = svc.state(room.fac).flow
    assert flow.step("S1").touch_minutes == 99  # Ana's edit was not silently reverted
    assert flow.step("S2").name == "Bob's rename"
    assert [s.id for s in flow.steps] == ["S1", "S2", "S3", "S4", "S5"]
    kinds = [(e.kind, e.target) for e in svc.history(room.fac, limit=2)]
    assert sorted(kinds) == [("step.add", "step:S5"), ("step.update", "step:S2")]


def test_replace_flow_conflict_on_the_same_step(svc: WorkshopService) -> None:
    room = open_room(svc)
    seen = svc.state(room.bob.token)
    svc.update_step(room.ana.token, seen.version, seen.flow.step("S1").model_copy(update={"touch_minutes": 99}))
    with pytest.raises(StaleEdit, match="Ana \\(Finance\\) changed step S1") as err:
        svc.replace_flow(room.bob.token, seen.version, _edit(seen.flow, "S1", touch_minutes=1))
    assert [c.target for c in err.value.changes] == ["step:S1"]
    with pytest.raises(StaleEdit):  # deleting what someone else just changed is a conflict too
        svc.replace_flow(
            room.bob.token,
            seen.version,
            seen.flow.model_copy(
                update={
                    "steps": [s for s in seen.flow.steps if s.id != "S1"],
                    "handoffs": [h for h in seen.flow.handoffs if h.source != "S1"],
                }
            ),
        )
    svc.replace_flow(room.bob.token, seen.version, _edit(seen.flow, "S1", touch_minutes=99))  # same change: fine
    assert svc.state(room.fac).flow.step("S1").touch_minutes == 99


def test_replace_flow_reorders_and_undo_reverts_the_whole_edit(svc: WorkshopService) -> None:
    room = open_room(svc)
    seen = svc.state(room.fac)
    reordered = seen.flow.model_copy(update={"steps": list(reversed(seen.flow.steps))})
    reordered = _edit(reordered, "S2", pca=50.0)
    reordered = _edit(reordered, "S3", pca=60.0)
    svc.replace_flow(room.fac, seen.version, reordered)
    assert [s.id for s in svc.state(room.fac).flow.steps] == ["S4", "S3", "S2", "S1"]
    svc.undo(room.fac)
    assert svc.state(room.fac).flow == seen.flow  # both changes and the move of the one edit undone


def test_a_reorder_alone_is_a_change_everyone_sees_and_can_be_undone(svc: WorkshopService) -> None:
    room = open_room(svc)
    seen = svc.state(room.fac)
    moved = seen.flow.model_copy(update={"steps": [seen.flow.steps[i] for i in (1, 0, 2, 3)]})
    new_version = svc.replace_flow(room.ana.token, seen.version, moved)
    assert new_version == seen.version + 1 == svc.version(room.wid)  # pages polling the version reload
    assert [s.id for s in svc.state(room.bob.token).flow.steps] == ["S2", "S1", "S3", "S4"]
    (event,) = svc.history(room.fac, limit=1)
    assert (event.kind, event.summary, event.after) == ("step.reorder", "reordered the steps", ["S2", "S1", "S3", "S4"])
    svc.undo(room.fac)
    assert svc.state(room.bob.token).flow == seen.flow


def test_replace_flow_with_a_deletion_and_a_move_undoes_cleanly(svc: WorkshopService) -> None:
    room = open_room(svc)
    seen = svc.state(room.fac)
    flow = seen.flow
    shrunk = flow.model_copy(
        update={
            "steps": [flow.step(i) for i in ("S4", "S3", "S1")],
            "handoffs": [h for h in flow.handoffs if "S2" not in (h.source, h.target)],
        }
    )
    svc.replace_flow(room.fac, seen.version, shrunk)
    assert [s.id for s in svc.state(room.fac).flow.steps] == ["S4", "S3", "S1"]
    svc.undo(room.fac)
    assert svc.state(room.fac).flow == flow


def test_replace_flow_keeps_a_step_someone_else_added(svc: WorkshopService) -> None:
    room = open_room(svc)
    seen = svc.state(room.bob.token)
    svc.add_step(room.ana.token, seen.version, Step(id="S2a", name="Ana's check", function="finance"), after="S2")
    svc.replace_flow(room.bob.token, seen.version, _edit(seen.flow, "S4", volume=3))
    assert [s.id for s in svc.state(room.fac).flow.steps] == ["S1", "S2", "S2a", "S3", "S4"]


# --------------------------------------------------------------------------- comments, controls, history


def test_comments_resolve_by_author_or_facilitator(svc: WorkshopService) -> None:
    room = open_room(svc)
    c = svc.comment(room.ana.token, "handoff", "H1", "The file arrives as a PDF", "data_quality")
    with pytest.raises(AccessDenied, match="Only the author"):
        svc.resolve_comment(room.bob.token, c.id)
    svc.resolve_comment(room.ana.token, c.id)
    assert svc.state(room.bob.token).comments[0].resolved is True
    svc.resolve_comment(room.fac, c.id, resolved=False)
    assert svc.state(room.bob.token).comments[0].resolved is False
    with pytest.raises(NotFound, match="no comment #99"):
        svc.resolve_comment(room.fac, 99)
    with pytest.raises(NotFound, match='no hand-off "H9"'):
        svc.comment(room.ana.token, "handoff", "H9", "x")


def test_withdraw_proposal(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.VOTE)
    svc.propose(room.ana.token, "S1", Tag.HUMAN)
    svc.withdraw_proposal(room.ana.token, "S1")
    assert svc.state(room.fac).proposals == []
    with pytest.raises(NotFound, match="no proposal"):
        svc.withdraw_proposal(room.ana.token, "S1")


def test_timer_focus_lock_reveal_and_phase(database_url: str) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    svc = WorkshopService.from_url(database_url, clock=lambda: now)
    try:
        room = open_room(svc)
        svc.set_timer(room.fac, 300)
        assert svc.state(room.ana.token).timer_ends_at == now + timedelta(seconds=300)
        svc.set_timer(room.fac, None)
        assert svc.state(room.ana.token).timer_ends_at is None
        with pytest.raises(InvalidInput, match="A timer runs from 1 second to 24 hours"):
            svc.set_timer(room.fac, 0)
        svc.set_focus(room.fac, "S3")
        with pytest.raises(NotFound):
            svc.set_focus(room.fac, "S99")
        svc.set_lock(room.fac, True)
        svc.set_reveal(room.fac, True)
        svc.set_phase(room.fac, "impact")
        with pytest.raises(InvalidInput, match='"lunch" is not a phase'):
            svc.set_phase(room.fac, "lunch")
        state = svc.state(room.ana.token)
        assert (state.focus_step, state.locked, state.revealed, state.phase) == ("S3", True, True, Phase.IMPACT)
        assert (state.can.edit_flow, state.can.propose, state.can.comment) == (False, False, True)
        kinds = [e.kind for e in svc.history(room.ana.token, limit=6)]
        assert kinds == ["phase.set", "reveal.set", "lock.set", "focus.set", "timer.set", "timer.set"]
    finally:
        svc.dispose()


def test_history_records_who_when_what_before_and_after(svc: WorkshopService) -> None:
    room = open_room(svc)
    v = svc.version(room.wid)
    s4 = step(svc, room.fac, "S4")
    svc.update_step(room.bob.token, v, s4.model_copy(update={"wait_minutes": 120}))
    (event,) = svc.history(room.ana.token, limit=1)
    assert (event.actor_id, event.actor_name, event.actor_function) == (room.bob.participant_id, "Bob", "ops")
    assert (event.kind, event.target, event.version) == ("step.update", "step:S4", v + 1)
    assert event.before["wait_minutes"] == 0 and event.after["wait_minutes"] == 120
    assert event.summary == 'changed step S4 "Step 4" (wait minutes 0 -> 120)'
    assert event.at.tzinfo is not None
    everything = svc.history(room.fac, limit=1000)
    assert [e.seq for e in everything] == list(range(len(everything), 0, -1))  # newest first, no gaps
    assert everything[-1].kind == "workshop.create"
    assert [e.kind for e in everything].count("participant.join") == 2


def test_a_step_built_without_validation_cannot_store_infinity(svc: WorkshopService) -> None:
    """Finite numbers only (issue 13, point 4): the store validates again what callers hand it."""
    created = svc.create_from_sample("sales_forecasting", "Fran")
    state = svc.state(created.facilitator_token)
    step = state.flow.steps[0]
    broken = Step.model_construct(**{**step.__dict__, "touch_minutes": math.inf})
    with pytest.raises(InvalidInput, match=r"steps?.*touch_minutes: must be a finite number, but it is infinite"):
        svc.update_step(created.facilitator_token, state.version, broken)
    nan_flow = state.flow.model_copy(update={"fte_hours_per_year": math.nan})
    with pytest.raises(InvalidInput, match="fte_hours_per_year: must be a finite number"):
        svc.replace_flow(created.facilitator_token, state.version, nan_flow)
    bad_decision = Decision.model_construct(step=step.id, tag=Tag.AUTOMATE, automation_rate=math.inf)
    with pytest.raises(InvalidInput, match="automation_rate: must be a finite number"):
        svc.settle(created.facilitator_token, bad_decision)
    after = svc.state(created.facilitator_token)
    assert after.version == state.version and after.flow.steps[0].touch_minutes == step.touch_minutes
