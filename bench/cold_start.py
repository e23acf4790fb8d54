"""Cold start: from starting the app process to the first full render in a browser.

The clock starts when `streamlit run app.py` is launched (a fresh process on a store
that already holds a seeded 60-step workshop, bench/live_app.py) and stops when a
Chromium page (Playwright, Debian Chromium, launched beforehand) shows the page fully
rendered: connected, the script finished, and the page's content visible. Two pages:
the start page (a facilitator arriving) and the workshop page of a participant coming
back with their link (what everyone reloads after a restart). Median of 3 starts each;
the time until the health check answered is shown too.

Run from the repo root: .venv/bin/python bench/cold_start.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, sync_playwright

from bench.live_app import seeded_workshop
from tests.app_server import CHROMIUM, CHROMIUM_ARGS, start_app

Row = dict[str, object]


def one_start(browser: Browser, url: str, folder: Path, path: str, ready_text: str) -> tuple[float, float]:
    """Seconds from process start to health OK, and to the page fully rendered."""
    started = time.monotonic()
    server = start_app(url, folder)
    healthy = time.monotonic() - started
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{server.url}/{path}")
        page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
        page.get_by_text(ready_text).first.wait_for()
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
        rendered = time.monotonic() - started
        context.close()
    finally:
        server.stop()
    return healthy, rendered


def run(quick: bool = False, runs: int | None = None) -> list[Row]:
    runs = runs or (2 if quick else 3)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="crossflow-bench-") as folder, sync_playwright() as pw:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        ws = seeded_workshop(url, 60, idle=1)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = [
                ("start page", "", "Start workshop"),
                ("workshop page, 60 steps, participant", f"workshop?t={ws.idle[0]}", "Your proposals"),
            ]
            for label, path, ready in pages:
                times = [one_start(browser, url, Path(folder), path, ready) for _ in range(runs)]
                health = statistics.median(t[0] for t in times)
                render = statistics.median(t[1] for t in times)
                rows.append(
                    {
                        "figure": f"cold start to first full render, {label} (median of {runs})",
                        "value": f"{render:.1f} s (health check answers after {health:.1f} s)",
                        "seconds": render,
                        "target": "reported",
                        "met": None,
                    }
                )
                print(f"  {rows[-1]['figure']}: {rows[-1]['value']}", file=sys.stderr, flush=True)
        finally:
            browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    for row in run(runs=args.runs):
        print(f"{row['figure']:<72} {row['value']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
