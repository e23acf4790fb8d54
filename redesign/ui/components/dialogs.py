"""The step dialogs: view a step (its panel) or edit it; one open at a time, by session flag."""

from __future__ import annotations

import streamlit as st

from redesign.store.schemas import WorkshopState
from redesign.ui.components.editors import step_dialog
from redesign.ui.components.step_panel import step_panel


def _close() -> None:
    st.session_state.pop("dialog", None)


@st.dialog("Step", width="large", on_dismiss=_close)
def step_view_dialog(state: WorkshopState, step_id: str) -> None:
    step_panel(state, step_id)


def open_dialogs(state: WorkshopState) -> None:
    """Open the dialog the session asked for (outside the polling fragment, by flag)."""
    flag = st.session_state.get("dialog")
    if not flag:
        return
    kind, step_id, base_version = flag
    if kind == "view" and step_id:
        step_view_dialog(state, step_id)
    elif kind == "edit":
        step_dialog(state, step_id, base_version if base_version is not None else state.version)
