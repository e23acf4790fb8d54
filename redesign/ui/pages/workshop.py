"""The live workshop: the shared map, the selected step, and what the current phase asks."""

from __future__ import annotations

import streamlit as st

from redesign.store.schemas import WorkshopState
from redesign.ui.components.controls import facilitator_sidebar, phase_header
from redesign.ui.components.converge import converge_view
from redesign.ui.components.dialogs import open_dialogs
from redesign.ui.components.editors import handoffs_table, steps_table
from redesign.ui.components.flow_map import flow_map, open_step
from redesign.ui.components.history import comments_list, history_list
from redesign.ui.components.step_panel import show_toast
from redesign.ui.components.voting import vote_list
from redesign.ui.live import Look, live_watch, page_look, table_look
from redesign.ui.resources import flow_metrics
from redesign.ui.session import flash, forget, require_state
from redesign.ui.text import plain


def participant_sidebar(state: WorkshopState) -> None:
    functions = state.flow.functions_by_id()
    fn = functions[state.me.function].name if state.me.function in functions else state.me.function
    st.sidebar.markdown(f"### {plain(state.me.name)}")
    st.sidebar.caption(f"{plain(fn)} · participant")
    st.sidebar.caption("Keep this page's address to come back to your seat.")
    if st.sidebar.button("Leave this workshop"):
        forget()
        st.switch_page("redesign/ui/pages/home.py")


TABS = ["🗺 Map", "⚖️ Agreement", "📋 Steps table", "🔀 Hand-offs", "💬 Comments", "🕘 History"]
TAB_KEY = "workshop_tab"
VIEW_LOOKS: dict[str, Look] = {TABS[0]: page_look, TABS[2]: table_look, TABS[3]: table_look}
FOCUS_PARAM = "focus"


def open_view_look() -> Look | None:
    """How the open view looks (see redesign.ui.live): a new version that leaves it alike needs no
    redraw. The Map and the two tables have a look; the other tabs and a step dialog redraw always."""
    if st.session_state.get("dialog"):
        return None
    return VIEW_LOOKS.get(st.session_state.get(TAB_KEY, TABS[0]))


def map_view(state: WorkshopState) -> None:
    if state.can.propose:
        vote_list(state)
    headline(state)
    flow_map(state)


def headline(state: WorkshopState) -> None:
    m = flow_metrics(state)
    cols = st.columns(5)
    cols[0].metric("Steps", len(state.flow.steps))
    cols[1].metric(f"Touch h / {state.flow.period.value}", f"{m.touch_hours:,.0f}")
    cols[2].metric("Lead time", f"{m.lead_time_minutes / 60:,.1f} h", help="per case, along the critical path")
    cols[3].metric("Cross-function hand-offs", f"{m.cross_function_handoffs} / {m.handoffs}")
    cols[4].metric("Rolled %C&A", f"{m.rolled_pca:.0f}%", help="product of %C&A along the critical path")


flash()
show_toast()
state = require_state("Workshop", "You are not in a workshop yet.")

# "Bring everyone to me": when the facilitator puts a new step in focus, it opens for everyone once.
# The step seen in focus is also kept in the address (?focus=), so a page that reconnects to a
# restarted server (a new session) does not open it again; a fresh join does open it.
seen_focus = st.session_state.get("seen_focus", st.query_params.get(FOCUS_PARAM) or None)
newly_focused = state.focus_step is not None and state.focus_step != seen_focus
if newly_focused and not state.me.is_facilitator and not st.session_state.get("dialog"):
    open_step(state.focus_step)
st.session_state["seen_focus"] = state.focus_step
if (st.query_params.get(FOCUS_PARAM) or None) != state.focus_step:
    if state.focus_step:
        st.query_params[FOCUS_PARAM] = state.focus_step
    else:
        del st.query_params[FOCUS_PARAM]

top = st.columns([4, 2])
with top[0]:
    st.title(state.name)
    if state.goal:
        st.caption(plain(state.goal))
with top[1]:
    live_watch(state, st.session_state["token"], None if state.me.is_facilitator else open_view_look)
phase_header(state)
if state.me.is_facilitator:
    facilitator_sidebar(state)
else:
    participant_sidebar(state)

if state.can.edit_flow and st.button("➕ Add step"):
    st.session_state["dialog"] = ("edit", None, state.version)
    st.rerun()

# Only the open tab is drawn (on_change="rerun" makes tabs lazy): every open page is
# redrawn on every change in the room, and the hidden tabs were half of that work.
tabs = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
views = (map_view, converge_view, steps_table, handoffs_table, comments_list, history_list)
for tab, view in zip(tabs, views, strict=True):
    if tab.open:
        with tab:
            view(state)
open_dialogs(state)
