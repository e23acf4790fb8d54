"""App server memory (RSS) with 1, 10 and 50 idle sessions on the workshop page.

The real app (`streamlit run app.py`) on a seeded 60-step workshop (bench/live_app.py);
each session is a different participant on the workshop page, driven by the websocket
client (bench/st_client.py) with its poll timer running, as an idle browser tab. RSS is
read after every session has had its first run and two poll intervals have passed.
The per-session figure is the slope between 10 and 50 sessions (what one more person
costs once the server's shared caches are warm).

Run from the repo root: .venv/bin/python bench/memory.py [--steps 60]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live_app import ServerCpu, live_app
from bench.ui import DEFAULT_POLL_S, add_sessions, idle_sessions

COUNTS = (1, 10, 50)
Row = dict[str, object]


def settled_rss(cpu: ServerCpu, wait_s: float, samples: int = 5) -> float:
    """RSS in MiB after `wait_s`, the median of a few readings a second apart (ticks come and go)."""
    time.sleep(wait_s)
    readings = []
    for _ in range(samples):
        readings.append(cpu.rss_mib())
        time.sleep(1)
    return sorted(readings)[len(readings) // 2]


def run(quick: bool = False, steps: int = 60) -> list[Row]:
    rows: list[Row] = []
    with live_app(steps, idle=max(COUNTS)) as (server, ws):
        cpu = ServerCpu(server.process.pid)
        rss: dict[int, float] = {0: settled_rss(cpu, 1, samples=3)}
        with idle_sessions(server, []) as sessions:
            for n in COUNTS:
                add_sessions(server, ws.idle[len(sessions) : n], sessions)
                rss[n] = settled_rss(cpu, DEFAULT_POLL_S * 2, samples=3 if quick else 5)
                print(f"  {n} sessions: {rss[n]:.0f} MiB", file=sys.stderr, flush=True)
    per_session = (rss[50] - rss[10]) / 40
    rows.append(
        {
            "figure": "app server RSS, no session yet (after start)",
            "value": f"{rss[0]:.0f} MiB",
            "target": "",
            "met": None,
        }
    )
    for n in COUNTS:
        rows.append(
            {
                "figure": f"app server RSS, {n} idle session{'s' if n > 1 else ''} ({steps}-step workshop)",
                "value": f"{rss[n]:.0f} MiB",
                "mib": rss[n],
                "target": "",
                "met": None,
            }
        )
    rows.append(
        {
            "figure": "app server memory per idle session (slope 10 -> 50 sessions)",
            "value": f"{per_session:.2f} MiB (1 -> 10: {(rss[10] - rss[1]) / 9:.2f} MiB)",
            "mib": per_session,
            "target": "reported",
            "met": None,
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    for row in run(args.quick, args.steps):
        print(f"{row['figure']:<66} {row['value']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
