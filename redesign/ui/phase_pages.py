"""Where each phase's work happens, and taking the person there when the phase changes (issue 16.4).

Mapping, annotating, voting and converging happen on the workshop page's board (proposals on its
cards and in the list under it; settled and, after reveal, leading tags on the cards); seeing the
impact happens on the Impact page, exporting on the Export page. A participant reading the Impact
page while the facilitator opens the vote would otherwise see nothing to click, so every page of a
workshop calls `follow_phase`: a phase change it sees takes the person (the facilitator who chose it
included) to that phase's page, once.

The move happens in the browser: the page draws a note with the link to the phase's page and
assets/phase_move.js clicks it. `st.switch_page` on the server raced the live listener: a rerun it had
asked for on the old page reached the server after the switch, Streamlit ran it as the old page, and
the new page went blank (the facilitator's every time, a participant's now and then in CI).
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from redesign.store.schemas import WorkshopState
from redesign.ui.session import SEAT_PARAM
from redesign.workshop import Phase

WORKSHOP_PAGE = "redesign/ui/pages/workshop.py"
IMPACT_PAGE = "redesign/ui/pages/impact.py"
EXPORT_PAGE = "redesign/ui/pages/export.py"
PHASE_PAGE: dict[Phase, tuple[str, str]] = {
    Phase.IMPACT: (IMPACT_PAGE, "📈 Impact"),
    Phase.EXPORT: (EXPORT_PAGE, "📤 Export"),
}
PAGE_LABEL = {page: label for page, label in PHASE_PAGE.values()}
MOVING = "phase_move"
"""Session key: (page, until) of a move under way; a person who has not arrived by then stays put."""
MOVE_SECONDS = 10.0
SEEN_PHASE = "seen_phase"
"""Session key: the phase this person's pages last showed (one key for every page of the session)."""


def page_of(phase: Phase) -> str:
    """The page where `phase`'s work happens."""
    return PHASE_PAGE[phase][0] if phase in PHASE_PAGE else WORKSHOP_PAGE


def follow_phase(state: WorkshopState, here: str) -> bool:
    """Take the person to the phase's page when the phase changed since their page last looked.

    Returns True when the phase changed and `here` is that page (the caller then shows the view
    where the work happens, e.g. the board). The first page a person opens only notes the phase:
    they came there on purpose. A step panel left open (with what the person typed) is never
    closed by a move to another page: the move waits until the person closes it. Nothing here
    opens a dialog (issue 16.8). The facilitator who changed the phase moves with the room.

    A move draws `_move_to` at the top and lets the page draw the rest: stopping the run there left
    the live listener showing the old version, whose late rerun of the old page could crash
    Streamlit's page in the browser ("Cannot set a node at a delta path": a white page).
    """
    seen = st.session_state.get(SEEN_PHASE)
    if _still_moving(state, here):
        return False
    if seen == state.phase:
        return False
    if seen is None:
        st.session_state[SEEN_PHASE] = state.phase
        return False
    target = page_of(state.phase)
    if target != here and st.session_state.get("dialog"):
        return False
    st.session_state[SEEN_PHASE] = state.phase
    if target != here:
        st.session_state[MOVING] = (target, time.monotonic() + MOVE_SECONDS)
        _move_to(state, target)
    return target == here


def _still_moving(state: WorkshopState, here: str) -> bool:
    """A move under way that a late rerun of the old page got ahead of (the live listener may have
    asked for one just before the move): draw the move again at the top, so the browser clicks again."""
    moving = st.session_state.get(MOVING)
    if moving is None:
        return False
    target, until = moving
    if target == here or time.monotonic() > until:
        del st.session_state[MOVING]
        return False
    _move_to(state, target)
    return True


MOVE_BOX = "cf_phase_move"
"""Key of the container holding the link the browser clicks (assets/phase_move.js finds it by class)."""

_MOVER = st.components.v2.component(
    "crossflow_phase_move",
    js=(Path(__file__).parent / "assets" / "phase_move.js").read_text(encoding="utf-8"),
)


def _move_to(state: WorkshopState, target: str) -> None:
    """Say where the person is going and go there, in the browser (see assets/phase_move.js for why
    not `st.switch_page`). The link is also there to click if the browser does not move."""
    label = PAGE_LABEL.get(target, "🗺 Workshop")
    with st.container(key=MOVE_BOX):
        st.info(f"**{state.phase.title}** has started: taking you to {label}…", icon="➡️")
        st.page_link(target, label=f"Go to {label} →", query_params={SEAT_PARAM: state.workshop_id})
    # `drawn` differs per run, so a move drawn again (a late rerun of the old page) starts clicking again.
    _MOVER(key="crossflow_phase_move", data={"box": MOVE_BOX, "to": target, "drawn": time.time()}, height=0)
