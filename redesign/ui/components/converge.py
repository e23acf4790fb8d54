"""Where the room agrees and where the functions disagree: a heatmap and a to-settle list."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from redesign.diagram import TAG_LABEL, TAG_STYLE
from redesign.model import Tag
from redesign.store.schemas import WorkshopState
from redesign.ui.components.flow_map import open_step
from redesign.ui.text import plain
from redesign.workshop import StepConsensus, consensus

_LEVEL = {Tag.HUMAN: 0, Tag.AUGMENT: 1, Tag.AUTOMATE: 2}


def room_consensus(state: WorkshopState) -> list[StepConsensus]:
    return consensus(state.proposals, state.participants, [s.id for s in state.flow.steps])


def heatmap(state: WorkshopState, rows: list[StepConsensus]) -> go.Figure:
    """Steps down, functions across; the cell is the tag that function leans to."""
    names = {s.id: s.name for s in state.flow.steps}
    functions = [f for f in state.flow.functions if any(r.by_function.get(f.id) for r in rows)]
    voted = [r for r in rows if r.votes]
    z, text = [], []
    for r in voted:
        line_z, line_t = [], []
        for f in functions:
            tag = r.by_function.get(f.id)
            line_z.append(_LEVEL[tag] if tag else None)
            line_t.append(TAG_STYLE[tag][2] if tag else "")
        z.append(line_z)
        text.append(line_t)
    labels = [f"{'⚡ ' if r.disagreement else ''}{names[r.step_id][:40]} ({r.agreement:.0%})" for r in voted]
    colours = [TAG_STYLE[Tag.HUMAN][0], TAG_STYLE[Tag.AUGMENT][0], TAG_STYLE[Tag.AUTOMATE][0]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f.name for f in functions],
            y=labels,
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=2,
            colorscale=[
                [0, colours[0]],
                [0.33, colours[0]],
                [0.34, colours[1]],
                [0.66, colours[1]],
                [0.67, colours[2]],
                [1, colours[2]],
            ],
            showscale=False,
            xgap=3,
            ygap=3,
            hoverongaps=False,
        )
    )
    fig.update_layout(
        height=max(180, 34 * len(voted) + 90),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"autorange": "reversed"},
    )
    return fig


def converge_view(state: WorkshopState) -> None:
    if not (state.revealed or state.me.is_facilitator):
        st.info("🔒 Proposals are private until the facilitator reveals them.")
        return
    rows = room_consensus(state)
    if not any(r.votes for r in rows):
        st.info("No proposals yet. In **Tag & vote**, everyone proposes a tag for each step.")
        return
    disputed = [r for r in rows if r.disagreement]
    settled = {d.step for d in state.decisions}
    c1, c2, c3 = st.columns(3)
    c1.metric("Steps with proposals", sum(1 for r in rows if r.votes))
    c2.metric("Functions disagree", len(disputed))
    c3.metric("Settled", f"{len(settled)} of {len(state.flow.steps)}")
    st.caption(
        "Cell = the tag each function leans to (H human · A+ augment · AUTO automate); "
        "% = share of the leading tag; ⚡ = the functions disagree."
    )
    st.plotly_chart(heatmap(state, rows), width="stretch", key=f"heat:{state.version}")
    names = {s.id: s.name for s in state.flow.steps}
    functions = state.flow.functions_by_id()
    st.markdown("#### To settle, most disputed first")
    for r in sorted(
        (r for r in rows if r.votes), key=lambda r: (r.step_id in settled, not r.disagreement, r.agreement)
    ):
        leanings = ", ".join(
            f"{functions[f].name if f in functions else f}: {TAG_LABEL[t]}" for f, t in r.by_function.items()
        )
        status = "✅ settled" if r.step_id in settled else ("⚡ disputed" if r.disagreement else "agreed")
        cols = st.columns([5, 1])
        cols[0].markdown(
            f"**{plain(names[r.step_id])}** — {status}; leading {TAG_LABEL[r.leading_tag]} "
            f"({r.agreement:.0%}). {plain(leanings)}"
        )
        if cols[1].button("Open", key=f"open:{r.step_id}"):
            open_step(r.step_id)
            st.rerun()
