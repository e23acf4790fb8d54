"""The swimlane diagram of a flow as a plotly figure (pure: no Streamlit).

Used by the app (clickable: each step marker carries its id in ``customdata``) and by
the HTML export. Tags are shown by colour *and* by marker shape and a text badge, so
the map reads without colour too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import plotly.graph_objects as go

from redesign.graph import swimlane_layout
from redesign.metrics import FlowMetrics
from redesign.model import Flow, Tag

TAG_STYLE: dict[str | None, tuple[str, str, str]] = {
    # tag: (colour, marker symbol, text badge)
    None: ("#9e9e9e", "circle", "?"),
    Tag.HUMAN: ("#1565c0", "square", "H"),
    Tag.AUGMENT: ("#ef6c00", "diamond", "A+"),
    Tag.AUTOMATE: ("#2e7d32", "hexagon", "AUTO"),
}
TAG_LABEL: dict[str | None, str] = {
    None: "not tagged",
    Tag.HUMAN: "human judgment",
    Tag.AUGMENT: "augment (AI assists)",
    Tag.AUTOMATE: "automate",
}
BREAK_COLOUR = "#c62828"
REACH_COLOUR = "#f9a825"


@dataclass
class DiagramOptions:
    tags: Mapping[str, Tag | None] = field(default_factory=dict)
    comment_counts: Mapping[str, int] = field(default_factory=dict)
    selected: str | None = None
    focus: str | None = None
    metrics: FlowMetrics | None = None  # break points and their reach are highlighted
    height_per_row: int = 90
    width_per_column: int = 150
    max_label: int = 28


def _wrap(text: str, width: int) -> str:
    """Break a label into short lines for the diagram (plotly takes <br> in text)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width // 2:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 3:
        lines = [*lines[:2], lines[2][: max(0, width // 2 - 1)] + "…"]
    return "<br>".join(_escape(x) for x in lines)


def _escape(text: str) -> str:
    """Plotly renders a subset of HTML in text: show user text as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def swimlane_figure(flow: Flow, options: DiagramOptions | None = None) -> go.Figure:
    opts = options or DiagramOptions()
    layout = swimlane_layout(flow)
    pos = layout.positions
    breaks = {bp.id for bp in opts.metrics.break_points if bp.kind == "step"} if opts.metrics else set()
    bad_handoffs = {bp.id for bp in opts.metrics.break_points if bp.kind == "handoff"} if opts.metrics else set()
    reach = {s for bp in opts.metrics.break_points for s in bp.reach} if opts.metrics else set()
    fig = go.Figure()
    width = max(1, layout.columns)
    for lane in layout.lanes:
        fig.add_shape(
            type="rect",
            x0=-1.15,
            x1=width - 0.4,
            y0=lane.top,
            y1=lane.top + lane.height,
            line={"color": "#bdbdbd", "width": 1},
            fillcolor=lane.colour,
            opacity=0.08,
            layer="below",
        )
        fig.add_annotation(
            x=-1.12,
            y=lane.top + lane.height / 2,
            text=f"<b>{_wrap(lane.name, 24)}</b>",
            showarrow=False,
            xanchor="left",
            font={"size": 13, "color": lane.colour},
            textangle=0,
        )
    _add_edges(fig, flow, pos, layout.loops, bad_handoffs)
    steps = [s for s in flow.steps if s.id in pos]
    for tag in (None, Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE):
        group = [s for s in steps if opts.tags.get(s.id) == tag]
        if not group:
            continue
        colour, symbol, badge = TAG_STYLE[tag]
        outline = [BREAK_COLOUR if s.id in breaks else REACH_COLOUR if s.id in reach else "#ffffff" for s in group]
        widths = [4 if (s.id in breaks or s.id in reach) else 1 for s in group]
        sizes = [40 if s.id in (opts.selected, opts.focus) else 30 for s in group]
        labels = []
        for s in group:
            extra = []
            if s.id in breaks:
                extra.append("⚠")
            if opts.comment_counts.get(s.id):
                extra.append(f"💬{opts.comment_counts[s.id]}")
            prefix = f"[{badge}] " if tag is not None else ""
            labels.append(f"{prefix}{_wrap(s.name, opts.max_label)}" + (f"<br>{' '.join(extra)}" if extra else ""))
        hover = [
            f"<b>{_escape(s.name)}</b> ({_escape(s.id)})<br>{TAG_LABEL[tag]}<br>"
            f"{s.volume:g} cases x {s.touch_minutes:g} min touch, {s.wait_minutes:g} min wait<br>"
            f"%C&A {s.pca:g}"
            + (" — data-quality break point" if s.id in breaks else "")
            + (" — reads bad data" if s.id in reach and s.id not in breaks else "")
            for s in group
        ]
        fig.add_trace(
            go.Scatter(
                x=[pos[s.id][0] for s in group],
                y=[pos[s.id][1] for s in group],
                mode="markers+text",
                name=TAG_LABEL[tag],
                customdata=[s.id for s in group],
                text=labels,
                textposition="bottom center",
                textfont={"size": 10},
                hovertext=hover,
                hoverinfo="text",
                marker={"size": sizes, "color": colour, "symbol": symbol, "line": {"color": outline, "width": widths}},
            )
        )
    if opts.focus and opts.focus in pos:
        x, y = pos[opts.focus]
        fig.add_annotation(x=x, y=y - 0.42, text="◉ in focus", showarrow=False, font={"color": "#6a1b9a", "size": 11})
    rows = max(1.0, layout.height)
    fig.update_layout(
        height=int(max(300, rows * opts.height_per_row + 80)),
        width=None,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        plot_bgcolor="white",
        clickmode="event+select",
        dragmode=False,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        xaxis={"visible": False, "range": [-1.2, width - 0.3]},
        yaxis={"visible": False, "autorange": "reversed"},
        hoverlabel={"align": "left"},
    )
    return fig


def _add_edges(
    fig: go.Figure,
    flow: Flow,
    pos: Mapping[str, tuple[float, float]],
    loops: set[tuple[str, str]],
    bad_handoffs: set[str],
) -> None:
    groups: dict[str, tuple[list[float | None], list[float | None]]] = {
        "normal": ([], []),
        "loop": ([], []),
        "bad": ([], []),
    }
    arrows: list[dict[str, object]] = []
    for h in flow.handoffs:
        if h.source not in pos or h.target not in pos:
            continue
        kind = "bad" if h.id in bad_handoffs else "loop" if (h.source, h.target) in loops else "normal"
        (x0, y0), (x1, y1) = pos[h.source], pos[h.target]
        xs, ys = groups[kind]
        if kind == "loop":  # bow the loop below the boxes so it does not hide the main line
            xs.extend([x0, (x0 + x1) / 2, x1, None])
            ys.extend([y0, max(y0, y1) + 0.45, y1, None])
        else:
            xs.extend([x0, x1, None])
            ys.extend([y0, y1, None])
        arrows.append(
            dict(
                x=x1,
                y=y1,
                ax=(x0 + x1) / 2 if x0 != x1 or y0 != y1 else x1 - 0.2,
                ay=(y0 + y1) / 2,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowsize=1.2,
                arrowwidth=1.2,
                arrowcolor="#757575",
                standoff=16,
                text="",
            )
        )
    # One layout update for all arrows: add_annotation per edge copies the layout each time (quadratic).
    fig.update_layout(annotations=[*fig.layout.annotations, *arrows])
    styles = {
        "normal": {"color": "#9e9e9e", "width": 1.5},
        "loop": {"color": "#8e24aa", "width": 1.5, "dash": "dot"},
        "bad": {"color": BREAK_COLOUR, "width": 3},
    }
    names = {"normal": "hand-off", "loop": "rework loop", "bad": "hand-off below %C&A threshold"}
    for kind, (xs, ys) in groups.items():
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line=styles[kind],
                    hoverinfo="skip",
                    name=names[kind],
                    showlegend=kind != "normal",
                )
            )
