"""BPMN import speed: Crossflow's importer against pm4py's read_bpmn on the interop corpus.

Both read the same files (`../shared/interop/**/*.bpmn`) from disk, in one process
each, after one untimed pass to warm imports and caches. Then `repeat` passes over
all files alternate between the two (so a busy moment on a shared machine hits both
alike); a file's time is the median of its reads, and the figure is the median over
the files that both importers accept (pm4py fails on some, and keeps no
lanes, data or annotations, which Crossflow does).

pm4py is AGPL-licensed, so it is never a dependency of Crossflow: it lives in a
separate virtual environment, `.venv-bench-pm4py` (git-ignored), which this
benchmark creates on first use (`python -m venv .venv-bench-pm4py &&
.venv-bench-pm4py/bin/pip install pm4py==2.7.23.11`), and runs in a subprocess.
When it cannot be set up (offline, no pip), the benchmark says so and still
prints Crossflow's figures.

Run from the repo root: .venv/bin/python bench/bpmn_import.py [--repeat 5] [--no-install]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redesign.io.bpmn_import import import_bpmn
from redesign.validation import FlowInvalid

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "interop"
PM4PY_VENV = ROOT / ".venv-bench-pm4py"
PM4PY_PIN = "pm4py==2.7.23.11"
Row = dict[str, object]

# Runs inside pm4py's environment. First line in: the files (JSON); it answers with the
# warm-up result. Then each "pass" line in: one timed read of every file it accepts, out.
_PM4PY_WORKER = r"""
import json, sys, time
import pm4py
files = json.loads(sys.stdin.readline())
errors = {}
for path in files:  # the untimed warm-up pass (imports, caches)
    try:
        pm4py.read_bpmn(path)
    except Exception as exc:
        errors[path] = f"{type(exc).__name__}: {exc}"[:160]
print(json.dumps({"version": pm4py.__version__, "errors": errors}), flush=True)
for line in sys.stdin:
    times = {}
    for path in files:
        if path not in errors:
            started = time.perf_counter()
            pm4py.read_bpmn(path)
            times[path] = time.perf_counter() - started
    print(json.dumps(times), flush=True)
"""


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.bpmn"))


def crossflow_warm_up(files: list[Path]) -> dict[str, str]:
    """One untimed pass; the files Crossflow refuses, with why."""
    errors: dict[str, str] = {}
    for path in files:
        try:
            import_bpmn(path.read_bytes(), path.name)
        except FlowInvalid as exc:
            errors[str(path)] = str(exc)[:160]
    return errors


def crossflow_pass(files: list[Path], errors: dict[str, str]) -> dict[str, float]:
    """One timed read of every file Crossflow accepts, in seconds."""
    times: dict[str, float] = {}
    for path in files:
        if str(path) not in errors:
            started = time.perf_counter()
            import_bpmn(path.read_bytes(), path.name)
            times[str(path)] = time.perf_counter() - started
    return times


def pm4py_python(install: bool) -> tuple[Path | None, str]:
    """pm4py's interpreter, creating its venv when asked; (None, why) when unavailable."""
    python = PM4PY_VENV / "bin" / "python"
    if not python.exists() and install:
        print(f"  creating {PM4PY_VENV.name} with {PM4PY_PIN} (once)...", file=sys.stderr, flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PM4PY_VENV)], check=True, capture_output=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", PM4PY_PIN],
                check=True,
                capture_output=True,
                timeout=900,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return None, f"could not install {PM4PY_PIN} into {PM4PY_VENV.name}: {type(exc).__name__}"
    if not python.exists():
        return None, f"{PM4PY_VENV.name} does not exist (run without --no-install to create it)"
    check = subprocess.run([str(python), "-c", "import pm4py"], capture_output=True, text=True)
    if check.returncode != 0:
        return None, f"pm4py does not import in {PM4PY_VENV.name}"
    return python, ""


