"""One entry point for every export: ``export(flow, fmt, scenario, record) -> ExportResult``.

The command line (``python -m redesign export FILE --to FMT``) and the app's export
page both call this, so a file looks the same whichever door it left by.

- Summaries (md, html, pdf, pptx) describe one scenario: the one asked for (an
  object, or an id/name of the flow's scenarios), else the flow's first scenario,
  else the suggested tags as a scenario named "Suggested" (which says so), else an
  empty "As-is" scenario (the flow as it is, nothing decided).
- Data (json, csv, xlsx, bpmn, mermaid) come from `redesign.io.formats.export_data`.
  JSON and BPMN are the whole flow. CSV and XLSX hold every scenario's decisions
  unless one is asked for, plus the impact tables of the scenario (asked for, or
  the first); Mermaid marks the tags of that same scenario.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from redesign.impact.assess import Impact, resolve_scenario
from redesign.impact.collector import collector_paused
from redesign.impact.task_basis import TaskBasis, assess_with, task_basis
from redesign.io.formats import export_data
from redesign.model import Flow, Scenario
from redesign.report.record import WorkshopRecord
from redesign.report.summary import Summary, build_summary


@dataclass(frozen=True)
class Format:
    extension: str
    mime: str
    label: str
    summary: bool  # an executive summary of one scenario (else flow data)


FORMATS: dict[str, Format] = {
    "pdf": Format(".pdf", "application/pdf", "Executive summary (PDF)", True),
    "pptx": Format(
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "Executive summary (PowerPoint)",
        True,
    ),
    "html": Format(".html", "text/html", "Executive summary (HTML, opens offline)", True),
    "md": Format(".md", "text/markdown", "Executive summary (Markdown)", True),
    "json": Format(".json", "application/json", "Flow (Crossflow JSON)", False),
    "csv": Format(".zip", "application/zip", "CSV tables (zip)", False),
    "xlsx": Format(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel", False),
    "bpmn": Format(".bpmn", "application/xml", "BPMN 2.0 XML", False),
    "mermaid": Format(".mmd", "text/plain", "Mermaid flowchart", False),
}
"""Every export format by its name on the command line, in menu order."""

AS_IS = Scenario(id="as_is", name="As-is", description="The flow as it is today: no step decided yet.")


@dataclass(frozen=True)
class ExportResult:
    data: bytes
    filename: str
    mime: str


_ALIASES = {"markdown": "md", "ppt": "pptx", "htm": "html", "mmd": "mermaid", "zip": "csv"}


def _format(fmt: str) -> str:
    """The canonical format name ("PDF", ".pdf" and "pdf" are all "pdf")."""
    key = str(fmt).strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise ValueError(f'unknown export format "{fmt}"; choose one of: {", ".join(FORMATS)}')
    return key


def _slug(text: str) -> str:
    """A file-name-safe form of an id ("q3:plan" -> "q3-plan")."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "export"


def pick_scenario(flow: Flow, scenario: Scenario | str | None) -> Scenario:
    """The scenario asked for, else the flow's first, else the empty as-is scenario.

    Raises `ValueError` naming the flow's scenarios when the name or id is unknown.
    """
    chosen = resolve_scenario(flow, scenario)
    if chosen is not None:
        return chosen
    return flow.scenarios[0] if flow.scenarios else AS_IS


def summary_scenario(flow: Flow, scenario: Scenario | str | None) -> Scenario:
    """What a summary describes: `pick_scenario`, except that a flow with no scenario at all is summarised
    with its suggested tags (a scenario named "Suggested" that says so), not as an empty as-is."""
    chosen = pick_scenario(flow, scenario)
    if chosen is AS_IS and flow.steps:
        from redesign.impact.suggested import suggested_scenario  # loads the O*NET index only when needed

        suggested = suggested_scenario(flow)
        return suggested if suggested.decisions else AS_IS
    return chosen


