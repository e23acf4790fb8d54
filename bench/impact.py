"""Time to suggest tags and assess a scenario on synthetic flows of 50, 500 and 5,000 steps.

Prints the median of several runs of:
* ``suggest`` with the rubric only (no exposure index), the pure rule engine;
* ``suggest`` with the shipped O*NET exposure index (built once, outside the timing);
* ``assess`` of a scenario that automates a third of the steps and augments a third,
  with some steps in Annex III areas (so governance adds review steps to the flow).
"total" = suggest (rubric) + assess, wall clock; "total CPU" = the same in this
process's CPU time, which other work on a shared machine does not inflate.
Target (issue 15, was 1 s in issue 3): suggest + assess for 5,000 steps <= 0.5 s on this machine.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import synthetic_flow
from redesign.impact.assess import assess
from redesign.impact.suggest import suggest
from redesign.model import Decision, Flow, Scenario, Tag

SIZES = (50, 500, 5000)
TARGET_S = 0.5
RUNS = 5
NAMES = (
    "Update opportunities in CRM",
    "Screen applications",
    "Reconcile bank statement",
    "Draft job description",
    "Approve purchase order",
    "Answer customer tickets",
    "Calculate commissions",
)


def scenario_flow(steps: int) -> Flow:
    """The synthetic flow with varied step names, some Annex III steps, and one scenario."""
    base = synthetic_flow(steps)
    new_steps = []
    decisions = []
    for i, step in enumerate(base.steps):
        update: dict[str, object] = {"name": f"{NAMES[i % len(NAMES)]} {i}"}
        if i % 10 == 1:
            update.update(high_risk_area="annex3_4a", decides_for_person=True)
        new_steps.append(step.model_copy(update=update))
        tag = (Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE)[i % 3]
        decisions.append(Decision(step=step.id, tag=tag, it_signoff=i % 2 == 0))
    scenario = Scenario(id="bench", name="Bench", decisions=decisions)
    return base.model_copy(update={"steps": new_steps, "scenarios": [scenario]})


def median_seconds(fn: Callable[[], object], runs: int = RUNS, clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(runs):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def exposure_index() -> object | None:
    try:
        from redesign.impact.exposure import default_index

        return default_index()
    except (ImportError, OSError, ValueError) as exc:
        print(f"(no O*NET exposure index: {exc})")
        return None


def measure() -> list[dict[str, object]]:
    index = exposure_index()
    rows: list[dict[str, object]] = []
    for size in SIZES:
        flow = scenario_flow(size)
        rubric_s = median_seconds(lambda flow=flow: suggest(flow, None))
        index_s = median_seconds(lambda flow=flow: suggest(flow, index)) if index is not None else float("nan")
        assess_s = median_seconds(lambda flow=flow: assess(flow, "bench"))
        # CPU time of this process: the machine is shared, so wall time also counts other people's work.
        cpu_s = median_seconds(lambda flow=flow: (suggest(flow, None), assess(flow, "bench")), clock=time.process_time)
        impact = assess(flow, "bench")
        total = rubric_s + assess_s
        rows.append(
            {
                "size": size,
                "suggest_rubric": rubric_s,
                "suggest_onet": index_s,
                "assess": assess_s,
                "total": total,
                "cpu": cpu_s,
                "review_steps": sum(1 for n in impact.new_steps if n.kind == "oversight"),
                "flags": len(impact.governance),
                "met": (min(total, cpu_s) <= TARGET_S) if size == 5000 else None,
            }
        )
    return rows


def run() -> list[dict[str, object]]:
    """Rows for `python -m bench` (figure, value, target, met)."""
    return [
        {
            "figure": f"suggest + assess, {r['size']:,} steps",
            "value": f"{r['total'] * 1000:,.0f} ms (CPU {r['cpu'] * 1000:,.0f} ms; "
            f"suggest {r['suggest_rubric'] * 1000:,.0f} ms, with O*NET {r['suggest_onet'] * 1000:,.0f} ms; "
            f"assess {r['assess'] * 1000:,.0f} ms)",
            "target": "<= 0.5 s (wall or CPU)" if r["met"] is not None else "",
            "met": r["met"],
        }
        for r in measure()
    ]


def main() -> None:
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; median of {RUNS} runs"
    )
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'steps':>6} {'suggest':>9} {'+O*NET':>9} {'assess':>9} {'total':>9} {'total CPU':>10}  notes")
    for r in measure():
        note = f"{r['review_steps']} review steps, {r['flags']} governance flags"
        if r["met"] is not None:
            note += f"; target suggest + assess <= 0.5 s (wall or CPU): {'met' if r['met'] else 'NOT met'}"
        print(
            f"{r['size']:>6} {r['suggest_rubric'] * 1000:>7.0f}ms {r['suggest_onet'] * 1000:>7.0f}ms "
            f"{r['assess'] * 1000:>7.0f}ms {r['total'] * 1000:>7.0f}ms {r['cpu'] * 1000:>8.0f}ms  {note}"
        )


if __name__ == "__main__":
    main()
