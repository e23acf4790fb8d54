"""Write throughput and latency of the workshop store with many participants at once.

For SQLite (a temp file) and PostgreSQL (a throwaway server started with
tests/pg_server.py, fsync on so commits are honest), with 10 and 50 participants
in one workshop, each participant writes 20 times (proposals and comments
alternating, as in a vote), in two modes:

- burst: everyone writes back to back with no pause (a closed loop; the worst case,
  far harsher than people clicking);
- paced: each person pauses a random think time (exponential, mean 200 ms) between
  writes: 50 people then offer ~250 writes/s, still a rush no real room produces.

Latency is measured around each service call (the whole transaction, including
waiting for other writers). Concurrent proposals and comments share a commit
(redesign/store/group_commit.py); "per commit" is the mean number of writes per
transaction. "lost" compares what the store holds afterwards with
the writes that were acknowledged. Each figure is the median of RUNS runs.

Run from the repo root: .venv/bin/python bench/concurrency.py [--runs 3] [--no-pg]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redesign.model import Flow, Handoff, Step, Tag, default_functions
from redesign.store.service import WorkshopService
from redesign.workshop import Phase
from tests.pg_server import PgUnavailable, start_pg_server

WRITES_PER_PERSON = 20
THINK_MEAN_S = 0.2
TAGS = (Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE)
FUNCTIONS = ("finance", "ops", "sales", "hr", "it")


def bench_flow(n_steps: int = 20) -> Flow:
    return Flow(
        id="bench",
        name="Bench flow",
        functions=default_functions(),
        steps=[Step(id=f"S{i}", name=f"Step {i}", function=FUNCTIONS[i % 5]) for i in range(1, n_steps + 1)],
        handoffs=[Handoff(id=f"H{i}", source=f"S{i}", target=f"S{i + 1}") for i in range(1, n_steps)],
    )


@dataclass
class Run:
    writes: int
    seconds: float
    latencies_ms: list[float]
    lost: int
    errors: int
    batches: int  # transactions the writes were grouped into

    @property
    def mean_batch(self) -> float:
        return self.writes / self.batches if self.batches else 0.0

    @property
    def throughput(self) -> float:
        return self.writes / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def one_run(svc: WorkshopService, n_people: int, paced: bool, seed: int) -> Run:
    created = svc.create_workshop("Bench", "", bench_flow(), "Fran")
    people = [svc.join(created.join_code, f"P{i}", FUNCTIONS[i % 5]).token for i in range(n_people)]
    svc.set_phase(created.facilitator_token, Phase.VOTE)
    batches_before = svc.contribution_batches.batches
    latencies: list[float] = []
    errors: list[str] = []
    acknowledged = [0, 0]  # proposals, comments
    lock = threading.Lock()
    barrier = threading.Barrier(n_people + 1)

    def participant(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        mine: list[float] = []
        done = [0, 0]
        barrier.wait()
        for k in range(WRITES_PER_PERSON):
            if paced:
                time.sleep(rng.expovariate(1 / THINK_MEAN_S))
            step = f"S{k // 2 + 1}"
            start = time.perf_counter()
            try:
                if k % 2 == 0:
                    svc.propose(people[i], step, TAGS[(i + k) % 3], f"because {i}-{k}")
                else:
                    svc.comment(people[i], "step", step, f"note {i}-{k}")
                done[k % 2] += 1
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            acknowledged[0] += done[0]
            acknowledged[1] += done[1]

    threads = [threading.Thread(target=participant, args=(i,)) for i in range(n_people)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    state = svc.state(created.facilitator_token)
    lost = (acknowledged[0] - len(state.proposals)) + (acknowledged[1] - len(state.comments))
    if errors:
        print(f"  errors: {errors[:3]}", file=sys.stderr)
    batches = svc.contribution_batches.batches - batches_before
    return Run(sum(acknowledged), seconds, latencies, lost, len(errors), batches)


def measure(label: str, url: str, runs: int) -> list[tuple[str, int, str, float, float, float, int, int, float]]:
    rows = []
    svc = WorkshopService.from_url(url)
    try:
        one_run(svc, 5, paced=False, seed=0)  # warm up: pools, caches, JIT-free but import-heavy paths
        for n_people in (10, 50):
            for paced in (False, True):
                results = [one_run(svc, n_people, paced, seed) for seed in range(1, runs + 1)]
                rows.append(
                    (
                        label,
                        n_people,
                        "paced" if paced else "burst",
                        statistics.median(r.throughput for r in results),
                        statistics.median(r.percentile(0.50) for r in results),
                        statistics.median(r.percentile(0.95) for r in results),
                        sum(r.lost for r in results),
                        sum(r.errors for r in results),
                        statistics.median(r.mean_batch for r in results),
                    )
                )
                print(f"  done: {label} {n_people} {'paced' if paced else 'burst'}", file=sys.stderr, flush=True)
    finally:
        svc.dispose()
    return rows


def measure_all(runs: int, postgres: bool = True) -> list[tuple[str, int, str, float, float, float, int, int, float]]:
    """SQLite on a temp file, then PostgreSQL on a throwaway server when it starts (and is wanted)."""
    measured = []
    with tempfile.TemporaryDirectory(prefix="crossflow-bench-") as tmp:
        measured += measure("SQLite", f"sqlite:///{tmp}/bench.db", runs)
    if not postgres:
        return measured
    try:
        server = start_pg_server(fsync=True)
    except PgUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
    else:
        try:
            measured += measure("PostgreSQL", server.create_database("crossflow_bench"), runs)
        finally:
            server.stop()
    return measured


def run(quick: bool = False) -> list[dict[str, object]]:
    """Rows for `python -m bench` (figure, value, target, met): SQLite and, when it starts, PostgreSQL."""
    measured = measure_all(1 if quick else 3)
    return [
        {
            "figure": f"store writes, {label}, {n} people, {mode}",
            "value": f"p95 {p95:.1f} ms (p50 {p50:.1f} ms, {tput:.0f} writes/s, {batch:.1f} writes per commit, "
            f"lost {lost}, errors {errors})",
            "target": "p95 <= 100 ms, 0 lost",
            "met": p95 <= 100 and lost == 0,
        }
        for label, n, mode, tput, p50, p95, lost, errors, batch in measured
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    rows = measure_all(args.runs, postgres=not args.no_pg)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nWrites per participant: {WRITES_PER_PERSON}; median of {args.runs} runs; target p95 <= 100 ms, 0 lost.")
    print(f"Machine: {os.cpu_count()} cores, load average {load} (1/5/15 min) at the end of the run.")
    columns = ("database", "people", "mode", "writes/s", "p50 ms", "p95 ms", "lost", "errors", "per commit")
    header = "{:<11} {:>6} {:<6} {:>9} {:>7} {:>7} {:>5} {:>6} {:>10}".format(*columns)
    print(header)
    print("-" * len(header))
    for label, n, mode, tput, p50, p95, lost, errors, batch in rows:
        print(f"{label:<11} {n:>6} {mode:<6} {tput:>9.0f} {p50:>7.1f} {p95:>7.1f} {lost:>5} {errors:>6} {batch:>10.1f}")


if __name__ == "__main__":
    main()
