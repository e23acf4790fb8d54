"""Proposals and comments saved in batches (group commit), on SQLite and PostgreSQL.

A batch must save each write exactly as if it had been saved alone (its own version,
event and comment number), and a write refused for its own reasons must not take the
rest of its batch down.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from redesign.model import Tag
from redesign.store import codes, contributions
from redesign.store import repository as repo
from redesign.store.contributions import Contribution, NewComment, NewProposal
from redesign.store.database import write_transaction
from redesign.store.errors import AccessDenied, NotFound
from redesign.store.service import WorkshopService
from redesign.workshop import CommentOut, Phase
from tests.store.store_flows import open_room
from tests.store.test_store_concurrency import assert_consistent
from tests.store.test_store_group_commit import wait_for

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def save(svc: WorkshopService, works: list[Contribution]) -> list[Any]:
    with write_transaction(svc.engine) as conn:
        return contributions.save(conn, works, NOW)


def test_a_mixed_batch_saves_the_good_writes_and_refuses_the_bad_ones_alone(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.VOTE)
    other = open_room(svc, phase=Phase.MAP)  # proposals are not open there yet
    ana, bob = codes.digest(room.ana.token), codes.digest(room.bob.token)
    start, other_start = svc.version(room.wid), svc.version(other.wid)
    outcomes = save(
        svc,
        [
            Contribution(ana, NewProposal("S1", "automate", "rules-based")),
            Contribution(ana, NewProposal("S404", "human", "")),
            Contribution(codes.digest("not-a-token"), NewProposal("S1", "human", "")),
            Contribution(bob, NewComment("handoff", "H1", "risk", "<b>late</b> data")),
            Contribution(codes.digest(other.ana.token), NewProposal("S1", "human", "")),
            Contribution(ana, NewProposal("S1", "augment", "changed my mind")),
        ],
    )
    assert outcomes[0] == start + 1
    assert isinstance(outcomes[1], NotFound) and '"S404"' in str(outcomes[1])
    assert isinstance(outcomes[2], AccessDenied)
    assert isinstance(outcomes[3], CommentOut) and outcomes[3].id == 1 and outcomes[3].text == "<b>late</b> data"
    assert isinstance(outcomes[4], AccessDenied)
    assert outcomes[5] == start + 3  # versions count only the saved writes, one each

    state = svc.state(room.fac)
    assert state.version == start + 3
    assert [(p.participant_name, p.step_id, p.tag, p.rationale) for p in state.proposals] == [
        ("Ana", "S1", Tag.AUGMENT, "changed my mind")
    ]
    assert [(c.author_name, c.target_kind, c.target_id, c.kind) for c in state.comments] == [
        ("Bob", "handoff", "H1", "risk")
    ]
    history = svc.history(room.fac, limit=3)  # newest first
    assert [(e.kind, e.version) for e in reversed(history)] == [
        ("proposal.set", start + 1),
        ("comment.add", start + 2),
        ("proposal.set", start + 3),
    ]
    # the second proposal's "before" is the first one, saved earlier in the same batch
    assert history[0].before == {"tag": "automate", "rationale": "rules-based"}
    assert svc.version(other.wid) == other_start  # the refused write did not move the other workshop
    assert svc.state(other.fac).proposals == []
    assert_consistent(svc, room.wid)


def test_one_batch_can_span_workshops(svc: WorkshopService) -> None:
    first, second = open_room(svc, phase=Phase.VOTE), open_room(svc, phase=Phase.VOTE)
    before = (svc.version(first.wid), svc.version(second.wid))
    outcomes = save(
        svc,
        [
            Contribution(codes.digest(second.bob.token), NewComment("step", "S2", "question", "who owns this?")),
            Contribution(codes.digest(first.ana.token), NewComment("step", "S1", "comment", "fine")),
            Contribution(codes.digest(second.ana.token), NewComment("step", "S3", "comment", "ok")),
        ],
    )
    assert [o.id for o in outcomes] == [1, 1, 2]  # comment numbers are per workshop
    assert (svc.version(first.wid), svc.version(second.wid)) == (before[0] + 1, before[1] + 2)
    assert_consistent(svc, first.wid)
    assert_consistent(svc, second.wid)


def test_a_batch_of_refusals_changes_nothing(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.VOTE)
    start = svc.version(room.wid)
    outcomes = save(svc, [Contribution(codes.digest(room.ana.token), NewProposal("nope", "human", ""))])
    assert isinstance(outcomes[0], NotFound)
    assert svc.version(room.wid) == start
    assert_consistent(svc, room.wid)


def hold_workshop(svc: WorkshopService, wid: str, until: threading.Event, held: threading.Event) -> threading.Thread:
    """Lock the workshop's row (and, on SQLite, the writer) from another connection until `until` is set."""

    def run() -> None:
        with write_transaction(svc.engine) as conn:
            repo.lock_workshops(conn, [wid])
            held.set()
            until.wait(30)

    thread = threading.Thread(target=run)
    thread.start()
    assert held.wait(10)
    return thread


