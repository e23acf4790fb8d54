"""The shared map: the swimlane diagram, clickable, with tags, break points and comments."""

from __future__ import annotations

from collections import Counter
from typing import Any

import streamlit as st

from redesign.diagram import DiagramOptions
from redesign.model import Tag
from redesign.store.schemas import WorkshopState
from redesign.ui.resources import flow_metrics, map_figure


def selected_from_event(event: Any) -> str | None:
    """The step id a plotly click selected (points carry the step id as customdata)."""
    try:
        points = event.selection.points if hasattr(event, "selection") else event["selection"]["points"]
    except (KeyError, TypeError, AttributeError):
        return None
    for point in points or []:
        data = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(data, list):
            data = data[0] if data else None
        if isinstance(data, str):
            return data
    return None


def display_tags(state: WorkshopState) -> dict[str, Tag | None]:
    """Settled tag if any, else the room's leading proposal once proposals are visible."""
    tags: dict[str, Tag | None] = {d.step: d.tag for d in state.decisions}
    for step_id, counts in state.proposal_counts.items():
        if step_id in tags or not counts or not (state.revealed or state.me.is_facilitator):
            continue
        tags[step_id] = max(counts, key=lambda t: counts[t])
    return tags


def comment_counts(state: WorkshopState) -> dict[str, int]:
    return dict(Counter(c.target_id for c in state.comments if c.target_kind == "step" and not c.resolved))


def open_step(step_id: str) -> None:
    """Open a step's panel (a dialog driven by a session flag, so reruns keep it open)."""
    st.session_state["selected_step"] = step_id
    st.session_state["dialog"] = ("view", step_id, None)


def flow_map(state: WorkshopState) -> None:
    """Draw the map; a click on a step selects it for the side panel."""
    if not state.flow.steps:
        st.info("The flow has no steps yet. Add the first one with **➕ Add step**.")
        return
    options = DiagramOptions(
        tags=display_tags(state),
        comment_counts=comment_counts(state),
        selected=st.session_state.get("selected_step"),
        focus=state.focus_step,
        metrics=flow_metrics(state),
    )
    figure = map_figure(state, options)
    event = st.plotly_chart(
        figure,
        key=f"map:{state.version}",
        on_select="rerun",
        selection_mode="points",
        width="stretch",
        config={"displayModeBar": False},
    )
    clicked = selected_from_event(event)
    if clicked and clicked != st.session_state.get("map_click"):
        # Act on a click once: the chart keeps reporting it until the next version.
        st.session_state["map_click"] = clicked
        open_step(clicked)
    ids = [s.id for s in state.flow.steps]
    names = {s.id: s.name for s in state.flow.steps}
    cols = st.columns([3, 1], vertical_alignment="bottom")
    pick = cols[0].selectbox(
        "Open a step",
        ids,
        index=None,
        placeholder="Click a step on the map, or pick it here",
        format_func=lambda i: f"{names[i]} ({i})",
        key=f"open_pick:{state.version}",
        label_visibility="collapsed",
    )
    if cols[1].button("Open", key="open_picked", disabled=pick is None, width="stretch") and pick:
        open_step(pick)
    st.caption(
        "Click a step to open it. Shapes: ■ human · ◆ augment · ⬢ automate · ● not tagged. "
        "Red outline ⚠ = data-quality break point; yellow = reads its data; 💬 = open comments."
    )
