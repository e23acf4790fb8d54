"""The summary as one self-contained HTML file that opens offline.

Styles are inline and plotly.js (about 4.6 MB) is embedded once, with the first
chart; the other charts reuse it. Nothing is fetched from the network, so the file
can be mailed or archived and still works. Every piece of user text goes through
`html.escape`; the charts carry it as JSON, which plotly writes with ``<``, ``>``
and ``/`` escaped, and the swimlane diagram escapes its labels itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import plotly.graph_objects as go

from redesign.diagram import DiagramOptions, swimlane_figure
from redesign.report import formatting as fmt
from redesign.report import tables as t
from redesign.report.notes import no_notes, notes_table
from redesign.report.summary import HEADLINE_TITLE, TITLES, Summary

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#212121;margin:0;
  background:#fafafa;line-height:1.45}
main{max-width:1200px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:30px;margin:8px 0 4px}h2{color:#1565c0;border-bottom:2px solid #1565c0;padding-bottom:4px;
  margin-top:40px}h3{margin:20px 0 8px}
.sub{color:#616161;margin:0 0 16px}.muted{color:#616161}
nav{font-size:14px;margin:12px 0 8px}nav a{margin-right:12px;color:#1565c0;text-decoration:none}
.tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:12px;margin:12px 0}
.tile{background:#f0f5fc;border:1px solid #a8c4ea;border-radius:8px;padding:10px 14px}
.tile .label{color:#616161;font-size:14px}.tile .value{font-size:22px;font-weight:700}
.tile .change{font-weight:700}.good{color:#2e7d32}.bad{color:#c62828}
.chip{display:inline-block;border-radius:6px;padding:2px 10px;font-weight:700;color:#fff;margin-right:6px}
.chip.zero{background:#eee;color:#757575}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13.5px}
th{background:#eeeeee;text-align:left}th,td{padding:5px 8px;border-bottom:1px solid #ddd;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
.tag{font-weight:700;white-space:nowrap}.sev{font-weight:700}
.chart{margin:8px 0 16px}
footer{margin-top:48px;font-size:12px;color:#757575}
"""

_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def _cell(text: str) -> str:
    return "<br>".join(escape(part) for part in str(text).split("\n")) or "—"


