"""Who is looking: the participant token kept in the URL so a reload keeps your seat."""

from __future__ import annotations

import streamlit as st

from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.resources import service, workshop_state

TOKEN_PARAM = "t"
JOIN_PARAM = "join"


def current_token() -> str | None:
    token = st.session_state.get("token") or st.query_params.get(TOKEN_PARAM)
    return token or None


def remember(token: str) -> None:
    """Keep the token for this tab and in the URL (a bookmark brings you back)."""
    st.session_state["token"] = token
    st.query_params.clear()
    st.query_params[TOKEN_PARAM] = token


def forget() -> None:
    for key in ("token", "selected_step", "dialog"):
        st.session_state.pop(key, None)
    st.query_params.clear()


def load_state() -> WorkshopState | None:
    """The current viewer's workshop state, or None when not in a workshop.

    A token that no longer works (workshop deleted) is forgotten with a message, so
    the page falls back to the start page instead of failing.
    """
    token = current_token()
    if not token:
        return None
    try:
        svc = service()
        me = svc.whoami(token)
        version = svc.version(me.workshop_id)
        state = workshop_state(token, version)
    except StoreError as exc:
        forget()
        st.session_state["flash"] = ("warning", f"You are no longer in a workshop: {exc}")
        return None
    st.session_state["token"] = token
    st.session_state["seen_version"] = state.version
    return state


def flash() -> None:
    """Show (once) a message left by the previous run, e.g. after a redirect."""
    message = st.session_state.pop("flash", None)
    if message:
        kind, text = message
        getattr(st, kind)(text)


def require_state(title: str, why: str) -> WorkshopState:
    """The viewer's workshop state; without a seat, say so, point to the start page and stop."""
    state = load_state()
    if state is None:
        st.title(title)
        st.info(why)
        st.page_link("redesign/ui/pages/home.py", label="Start or join a workshop", icon="🏠")
        st.stop()
    return state
