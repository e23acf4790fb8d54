"""Step edits share commits with comments and proposals (issue 13, point 6) and keep their own rules:
a stale edit in a batch is refused alone, every saved write has its own version and event."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redesign.model import Step
from redesign.store.errors import InvalidInput, StaleEdit, StoreError
from redesign.store.service import WorkshopService
from redesign.workshop import Phase
from tests.store.store_flows import Room, open_room


def test_a_batch_of_edits_and_comments_commits_together_and_refuses_the_stale_edit_alone(
    svc: WorkshopService,
) -> None:
    room = open_room(svc, phase=Phase.ANNOTATE)
    fac, ana, bob = room.created.facilitator_token, room.ana.token, room.bob.token
    state = svc.state(fac)
    base = state.version
    s1, s2 = (next(s for s in state.flow.steps if s.id == i) for i in ("S1", "S2"))

    batches, results = _one_batch(
        svc,
        {
            "opening comment": lambda: svc.comment(bob, "step", "S3", "first in"),
            "ana edits S1": lambda: svc.update_step(ana, base, s1.model_copy(update={"name": "Ana's"})),
            "bob edits S1": lambda: svc.update_step(bob, base, s1.model_copy(update={"name": "Bob's"})),
            "fran edits S2": lambda: svc.update_step(fac, base, s2.model_copy(update={"pca": 91.0})),
            "ana comments": lambda: svc.comment(ana, "step", "S1", "renamed it"),
        },
    )
    assert batches == [1, 4], batches
    assert isinstance(results["bob edits S1"], StaleEdit), results["bob edits S1"]
    assert "Ana" in str(results["bob edits S1"])
    saved = [results[k] for k in ("ana edits S1", "fran edits S2", "ana comments")]
    assert not any(isinstance(r, Exception) for r in saved), saved
    after = svc.state(fac)
    steps = {s.id: s for s in after.flow.steps}
    assert (steps["S1"].name, steps["S2"].pca) == ("Ana's", 91.0)
    assert [c.text for c in after.comments] == ["first in", "renamed it"]
    assert after.version == base + 4  # four writes saved, one version each; the refused one left none
    history = svc.history(fac, limit=10)
    assert len({e.version for e in history if e.version > base}) == 4


def _one_batch(svc: WorkshopService, writes: dict[str, Callable[[], object]]) -> tuple[list[int], dict[str, object]]:
    """Run `writes` (in order) so that they all land in one batch: a first write is held in its batch
    while they queue. Returns the batch sizes and each write's result (or the error it raised)."""
    batches: list[int] = []
    gate, started = threading.Event(), threading.Event()
    run_batch = svc._contributions._run_batch

    def gated(jobs):  # type: ignore[no-untyped-def]
        batches.append(len(jobs))
        if len(batches) == 1:
            started.set()
            gate.wait(10)
        run_batch(jobs)

    svc._contributions._run_batch = gated
    results: dict[str, object] = {}

    def call(name: str, write: Callable[[], object]) -> threading.Thread:
        def run() -> None:
            try:
                results[name] = write()
            except Exception as exc:
                results[name] = exc

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    first = next(iter(writes))
    threads = [call(first, writes[first])]  # held in its own batch while the others queue
    assert started.wait(10)
    for name, write in list(writes.items())[1:]:
        threads.append(call(name, write))
        time.sleep(0.05)  # keep the order of arrival
    deadline = time.monotonic() + 10
    while svc.contribution_batches.waiting < len(writes) - 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.set()
    for thread in threads:
        thread.join(20)
    svc._contributions._run_batch = run_batch
    return batches, results


def test_step_updates_in_a_batch_are_saved_with_it_each_with_its_version_event_and_refusal(
    svc: WorkshopService,
) -> None:
    room = open_room(svc, phase=Phase.ANNOTATE)
    fac, ana, bob = room.fac, room.ana.token, room.bob.token
    state = svc.state(fac)
    base = state.version
    step = {s.id: s for s in state.flow.steps}
    svc.update_step(bob, base, step["S4"].model_copy(update={"name": "Bob before the batch"}))
    before = svc.state(fac).version

    def edit(token: str, step_id: str, **change: object) -> Callable[[], object]:
        return lambda: svc.update_step(token, base, step[step_id].model_copy(update=change))

    batches, results = _one_batch(
        svc,
        {
            "held comment": lambda: svc.comment(bob, "step", "S1", "held"),
            "ana S1": edit(ana, "S1", name="Ana's S1"),
            "bob comment": lambda: svc.comment(bob, "step", "S1", "nice"),
            "fran S2": edit(fac, "S2", pca=91.0),
            "ana S1 again": edit(ana, "S1", name="Ana's S1, again"),
            "bob S1": edit(bob, "S1", name="Bob's S1"),  # stale: Ana changed S1 earlier in this batch
            "fran S4": edit(fac, "S4", name="Fran's S4"),  # stale: Bob changed S4 since `base`
            "ana S3 bad": edit(ana, "S3", function="legal"),  # no such function
            "ana S2 too": edit(ana, "S2", pca=80.0),  # stale: Fran changed S2 earlier in this batch
            "fran S3 unchanged": edit(fac, "S3"),  # a no-op: no version, no event
            "bob S4": edit(bob, "S4", touch_minutes=45.0),  # Bob's own earlier edit does not make it stale
        },
    )
    assert batches == [1, 10], batches
    refused = {k: v for k, v in results.items() if isinstance(v, Exception)}
    assert set(refused) == {"bob S1", "fran S4", "ana S3 bad", "ana S2 too"}, results
    assert isinstance(refused["bob S1"], StaleEdit) and "Ana" in str(refused["bob S1"])
    assert isinstance(refused["fran S4"], StaleEdit) and "Bob" in str(refused["fran S4"])
    assert isinstance(refused["ana S3 bad"], InvalidInput)
    assert 'steps[2].function: unknown function "legal"' in str(refused["ana S3 bad"])
    assert isinstance(refused["ana S2 too"], StaleEdit) and "Fran" in str(refused["ana S2 too"])

    after = svc.state(fac)
    steps = {s.id: s for s in after.flow.steps}
    assert (steps["S1"].name, steps["S2"].pca, steps["S3"]) == ("Ana's S1, again", 91.0, step["S3"])
    assert (steps["S4"].name, steps["S4"].touch_minutes) == ("Step 4", 45.0)  # a whole step, as Bob sent it
    saved = ["held comment", "ana S1", "bob comment", "fran S2", "ana S1 again", "bob S4"]
    assert after.version == before + len(saved)  # one version per saved write, none for the refused
    assert isinstance(results["fran S3 unchanged"], int) and results["fran S3 unchanged"] <= after.version
    versions = [results[k] for k in ("ana S1", "fran S2", "ana S1 again", "bob S4")]
    assert len(set(versions)) == 4 and all(before < v <= after.version for v in versions), versions  # type: ignore[operator]
    events = [e for e in svc.history(fac, limit=20) if e.version > before]
    assert len(events) == len(saved) and len({e.version for e in events}) == len(saved)
    s1 = sorted((e for e in events if e.target == "step:S1"), key=lambda e: e.version)
    assert [(e.kind, e.actor_name) for e in s1] == [("step.update", "Ana"), ("step.update", "Ana")]


