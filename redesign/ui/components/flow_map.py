"""What the map shows of tags and comments, and how a step's panel is opened.

The map itself is the live board (`redesign.ui.components.board`); these helpers are shared
with the live watcher (what a participant's page looks like) and the other views.
"""

from __future__ import annotations

from collections import Counter

import streamlit as st

from redesign.model import Tag
from redesign.store.schemas import WorkshopState


def display_tags(state: WorkshopState) -> dict[str, Tag | None]:
    """Settled tag if any, else the room's leading proposal once revealed.

    The same for the facilitator as for participants: the facilitator's screen is often the
    projected one, so before reveal it shows only what everyone sees (the board's "Peek" is
    the facilitator's deliberate, private look)."""
    tags: dict[str, Tag | None] = {d.step: d.tag for d in state.decisions}
    if not state.revealed:
        return tags
    for step_id, counts in state.proposal_counts.items():
        if step_id in tags or not counts:
            continue
        tags[step_id] = max(counts, key=lambda t: counts[t])
    return tags


def comment_counts(state: WorkshopState) -> dict[str, int]:
    return dict(Counter(c.target_id for c in state.comments if c.target_kind == "step" and not c.resolved))


def open_step(step_id: str) -> None:
    """Open a step's panel (a dialog driven by a session flag, so reruns keep it open).

    Called only from the person's own gesture (the board's Enter / Open, an Open button) or
    from a new focus the facilitator set: nothing else may open a dialog on someone's page."""
    st.session_state["selected_step"] = step_id
    st.session_state["dialog"] = ("view", step_id, None)
