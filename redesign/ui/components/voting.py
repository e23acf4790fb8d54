"""Quick voting: every step with a three-way tag choice, the focus step first.

Each row is one segmented control (not three buttons): every open page redraws this
list whenever something it shows changes, and each widget costs server time. A choice
is a widget value, not a one-shot button trigger, so a click that lands while the page
is redrawing is never dropped. Clicking the chosen tag again withdraws the proposal.

A click saved by a callback needs a server session that drew the control: Streamlit calls
`on_change` only for widgets registered by an earlier run of the same session. After a
replica fails over (or restarts) the browser keeps the page the old session drew and
reconnects to a new session; when the old page's last run was a full run, Streamlit's browser
does not rerun the page on reconnecting, so the person's next click is the new session's first
run and no callback runs for it (the live listener now asks for that rerun, but a click can
still reach the server before that run has drawn the list). A control this session has not drawn yet therefore takes
the browser's value, and a value that differs from what the store holds is that click: it
is saved here (`_control`), and the page is drawn again from the store.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from redesign.diagram import TAG_LABEL
from redesign.model import Step, Tag
from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.components.flow_map import open_step
from redesign.ui.resources import service
from redesign.ui.text import plain

# The map legend's shapes go after the word: Streamlit checks each option's leading symbol for
# an emoji, ~50 µs for a non-ASCII one, and this list has 75 options on every redraw.
SHORT_TAGS = {Tag.HUMAN: "Human ■", Tag.AUGMENT: "Augment ◆", Tag.AUTOMATE: "Automate ⬢"}
NAME_WIDTH = 360  # px; with the choice, a row fits the page at 1366 px beside the sidebar
OPEN_WIDTH = 60
PAGE_SIZE = 25
"""Rows per page of the list: every row is two widgets, and each costs server time on every rerun."""
SAVED_MARK = "✓"


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


def vote_key(step_id: str, stored: Tag | None) -> str:
    """The control's key names what the store holds: a proposal made elsewhere (the board's keys 1/2/3,
    another tab) gives the row a new control, so a browser still holding the old control's value can
    never send it back as a choice (it did: a rerun right after a board proposal withdrew it)."""
    return f"vote:{step_id}:{stored.value if stored else '-'}"


def _on_choice(step_id: str, name: str, key: str) -> None:
    """Save the choice just made (a callback: it runs before the page is drawn again)."""
    tag = st.session_state.get(key)
    token = st.session_state.get("token", "")
    try:
        if tag is None:
            service().withdraw_proposal(token, step_id)
            st.session_state["toast"] = f"Withdrew your proposal for {name}"
        else:
            service().propose(token, step_id, tag)
            st.session_state["toast"] = f"Proposed {TAG_LABEL[Tag(tag)]} for {name}"
    except StoreError as exc:
        # Shown by the page's flash() whether or not the list is drawn again (a lock or a new
        # phase may have closed voting meanwhile).
        st.session_state["flash"] = ("error", f"⛔ {name}: {exc}")


def vote_list(state: WorkshopState) -> None:
    """One row per step: propose with one click; open the step to give a reason or comment."""
    mine = {p.step_id: p.tag for p in state.proposals if p.participant_id == state.me.id}
    settled = {d.step: d.tag for d in state.decisions}
    done = sum(1 for s in state.flow.steps if s.id in mine)
    st.markdown(f"#### Your proposals — {done} of {len(state.flow.steps)} steps")
    st.caption("One click proposes a tag (click it again to withdraw); open a step to say why or comment.")
    missed = 0
    for step in _page_of_steps(state):
        # One flex row per step (not st.columns, six blocks a row). The name has a fixed
        # width so the choices line up; on a phone the choice wraps below the name.
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        focus = "◉ " if step.id == state.focus_step else ""
        # ✓ is drawn from the store: the control shows a click at once, the tick once it is saved.
        saved = f":green[{SAVED_MARK}] " if step.id in mine else ""
        status = f" · settled: {TAG_LABEL[settled[step.id]]}" if step.id in settled else ""
        row.markdown(f"{saved}{focus}**{plain(step.name)}**{status}", width=NAME_WIDTH)
        missed += _control(row, step, mine.get(step.id))
        if row.button("Open", key=f"vopen:{step.id}", type="tertiary", width=OPEN_WIDTH):
            open_step(step.id)
            st.rerun()
    if missed:  # saved while drawing: draw the list again from the store (its ✓, the toast)
        st.rerun()


def _control(row: DeltaGenerator, step: Step, stored: Tag | None) -> bool:
    """Draw the step's tag choice; True when it carried a click no callback saved, now saved (see module doc)."""
    key = vote_key(step.id, stored)
    drawn = key in st.session_state  # this session drew the control: its callback has saved any click
    if drawn:
        st.session_state[key] = stored  # show what is stored (also after a refusal, or a change in another tab)
    value = row.segmented_control(
        f"Your tag for {step.name}",
        list(Tag),
        default=None if drawn else stored,  # a new control: the browser's value if it holds one, else the store's
        format_func=SHORT_TAGS.__getitem__,
        key=key,
        on_change=_on_choice,
        args=(step.id, step.name, key),
        label_visibility="collapsed",
    )
    if drawn or value == stored:
        return False
    _on_choice(step.id, step.name, key)
    return True
