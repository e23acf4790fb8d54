"""Step edits share commits with comments and proposals (issue 13, point 6) and keep their own rules:
a stale edit in a batch is refused alone, every saved write has its own version and event."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from redesign.store.errors import StaleEdit
from redesign.store.service import WorkshopService
from redesign.workshop import Phase
from tests.store.store_flows import open_room


def test_a_batch_of_edits_and_comments_commits_together_and_refuses_the_stale_edit_alone(
    svc: WorkshopService,
) -> None:
    room = open_room(svc, phase=Phase.ANNOTATE)
    fac, ana, bob = room.created.facilitator_token, room.ana.token, room.bob.token
    state = svc.state(fac)
    base = state.version
    s1, s2 = (next(s for s in state.flow.steps if s.id == i) for i in ("S1", "S2"))

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

    threads = [call("opening comment", lambda: svc.comment(bob, "step", "S3", "first in"))]
    assert started.wait(10)  # the first batch is held: what follows queues into one batch
    threads.append(call("ana edits S1", lambda: svc.update_step(ana, base, s1.model_copy(update={"name": "Ana's"}))))
    time.sleep(0.2)  # Ana's edit is queued first
    threads.append(call("bob edits S1", lambda: svc.update_step(bob, base, s1.model_copy(update={"name": "Bob's"}))))
    threads.append(call("fran edits S2", lambda: svc.update_step(fac, base, s2.model_copy(update={"pca": 91.0}))))
    threads.append(call("ana comments", lambda: svc.comment(ana, "step", "S1", "renamed it")))
    deadline = time.monotonic() + 10
    while svc.contribution_batches.waiting < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.set()
    for thread in threads:
        thread.join(20)

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
