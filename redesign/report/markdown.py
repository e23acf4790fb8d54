"""The summary as Markdown (GitHub-flavoured: pipe tables, a Mermaid block for the flow).

User text is escaped so a name can neither break a table (``|``, newlines) nor
inject HTML (``<`` and ``>`` become entities; viewers that render inline HTML would
otherwise run it) nor turn into formatting (``*``, ``_``, ``[`` ...).
"""

from __future__ import annotations

from redesign.io.mermaid import to_mermaid
from redesign.model import Decision, Scenario
from redesign.report import tables as t
from redesign.report.notes import no_notes, notes_table
from redesign.report.summary import HEADLINE_TITLE, TITLES, Summary

_SPECIAL = {ch: f"\\{ch}" for ch in "\\`*_[]#|~"} | {"<": "&lt;", ">": "&gt;"}
_ESCAPE = str.maketrans(_SPECIAL)  # one C pass per text instead of a dict look-up per character


def esc(text: str) -> str:
    """User text for inside a Markdown paragraph or table cell (one line)."""
    return " ".join(str(text).split()).translate(_ESCAPE)


def _cell(text: str) -> str:
    """A table cell: escaped, with the text's own line breaks kept as <br>."""
    return "<br>".join(esc(part) for part in str(text).split("\n") if part.strip()) or "—"


def _table(data: t.TableData, caption: str = "") -> list[str]:
    if not data:
        return []
    marks = ["---:" if a == "R" else "---" for a in data.align]
    lines = [f"{caption}", ""] if caption else []
    lines += ["| " + " | ".join(esc(h) for h in data.header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in data.rows]
    return [*lines, ""]


def _section(key: str) -> list[str]:
    return [f"## {TITLES[key]}", ""]


def _bullets(items: list[str]) -> list[str]:
    return [f"- {esc(i)}" for i in items] + [""] if items else []


def _executive(s: Summary) -> list[str]:
    lines = ["**BLOCKED: the savings below cannot be realised until the BLOCK flags are resolved.**", ""]
    lines = lines if s.executive.blocked else []
    for label, items in t.executive(s):
        lines += [f"**{label}:** {esc(items[0])}", ""] if len(items) == 1 else [f"**{label}:**", "", *_bullets(items)]
    return lines


def _head(s: Summary) -> list[str]:
    lines = [f"# {esc(s.title)}", "", f"*{esc(t.subtitle(s))} · {esc(s.executive.basis)}*", "", *_executive(s)]
    lines += _section("scope")
    if s.goal:
        lines += [f"**Goal:** {esc(s.goal)}", ""]
    lines += [f"**Scope:** {esc(t.scope_line(s))}", "", f"## {HEADLINE_TITLE}", "", *_table(t.headline(s))]
    lines += [f"**Governance:** {t.flag_line(s)}", "", *_bullets(s.highlights)]
    lines += _table(t.ranges(s), "How sure: ranges over the uncertain assumptions:")
    return lines + _table(t.sensitivity(s), "Which assumption moves the hours saved most:")


def _flow(s: Summary) -> list[str]:
    scenario = Scenario(
        id="summary", name=s.scenario_name, decisions=[Decision(step=k, tag=v) for k, v in s.tags.items()]
    )
    lines = [*_section("flow"), "```mermaid", to_mermaid(s.flow, scenario).rstrip("\n"), "```", ""]
    return lines + _table(t.steps(s)) + _table(t.new_steps(s), "New human steps the redesign adds:")


def _body(s: Summary) -> list[str]:
    reskill = f"Reskilling priorities (top {len(s.reskilling)} of {s.reskilling_total}):"
    return [
        *_section("participants"),
        *(_table(t.participants(s)) or [t.NO_RECORD, ""]),
        *_section("end_to_end"),
        *_table(t.end_to_end(s)),
        *_bullets([*s.e2e_notes, *s.notes]),
        *_flow(s),
        *_section("roles"),
        *_table(t.roles(s)),
        *_table(t.agents(s), "AI agents:"),
        *_section("skills"),
        *(_table(t.skills(s)) or [t.NO_SKILLS, ""]),
        *_table(t.reskilling(s), reskill),
        *_table(t.deskilling(s), "Deskilling warnings:"),
        *_section("incentives"),
        *_table(t.step_metrics(s), "Metrics to retire, add and watch, by step:"),
        *_table(t.shared_metrics(s), "Shared and outcome metrics:"),
        *([] if s.step_metrics or s.shared_metrics else [t.NO_METRICS, ""]),
        *_section("governance"),
        *(_table(t.governance(s)) or [t.NO_FLAGS, ""]),
        *_section("pilot"),
        *(_table(t.pilot(s)) or [t.NO_PILOT, ""]),
        *_bullets(t.wave_totals(s) + [p.why for p in s.held]),
        *_section("disagreements"),
        *(_table(t.disagreements(s)) or [t.no_disagreements(s), ""]),
        *_section("notes"),
        *(_table(notes_table(s.open_notes)) or [no_notes(s.workshop), ""]),
        *_section("decisions"),
        *(_table(t.decisions(s)) or [t.NO_DECISIONS, ""]),
        *_section("sources"),
        *_table(t.sources(s)),
        *[line for a in s.attribution for line in (esc(a), "")],
    ]


def render_markdown(summary: Summary) -> str:
    return "\n".join([*_head(summary), *_body(summary)]).rstrip() + "\n"


__all__ = ["esc", "render_markdown"]
