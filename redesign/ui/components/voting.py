"""Quick voting: every step with three tag buttons, the focus step first."""

from __future__ import annotations

import streamlit as st

from redesign.diagram import TAG_LABEL
from redesign.model import Tag
from redesign.store.schemas import WorkshopState
from redesign.ui.components.flow_map import open_step
from redesign.ui.components.step_panel import act
from redesign.ui.resources import service
from redesign.ui.text import plain

SHORT_TAGS = {Tag.HUMAN: "■ Human", Tag.AUGMENT: "◆ Augment", Tag.AUTOMATE: "⬢ Automate"}
NAME_WIDTH = 360  # px; with the buttons, a row fits the page at 1366 px beside the sidebar
BUTTON_WIDTH = 130
OPEN_WIDTH = 60
PAGE_SIZE = 25
"""Rows per page of the list: every row is five widgets, and each costs server time on every rerun."""


def _page_of_steps(state: WorkshopState) -> list:
    """This page's steps in flow order, with the focus step pinned on top when it is elsewhere."""
    steps = list(state.flow.steps)
    if len(steps) <= PAGE_SIZE:
        return sorted(steps, key=lambda s: (s.id != state.focus_step,))
    starts = list(range(0, len(steps), PAGE_SIZE))
    start = st.segmented_control(
        "Steps",
        starts,
        default=0,
        format_func=lambda i: f"{i + 1}–{min(i + PAGE_SIZE, len(steps))}",
        key="vote_page",
        required=True,
    )
    start = start if start in starts else 0
    end = start + PAGE_SIZE
    shown = steps[start:end]
    focus = next((s for s in steps if s.id == state.focus_step), None)
    if focus is not None and focus not in shown:
        shown.insert(0, focus)
    return sorted(shown, key=lambda s: (s.id != state.focus_step,))


def vote_list(state: WorkshopState) -> None:
    """One row per step: propose with one click; open the step to give a reason or comment."""
    mine = {p.step_id: p.tag for p in state.proposals if p.participant_id == state.me.id}
    settled = {d.step: d.tag for d in state.decisions}
    done = sum(1 for s in state.flow.steps if s.id in mine)
    st.markdown(f"#### Your proposals — {done} of {len(state.flow.steps)} steps")
    st.caption("One click proposes a tag; open a step to say why, see the suggestion or comment.")
    for step in _page_of_steps(state):
        # One flex row per step (not st.columns): a row of columns is six blocks to build
        # and send, and every open page redraws this list on every change in the room.
        # The name has a fixed width so the buttons line up from row to row; on a narrow
        # screen (a phone) the buttons wrap below the name.
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        focus = "◉ " if step.id == state.focus_step else ""
        status = f" · settled: {TAG_LABEL[settled[step.id]]}" if step.id in settled else ""
        row.markdown(f"{focus}**{plain(step.name)}**{status}", width=NAME_WIDTH)
        buttons = row.container(horizontal=True, vertical_alignment="center", gap="small", width="content")
        for tag in Tag:
            chosen = mine.get(step.id) == tag
            if buttons.button(
                SHORT_TAGS[tag],
                key=f"vote:{step.id}:{tag.value}",
                type="primary" if chosen else "secondary",
                width=BUTTON_WIDTH,
            ):
                act(
                    lambda step=step, tag=tag: service().propose(st.session_state["token"], step.id, tag),
                    f"Proposed {TAG_LABEL[tag]} for {step.name}",
                )
        if buttons.button("Open", key=f"vopen:{step.id}", type="tertiary", width=OPEN_WIDTH):
            open_step(step.id)
            st.rerun()
