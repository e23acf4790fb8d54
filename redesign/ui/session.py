"""Who is looking: the seat's token, kept in an HttpOnly cookie so that a reload keeps your seat.

A seat token acts as one person (a participant, or the facilitator, who can change phases
and settle steps), and facilitators project their screen, so no token is ever shown in an
address. Every page address names only the workshop (`?w=<workshop id>`); the token lives
in an HttpOnly, SameSite=Strict cookie of this browser (`crossflow_seat_<workshop id>`,
30 days) that the page's script cannot read and that only a route of the server sets
(`redesign/web/seats.py`): after joining or starting, the page posts a one-time ticket
(never the token) to `/crossflow/seat`, whose answer sets the cookie. The page stays where it
is (no reload, so this tab keeps what it holds, e.g. the facilitator key shown once); a reload
reads the cookie back. "Leave" posts to `/crossflow/leave`, whose answer clears it. Another
browser takes the facilitator seat back with the join code and the facilitator key.

An old address with the token in it (`?t=`) still works once: the seat moves into the cookie
and the address loses the token.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import streamlit as st

from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.resources import service, workshop_state
from redesign.web import seats

TOKEN_PARAM = "t"
JOIN_PARAM = "join"
SEAT_PARAM = "w"
SEAT_COOKIE = seats.SEAT_COOKIE
PAGE_PATHS = ("workshop", "impact", "export", "samples")
"""The url paths of the app's pages other than the start page (app.py names them)."""
_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,200}$")  # token_urlsafe and uuid hex: nothing to escape
_PENDING = "_seat_pending"
"""Session key: a workshop whose seat this tab holds but this browser's cookie does not yet."""


def app_root() -> str:
    """The start page's address as this browser reached the app (scheme, host, port, base path), with a
    trailing slash; "/" when no browser is attached (tests)."""
    url = (st.context.url or "").split("?")[0].removesuffix("/")
    for page in PAGE_PATHS:
        if url.endswith("/" + page):
            url = url.removesuffix(page).removesuffix("/")
            break
    return url + "/" if url else "/"


def root_path() -> str:
    """The path part of `app_root` ("/" or "/base/"), for the app's own routes."""
    return urlsplit(app_root()).path or "/"


def join_link(state: WorkshopState) -> str:
    """The link a facilitator shares: the start page, as the browser reached it, with the join code."""
    return f"{app_root()}?{JOIN_PARAM}={state.join_code}"


def _browser() -> bool:
    """A real browser is attached (AppTest has none): only a browser can follow a redirect."""
    return bool(st.context.url)


def _seat_cookie(workshop_id: str | None) -> str | None:
    if not workshop_id or not _SAFE.match(workshop_id):
        return None
    return st.context.cookies.get(SEAT_COOKIE.format(workshop_id)) or None


def current_token() -> str | None:
    token = (
        st.session_state.get("token")
        or st.query_params.get(TOKEN_PARAM)
        or _seat_cookie(st.query_params.get(SEAT_PARAM))
    )
    return token or None


def current_workshop() -> str | None:
    """The workshop whose seat this tab holds (None before joining)."""
    return st.session_state.get("workshop_id") or st.query_params.get(SEAT_PARAM) or None


def keep_seat(state: WorkshopState, token: str) -> None:
    """The address names the workshop only; the seat goes into this browser's cookie once (through the
    seat route) if it is not there yet, e.g. right after joining or from an old `?t=` address."""
    st.session_state["workshop_id"] = state.workshop_id
    if st.query_params.get(TOKEN_PARAM) or st.query_params.get(SEAT_PARAM) != state.workshop_id:
        st.query_params.pop(TOKEN_PARAM, None)
        st.query_params[SEAT_PARAM] = state.workshop_id
    if _seat_cookie(state.workshop_id) != token and _browser():
        take_seat(state.workshop_id, token)


def take_seat(workshop_id: str, token: str) -> None:
    """Have the seat route put the seat into this browser's HttpOnly cookie (once per tab: the cookies
    this session read at connect time do not show it until the next page load)."""
    if st.session_state.get(_PENDING) == (workshop_id, token):
        return
    st.session_state[_PENDING] = (workshop_id, token)
    _post(seats.SEAT_PATH, {"ticket": seats.TICKETS.issue(workshop_id, token)})


def _post(route: str, body: dict[str, str]) -> None:
    """POST `body` as JSON to one of the app's routes from this page (same origin, cookies included)."""
    path = root_path() + route.lstrip("/")
    st.html(
        f"<script>fetch({json.dumps(path)}, {{method: 'POST', credentials: 'same-origin', "
        f"headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(json.dumps(body))}}});</script>",
        unsafe_allow_javascript=True,
    )


def remember(token: str, workshop_id: str) -> None:
    """Keep the token for this tab (the seat route then puts it into this browser's cookie)."""
    st.session_state["token"] = token
    st.session_state["workshop_id"] = workshop_id
    st.query_params.clear()


def forget() -> None:
    """Leave the seat: this tab forgets it, and the next page clears this browser's seat cookie."""
    workshop_id = current_workshop()
    if workshop_id and _SAFE.match(workshop_id):
        st.session_state["drop_seat_cookie"] = workshop_id
    for key in ("token", "workshop_id", "selected_step", "dialog", _PENDING):
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
    keep_seat(state, token)
    return state


def flash() -> None:
    """Show (once) a message left by the previous run, e.g. after a redirect; finish leaving a seat."""
    dropped = st.session_state.pop("drop_seat_cookie", None)
    if dropped and _SAFE.match(dropped) and _browser():
        _post(seats.LEAVE_PATH, {"w": dropped})
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
                "This browser does not hold the facilitator seat or a participant's seat of this workshop (a seat "
                "stays in the browser where it was taken). Participants: open the join link again. Facilitator: on "
                "the start page, take the seat back with the join code and your facilitator key."
            )
        st.info(why)
        st.page_link("redesign/ui/pages/home.py", label="Start or join a workshop", icon="🏠")
        st.stop()
    return state
