"""Live updates: a small fragment brings the page up to date when the workshop moves on, and
reruns the page only when something this viewer sees has changed.

Push (the default): the fragment holds the listener component (assets/live_listener.js), one
EventSource per page on the server's push route (redesign/web/routes.py). When the route
announces a version newer than the page shows, the component triggers a rerun of this fragment
only; the fragment reads the version and reruns the whole page if the open view changed. An idle
page costs the server nothing. If the push channel drops or a proxy holds it back, the component
says so, triggers the fragment every POLL_SECONDS instead (polling) and goes back to push as soon
as the stream answers again. With CROSSFLOW_LIVE=poll every page polls, as before push.

On a participant's board the listener first asks the view route (`/crossflow/view`): when the
map's look (`redesign.views.looks.map_look`) is unchanged at the new version, only the cards
changed (a comment, a leading tag), and the route's board data is drawn by the board's own script
with no Streamlit rerun at all. A busy room's common change then costs each page one small JSON
request instead of a rerun. Anything else (a new phase, the flow, a dialog open) asks the fragment.

The fragment does the least possible work per check (one indexed read); the heavy state loads
happen in the full rerun, through the caches keyed by version. Forms, dialogs and editors live
outside this fragment, so a check never resets them.

In a busy room most changes are other people's proposals, and most of them change
nothing on a participant's map (proposals are private until revealed; after, only a
change of a step's leading tag shows). Redrawing 50 pages for them is what made a
busy room fall behind, so when a participant looks at the map (no other tab, no
dialog), the tick compares what the page would show (`page_look`) at the new version
with what it shows, and only reruns the page when they differ.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.resources import LIVE_MODE, POLL_SECONDS, service, workshop_state
from redesign.ui.session import root_path
from redesign.views.looks import Look, map_look_digest, page_look
from redesign.web.routes import EVENTS_PATH, VIEW_PATH

_DRAWING_PAGE = "_live_watch_inline"
"""Session flag: set while the whole page is being drawn (the fragment then runs inline)."""
_MAP_LOOK = "_live_map_look"
"""Session key: the fingerprint of the map's look this page shows (None: not a participant's board)."""
_SHOWN = "_live_shown"
"""Session key: (version, look) of what the page shows now."""


def live_watch(state: WorkshopState, token: str, view_look: Callable[[], Look | None] | None = None) -> None:
    """The live indicator: brings the page up to date when the workshop moved on (the countdown is the timer bar's).

    `view_look` (participants) names how the open view looks (`page_look`, `table_look`,
    or None for a view that must redraw on every change); while that look is the same
    at a new version, the page is not redrawn.
    """
    look_of = view_look() if view_look else None
    st.session_state[_SHOWN] = (state.version, look_of, look_of(state) if look_of else None)
    # A participant's board takes card-only changes from the view route, without a rerun (see module doc).
    st.session_state[_MAP_LOOK] = map_look_digest(state) if look_of is page_look else None
    st.session_state[_DRAWING_PAGE] = True
    try:
        if LIVE_MODE == "poll":
            _watch(state.workshop_id, token, view_look)
        else:
            # Outside the fragment, so its trigger reruns the whole page: the listener uses it when the
            # fragment's reruns go unanswered (a new server session after a replica restart).
            _LISTENER(key="crossflow_live_kick", data={"kick": True}, on_kick_change=_ignore, height=0)
            _listen(state.workshop_id, token, view_look)
    finally:
        st.session_state[_DRAWING_PAGE] = False


_LISTENER = st.components.v2.component(
    "crossflow_live",
    js=(Path(__file__).parent / "assets" / "live_listener.js").read_text(encoding="utf-8"),
    # multi-line on purpose: Streamlit takes a one-line string with "[" for a file path (a glob)
    css="""
.crossflow-live { font-size: 0.875rem; color: var(--st-text-color); opacity: 0.8; }
.crossflow-live[data-mode=polling] { opacity: 1; background: #fff3cd; color: #664d03;
  border: 1px solid #e0b000; border-radius: 4px; padding: 2px 6px; }
""",
)


def _ignore() -> None:
    """The component's triggers only rerun the fragment; what they carry is not needed."""


@st.fragment
def _listen(workshop_id: str, token: str, view_look: Callable[[], Look | None] | None) -> None:
    """Push mode: runs inline when the page is drawn, then whenever the listener asks (a newer version
    was announced, or a polling tick while push is down). Inline it does not read the store, for the
    reason given in `_watch`."""
    shown = st.session_state.get(_SHOWN, (0, None, None))
    version = shown[0]
    if not st.session_state.get(_DRAWING_PAGE):
        try:
            version = service().version(workshop_id)
            if version != shown[0]:
                version = _catch_up(token, version, shown, view_look)
        except StoreError:
            st.caption("⚠ Reconnecting to the workshop...")
    _LISTENER(
        key="crossflow_live",
        data={
            "w": workshop_id,
            "version": version,
            "events": f"{root_path()}{EVENTS_PATH.lstrip('/')}?w={workshop_id}",
            "poll": POLL_SECONDS,
            "view": f"{root_path()}{VIEW_PATH.lstrip('/')}?w={workshop_id}",
            "mapLook": st.session_state.get(_MAP_LOOK),
            "run": time.time(),  # each run differs: the listener knows its request was answered
        },
        on_version_change=_ignore,
        on_tick_change=_ignore,
        height="content",
    )


@st.fragment(run_every=POLL_SECONDS)
def _watch(workshop_id: str, token: str, view_look: Callable[[], Look | None] | None) -> None:
    """Poll mode (CROSSFLOW_LIVE=poll): runs inline when the page is drawn, then on its own every POLL_SECONDS.

    Only the periodic runs check the store. Inline, the page has just loaded the
    version it shows; rerunning it from here (because someone wrote a moment ago)
    would abort the run before the widgets below are drawn, and the click that
    started the run would be lost. The next tick catches the newer version.
    """
    shown = st.session_state.get(_SHOWN, (0, None, None))
    version = shown[0]
    if not st.session_state.get(_DRAWING_PAGE):
        try:
            version = service().version(workshop_id)
            if version != shown[0]:
                version = _catch_up(token, version, shown, view_look)
        except StoreError:
            st.caption("⚠ Reconnecting to the workshop...")
            return
    st.caption(f"🟢 live · version {version}")  # the countdown is the timer bar's (components/timer.py)


def _catch_up(
    token: str, version: int, shown: tuple[int, Look | None, object], view_look: Callable[[], Look | None] | None
) -> int:
    """Rerun the page for `version`, unless the open view would look the same; returns the version now shown."""
    _, look_of, look = shown
    if look_of is not None and view_look is not None and view_look() is look_of:
        state = workshop_state(token, version)
        if look_of(state) == look:
            st.session_state[_SHOWN] = (state.version, look_of, look)
            return state.version
    st.rerun(scope="app")
    raise AssertionError("unreachable")  # st.rerun does not return
