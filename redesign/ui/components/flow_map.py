"""What the map shows of tags and comments, and how a step's panel is opened.

The map itself is the live board (`redesign.ui.components.board`); these helpers are shared
with the live watcher (what a participant's page looks like) and the other views.
"""

from __future__ import annotations

import streamlit as st


def open_step(step_id: str) -> None:
    """Open a step's panel (a dialog driven by a session flag, so reruns keep it open).

    Called only from the person's own gesture (the board's Enter / Open, an Open button) or
    from a new focus the facilitator set: nothing else may open a dialog on someone's page."""
    st.session_state["selected_step"] = step_id
    st.session_state["dialog"] = ("view", step_id, None)