def _table(data: t.TableData, caption: str = "") -> str:
    if not data:
        return ""
    head = "".join(
        f'<th class="{"num" if a == "R" else ""}">{escape(h)}</th>'
        for h, a in zip(data.header, data.align, strict=True)
    )
    body = []
    for r, row in enumerate(data.rows):
        cells = []
        for c, (text, a) in enumerate(zip(row, data.align, strict=True)):
            colour = data.colours.get((r, c))
            style = f' style="color:{colour}"' if colour else ""
            css = "num" if a == "R" else "tag" if colour else ""
            cells.append(f'<td class="{css}"{style}>{_cell(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    title = f"<h3>{escape(caption)}</h3>" if caption else ""
    return f"{title}<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _section(key: str, body: str) -> str:
    return f'<section id="{key}"><h2>{escape(TITLES[key])}</h2>{body}</section>'


def _para(text: str, css: str = "") -> str:
    return f'<p class="{css}">{escape(text)}</p>'


def _bullets(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>" if items else ""


class _Charts:
    """Embeds plotly.js with the first chart only."""

    def __init__(self) -> None:
        self.first = True

    def html(self, fig: go.Figure) -> str:
        out = fig.to_html(full_html=False, include_plotlyjs=self.first, config=_PLOTLY_CONFIG)
        self.first = False
        return f'<div class="chart">{out}</div>'


def _bars(categories: list[str], before: list[float], after: list[float], horizontal: bool, height: int) -> go.Figure:
    fig = go.Figure()
    for name, values, colour in (("Before", before, "#b0bec5"), ("After", after, "#1565c0")):
        text = [fmt.number(v) for v in values]
        if horizontal:
            fig.add_trace(go.Bar(y=categories, x=values, name=name, orientation="h", marker_color=colour, text=text))
        else:
            fig.add_trace(go.Bar(x=categories, y=values, name=name, marker_color=colour, text=text))
    fig.update_traces(textposition="outside", cliponaxis=False)
    fig.update_layout(
        barmode="group",
        height=height,
        margin={"l": 10, "r": 40, "t": 30, "b": 10},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.05, "x": 0},
    )
    if horizontal:
        fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def _head(s: Summary) -> str:
    nav = "".join(f'<a href="#{key}">{escape(title)}</a>' for key, title in TITLES.items())
    goal = f"<p><b>Goal:</b> {escape(s.goal)}</p>" if s.goal else ""
    scope = f'{goal}<p class="muted"><b>Scope:</b> {escape(t.scope_line(s))}</p>'
    blocked = (
        '<p class="bad"><b>BLOCKED: the savings below cannot be realised until the BLOCK flags are resolved.</b></p>'
        if s.executive.blocked
        else ""
    )
    rows = "".join(
        f"<tr><th>{escape(label)}</th><td>{'<br>'.join(escape(x) for x in items)}</td></tr>"
        for label, items in t.executive(s)
    )
    executive = f'<section id="executive">{blocked}<table class="executive">{rows}</table></section>'
    return (
        f"<header><h1>{escape(s.title)}</h1><p class='sub'>{escape(t.subtitle(s))} · {escape(s.executive.basis)}</p>"
        f"<nav>{nav}</nav></header>"
        + executive
        + _section("scope", scope)
        + f'<section id="headline"><h2>{escape(HEADLINE_TITLE)}</h2>{_tiles(s)}{_chips(s)}'
        + f"{_bullets(s.highlights)}"
        + (f"<h3>How sure: ranges over the uncertain assumptions</h3>{_table(t.ranges(s))}" if s.ranges else "")
        + (f"<h3>Which assumption moves the hours saved most</h3>{_table(t.sensitivity(s))}" if s.sensitivity else "")
        + "</section>"
    )


def _tiles(s: Summary) -> str:
    tiles = []
    for h in s.headline:
        shown = fmt.shown_change(h.before, h.after, h.unit)
        zero = fmt.is_zero_change(shown, h.unit)
        improved = h.change < 0 if h.better == "lower" else h.change > 0
        tone = "muted" if zero or not h.known else "good" if improved else "bad"
        value = f"{fmt.figure(h.before, h.unit)} → {fmt.figure(h.after, h.unit)}" if h.known else "unknown"
        change = "not measured" if not h.known else "no change" if zero else fmt.change(shown, h.unit)
        spread = fmt.range_text(h.low, h.high, h.unit) if h.known else ""
        tiles.append(
            f'<div class="tile"><div class="label">{escape(h.label)}</div>'
            f'<div class="value">{escape(value)}</div>'
            f'<div class="change {tone}">{escape(change)}</div>'
            + (f'<div class="muted">{escape(spread)}</div>' if spread else "")
            + "</div>"
        )
    return f'<div class="tiles">{"".join(tiles)}</div>'


def _chips(s: Summary) -> str:
    chips = []
    for name, n in (("BLOCK", s.flags.block), ("WARN", s.flags.warn), ("INFO", s.flags.info)):
        style = f' style="background:{fmt.SEVERITY_COLOUR[name]}"' if n else ""
        chips.append(f'<span class="chip{"" if n else " zero"}"{style}>{n} {name}</span>')
    return f"<p><b>Governance:</b> {''.join(chips)}</p>"


def _end_to_end(s: Summary, charts: _Charts) -> str:
    fig = _bars(
        [f"{m.label} ({fmt.chart_unit(m.unit)})" for m in s.end_to_end],
        [fmt.chart_value(m.before, m.unit) for m in s.end_to_end],
        [fmt.chart_value(m.after, m.unit) for m in s.end_to_end],
        horizontal=False,
        height=380,
    )
    return _table(t.end_to_end(s)) + _bullets([*s.e2e_notes, *s.notes]) + charts.html(fig)


def _flow(s: Summary, charts: _Charts) -> str:
    fig = swimlane_figure(s.flow, DiagramOptions(tags=dict(s.tags)))
    return charts.html(fig) + _table(t.steps(s)) + _table(t.new_steps(s), "New human steps the redesign adds")


def _roles(s: Summary, charts: _Charts) -> str:
    roles = s.chart_roles()
    out = ""
    if roles:
        fig = _bars(
            [r.name for r in roles],
            [r.before_hours for r in roles],
            [r.after_hours for r in roles],
            horizontal=True,
            height=max(300, 46 * len(roles) + 80),
        )
        fig.update_layout(title={"text": f"Hours per {s.period} by role, before and after", "x": 0})
        out += charts.html(fig)
    return out + _table(t.roles(s)) + _table(t.agents(s), "AI agents")


def _skills(s: Summary) -> str:
    reskill = f"Reskilling priorities (top {len(s.reskilling)} of {s.reskilling_total})"
    out = _table(t.skills(s)) + _table(t.reskilling(s), reskill) + _table(t.deskilling(s), "Deskilling warnings")
    return out or _para(t.NO_SKILLS)


def _incentives(s: Summary) -> str:
    out = _table(t.step_metrics(s), "Metrics to retire, add and watch, by step")
    out += _table(t.shared_metrics(s), "Shared and outcome metrics")
    return out or _para(t.NO_METRICS)


def _pilot(s: Summary) -> str:
    out = _table(t.pilot(s)) + _bullets(t.wave_totals(s) + [p.why for p in s.held])
    return out or _para(t.NO_PILOT)


def render_html(summary: Summary) -> str:
    """The whole document as one HTML string (UTF-8)."""
    s, charts = summary, _Charts()
    body = [
        _head(s),
        _section("participants", _table(t.participants(s)) or _para(t.NO_RECORD, "muted")),
        _section("end_to_end", _end_to_end(s, charts)),
        _section("flow", _flow(s, charts)),
        _section("roles", _roles(s, charts)),
        _section("skills", _skills(s)),
        _section("incentives", _incentives(s)),
        _section("governance", _table(t.governance(s)) or _para(t.NO_FLAGS)),
        _section("pilot", _pilot(s)),
        _section("disagreements", _table(t.disagreements(s)) or _para(t.no_disagreements(s), "muted")),
        _section("notes", _table(notes_table(s.open_notes)) or _para(no_notes(s.workshop), "muted")),
        _section("decisions", _table(t.decisions(s)) or _para(t.NO_DECISIONS, "muted")),
        _section(
            "sources", _table(t.sources(s)) + "<h3>Attribution</h3>" + "".join(_para(a, "muted") for a in s.attribution)
        ),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(s.title)}</title><style>{_CSS}</style></head><body><main>"
        + "".join(body)
        + "<footer>Made with Crossflow. Opens offline: charts and styles are embedded in this file.</footer>"
        + "</main></body></html>\n"
    )


__all__ = ["render_html"]
