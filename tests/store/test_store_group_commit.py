"""GroupCommit (threads only, no database): who leads, what a batch holds, and that nobody hangs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from redesign.store.group_commit import GroupCommit, Job


def wait_for(condition: Callable[[], bool], timeout: float = 10.0, what: Callable[[], object] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting {what()}")
        time.sleep(0.005)


class GatedRunner:
    """A run_batch that records each batch and holds the first one until `release`."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.first_started = threading.Event()
        self.gate = threading.Event()

    def __call__(self, jobs: list[Job[int]]) -> None:
        self.batches.append([job.work for job in jobs])
        if len(self.batches) == 1:
            self.first_started.set()
            self.gate.wait(10)
        for job in jobs:
            job.succeed(job.work * 10)


def submit_in_threads(group: GroupCommit[int], works: list[int]) -> tuple[list[threading.Thread], dict[int, object]]:
    results: dict[int, object] = {}

    def run(work: int) -> None:
        try:
            results[work] = group.submit(work)
        except Exception as exc:
            results[work] = exc

    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for thread in threads:
        thread.start()
    return threads, results


def test_a_lone_write_is_a_batch_of_one() -> None:
    seen: list[list[str]] = []

    def run(jobs: list[Job[str]]) -> None:
        seen.append([job.work for job in jobs])
        for job in jobs:
            job.succeed(job.work.upper())

    group = GroupCommit(run)
    assert group.submit("a") == "A"
    assert group.submit("b") == "B"
    assert seen == [["a"], ["b"]]
    assert (group.stats().batches, group.stats().jobs, group.stats().largest) == (2, 2, 1)


def gated_run(max_batch: int = 100) -> tuple[GatedRunner, GroupCommit[int], dict[int, object], dict[int, object]]:
    """Job 0 starts a batch that waits at the gate while jobs 1-20 queue; then the gate opens."""
    runner = GatedRunner()
    group = GroupCommit(runner, max_batch=max_batch)
    first, first_results = submit_in_threads(group, [0])
    assert runner.first_started.wait(10)
    rest, results = submit_in_threads(group, list(range(1, 21)))
    wait_for(lambda: group.stats().waiting == 20)
    runner.gate.set()
    for thread in first + rest:
        thread.join(10)
    return runner, group, first_results, results


def test_writes_arriving_during_a_batch_go_together_into_the_next() -> None:
    runner, group, first_results, results = gated_run()
    assert first_results == {0: 0}
    assert results == {w: w * 10 for w in range(1, 21)}
    assert runner.batches[0] == [0]
    assert sorted(runner.batches[1]) == list(range(1, 21))  # all twenty in one batch
    assert len(runner.batches) == 2
    assert group.stats().waiting == 0


def test_max_batch_splits_a_long_queue() -> None:
    runner, _, _, results = gated_run(max_batch=8)
    assert results == {w: w * 10 for w in range(1, 21)}
    assert [len(batch) for batch in runner.batches] == [1, 8, 8, 4]


def test_each_job_gets_its_own_outcome_errors_included() -> None:
    def run(jobs: list[Job[int]]) -> None:
        for job in jobs:
            if job.work % 2:
                job.fail(ValueError(f"odd {job.work}"))
            else:
                job.succeed(job.work)

    group = GroupCommit(run)
    assert group.submit(4) == 4
    with pytest.raises(ValueError, match="odd 3"):
        group.submit(3)


def test_a_job_the_batch_forgets_fails_instead_of_hanging() -> None:
    group = GroupCommit(lambda jobs: None)
    with pytest.raises(RuntimeError, match="not carried out"):
        group.submit(1)
    assert group.stats().waiting == 0


def test_a_batch_that_raises_fails_its_jobs_and_the_next_batch_still_runs() -> None:
    calls: list[list[int]] = []
    started, gate = threading.Event(), threading.Event()

    def run(jobs: list[Job[int]]) -> None:
        calls.append([job.work for job in jobs])
        if len(calls) == 1:
            started.set()
            gate.wait(10)
            raise OSError("disk gone")
        for job in jobs:
            job.succeed(job.work)

    group = GroupCommit(run)
    first, first_results = submit_in_threads(group, [0])
    assert started.wait(10)
    rest, results = submit_in_threads(group, [1, 2, 3])
    wait_for(lambda: group.stats().waiting == 3)
    gate.set()
    for thread in first + rest:
        thread.join(10)
    assert isinstance(first_results[0], OSError)
    assert results == {1: 1, 2: 2, 3: 3}  # the waiters were handed the lead, not left hanging


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError):
        GroupCommit(lambda jobs: None, max_batch=0)
