"""The live workshop: the board at the centre, the controls in compact bars and the sidebar."""

from __future__ import annotations

import streamlit as st

from redesign.store.schemas import WorkshopState
from redesign.ui.components.board import PEEK_KEY, board
from redesign.ui.components.controls import facilitator_sidebar, phase_header
from redesign.ui.components.converge import converge_view
from redesign.ui.components.dialogs import open_dialogs
from redesign.ui.components.editors import handoffs_table, steps_table
from redesign.ui.components.flow_map import open_step
from redesign.ui.components.history import comments_list, history_list
from redesign.ui.components.step_panel import show_toast
from redesign.ui.components.timer import timer_bar
from redesign.ui.components.voting import vote_list
from redesign.ui.live import live_watch
from redesign.ui.phase_pages import PHASE_PAGE, WORKSHOP_PAGE, follow_phase
from redesign.ui.resources import flow_metrics, warm_suggestions
from redesign.ui.session import flash, forget, require_state
from redesign.ui.text import plain
from redesign.views.looks import Look, page_look, table_look


def participant_sidebar(state: WorkshopState) -> None:
    functions = state.flow.functions_by_id()
    fn = functions[state.me.function].name if state.me.function in functions else state.me.function
    st.sidebar.markdown(f"### {plain(state.me.name)}")
    st.sidebar.caption(f"{plain(fn)} · participant")
    st.sidebar.caption("This browser keeps your seat: a reload or the address brings you back.")
    if st.sidebar.button("Leave this workshop"):
        forget()
        st.switch_page("redesign/ui/pages/home.py")


TABS = ["🗺 Board", "⚖️ Agreement", "📋 Steps table", "🔀 Hand-offs", "💬 Comments", "🕘 History"]
TAB_KEY = "workshop_tab"
VIEW_LOOKS: dict[str, Look] = {TABS[0]: page_look, TABS[2]: table_look, TABS[3]: table_look}
FOCUS_PARAM = "focus"


def open_view_look() -> Look | None:
    """How the open view looks (see redesign.ui.live): a new version that leaves it alike needs no
    redraw. The Map and the two tables have a look; the other tabs and a step dialog redraw always."""
    if st.session_state.get("dialog"):
        return None
    return VIEW_LOOKS.get(st.session_state.get(TAB_KEY, TABS[0]))


COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 4.4rem; padding-bottom: 1rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.5rem; padding: 0; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.45rem; }
</style>"""


def map_view(state: WorkshopState) -> None:
    """The board; below it, for people who propose, the same proposals as a list (keyboard and screen readers)."""
    if not state.flow.steps:
        st.info("The flow has no steps yet: double-click an empty spot of a lane on the board, or use **➕ Add step**.")
    board(state)
    if state.can.propose:
        vote_list(state)


def agreement_view(state: WorkshopState) -> None:
    """The Agreement tab. Before reveal the facilitator's (often projected) screen does not show the
    room's votes: a private peek, opened on purpose, does."""
    if state.me.is_facilitator and not state.revealed and not st.session_state.get(PEEK_KEY):
        st.info(
            "🙈 The room's proposals stay hidden until you **Reveal** them (sidebar): your screen may be "
            "on the projector. Peek privately if you need to see them now.",
        )
        if st.button("👁 Peek privately", key="agreement_peek"):
            st.session_state[PEEK_KEY] = True
            st.rerun()
        return
    peeking = state.me.is_facilitator and not state.revealed
    if peeking and st.button("🙈 Stop peeking", key="agreement_unpeek"):
        st.session_state[PEEK_KEY] = False
        st.rerun()
    converge_view(state)


def headline(state: WorkshopState) -> None:
    """The flow's figures, in the sidebar (the board keeps the first screen)."""
    m = flow_metrics(state)
    st.sidebar.markdown("### The flow now")
    cols = st.sidebar.columns(2)
    cols[0].metric("Steps", len(state.flow.steps))
    cols[1].metric(f"Touch h / {state.flow.period.value}", f"{m.touch_hours:,.0f}")
    cols[0].metric("Lead time", f"{m.lead_time_minutes / 60:,.1f} h", help="per case, along the critical path")
    cols[1].metric("Cross-function hand-offs", f"{m.cross_function_handoffs} / {m.handoffs}")
    cols[0].metric("Rolled %C&A", f"{m.rolled_pca:.0f}%", help="product of %C&A along the critical path")


flash()
show_toast()
state = require_state("Workshop", "You are not in a workshop yet.")
if follow_phase(state, WORKSHOP_PAGE):
    # A new phase whose work is on this page: back to the board. Only the tab moves: a step panel the
    # person opened stays open with what they typed, and nothing opens one (issue 16.8).
    st.session_state[TAB_KEY] = TABS[0]
warm_suggestions(state)  # in the background: a step panel then shows its suggestion without waiting
st.html(COMPACT_CSS)
timer_bar(state)

# "Bring everyone to me": when the facilitator puts a new step in focus, it opens for everyone once.
# The step seen in focus is also kept in the address (?focus=), so a page that reconnects to a
# restarted server (a new session) does not open it again; a fresh join does open it.
seen_focus = st.session_state.get("seen_focus", st.query_params.get(FOCUS_PARAM) or None)
focus = state.focus_step
if focus is not None and focus != seen_focus and not state.me.is_facilitator and not st.session_state.get("dialog"):
    open_step(focus)
st.session_state["seen_focus"] = state.focus_step
if (st.query_params.get(FOCUS_PARAM) or None) != state.focus_step:
    if state.focus_step:
        st.query_params[FOCUS_PARAM] = state.focus_step
    else:
        del st.query_params[FOCUS_PARAM]

top = st.columns([3, 8, 2], vertical_alignment="center")
with top[0]:
    st.title(state.name, help=plain(state.goal) if state.goal else None)
with top[1]:
    phase_header(state)
with top[2]:
    live_watch(state, st.session_state["token"], None if state.me.is_facilitator else open_view_look)
    if state.phase in PHASE_PAGE:
        st.page_link(PHASE_PAGE[state.phase][0], label=f"Go to {PHASE_PAGE[state.phase][1]} →")
if state.me.is_facilitator:
    facilitator_sidebar(state)
else:
    participant_sidebar(state)
headline(state)

ADD_HELP = "Or double-click an empty spot of a lane on the board"
if state.can.edit_flow and st.sidebar.button("➕ Add step", help=ADD_HELP):
    st.session_state["dialog"] = ("edit", None, state.version)
    st.rerun()

# Only the open tab is drawn (on_change="rerun" makes tabs lazy): every open page is
# redrawn on every change in the room, and the hidden tabs were half of that work.
tabs = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
views = (map_view, agreement_view, steps_table, handoffs_table, comments_list, history_list)
for tab, view in zip(tabs, views, strict=True):
    if tab.open:
        with tab:
            view(state)
open_dialogs(state)
