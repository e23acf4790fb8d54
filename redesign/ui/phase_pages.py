"""Where each phase's work happens, and taking the person there when the phase changes (issue 16.4).

Mapping, annotating, voting and converging happen on the workshop page's board (proposals on its
cards and in the list under it; settled and, after reveal, leading tags on the cards); seeing the
impact happens on the Impact page, exporting on the Export page. A participant reading the Impact
page while the facilitator opens the vote would otherwise see nothing to click, so every page of a
workshop calls `follow_phase`: a phase change it sees takes the person to that phase's page, once.
"""

from __future__ import annotations

import streamlit as st

from redesign.store.schemas import WorkshopState
from redesign.workshop import Phase

WORKSHOP_PAGE = "redesign/ui/pages/workshop.py"
IMPACT_PAGE = "redesign/ui/pages/impact.py"
EXPORT_PAGE = "redesign/ui/pages/export.py"
PHASE_PAGE: dict[Phase, tuple[str, str]] = {
    Phase.IMPACT: (IMPACT_PAGE, "📈 Impact"),
    Phase.EXPORT: (EXPORT_PAGE, "📤 Export"),
}
SEEN_PHASE = "seen_phase"
"""Session key: the phase this person's pages last showed (one key for every page of the session)."""


def page_of(phase: Phase) -> str:
    """The page where `phase`'s work happens."""
    return PHASE_PAGE[phase][0] if phase in PHASE_PAGE else WORKSHOP_PAGE


def follow_phase(state: WorkshopState, here: str) -> bool:
    """Take a participant to the phase's page when the phase changed since their page last looked.

    Returns True when the phase changed and `here` is that page (the caller then shows the view
    where the work happens, e.g. the board). The first page a person opens only notes the phase:
    they came there on purpose. A step panel left open (with what the person typed) is never
    closed by a move to another page: the move waits until the person closes it. Nothing here
    opens a dialog (issue 16.8).
    """
    seen = st.session_state.get(SEEN_PHASE)
    if seen == state.phase:
        return False
    if seen is None:
        st.session_state[SEEN_PHASE] = state.phase
        return False
    target = page_of(state.phase)
    if target != here and state.me.is_facilitator:
        # The facilitator chose the phase and gets a link to its page (the workshop page shows it): a
        # server-side page switch right after their own phase change left their page blank in Chromium
        # (tests/e2e/test_phases_and_export.py, 3 runs of 3), and a blank projector is worse than a link.
        st.session_state[SEEN_PHASE] = state.phase
        return False
    if target != here and st.session_state.get("dialog"):
        return False
    st.session_state[SEEN_PHASE] = state.phase
    if target != here:
        st.switch_page(target)
    return True
