"""The swimlane diagram of a flow as a plotly figure (pure: no Streamlit).

Used by the app (clickable: each step carries its id in ``customdata``) and by the
HTML export. The geometry is `redesign.flowchart` (the same boxes and orthogonal
arrow routes as the PDF and the slides). Tags are shown by colour *and* by a
lettered badge and marker shape, so the map reads without colour too; user text is
escaped because plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go

from redesign.flowchart import BOX_H, BOX_W, Box, ChartPage, chart_pages
from redesign.metrics import FlowMetrics
from redesign.model import Flow, Tag

TAG_STYLE: dict[str | None, tuple[str, str, str]] = {
    # tag: (colour, marker symbol, text badge)
    None: ("#9e9e9e", "circle", "?"),
    Tag.HUMAN: ("#1565c0", "square", "H"),
    Tag.AUGMENT: ("#ef6c00", "diamond", "A+"),
    Tag.AUTOMATE: ("#2e7d32", "hexagon", "AUTO"),
}
TAG_FILL: dict[str | None, str] = {
    None: "#fafafa",
    Tag.HUMAN: "#e3f2fd",
    Tag.AUGMENT: "#fff3e0",
    Tag.AUTOMATE: "#e8f5e9",
}
TAG_LABEL: dict[str | None, str] = {
    None: "not tagged",
    Tag.HUMAN: "human judgment",
    Tag.AUGMENT: "augment (AI assists)",
    Tag.AUTOMATE: "automate",
}
BREAK_COLOUR = "#c62828"
REACH_COLOUR = "#f9a825"
SELECT_COLOUR = "#6a1b9a"
LANE_LABEL_WIDTH = 1.1  # columns left of the first step for the lane names


@dataclass
class DiagramOptions:
    tags: Mapping[str, Tag | None] = field(default_factory=dict)
    comment_counts: Mapping[str, int] = field(default_factory=dict)
    selected: str | None = None
    focus: str | None = None
    metrics: FlowMetrics | None = None  # break points and their reach are highlighted
    height_per_row: int = 95
    max_label: int = 26


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrap(text: str, width: int, lines: int = 3) -> str:
    """A label in short lines (plotly takes <br>), cut with an ellipsis after ``lines``."""
    out: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width // 2:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = [*out[: lines - 1], out[lines - 1][: max(1, width // 2 - 1)] + "…"]
    return "<br>".join(_escape(x) for x in out)


def _box_outline(box: Box, opts: DiagramOptions, breaks: set[str], reach: set[str]) -> tuple[str, float, str]:
    if box.step_id in (opts.selected, opts.focus):
        return SELECT_COLOUR, 4, "solid"
    if box.step_id in breaks:
        return BREAK_COLOUR, 3, "solid"
    if box.step_id in reach:
        return REACH_COLOUR, 3, "dash"
    return TAG_STYLE[box.tag][0], 1.5, "solid"


def _lanes(page: ChartPage) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    shapes, labels = [], []
    for band in page.bands:
        shapes.append(
            dict(
                type="rect",
                x0=-LANE_LABEL_WIDTH,
                x1=page.columns,
                y0=band.top,
                y1=band.top + band.height,
                line={"color": "#bdbdbd", "width": 1},
                fillcolor=band.colour,
                opacity=0.09,
                layer="below",
            )
        )
        labels.append(
            dict(
                x=-LANE_LABEL_WIDTH + 0.05,
                y=band.top + band.height / 2,
                text=f"<b>{_wrap(band.name, 24, 2)}</b>",
                showarrow=False,
                xanchor="left",
                font={"size": 13, "color": band.colour},
            )
        )
    return shapes, labels


def _boxes(page: ChartPage, opts: DiagramOptions, breaks: set[str], reach: set[str]) -> list[dict[str, Any]]:
    shapes = []
    for box in page.boxes:
        colour, width, dash = _box_outline(box, opts, breaks, reach)
        cx = box.x + 0.5
        shapes.append(
            dict(
                type="rect",
                x0=cx - BOX_W / 2,
                x1=cx + BOX_W / 2,
                y0=box.y - BOX_H / 2,
                y1=box.y + BOX_H / 2,
                line={"color": colour, "width": width, "dash": dash},
                fillcolor=TAG_FILL[box.tag],
                layer="below",
            )
        )
    return shapes


def _arrows(fig: go.Figure, page: ChartPage, bad_pairs: set[tuple[str, str]]) -> list[dict[str, Any]]:
    heads: list[dict[str, Any]] = []
    groups: dict[str, tuple[list[float | None], list[float | None]]] = {
        "normal": ([], []),
        "loop": ([], []),
        "bad": ([], []),
    }
    for arrow in page.arrows:
        if len(arrow.points) < 2:
            continue
        kind = "bad" if (arrow.source, arrow.target) in bad_pairs else "loop" if arrow.loop else "normal"
        xs, ys = groups[kind]
        xs.extend([p[0] for p in arrow.points] + [None])
        ys.extend([p[1] for p in arrow.points] + [None])
        (ax, ay), (x, y) = arrow.points[-2], arrow.points[-1]
        colour = {"normal": "#757575", "loop": "#8e24aa", "bad": BREAK_COLOUR}[kind]
        heads.append(
            dict(
                x=x,
                y=y,
                ax=ax,
                ay=ay,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowsize=1.1,
                arrowwidth=1.4,
                arrowcolor=colour,
                text="",
            )
        )
    styles = {
        "normal": ({"color": "#9e9e9e", "width": 1.4}, "hand-off"),
        "loop": ({"color": "#8e24aa", "width": 1.4, "dash": "dot"}, "rework loop"),
        "bad": ({"color": BREAK_COLOUR, "width": 2.6}, "hand-off below the %C&A threshold"),
    }
    for kind, (xs, ys) in groups.items():
        if xs:
            line, name = styles[kind]
            fig.add_trace(
                go.Scatter(
                    x=xs, y=ys, mode="lines", line=line, hoverinfo="skip", name=name, showlegend=kind != "normal"
                )
            )
    return heads


def _label(box: Box, opts: DiagramOptions, breaks: set[str]) -> str:
    badge = TAG_STYLE[box.tag][2]
    extra = []
    if box.step_id in breaks:
        extra.append("⚠")
    if opts.comment_counts.get(box.step_id):
        extra.append(f"💬{opts.comment_counts[box.step_id]}")
    head = f"<b>[{badge}]</b> " if box.tag is not None else ""
    tail = f"<br>{' '.join(extra)}" if extra else ""
    return head + _wrap(box.name, opts.max_label, 3 if not extra else 2) + tail


def swimlane_figure(flow: Flow, options: DiagramOptions | None = None) -> go.Figure:
    opts = options or DiagramOptions()
    tags = {step_id: tag for step_id, tag in opts.tags.items() if tag is not None}
    page = chart_pages(flow, tags, max_columns=10**6)[0]
    metrics = opts.metrics
    breaks = {bp.id for bp in metrics.break_points if bp.kind == "step"} if metrics else set()
    reach = {s for bp in metrics.break_points for s in bp.reach} if metrics else set()
    by_id = {h.id: h for h in flow.handoffs}
    bad_pairs = {
        (by_id[bp.id].source, by_id[bp.id].target)
        for bp in (metrics.break_points if metrics else [])
        if bp.kind == "handoff" and bp.id in by_id
    }
    fig = go.Figure()
    lane_shapes, lane_labels = _lanes(page)
    heads = _arrows(fig, page, bad_pairs)
    steps = flow.steps_by_id()
    for tag in (None, Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE):
        group = [b for b in page.boxes if b.tag == tag]
        if not group:
            continue
        colour, symbol, _ = TAG_STYLE[tag]
        hover = []
        for b in group:
            s = steps[b.step_id]
            note = (
                " — data-quality break point"
                if b.step_id in breaks
                else (" — reads bad data" if b.step_id in reach else "")
            )
            hover.append(
                f"<b>{_escape(s.name)}</b> ({_escape(s.id)})<br>{TAG_LABEL[tag]}<br>"
                f"{s.volume:g} cases × {s.touch_minutes:g} min touch, {s.wait_minutes:g} min wait<br>"
                f"%C&A {s.pca:g}{note}"
            )
        fig.add_trace(
            go.Scatter(
                x=[b.x + 0.5 for b in group],
                y=[b.y for b in group],
                mode="markers+text",
                name=TAG_LABEL[tag],
                customdata=[b.step_id for b in group],
                text=[_label(b, opts, breaks) for b in group],
                textposition="middle center",
                textfont={"size": 10, "color": "#212121"},
                hovertext=hover,
                hoverinfo="text",
                # A faint marker under the label: the click target, and the tag's shape for the legend.
                marker={"size": 34, "color": colour, "symbol": symbol, "opacity": 0.18},
            )
        )
    rows = max(1.0, page.rows)
    fig.update_layout(
        shapes=[*lane_shapes, *_boxes(page, opts, breaks, reach)],
        annotations=[*lane_labels, *heads],
        height=int(max(300, rows * opts.height_per_row + 70)),
        margin={"l": 6, "r": 6, "t": 30, "b": 6},
        plot_bgcolor="white",
        clickmode="event+select",
        dragmode=False,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "itemclick": False},
        xaxis={"visible": False, "range": [-LANE_LABEL_WIDTH - 0.05, page.columns + 0.05], "fixedrange": True},
        yaxis={"visible": False, "range": [rows + 0.05, -0.05], "fixedrange": True},
        hoverlabel={"align": "left"},
    )
    if opts.focus:
        box = next((b for b in page.boxes if b.step_id == opts.focus), None)
        if box is not None:
            fig.add_annotation(
                x=box.x + 0.5,
                y=box.y - BOX_H / 2 - 0.08,
                text="◉ in focus",
                showarrow=False,
                font={"color": SELECT_COLOUR, "size": 11},
            )
    return fig
