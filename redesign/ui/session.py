"""Who is looking: the seat's token, kept so that a reload keeps your seat.

A participant's token rides in the address (`?t=`): it only ever acts as that person,
and the address is how they come back. The facilitator's token can change phases and
settle steps, and facilitators project their screen, so their address shows only the
workshop (`?w=<workshop id>`) and the token moves into a cookie of this browser
(`crossflow_seat_<workshop id>`, SameSite=Strict, 30 days) that a reload reads back.
Another browser takes the seat back with the join code and the facilitator key.
"""

from __future__ import annotations

import re

import streamlit as st

from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.resources import service, workshop_state

TOKEN_PARAM = "t"
JOIN_PARAM = "join"
SEAT_PARAM = "w"
SEAT_COOKIE = "crossflow_seat_{}"
SEAT_COOKIE_DAYS = 30
_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")  # token_urlsafe and uuid hex: nothing to escape


def _seat_cookie() -> str | None:
    workshop_id = st.query_params.get(SEAT_PARAM)
    if not workshop_id or not _SAFE.match(workshop_id):
        return None
    return st.context.cookies.get(SEAT_COOKIE.format(workshop_id))


def current_token() -> str | None:
    token = st.session_state.get("token") or st.query_params.get(TOKEN_PARAM) or _seat_cookie()
    return token or None


def keep_seat(state: WorkshopState, token: str) -> None:
    """Keep the seat in this page's address, so a reload on any page keeps it (the top navigation drops
    query parameters): a participant's token, or for a facilitator the workshop id, with the token in a
    cookie of this browser."""
    if not state.me.is_facilitator:
        if st.query_params.get(TOKEN_PARAM) != token:
            st.query_params[TOKEN_PARAM] = token
        return
    if not (_SAFE.match(token) and _SAFE.match(state.workshop_id)):
        return
    if st.query_params.get(TOKEN_PARAM) or st.query_params.get(SEAT_PARAM) != state.workshop_id:
        st.query_params.pop(TOKEN_PARAM, None)
        st.query_params[SEAT_PARAM] = state.workshop_id
    if st.session_state.get("seat_cookie") != state.workshop_id:
        st.session_state["seat_cookie"] = state.workshop_id
        _seat_cookie_script(state.workshop_id, token, SEAT_COOKIE_DAYS * 86400)


def remember(token: str) -> None:
    """Keep the token for this tab (the page it goes to puts the seat in the address)."""
    st.session_state["token"] = token
    st.query_params.clear()


def forget() -> None:
    """Leave the seat: this tab forgets it, and the next page drops a facilitator's seat cookie."""
    if st.session_state.get("seat_cookie"):
        st.session_state["drop_seat_cookie"] = st.session_state.pop("seat_cookie")
    for key in ("token", "selected_step", "dialog"):
        st.session_state.pop(key, None)
    st.query_params.clear()


def _seat_cookie_script(workshop_id: str, value: str, max_age: int) -> None:
    name = SEAT_COOKIE.format(workshop_id)
    st.html(
        "<script>(function(){var secure = location.protocol === 'https:' ? '; Secure' : '';"
        f"document.cookie = '{name}={value}; Path=/; Max-Age={max_age}; SameSite=Strict' + secure;"
        "})();</script>",
        unsafe_allow_javascript=True,
    )


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
    keep_seat(state, token)
    return state


def flash() -> None:
    """Show (once) a message left by the previous run, e.g. after a redirect; finish leaving a seat."""
    dropped = st.session_state.pop("drop_seat_cookie", None)
    if dropped and _SAFE.match(dropped):
        _seat_cookie_script(dropped, "", 0)
    message = st.session_state.pop("flash", None)
    if message:
        kind, text = message
        getattr(st, kind)(text)


def require_state(title: str, why: str) -> WorkshopState:
    """The viewer's workshop state; without a seat, say so, point to the start page and stop."""
    state = load_state()
    if state is None:
        st.title(title)
        if st.query_params.get(SEAT_PARAM):
            why = (
                "This browser does not hold the facilitator seat of this workshop (the seat is kept in the "
                "browser where it was opened). On the start page, take it back with the join code and your "
                "facilitator key."
            )
        st.info(why)
        st.page_link("redesign/ui/pages/home.py", label="Start or join a workshop", icon="🏠")
        st.stop()
    return state
