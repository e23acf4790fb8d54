"""Many writers at once, writers in other processes, and writers killed mid-write: nothing acknowledged is lost."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from redesign.model import Tag
from redesign.store import tables as t
from redesign.store.errors import StaleEdit
from redesign.store.service import WorkshopService
from redesign.workshop import Phase
from tests.store.store_flows import close_flow

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = ("finance", "ops", "sales", "hr", "it")
TAGS = (Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE)

# A writer in its own process: prints "ready", then the id of each comment once the
# service has returned (i.e. the transaction committed), forever or n times.
WRITER = """
import sys
from redesign.store.service import WorkshopService
url, token, n, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
svc = WorkshopService.from_url(url)
print("ready", flush=True)
i = 0
while n <= 0 or i < n:
    out = svc.comment(token, "step", "S1", f"{label}-{i}")
    print(out.id, out.text, flush=True)
    i += 1
"""


def start_writer(url: str, token: str, n: int, label: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, token, str(n), label],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    if first != "ready":
        proc.kill()
        raise AssertionError(f"writer did not start: {first!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc


def assert_consistent(svc: WorkshopService, workshop_id: str) -> None:
    """The invariants a half-done write would break: counters, numbering, version vs log."""
    with svc.engine.connect() as conn:
        ws = conn.execute(sa.select(t.workshops).where(t.workshops.c.id == workshop_id)).one()
        seqs = sorted(conn.execute(sa.select(t.events.c.seq).where(t.events.c.workshop_id == workshop_id)).scalars())
        versions = conn.execute(
            sa.select(sa.func.max(t.events.c.version)).where(t.events.c.workshop_id == workshop_id)
        ).scalar()
        comment_ids = sorted(
            conn.execute(sa.select(t.comments.c.id).where(t.comments.c.workshop_id == workshop_id)).scalars()
        )
        comment_events = conn.execute(
            sa.select(sa.func.count()).where(t.events.c.workshop_id == workshop_id, t.events.c.kind == "comment.add")
        ).scalar()
        if svc.is_sqlite():
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    assert seqs == list(range(1, ws.event_seq + 1))  # no gaps, no half-written events
    assert versions == ws.version  # the version moved exactly with the log
    assert comment_ids == list(range(1, ws.comment_seq + 1))
    assert comment_events == len(comment_ids)  # every comment was logged, every logged comment is there


def test_fifty_participants_writing_at_once_lose_nothing(svc: WorkshopService) -> None:
    n_people, n_steps = 50, 10  # each person: 10 proposals + 10 comments = 20 writes
    created = svc.create_workshop("Rush", "", close_flow(n_steps), "Fran")
    people = [svc.join(created.join_code, f"Person {i}", FUNCTIONS[i % 5]) for i in range(n_people)]
    svc.set_phase(created.facilitator_token, Phase.VOTE)
    start_version = svc.version(created.workshop_id)
    barrier = threading.Barrier(n_people)
    errors: list[str] = []

    def work(i: int) -> None:
        token = people[i].token
        try:
            barrier.wait()
            for k in range(n_steps):
                svc.propose(token, f"S{k + 1}", TAGS[(i + k) % 3], f"reason {i}-{k}")
                svc.comment(token, "step", f"S{k + 1}", f"comment {i}-{k}")
        except Exception as exc:  # every failure is a finding; "database is locked" above all
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    state = svc.state(created.facilitator_token)
    assert state.version == start_version + n_people * 2 * n_steps
    assert len(state.proposals) == n_people * n_steps
    assert {(p.participant_name, p.step_id, p.rationale) for p in state.proposals} == {
        (f"Person {i}", f"S{k + 1}", f"reason {i}-{k}") for i in range(n_people) for k in range(n_steps)
    }
    assert sorted(c.text for c in state.comments) == sorted(
        f"comment {i}-{k}" for i in range(n_people) for k in range(n_steps)
    )
    assert sorted(c.id for c in state.comments) == list(range(1, n_people * n_steps + 1))
    counts = Counter(e.kind for e in svc.history(created.facilitator_token, limit=10_000))
    assert (counts["proposal.set"], counts["comment.add"]) == (n_people * n_steps, n_people * n_steps)
    assert_consistent(svc, created.workshop_id)


def test_writers_in_separate_processes_queue_instead_of_failing(svc: WorkshopService, database_url: str) -> None:
    created = svc.create_workshop("Procs", "", close_flow(), "Fran")
    tokens = [svc.join(created.join_code, f"Proc {i}", "ops").token for i in range(4)]
    procs = [start_writer(database_url, token, 40, f"proc{i}") for i, token in enumerate(tokens)]
    for proc in procs:
        assert proc.stdout is not None and proc.stderr is not None
        lines = proc.stdout.read().splitlines()  # the same buffered reader that saw "ready"
        err = proc.stderr.read()
        assert proc.wait(timeout=300) == 0, err
        assert "database is locked" not in err
        assert len(lines) == 40
    texts = {c.text for c in svc.state(created.facilitator_token).comments}
    assert texts == {f"proc{i}-{k}" for i in range(4) for k in range(40)}
    assert_consistent(svc, created.workshop_id)


def test_a_writer_killed_mid_write_leaves_every_acknowledged_write(svc: WorkshopService, database_url: str) -> None:
    created = svc.create_workshop("Crash", "", close_flow(), "Fran")
    acknowledged: dict[int, str] = {}
    for round_ in range(3):
        token = svc.join(created.join_code, f"Victim {round_}", "finance").token
        proc = start_writer(database_url, token, 0, f"r{round_}")
        assert proc.stdout is not None
        for _ in range(25 + 7 * round_):  # kill at a different point each round
            number, text = proc.stdout.readline().split()
            acknowledged[int(number)] = text
        os.kill(proc.pid, signal.SIGKILL)  # no cleanup, no rollback by the client: mid-transaction
        proc.wait(timeout=30)
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    stored = {c.id: c.text for c in svc.state(created.facilitator_token).comments}
    assert {k: stored.get(k) for k in acknowledged} == acknowledged  # every acknowledged write is there
    assert_consistent(svc, created.workshop_id)
    after = svc.comment(created.facilitator_token, "step", "S1", "still writable")  # no lock left behind
    assert after.id == max(stored) + 1


def test_concurrent_edits_of_one_step_never_lose_an_update(svc: WorkshopService) -> None:
    """Stale refusals are expected here; what must not happen is a lost or half-applied write."""
    n_threads = 8
    created = svc.create_workshop("Edits", "", close_flow(), "Fran")
    people = [svc.join(created.join_code, f"Editor {i}", "finance").token for i in range(n_threads)]
    applied: list[tuple[int, float]] = []
    refused: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        for k in range(5):
            state = svc.state(people[i])
            s1 = state.flow.step("S1").model_copy(update={"touch_minutes": float(i * 100 + k)})
            try:
                svc.update_step(people[i], state.version, s1)
                with lock:
                    applied.append((i, float(i * 100 + k)))
            except StaleEdit:
                with lock:
                    refused.append(i)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(applied) + len(refused) == n_threads * 5 and applied
    updates = [e for e in svc.history(created.facilitator_token, limit=1000) if e.kind == "step.update"]
    assert len(updates) == len(applied)  # every accepted edit logged once, refused ones not at all
    for newer, older in itertools.pairwise(updates):
        assert newer.before == older.after  # each edit was based on the one before it: no lost update
    assert svc.state(created.facilitator_token).flow.step("S1").touch_minutes == updates[0].after["touch_minutes"]
    assert_consistent(svc, created.workshop_id)
