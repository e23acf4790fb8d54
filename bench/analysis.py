"""Time to build and analyse synthetic flows of 50, 500 and 5,000 steps.

Prints the median of several runs of: validating the document into a Flow, and
`redesign.metrics.analyze` (graph, loops, critical path, break points and reach).
Target (issue 2): 5,000 steps under 1 s on a 2-core machine.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import synthetic_flow
from redesign.io.flow_json import dumps, loads
from redesign.metrics import analyze

SIZES = (50, 500, 5000)
RUNS = 5


def _median_seconds(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> list[dict[str, object]]:
    rows = []
    for size in SIZES:
        text = dumps(synthetic_flow(size))
        flow = loads(text)
        load_s = _median_seconds(lambda text=text: loads(text))
        analyze_s = _median_seconds(lambda flow=flow: analyze(flow))
        total = load_s + analyze_s
        rows.append(
            {
                "figure": f"load+validate+analyse, {size} steps",
                "value": f"{total * 1000:.0f} ms (load {load_s * 1000:.0f} ms, analyse {analyze_s * 1000:.0f} ms)",
                "seconds": total,
                "target": "< 1 s" if size == 5000 else "",
                "met": (total < 1.0) if size == 5000 else None,
            }
        )
    return rows


if __name__ == "__main__":
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores; median of {RUNS} runs"
    )
    for row in run():
        print(f"{row['figure']:<40} {row['value']:<45} {row['target']}")
