"""Time of every export for the sales-forecasting workshop and for a synthetic 500-step flow.

Each figure is the median of 3 runs of `redesign.report.exports.export` (assessment,
summary and rendering included), after one warm-up export that loads the libraries.
A measurement whose first run takes longer than `SLOW_SECONDS` is not repeated, so
the script stays within a couple of minutes; the table says "1 run" then.
Target (issue 6): PDF and PPTX of the sample under 3 s.
Scaling (issue 13): the summaries of synthetic flows of 1,000, 5,000 and 10,000
steps, each the median of 3 runs too (one run when the first takes longer than
`SLOW_SECONDS`), shown to the hundredth of a second: a single run of a 0.1 s export
is mostly noise, and the ratio below is taken from these figures. Linear means the
10,000-step time is at most about ten times the 1,000-step time (the target allows
12x for noise).

Each scaling point (format, size) runs in a fresh Python process, after a warm-up
export of the sample in that format. In one process the points disturbed each other:
the 10,000-step Markdown export ran after the 10,000-step PowerPoint, PDF and HTML
ones, whose leftovers (hundreds of MB of freed and still-cyclic objects) made its
allocations land in scattered memory. Measured on 2026-12-04: Markdown at 10,000
steps 2.2 s in a fresh process, 2.7 s right after an HTML export of the same flow and
a full collection, while the 1,000-step point barely moves (its predecessors leave
little behind). A profile of both sizes shows no function whose time grows faster
than the flow (the largest excess over 10x the 1,000-step time is 0.09 s of 6.6 s).

Run from the repo root: ``.venv/bin/python bench/exports.py``
"""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import synthetic_flow
from redesign.model import Decision, Flow, Scenario, Tag
from redesign.report.exports import FORMATS, ExportResult, export
from redesign.report.record import WorkshopRecord, record_from_workshop
from redesign.samples import load_sample
from redesign.workshop import Participant, ProposalOut

RUNS = 3
SLOW_SECONDS = 15.0
TARGET_SECONDS = 3.0
SYNTHETIC_STEPS = 500
SCALING_STEPS = (1_000, 5_000, 10_000)
SCALING_FORMATS = ("pptx", "pdf", "html", "md")
LINEAR_FACTOR = 12.0


def sample_workshop() -> tuple[Flow, str, WorkshopRecord]:
    """The sales-forecasting sample, its "Ambitious" scenario, and a record of six people voting."""
    flow = load_sample("sales_forecasting")
    at = datetime(2026, 5, 4, 9, tzinfo=UTC)
    people = [
        Participant(id=f"p{i}", workshop_id="w", name=name, function=fn, is_facilitator=fn == "", joined_at=at)
        for i, (name, fn) in enumerate(
            [("Ana", "sales"), ("Ben", "it"), ("Chloé", "finance"), ("Dev", "sales"), ("Eve", "hr"), ("Fran", "")]
        )
    ]
    tags = [Tag.AUTOMATE, Tag.AUGMENT, Tag.HUMAN]
    proposals = [
        ProposalOut(
            participant_id=p.id,
            participant_name=p.name,
            function=p.function,
            step_id=step.id,
            tag=tags[(i + j) % 3],
            rationale="",
            at=at,
        )
        for i, p in enumerate(people[:5])
        for j, step in enumerate(flow.steps)
    ]
    scenario = flow.scenario("Ambitious")
    record = record_from_workshop(
        "Forecasting redesign", "Cut the forecast cycle.", flow, people, proposals, scenario.decisions, date(2026, 5, 4)
    )
    return flow, "Ambitious", record