class Pm4pyWorker:
    """pm4py in its own interpreter, timing one pass over the files on request."""

    def __init__(self, python: Path, files: list[Path]) -> None:
        self.process = subprocess.Popen(
            [str(python), "-c", _PM4PY_WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        warm = json.loads(self._ask(json.dumps([str(f) for f in files])))
        self.version: str = warm["version"]
        self.errors: dict[str, str] = warm["errors"]

    def _ask(self, line: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("pm4py's worker stopped")
        return answer

    def one_pass(self) -> dict[str, float]:
        return json.loads(self._ask("pass"))

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(30)


def _medians(passes: list[dict[str, float]]) -> dict[str, float]:
    return {path: statistics.median(p[path] for p in passes) for path in passes[0]} if passes else {}


def _fastest(passes: list[dict[str, float]]) -> dict[str, float]:
    return {path: min(p[path] for p in passes) for path in passes[0]} if passes else {}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run(quick: bool = False, repeat: int | None = None, install: bool = True) -> list[Row]:
    repeat = repeat or (3 if quick else 7)
    files = corpus_files()
    if not files:
        return [{"figure": "BPMN import", "value": f"no corpus at {CORPUS}", "target": "", "met": None}]
    cf_errors = crossflow_warm_up(files)
    python, why = pm4py_python(install)
    worker: Pm4pyWorker | None = None
    if python is not None:
        try:
            worker = Pm4pyWorker(python, files)
        except (OSError, RuntimeError, ValueError) as exc:
            why = f"pm4py's worker failed: {exc}"
    # Passes alternate between the two, so a busy moment on a shared machine hits both alike.
    cf_passes: list[dict[str, float]] = []
    pm_passes: list[dict[str, float]] = []
    for _ in range(repeat):
        cf_passes.append(crossflow_pass(files, cf_errors))
        if worker is not None:
            try:
                pm_passes.append(worker.one_pass())
            except (OSError, RuntimeError, ValueError) as exc:
                why, worker = f"pm4py's worker failed: {exc}", None
    if worker is not None:
        worker.close()
    cf_times, pm_times = _medians(cf_passes), _medians(pm_passes)
    pm_errors: dict[str, str] = worker.errors if worker is not None else {}
    version = worker.version if worker is not None else "?"
    both = [str(f) for f in files if str(f) in cf_times and str(f) in pm_times]

    print(f"\n{len(files)} files in {CORPUS}; {repeat} alternating passes, median per file", file=sys.stderr)
    if pm_times:
        print(f"{'file':<58} {'Crossflow':>11} {'pm4py':>11}", file=sys.stderr)
        for path in both:
            name = str(Path(path).relative_to(CORPUS))
            print(f"{name:<58} {_ms(cf_times[path]):>11} {_ms(pm_times[path]):>11}", file=sys.stderr)
        for path, error in pm_errors.items():
            print(f"  pm4py refuses {Path(path).name}: {error}", file=sys.stderr)
    else:
        print(f"pm4py unavailable: {why}; Crossflow's figures only", file=sys.stderr)
    for path, error in cf_errors.items():
        print(f"  Crossflow refuses {Path(path).name}: {error}", file=sys.stderr)

    rows: list[Row] = []
    cf_all = statistics.median(cf_times.values()) if cf_times else float("nan")
    rows.append(
        {
            "figure": f"BPMN import, Crossflow, median per file ({len(cf_times)} of {len(files)} corpus files)",
            "value": _ms(cf_all),
            "target": "",
            "met": None,
        }
    )
    if not both:
        rows.append(
            {"figure": "BPMN import, pm4py read_bpmn", "value": f"not measured: {why}", "target": "", "met": None}
        )
        return rows
    cf_median = statistics.median(cf_times[p] for p in both)
    pm_median = statistics.median(pm_times[p] for p in both)
    rows.append(
        {
            "figure": f"BPMN import, Crossflow, median per file ({len(both)} files both accept)",
            "value": _ms(cf_median),
            "target": f"<= pm4py's {_ms(pm_median)}",
            "met": cf_median <= pm_median,
        }
    )
    rows.append(
        {
            "figure": f"BPMN import, pm4py {version} read_bpmn, median per file (same {len(both)} files)",
            "value": f"{_ms(pm_median)} (refuses {len(pm_errors)} of {len(files)})",
            "target": "",
            "met": None,
        }
    )
    # On a busy machine one slow pass can swing a file's median; its fastest read is steadier.
    cf_fast, pm_fast = _fastest(cf_passes), _fastest(pm_passes)
    rows.append(
        {
            "figure": f"BPMN import, fastest read per file, median over the same {len(both)} files",
            "value": f"Crossflow {_ms(statistics.median(cf_fast[p] for p in both))}, "
            f"pm4py {_ms(statistics.median(pm_fast[p] for p in both))}",
            "target": "",
            "met": None,
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="reads per file (its median is the file's time)")
    parser.add_argument("--no-install", action="store_true", help=f"do not create {PM4PY_VENV.name}")
    args = parser.parse_args(argv)
    for row in run(repeat=args.repeat, install=not args.no_install):
        met = "" if row["met"] is None else ("  met" if row["met"] else "  NOT met")
        target = f"  (target {row['target']})" if row["target"] else ""
        print(f"{row['figure']:<78} {row['value']}{target}{met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