def summarize(
    flow: Flow,
    scenario: Scenario | str | None = None,
    record: WorkshopRecord | None = None,
    basis: TaskBasis | None = None,
) -> Summary:
    """Assess the scenario (see `summary_scenario`) with the matched O*NET tasks and build its summary.

    ``basis``: the matched tasks to read (`task_basis`); None = match them now when that is quick.
    """
    chosen = summary_scenario(flow, scenario)
    return build_summary(flow, chosen, assess_with(flow, chosen, basis or task_basis(flow)), record)


_PAUSED = ("html", "md")
"""Formats drawn with Python's cyclic collector paused, as `assess` and `build_summary` are.
Their renderers make a few small objects per step and row (strings; plotly shapes for the
HTML flow chart), and a full pass set off by their number walks every live object, the
flow's, impact's and summary's included: on 10,000 steps one such pass took 0.3 s of a
Markdown export that is 0.15 s on 1,000 steps. Paused, the strings are freed by reference
counting as before and the plotly figures (which do hold cycles) by the next full pass
after the export. PDF and PowerPoint are not paused: on such flows they take tens of
seconds, too long to hold the collector off for the whole process."""

Progress = Callable[[float, str], None]
"""Hears the share of an export done (0..1) and a few words on what it is doing."""


def _render(summary: Summary, fmt: str, progress: Progress | None = None) -> bytes:
    # Imported here: each renderer pulls in its own library (plotly, fpdf2, python-pptx),
    # and a CLI export of one format should not pay for the others.
    if fmt == "pdf":
        from redesign.report.pdf import render_pdf

        return render_pdf(summary)
    if fmt == "pptx":
        from redesign.report.pptx import render_pptx

        return render_pptx(summary, progress)
    if fmt == "html":
        from redesign.report.html import render_html

        return render_html(summary).encode("utf-8")
    from redesign.report.markdown import render_markdown

    return render_markdown(summary).encode("utf-8")


def _data(flow: Flow, fmt: str, scenario: Scenario | str | None, basis: TaskBasis | None) -> bytes:
    if fmt in ("json", "bpmn"):
        return export_data(flow, fmt)
    asked = resolve_scenario(flow, scenario)
    chosen = pick_scenario(flow, asked)
    if fmt == "mermaid":
        return export_data(flow, fmt, chosen if chosen.decisions else None)
    impact: Impact | None = None
    if asked is not None or flow.scenarios:
        impact = assess_with(flow, chosen, basis or task_basis(flow))
    return export_data(flow, fmt, asked, impact)


def export(
    flow: Flow,
    fmt: str,
    scenario: Scenario | str | None = None,
    record: WorkshopRecord | None = None,
    progress: Progress | None = None,
    basis: TaskBasis | None = None,
) -> ExportResult:
    """The flow (or its executive summary) in format ``fmt``, with a file name and MIME type.

    `progress`, if given, is told how far the export is (for a progress bar). The impact is
    assessed with the O*NET tasks matched to each step, as on the Impact page: ``basis``
    (`task_basis`), else matched now when that is quick; the summary's notes say which.
    Raises `ValueError` with a plain message for an unknown format or scenario.
    """

    def report(done: float, what: str) -> None:
        if progress is not None:
            progress(done, what)

    name = _format(fmt)
    info = FORMATS[name]
    if info.summary:
        chosen = summary_scenario(flow, scenario)
        report(0.0, "matching steps to O*NET tasks")
        basis = basis or task_basis(flow)
        report(0.05, "working out the impact")
        impact = assess_with(flow, chosen, basis)
        report(0.15, "writing the summary")
        summary = build_summary(flow, chosen, impact, record)
        report(0.25, f"drawing the {name.upper()}")
        with collector_paused() if name in _PAUSED else nullcontext():
            data = _render(summary, name, lambda share, what: report(0.25 + 0.75 * share, what))
        filename = f"{_slug(flow.id)}-{_slug(chosen.id)}{info.extension}"
    else:
        report(0.0, f"writing the {name.upper()}")
        data = _data(flow, name, scenario, basis)
        filename = f"{_slug(flow.id)}{info.extension}"
    report(1.0, "done")
    return ExportResult(data=data, filename=filename, mime=info.mime)


__all__ = ["AS_IS", "FORMATS", "ExportResult", "Format", "export", "pick_scenario", "summarize", "summary_scenario"]
