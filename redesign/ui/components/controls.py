"""The facilitator's controls (sidebar) and everyone's header: phase, timer, join link."""

from __future__ import annotations

import streamlit as st

from redesign.report.formatting import counted
from redesign.store.schemas import WorkshopState
from redesign.ui.components.step_panel import act
from redesign.ui.resources import contribution_at, service
from redesign.ui.session import forget, join_link
from redesign.ui.text import plain
from redesign.workshop import PHASES, Phase


def phase_header(state: WorkshopState) -> None:
    """The agenda with the current phase marked, and what it asks of the viewer: two short lines,
    so the board starts high on the first screen."""
    marks = []
    for i, phase in enumerate(PHASES, start=1):
        label = f"{i}. {phase.title}"
        marks.append(f"**:violet-background[{label}]**" if phase == state.phase else f":gray[{label}]")
    st.caption(" → ".join(marks))
    functions = state.flow.functions_by_id()
    who = "facilitator" if state.me.is_facilitator else functions.get(state.me.function, state.me.function)
    who = who.name if hasattr(who, "name") else who
    extra = " 🔒 Editing is locked (pens down)." if state.locked else ""
    st.markdown(
        f"🧭 **{state.phase.title}** — {state.phase.asks(state.me.is_facilitator)}{extra} "
        f":gray[· You are **{plain(state.me.name)}** ({plain(who)}).]"
    )


def facilitator_sidebar(state: WorkshopState) -> None:
    """The facilitator's controls (phase, lock, reveal, timer, focus, undo, people) in the sidebar.

    Any page a facilitator can open calls this (the Impact and Export pages too), so the
    controls are reachable wherever the room's work happens."""
    token = st.session_state["token"]
    svc = service()
    st.sidebar.markdown("### Facilitator")
    st.sidebar.markdown("**Join link** (share it):")
    st.sidebar.code(join_link(state), language=None, wrap_lines=True)
    st.sidebar.caption(f"Join code: **{state.join_code}**")
    key = st.session_state.get("facilitator_key")
    if key:
        with st.sidebar.expander("🔑 Facilitator key (keep it secret)"):
            st.code(key, language=None)
            st.caption("With the join code and this key you can take the facilitator seat from another browser.")
    phase = st.sidebar.selectbox(
        "Phase",
        list(PHASES),
        index=list(PHASES).index(state.phase),
        format_func=lambda p: p.title,
        key=f"phase:{state.version}",
    )
    if phase != state.phase:
        act(lambda: svc.set_phase(token, Phase(phase)), f"Moved to {Phase(phase).title}")
    cols = st.sidebar.columns(2)
    if cols[0].button("🔓 Unlock" if state.locked else "🔒 Lock editing", width="stretch"):
        act(lambda: svc.set_lock(token, not state.locked))
    if cols[1].button("🙈 Hide votes" if state.revealed else "👁 Reveal", width="stretch"):
        act(lambda: svc.set_reveal(token, not state.revealed))
    minutes = st.sidebar.number_input("Timer (minutes)", min_value=1, max_value=240, value=5, step=1)
    cols = st.sidebar.columns(2)
    if cols[0].button("⏱ Start timer", width="stretch"):
        act(lambda: svc.set_timer(token, int(minutes * 60)))
    if cols[1].button("Stop timer", width="stretch", disabled=state.timer_ends_at is None):
        act(lambda: svc.set_timer(token, None))
    ids = ["", *[s.id for s in state.flow.steps]]
    names = {s.id: s.name for s in state.flow.steps}
    focus = st.sidebar.selectbox(
        "Step in focus for everyone",
        ids,
        index=ids.index(state.focus_step) if state.focus_step in ids else 0,
        format_func=lambda i: names.get(i, "— none —"),
        key=f"focus:{state.version}",
    )
    if (focus or None) != state.focus_step:
        act(lambda: svc.set_focus(token, focus or None), then=lambda: st.session_state.update(selected_step=focus))
    if st.sidebar.button("↶ Undo last change", width="stretch"):
        act(lambda: svc.undo(token), "Undone")
    participants_panel(state)
    if st.sidebar.button("Leave: this browser forgets the seat", help="On a shared computer. The key takes it back."):
        forget()
        st.switch_page("redesign/ui/pages/home.py")


def participants_panel(state: WorkshopState) -> None:
    """Who is here and who has not been heard yet, per person and per function."""
    heard = contribution_at(state, st.session_state["token"])
    rows = heard.participants
    functions = state.flow.functions_by_id()
    st.sidebar.markdown(f"### People ({len(rows)})")
    if not rows:
        st.sidebar.caption("Nobody has joined yet: share the join link.")
    for row in rows:
        fn = functions[row.function].name if row.function in functions else row.function
        mark = "🔇" if row.silent else "🗣"
        st.sidebar.caption(
            f"{mark} {plain(row.name)} ({plain(fn)}): "
            f"{counted(row.proposals, 'proposal')}, {counted(row.comments, 'comment')}, {counted(row.edits, 'edit')}"
        )
    silent = [functions[f.function].name for f in heard.functions if f.silent and f.function in functions]
    if silent:
        st.sidebar.warning("Not heard yet: " + ", ".join(silent))
