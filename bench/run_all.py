"""Run every benchmark in bench/ and write the figures to docs/benchmarks.md.

Each benchmark module exposes `run() -> list[dict]`: rows with the keys figure, value,
target and met (True, False or None when there is no target). `run(quick=True)` is
passed when the function takes `quick`. Every module runs in its own process (a
benchmark's servers, threads and caches cannot skew the next one's timings), one after
the other; a module that fails or has no `run()` gets a row saying so, and the others
still run.

    .venv/bin/python -m bench                 # everything -> docs/benchmarks.md
    .venv/bin/python -m bench --quick         # fewer runs, shorter windows
    .venv/bin/python -m bench --only ui,memory [--out path.md]
    .venv/bin/python -m bench --list
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import inspect
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
HELPERS = {"__init__", "__main__", "run_all", "synthetic", "live_app", "st_client"}
"""Modules in bench/ that are not benchmarks themselves."""
TIMEOUT_S = 30 * 60


@dataclass
class Outcome:
    name: str
    rows: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""


def discover() -> list[str]:
    return sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in HELPERS and not p.stem.startswith("_"))


# --------------------------------------------------------------------------- one module, in a child process


def child(name: str, out: Path, quick: bool) -> int:
    """Import bench.<name>, call its run() and write the rows as JSON to `out`."""
    sys.path.insert(0, str(ROOT))
    module = importlib.import_module(f"bench.{name}")
    run = getattr(module, "run", None)
    if run is None:
        raise SystemExit(f"bench/{name}.py has no run() -> list[dict]; it only prints its figures")
    takes_quick = "quick" in inspect.signature(run).parameters
    rows = run(quick=quick) if takes_quick else run()
    out.write_text(json.dumps(rows, default=str))
    return 0


def run_module(name: str, quick: bool, timeout: float = TIMEOUT_S) -> Outcome:
    outcome = Outcome(name)
    with tempfile.TemporaryDirectory(prefix="crossflow-bench-run-") as folder:
        out = Path(folder) / "rows.json"
        command = [sys.executable, "-m", "bench.run_all", "--child", name, "--rows-to", str(out)]
        if quick:
            command.append("--quick")
        started = time.monotonic()
        # The child's output goes straight to ours, so figures show as they come; the
        # tail of its stderr is kept to say why it failed.
        process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        tail: deque[str] = deque(maxlen=20)
        try:
            assert process.stderr is not None
            for line in process.stderr:
                sys.stderr.write(line)
                sys.stderr.flush()
                if line.strip():
                    tail.append(line.strip())
            returncode = process.wait()
        finally:
            watchdog.cancel()
        if time.monotonic() - started >= timeout:
            outcome.error = f"did not finish in {timeout / 60:.0f} min"
        elif returncode != 0:
            outcome.error = f"exit code {returncode}: {(tail[-1] if tail else 'no message')[:300]}"
        elif out.exists():
            outcome.rows = json.loads(out.read_text())
        outcome.seconds = time.monotonic() - started
    return outcome


# --------------------------------------------------------------------------- the report


def machine() -> dict[str, str]:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    try:
        from importlib.metadata import version

        streamlit = version("streamlit")
    except Exception:  # the report must not fail for want of a version string
        streamlit = "?"
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Streamlit": streamlit,
    }


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _met(value: object) -> str:
    return {True: "✅ yes", False: "❌ no"}.get(value, "—")  # type: ignore[call-overload]


def render(outcomes: list[Outcome], quick: bool, started: dt.datetime, load: tuple[float, float]) -> str:
    info = machine()
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `python -m bench{' --quick' if quick else ''}` on {started:%Y-%m-%d %H:%M} "
        f"(UTC{started:%z}); {sum(o.seconds for o in outcomes) / 60:.0f} min in all. "
        "Regenerate with `.venv/bin/python -m bench`.",
        "",
        "**Machine:** "
        + "; ".join(f"{k} {v}" for k, v in info.items())
        + f". Load average {load[0]:.1f} at the start, {load[1]:.1f} at the end.",
        "",
        "> Note: this machine may be shared with other people's tests and servers, which "
        "inflates wall times (CPU times much less). Treat figures from a busy machine as "
        "indicative; compare runs on the same quiet machine.",
        "",
        "| Benchmark | Figure | Value | Target | Met? |",
        "|---|---|---|---|---|",
    ]
    for o in outcomes:
        if o.error and not o.rows:
            lines.append(f"| {o.name} | (did not run) | {_cell(o.error)} | | — |")
        for row in o.rows:
            lines.append(
                f"| {o.name} | {_cell(row.get('figure', '?'))} | {_cell(row.get('value', ''))} "
                f"| {_cell(row.get('target', '') or '')} | {_met(row.get('met'))} |"
            )
    missed = [(o.name, r["figure"]) for o in outcomes for r in o.rows if r.get("met") is False]
    lines += [
        "",
        f"Targets met: {sum(1 for o in outcomes for r in o.rows if r.get('met') is True)}, missed: {len(missed)}.",
    ]
    lines += ["", "## What each benchmark measures", ""]
    for o in outcomes:
        lines.append(
            f"- **{o.name}** ({o.seconds:.0f} s): {_summary(o.name)}" + (f" Error: {o.error}" if o.error else "")
        )
    return "\n".join(lines) + "\n"


def _summary(name: str) -> str:
    """The first paragraph of the module's docstring, without importing it."""
    import ast

    try:
        doc = ast.get_docstring(ast.parse((BENCH / f"{name}.py").read_text())) or ""
    except (OSError, SyntaxError):
        return ""
    return " ".join(doc.split("\n\n")[0].split())


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and shorter windows in every benchmark")
    parser.add_argument("--only", help="comma-separated benchmark names (see --list)")
    parser.add_argument(
        "--out",
        type=Path,
        help=f"Markdown file to write (default {DOC.relative_to(ROOT)}; "
        "with --only, nothing is written unless --out is given)",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds per benchmark")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rows-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.rows_to, args.quick)
    names = discover()
    if args.list:
        print("\n".join(f"{n:<14} {_summary(n)[:100]}" for n in names))
        return 0
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        names = wanted
    started = dt.datetime.now().astimezone()
    load0 = os.getloadavg()[0]
    outcomes = []
    for name in names:
        print(f"== {name}", file=sys.stderr, flush=True)
        outcomes.append(run_module(name, args.quick, args.timeout))
        o = outcomes[-1]
        print(
            f"== {name}: {len(o.rows)} figures in {o.seconds:.0f} s{'; ' + o.error if o.error else ''}",
            file=sys.stderr,
            flush=True,
        )
    text = render(outcomes, args.quick, started, (load0, os.getloadavg()[0]))
    out = args.out or (None if args.only else DOC)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"wrote {out}", file=sys.stderr)
    print(text)
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
