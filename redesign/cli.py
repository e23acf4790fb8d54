"""Command line: ``python -m redesign <command> ...``.

Exit codes: 0 success, 1 invalid input (each problem on its own line), 2 usage
error. No input, however broken, prints a traceback; set ``CROSSFLOW_DEBUG=1`` to
see one for a genuine bug.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from redesign import logs
from redesign.io.flow_json import read_flow
from redesign.metrics import FlowMetrics, analyze
from redesign.model import Flow, Scenario
from redesign.samples import load_sample, sample_ids
from redesign.schema import flow_json_schema
from redesign.validation import FlowInvalid

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")


class CliError(Exception):
    """A problem to print as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.code = code


def _print(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _read(path: str) -> Flow:
    """A flow file, or a shipped sample by its id (`crossflow impact sales_forecasting` works from a wheel)."""
    if not Path(path).exists() and path in sample_ids():
        return load_sample(path)
    return read_flow(path)


def _load(path: str) -> Flow:
    try:
        return _read(path)
    except FlowInvalid as exc:
        raise CliError("\n".join(f"{path}: {p}" for p in exc.problems)) from exc


# --------------------------------------------------------------------------- commands


def cmd_validate(args: argparse.Namespace) -> int:
    code = EXIT_OK
    for path in args.files:
        try:
            flow = _read(path)
        except FlowInvalid as exc:
            for problem in exc.problems:
                _print(f"{path}: {problem}")
            code = EXIT_INVALID
            continue
        _print(f"{path}: ok ({len(flow.steps)} steps, {len(flow.handoffs)} hand-offs)")
    return code


def metrics_text(flow: Flow, m: FlowMetrics) -> str:
    names = flow.steps_by_id()
    lines = [
        f"{flow.name} ({m.steps} steps, volumes per {m.period})",
        f"  touch hours per {m.period}:   {m.touch_hours:,.1f}",
        f"  lead time (critical path): {m.lead_time_minutes / 60:,.1f} h per case "
        f"({m.critical_touch_minutes / 60:,.1f} h touch + {m.critical_wait_minutes / 60:,.1f} h wait; "
        f"activity ratio {m.activity_ratio:.1f}%)",
        f"  critical path:             {' -> '.join(m.critical_path)}",
        f"  hand-offs:                 {m.handoffs} ({m.cross_function_handoffs} cross functions)",
        f"  rolled %C&A:               {m.rolled_pca:.1f}%",
        f"  data-quality break points (below {m.dq_threshold:g}% C&A): {len(m.break_points)}",
    ]
    for bp in m.break_points:
        reach = ", ".join(bp.reach) or "no downstream consumer"
        lines.append(f"    - {bp.kind} {bp.id} {bp.name!r}: {bp.pca:g}% C&A; reaches {reach}")
        if bp.note:
            lines.append(f"      {bp.note}")
    lines.append(f"  bottlenecks: {len(m.bottlenecks)}")
    lines.extend(f"    - {b.reason}" for b in m.bottlenecks)
    lines.append(f"  rework loops: {len(m.rework_loops)}")
    for loop in m.rework_loops:
        source = names[loop.source].name if loop.source in names else loop.source
        target = names[loop.target].name if loop.target in names else loop.target
        lines.append(f"    - back from {source!r} to {target!r} through {len(loop.steps)} steps")
    return "\n".join(lines)


def cmd_analyze(args: argparse.Namespace) -> int:
    flow = _load(args.file)
    result = analyze(flow)
    if args.format == "json":
        _print(result.model_dump_json(indent=2))
    else:
        _print(metrics_text(flow, result))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    _print(json.dumps(flow_json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def _scenario(flow: Flow, name: str | None) -> Scenario | None:
    if name is None:
        return None
    try:
        return flow.scenario(name)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from exc


def _emit(result: BaseModel, fmt: str) -> int:
    from redesign.impact.text import to_text

    _print(result.model_dump_json(indent=2) if fmt == "json" else to_text(result))
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace) -> int:
    from redesign.impact.suggest import suggest

    return _emit(suggest(_load(args.file)), args.format)


def cmd_impact(args: argparse.Namespace) -> int:
    from redesign.impact.suggested import scenario_or_suggested
    from redesign.impact.task_basis import assess_with, task_basis

    flow = _load(args.file)
    # A flow with no scenario is assessed with its suggested tags, and the output says so.
    scenario = scenario_or_suggested(flow, _scenario(flow, args.scenario))
    # With the O*NET tasks matched to each step, as the Impact page (its notes say when the flow was too big).
    return _emit(assess_with(flow, scenario, task_basis(flow)), args.format)


def cmd_compare(args: argparse.Namespace) -> int:
    from redesign.impact.compare import compare
    from redesign.impact.task_basis import task_basis

    flow = _load(args.file)
    if not flow.scenarios:
        raise CliError(f"{args.file}: the flow has no scenarios to compare")
    basis = task_basis(flow)  # the O*NET tasks matched to each step, as `impact` and the Impact page read them
    return _emit(compare(flow, tasks=basis.tasks, evidence=basis.text), args.format)


def cmd_export(args: argparse.Namespace) -> int:
    from redesign.report.exports import export

    flow = _load(args.file)
    try:
        result = export(flow, args.to, scenario=_scenario(flow, args.scenario))
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    out = Path(args.output or result.filename)
    try:
        out.write_bytes(result.data)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    _print(f"wrote {out} ({len(result.data):,} bytes, {result.mime})")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from redesign.io.bpmn_subprocesses import BpmnImportOptions, SubProcesses
    from redesign.io.flow_json import write_flow
    from redesign.io.formats import read_import

    options = BpmnImportOptions(sub_processes=SubProcesses(args.sub_processes))
    try:
        flow, report = read_import(args.file, options)
    except FlowInvalid as exc:
        raise CliError("\n".join(f"{args.file}: {p}" for p in exc.problems)) from exc
    try:
        write_flow(flow, args.output)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    _print(f"wrote {args.output}: {report.summary()}")
    for skipped in report.skipped:
        _print(f"  skipped {skipped}")
    for note in report.notes:
        _print(f"  note: {note}")
    return EXIT_OK


def _store_call(fn: Callable[[], T]) -> T:
    from redesign.store.errors import StoreError

    try:
        return fn()
    except StoreError as exc:
        raise CliError(str(exc)) from exc


def cmd_migrate(args: argparse.Namespace) -> int:
    from redesign.store import admin

    _print(_store_call(lambda: admin.migrate(args.database)).message())
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from redesign.store import admin

    count = _store_call(lambda: admin.backup(args.database, args.file))
    _print(f"wrote {args.file}: {count} workshops")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from redesign.store import admin

    report = _store_call(lambda: admin.restore(args.database, args.file))
    _print(
        f"restored {len(report.restored)} workshops, skipped {len(report.skipped)} already present, "
        f"{report.archived_added} archived exports added"
    )
    return EXIT_OK


def app_script() -> Path:
    """The Streamlit entry script: app.py in a checkout, crossflow_app.py beside an installed package."""
    root = Path(__file__).resolve().parent.parent
    checkout = root / "app.py"
    return checkout if checkout.is_file() else root / "crossflow_app.py"


def streamlit_flags() -> list[str]:
    """The settings of .streamlit/config.toml as `streamlit run` flags (a wheel ships a copy of the file)."""
    root = Path(__file__).resolve().parent
    for config in (root.parent / ".streamlit" / "config.toml", root / "streamlit_config.toml"):
        if config.is_file():
            settings = tomllib.loads(config.read_text(encoding="utf-8"))
            return [
                f"--{section}.{key}={str(value).lower() if isinstance(value, bool) else value}"
                for section, options in settings.items()
                for key, value in options.items()
            ]
    return []


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ[logs.ENV] = args.log_level  # the app's process configures its logging from it (app.py)
    app = app_script()
    command = [sys.executable, "-m", "streamlit", "run", str(app), *streamlit_flags(), f"--server.port={args.port}"]
    os.execv(sys.executable, command)  # replaces this process: never returns (it raises OSError on failure)


# --------------------------------------------------------------------------- parser


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text for people, json for scripts")


def _log_level_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--log-level",
        type=str.lower,
        choices=logs.LEVELS,
        default=default,
        help=f"how much Crossflow logs to standard error (default: ${logs.ENV}, else {logs.DEFAULT})",
    )


def build_parser() -> argparse.ArgumentParser:
    prog = "crossflow" if Path(sys.argv[0]).name == "crossflow" else "python -m redesign"
    parser = argparse.ArgumentParser(prog=prog, description="Crossflow: process redesign workshops.")
    _log_level_option(parser, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="check flow files; one line per problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("analyze", help="value-stream metrics of a flow")
    p.add_argument("file", metavar="FILE")
    _format_option(p)
    p.set_defaults(run=cmd_analyze)

    p = sub.add_parser("schema", help="print the JSON Schema of the flow file format")
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("suggest", help="suggest a tag per step, with reasons and O*NET evidence")
    p.add_argument("file", metavar="FILE")
    _format_option(p)
    p.set_defaults(run=cmd_suggest)

    p = sub.add_parser("impact", help="what a scenario changes for roles, skills, incentives, governance")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--scenario", metavar="NAME", help="scenario id or name (default: the first)")
    _format_option(p)
    p.set_defaults(run=cmd_impact)

    p = sub.add_parser("compare", help="the flow's scenarios side by side")
    p.add_argument("file", metavar="FILE")
    _format_option(p)
    p.set_defaults(run=cmd_compare)

    p = sub.add_parser(
        "export", help="executive summary (pdf, pptx, html, md) or data (json, csv, xlsx, bpmn, mermaid)"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--to", required=True, choices=("pdf", "pptx", "html", "md", "json", "csv", "xlsx", "bpmn", "mermaid")
    )
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: a name from the flow)")
    p.add_argument("--scenario", metavar="NAME", help="scenario for the summary (default: the first)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("import", help="BPMN 2.0, CSV/XLSX step list or Crossflow JSON -> a flow file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", required=True, metavar="OUT")
    p.add_argument(
        "--sub-processes",
        choices=("one-step", "activities"),
        default="one-step",
        help="BPMN only: each sub-process becomes one step (default), or its activities become steps",
    )
    p.set_defaults(run=cmd_import)

    for name, helptext, run in (
        ("backup", "write every workshop of the database to FILE", cmd_backup),
        ("restore", "load workshops from a backup FILE (existing ones are kept)", cmd_restore),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("file", metavar="FILE")
        p.add_argument("--database", metavar="URL", help="database URL (default: CROSSFLOW_DATABASE_URL or SQLite)")
        p.set_defaults(run=run)

    p = sub.add_parser("migrate", help="create or upgrade the database schema (run once before starting replicas)")
    p.add_argument("--database", metavar="URL", help="database URL (default: CROSSFLOW_DATABASE_URL or SQLite)")
    p.set_defaults(run=cmd_migrate)

    p = sub.add_parser("serve", help="start the workshop app")
    p.add_argument("--port", type=int, default=8501)
    _log_level_option(p, default=argparse.SUPPRESS)  # also after the command: crossflow serve --log-level info
    p.set_defaults(run=cmd_serve)

    return parser


_MATCHING = (cmd_suggest, cmd_impact, cmd_compare, cmd_export)
"""Commands that may match steps to O*NET tasks with the sentence model."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    try:
        args.log_level = logs.configure(args.log_level)
    except logs.LogLevelInvalid as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.run in _MATCHING and "numpy" not in sys.modules:
        # One BLAS thread for the sentence model: with its default threads, encoding 100 step texts took
        # 29 s instead of 5 s on a loaded 2-core machine (threads wait for each other). A setting already
        # in the environment wins.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        return int(args.run(args))
    except CliError as exc:
        sys.stderr.write(f"{exc}\n")
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so in one line unless debugging
        if os.environ.get("CROSSFLOW_DEBUG"):
            raise
        sys.stderr.write(f"crossflow: internal error ({type(exc).__name__}: {exc}); rerun with CROSSFLOW_DEBUG=1\n")
        return EXIT_INVALID