def synthetic_with_decisions(steps: int) -> Flow:
    """`synthetic_flow(steps)` with one scenario deciding 30% of the steps (automate, augment, human in turn)."""
    flow = synthetic_flow(steps)
    tags = [Tag.AUTOMATE, Tag.AUGMENT, Tag.HUMAN]
    decisions = [
        Decision(step=s.id, tag=tags[(i // 10) % 3], owner=s.owner, it_signoff=i % 20 == 0)
        for i, s in enumerate(flow.steps)
        if i % 10 in (0, 3, 6)
    ]
    scenario = Scenario(id="redesign", name="Redesign", decisions=decisions)
    return flow.model_copy(update={"scenarios": [scenario]})


def timed(fn: Callable[[], ExportResult]) -> tuple[float, int, int]:
    """Median seconds of up to RUNS exports, how many runs were made, and the file size in bytes."""
    times: list[float] = []
    size = 0
    for _ in range(RUNS):
        start = time.perf_counter()
        size = len(fn().data)
        times.append(time.perf_counter() - start)
        if times[0] > SLOW_SECONDS:
            break
    return statistics.median(times), len(times), size


def measure() -> list[tuple[str, float, int, float, int, int]]:
    flow, scenario, record = sample_workshop()
    big = synthetic_with_decisions(SYNTHETIC_STEPS)
    decided = len(big.scenarios[0].decisions)
    print(f"sample: {flow.name}, {len(flow.steps)} steps, scenario {scenario}, {len(record.participants)} people")
    print(f"synthetic: {len(big.steps)} steps, {len(big.handoffs)} hand-offs, {decided} decisions ({decided / 5:.0f}%)")
    rows = []
    for fmt in FORMATS:
        export(flow, fmt, scenario, record)  # warm-up: imports and font loading
        small, _, small_size = timed(lambda fmt=fmt: export(flow, fmt, scenario, record))
        large, large_runs, large_size = timed(lambda fmt=fmt: export(big, fmt))
        rows.append((fmt, small, small_size, large, large_runs, large_size))
    return rows


def scaling_point(fmt: str, steps: int) -> tuple[float, int]:
    """Median seconds and number of runs of one export of a `steps`-step flow, after a warm-up."""
    flow, scenario, record = sample_workshop()
    export(flow, fmt, scenario, record)  # warm-up: imports and font loading, as in `measure`
    big = synthetic_with_decisions(steps)
    seconds, runs, _ = timed(lambda: export(big, fmt))
    return seconds, runs


def _in_fresh_process(fmt: str, steps: int) -> tuple[float, int]:
    """`scaling_point` in a new Python process (see the module's docstring for why)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--point", fmt, str(steps)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1])
    seconds, runs = json.loads(done.stdout.strip().splitlines()[-1])
    return float(seconds), int(runs)


def scaling() -> dict[str, dict[int, float]]:
    """Median seconds of an export (see `timed`) per format and flow size (SCALING_STEPS)."""
    times: dict[str, dict[int, float]] = {fmt: {} for fmt in SCALING_FORMATS}
    for steps in SCALING_STEPS:
        for fmt in SCALING_FORMATS:
            times[fmt][steps], runs = _in_fresh_process(fmt, steps)
            print(f"  {fmt} {steps:,} steps: {times[fmt][steps]:.2f} s ({runs} run)", file=sys.stderr, flush=True)
    return times


def _ratio(by_size: dict[int, float]) -> float:
    """The largest flow's time over the smallest's."""
    return by_size[SCALING_STEPS[-1]] / by_size[SCALING_STEPS[0]]


def _linear(by_size: dict[int, float]) -> bool:
    return _ratio(by_size) <= LINEAR_FACTOR  # 10x the steps: at most 12x the time


def scaling_rows(times: dict[str, dict[int, float]]) -> list[dict[str, object]]:
    return [
        {
            "figure": f"export {fmt}, {' / '.join(f'{n // 1000}k' for n in SCALING_STEPS)} steps",
            "value": " / ".join(f"{by_size[n]:.2f} s" for n in SCALING_STEPS) + f" ({_ratio(by_size):.1f}x)",
            "target": f"10k <= {LINEAR_FACTOR:.0f}x 1k (linear)",
            "met": _linear(by_size),
        }
        for fmt, by_size in times.items()
    ]


def run() -> list[dict[str, object]]:
    """Rows for `python -m bench` (figure, value, target, met)."""
    rows: list[dict[str, object]] = []
    for fmt, small, small_size, large, large_runs, large_size in measure():
        gated = fmt in ("pdf", "pptx")
        rows.append(
            {
                "figure": f"export {fmt}, sales-forecasting sample",
                "value": f"{small:.2f} s ({small_size / 1e3:,.0f} kB)",
                "target": f"< {TARGET_SECONDS:.0f} s" if gated else "",
                "met": (small < TARGET_SECONDS) if gated else None,
            }
        )
        runs = "" if large_runs == RUNS else f", {large_runs} run"
        rows.append(
            {
                "figure": f"export {fmt}, {SYNTHETIC_STEPS} steps",
                "value": f"{large:.2f} s ({large_size / 1e3:,.0f} kB{runs})",
                "target": "",
                "met": None,
            }
        )
    return rows + scaling_rows(scaling())


def main() -> None:
    print(f"Export times, median of {RUNS} runs after a warm-up ({platform.python_version()}, {platform.machine()})")
    rows = measure()
    print()
    print(f"| format  | sample (s) | sample size | {SYNTHETIC_STEPS} steps (s)   | {SYNTHETIC_STEPS}-step size |")
    print("|---------|-----------:|------------:|-----------------:|--------------:|")
    for fmt, small, small_size, large, large_runs, large_size in rows:
        note = "" if large_runs == RUNS else f"({large_runs} run)"
        print(
            f"| {fmt:7} | {small:10.2f} | {small_size / 1e3:8,.0f} kB | {large:7.2f} {note:>8} "
            f"| {large_size / 1e3:10,.0f} kB |"
        )
    slow = [f for f, small, *_ in rows if f in ("pdf", "pptx") and small >= TARGET_SECONDS]
    verdict = "met" if not slow else f"MISSED for {', '.join(slow)}"
    print(f"\nTarget: PDF and PPTX of the sample under {TARGET_SECONDS:.0f} s: {verdict}.")
    times = scaling()
    print(f"\n| format | {' | '.join(f'{n:,} steps (s)' for n in SCALING_STEPS)} | ratio | linear |")
    print("|--------|" + "------------------:|" * len(SCALING_STEPS) + "------:|--------|")
    for fmt, by_size in times.items():
        cells = " | ".join(f"{by_size[n]:18.2f}" for n in SCALING_STEPS)
        print(f"| {fmt:6} | {cells} | {_ratio(by_size):4.1f}x | {'yes' if _linear(by_size) else 'NO':6} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--point"]:
        print(json.dumps(scaling_point(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