def test_undo_reverts_a_step_update_saved_in_a_batch(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.ANNOTATE)
    state = svc.state(room.fac)
    s1 = next(s for s in state.flow.steps if s.id == "S1")
    _, results = _one_batch(
        svc,
        {
            "held": lambda: svc.comment(room.bob.token, "step", "S2", "held"),
            "edit": lambda: svc.update_step(room.fac, state.version, s1.model_copy(update={"name": "Renamed"})),
            "comment": lambda: svc.comment(room.ana.token, "step", "S1", "renamed?"),
        },
    )
    assert isinstance(results["edit"], int), results
    assert next(s for s in svc.state(room.fac).flow.steps if s.id == "S1").name == "Renamed"
    svc.undo(room.fac)
    assert next(s for s in svc.state(room.fac).flow.steps if s.id == "S1") == s1


write = st.tuples(
    st.sampled_from(["fac", "ana", "bob"]),
    st.sampled_from(["S1", "S2", "S3", "S4"]),
    st.sampled_from(
        [
            {"touch_minutes": 30.0},  # unchanged (a no-op)
            {"touch_minutes": 45.0},
            {"name": "Renamed"},
            {"function": "legal"},  # no such function: refused
            "comment",
        ]
    ),
    st.booleans(),  # based on the version before Bob's edit of S4 (True) or after it
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(write, min_size=2, max_size=8))
def test_a_batch_saves_and_refuses_exactly_what_the_same_writes_one_by_one_would(
    svc: WorkshopService, writes: list[tuple[str, str, object, bool]]
) -> None:
    """Property: whatever the mix, the batched writes that succeed, the flow they leave and the comments
    are those of the same writes saved one at a time in arrival order (a refusal may name another
    reason, e.g. stale rather than invalid, since a declined edit is checked after the batch)."""
    rooms = [open_room(svc, phase=Phase.ANNOTATE) for _ in range(2)]
    bases = []
    for room in rooms:
        old = svc.state(room.fac)
        s4 = next(s for s in old.flow.steps if s.id == "S4")
        svc.update_step(room.bob.token, old.version, s4.model_copy(update={"name": "Bob's S4"}))
        bases.append((old.version, svc.state(room.fac).version, {s.id: s for s in old.flow.steps}))

    def calls(room: Room, base: tuple[int, int, dict[str, Step]]) -> dict[str, Callable[[], object]]:
        token = {"fac": room.fac, "ana": room.ana.token, "bob": room.bob.token}
        out: dict[str, Callable[[], object]] = {"held": lambda: svc.comment(room.bob.token, "step", "S1", "held")}
        for n, (who, step_id, change, early) in enumerate(writes):
            if change == "comment":
                out[f"{n}"] = lambda t=token[who], s=step_id, n=n: svc.comment(t, "step", s, f"note {n}")
            else:
                edited = base[2][step_id].model_copy(update=change)  # type: ignore[arg-type]
                version = base[0] if early else base[1]
                out[f"{n}"] = lambda t=token[who], v=version, e=edited: svc.update_step(t, v, e)
        return out

    batched_calls = calls(rooms[0], bases[0])
    batches, batched = _one_batch(svc, batched_calls)
    assert batches == [1, len(writes)], batches
    alone: dict[str, object] = {}
    for name, call in calls(rooms[1], bases[1]).items():
        try:
            alone[name] = call()
        except Exception as exc:
            alone[name] = exc

    def ok(results: dict[str, object]) -> set[str]:
        return {name for name, result in results.items() if not isinstance(result, Exception)}

    assert ok(batched) == ok(alone), (batched, alone)
    assert all(isinstance(r, StoreError) for r in batched.values() if isinstance(r, Exception)), batched
    after = [svc.state(room.fac) for room in rooms]
    assert after[0].flow == after[1].flow
    assert [c.text for c in after[0].comments] == [c.text for c in after[1].comments]
    assert after[0].version - bases[0][1] == after[1].version - bases[1][1]