def run_all(calls: list[Callable[[], Any]]) -> tuple[list[threading.Thread], list[Any]]:
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    return threads, results


def test_writes_queued_behind_a_lock_are_saved_together_through_the_service(svc: WorkshopService) -> None:
    room = open_room(svc, phase=Phase.VOTE)
    names = [f"P{i}" for i in range(12)]
    people = [svc.join(room.created.join_code, name, "sales") for name in names]
    start = svc.version(room.wid)
    release, held = threading.Event(), threading.Event()
    holder = hold_workshop(svc, room.wid, release, held)
    batches_before = svc.contribution_batches.batches
    leader, leader_result = run_all([lambda: svc.propose(people[0].token, "S1", "human", "first")])
    wait_for(lambda: svc.contribution_batches.batches == batches_before + 1)  # the leader is blocked on the lock
    threads, results = run_all(
        [lambda p=p, n=n: svc.propose(p.token, "S2", "automate", n) for p, n in zip(people[1:], names[1:], strict=True)]
        + [lambda: svc.comment(room.ana.token, "step", "S9", "no such step")]
    )
    wait_for(lambda: svc.contribution_batches.waiting == 12, what=lambda: (svc.contribution_batches.waiting, results))
    release.set()
    for thread in [holder, *leader, *threads]:
        thread.join(30)
    assert leader_result == [start + 1]
    assert sorted(results[:11]) == list(range(start + 2, start + 13))
    assert isinstance(results[11], NotFound)
    assert svc.contribution_batches.largest >= 12  # the eleven proposals and the refused comment went in one batch
    state = svc.state(room.fac)
    assert sorted(p.rationale for p in state.proposals) == sorted(["first", *names[1:]])
    assert_consistent(svc, room.wid)


def test_a_batch_the_database_rejects_is_saved_again_write_by_write(
    svc: WorkshopService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a batch's transaction fails for a reason no retry cures, each write gets its own try."""
    room = open_room(svc, phase=Phase.VOTE)
    real_upsert = repo.upsert_proposals
    rejected: list[int] = []

    def fail_on_batches(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
        if len(rows) > 1:
            rejected.append(len(rows))
            raise sa.exc.IntegrityError("INSERT", {}, Exception("injected: batch rejected"))
        real_upsert(conn, rows)

    monkeypatch.setattr(repo, "upsert_proposals", fail_on_batches)
    release, held = threading.Event(), threading.Event()
    holder = hold_workshop(svc, room.wid, release, held)
    batches_before = svc.contribution_batches.batches
    leader, _ = run_all([lambda: svc.propose(room.ana.token, "S1", "human", "")])
    wait_for(lambda: svc.contribution_batches.batches == batches_before + 1)
    threads, results = run_all([lambda s=s: svc.propose(room.bob.token, f"S{s}", "augment", "") for s in (2, 3, 4)])
    wait_for(lambda: svc.contribution_batches.waiting == 3)
    release.set()
    for thread in [holder, *leader, *threads]:
        thread.join(30)
    assert rejected == [3]  # the batch was tried once (an integrity error is not retried) ...
    assert all(isinstance(r, int) for r in results), results  # ... then each write was saved alone
    assert {(p.participant_name, p.step_id) for p in svc.state(room.fac).proposals} == {
        ("Ana", "S1"),
        ("Bob", "S2"),
        ("Bob", "S3"),
        ("Bob", "S4"),
    }
    assert_consistent(svc, room.wid)
