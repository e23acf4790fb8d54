"""Time of the Monte Carlo ranges: 1,000 draws (and the sensitivity) of the sales sample.

Target (issue 15): 1,000 draws of the sales sample <= 1 s. Prints the median of several
runs, wall and CPU time (the machine may be shared).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.impact import median_seconds
from redesign.impact.assess import assess
from redesign.impact.ranges import ranges
from redesign.samples import load_sample

DRAWS = 1000
TARGET_S = 1.0


def measure(runs: int = 5) -> dict[str, float]:
    flow = load_sample("sales_forecasting")
    impact = assess(flow, flow.scenarios[0])
    wall = median_seconds(lambda: ranges(flow, impact, draws=DRAWS), runs)
    cpu = median_seconds(lambda: ranges(flow, impact, draws=DRAWS), runs, clock=time.process_time)
    return {"wall": wall, "cpu": cpu}


def run(quick: bool = False) -> list[dict[str, object]]:
    m = measure(3 if quick else 5)
    return [
        {
            "figure": f"Monte Carlo ranges, {DRAWS:,} draws + sensitivity, sales sample",
            "value": f"{m['wall'] * 1000:,.0f} ms (CPU {m['cpu'] * 1000:,.0f} ms)",
            "target": "<= 1 s (wall or CPU)",
            "met": min(m["wall"], m["cpu"]) <= TARGET_S,
        }
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['figure']}: {row['value']} (target {row['target']}: {'met' if row['met'] else 'NOT met'})")
