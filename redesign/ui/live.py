"""Live updates: a tiny fragment polls the store's version number and reruns the page
only when something changed.

Streamlit cannot push a rerun into another session, so every open page asks. The
fragment does the least possible work per tick (one indexed read and a caption);
the heavy state loads happen in the full rerun, through the caches keyed by version.
Forms, dialogs and editors live outside this fragment, so a tick never resets them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from redesign.store.errors import StoreError
from redesign.ui.resources import POLL_SECONDS, service


def timer_text(ends_at: datetime | None, now: datetime | None = None) -> str | None:
    """'⏱ 4:05 left' / "⏱ Time's up" for a timer, None when no timer runs."""
    if ends_at is None:
        return None
    now = now or datetime.now(UTC)
    if ends_at.tzinfo is None:
        ends_at = ends_at.replace(tzinfo=UTC)
    left = int((ends_at - now).total_seconds())
    if left <= 0:
        return "⏱ Time's up"
    return f"⏱ {left // 60}:{left % 60:02d} left"


_DRAWING_PAGE = "_live_watch_inline"
"""Session flag: set while the whole page is being drawn (the fragment then runs inline)."""


def live_watch(workshop_id: str, seen_version: int, timer_ends_at: datetime | None) -> None:
    """The live indicator: rerun the whole page when the workshop moved on; show the countdown meanwhile."""
    st.session_state[_DRAWING_PAGE] = True
    try:
        _watch(workshop_id, seen_version, timer_ends_at)
    finally:
        st.session_state[_DRAWING_PAGE] = False


@st.fragment(run_every=POLL_SECONDS)
def _watch(workshop_id: str, seen_version: int, timer_ends_at: datetime | None) -> None:
    """Runs inline when the page is drawn, then on its own every POLL_SECONDS.

    Only the periodic runs check the store. Inline, the page has just loaded
    `seen_version`; rerunning it from here (because someone wrote a moment ago)
    would abort the run before the widgets below are drawn, and the click that
    started the run would be lost. The next tick catches the newer version.
    """
    version = seen_version
    if not st.session_state.get(_DRAWING_PAGE):
        try:
            version = service().version(workshop_id)
        except StoreError:
            st.caption("⚠ Reconnecting to the workshop...")
            return
        if version != seen_version:
            st.rerun(scope="app")
    timer = timer_text(timer_ends_at)
    st.caption((f"**{timer}** · " if timer else "") + f"🟢 live · version {version}")
