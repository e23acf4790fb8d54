"""The workshop record: all comments and flags, and the event log."""

from __future__ import annotations

import streamlit as st

from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.components.step_panel import COMMENT_KINDS
from redesign.ui.resources import history_at
from redesign.ui.text import plain


def comments_list(state: WorkshopState) -> None:
    if not state.comments:
        st.info("No comments or flags yet. Open a step on the map to add one.")
        return
    names = {s.id: s.name for s in state.flow.steps}
    show_resolved = st.toggle("Show resolved", value=False, key="show_resolved")
    for c in state.comments:
        if c.resolved and not show_resolved:
            continue
        about = names.get(c.target_id, c.target_id) if c.target_kind == "step" else f"hand-off {c.target_id}"
        status = "✅ " if c.resolved else ""
        st.markdown(f"{status}{COMMENT_KINDS[c.kind]} on **{plain(about)}** — {plain(c.author_name)}, {c.at:%H:%M}")
        st.caption(plain(c.text))


def history_list(state: WorkshopState) -> None:
    try:
        events = history_at(state, st.session_state["token"])
    except StoreError as exc:
        st.info(str(exc))
        return
    if not events:
        st.info("Nothing has happened yet.")
        return
    for e in events:  # newest first
        st.caption(f"v{e.version} · {e.at:%H:%M:%S} · **{plain(e.actor_name)}** {plain(e.summary)}")
