"""The live board: the swimlane map as one `st.components.v2` component people touch directly.

The JS (board.js, plain DOM, no build step) draws cards, lanes and hand-offs, handles drag,
hand-off drawing, rename, notes, keyboard proposals, zoom/pan and projector mode, and sends one
action per gesture as a trigger value. The callback below saves it through the store before the
page is drawn again, so the person sees the result in the same rerun. A refusal (stale edit, bad
name, locked phase) becomes a one-line notice the board shows while the card snaps back to where
the store says it is. On a rerun with a newer flow the JS redraws only what changed (by id), so a
drag or a rename in progress survives other people's changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from pydantic import ValidationError

from redesign.flowchart import ChartPage
from redesign.model import Flow, Handoff, Step, Tag
from redesign.store.errors import StaleEdit, StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.components.editors import new_id
from redesign.ui.components.flow_map import open_step
from redesign.ui.resources import flow_metrics, service
from redesign.views.board import NOTE_KINDS, TAG_WORD, board_data, board_layout
from redesign.workshop import TargetKind

_HERE = Path(__file__).parent
BOARD_KEY = "board"
NOTICE_KEY = "board_notice"
ACK_KEY = "board_ack"
PEEK_KEY = "board_peek"
MAX_NAME = 200

_component = st.components.v2.component(
    "crossflow_board",
    html='<div class="cf-root"></div>',
    css=(_HERE / "board.css").read_text(encoding="utf-8"),
    js=(_HERE / "board.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)


@st.cache_resource(max_entries=64, show_spinner=False)
def _layout(workshop_id: str, version: int, _flow: Flow) -> ChartPage:
    """One layout per workshop version, shared by every open page (44 ms at 300 steps)."""
    return board_layout(_flow)


def board(state: WorkshopState) -> None:
    """Mount the board for this viewer at this version."""
    drawn = BOARD_KEY in st.session_state  # this session drew the board: its callback saves every gesture
    data = board_data(
        state,
        flow_metrics(state),
        peek=bool(st.session_state.get(PEEK_KEY)),
        notice=st.session_state.get(NOTICE_KEY),
        ack=int(st.session_state.get(ACK_KEY, 0)),
        layout=_layout(state.workshop_id, state.version, state.flow),
    )
    _component(key=BOARD_KEY, data=data, on_action_change=_on_action, width="stretch", height="content")
    if not drawn and _missed_action():
        st.rerun()  # draw the board again from the store


def _missed_action() -> bool:
    """Save a gesture that reached a session that had not drawn the board yet: after a replica failover
    or restart it can be the new session's first message, and Streamlit runs no callback for a widget its
    session never drew (redesign/ui/components/voting.py says more). True when there was one."""
    value = (st.session_state.get(BOARD_KEY) or {}).get("action")
    if not isinstance(value, dict) or int(value.get("seq") or 0) <= int(st.session_state.get(ACK_KEY, 0)):
        return False
    _on_action()
    return True


def _notice(text: str, seq: int) -> None:
    st.session_state[NOTICE_KEY] = {"seq": seq, "text": text}


def _on_action() -> None:
    """Save the gesture the board just sent (runs before the page is drawn again)."""
    value = (st.session_state.get(BOARD_KEY) or {}).get("action")
    if not isinstance(value, dict):
        return
    seq = int(value.get("seq") or 0)
    st.session_state[ACK_KEY] = seq
    st.session_state.pop(NOTICE_KEY, None)
    token = st.session_state.get("token", "")
    handler = _HANDLERS.get(str(value.get("op")))
    if handler is None:
        return
    try:
        done = handler(token, value)
    except StaleEdit as exc:
        _notice(_stale_text(value, exc), seq)
        return
    except StoreError as exc:
        _notice(f"⛔ {exc}", seq)
        return
    except (KeyError, TypeError, ValueError) as exc:  # a gesture the board should not have sent
        _notice(f"⛔ That change could not be read ({type(exc).__name__}); nothing was saved.", seq)
        return
    if done:
        st.session_state["toast"] = done


def _stale_text(value: dict[str, Any], exc: StaleEdit) -> str:
    who = exc.changes[-1].actor_name if exc.changes else "someone"
    if value.get("op") == "move":
        return f"↩ Moved by {who} a moment ago: the card is now where they put it."
    return f"↩ Changed by {who} a moment ago: the board shows their version; try again on it."


def _state(token: str) -> WorkshopState:
    return service().state(token)


def _move(token: str, v: dict[str, Any]) -> str:
    service().move_step(token, int(v["base"]), str(v["step"]), str(v["lane"]), v.get("before") or None)
    return ""


def _rename(token: str, v: dict[str, Any]) -> str:
    name = str(v.get("name", "")).strip()
    _check_name(name)
    step = _state(token).flow.step(str(v["step"]))
    renamed = _valid_step({**step.model_dump(), "name": name})
    service().update_step(token, int(v["base"]), renamed)
    return f"Renamed to {name}"


def _add(token: str, v: dict[str, Any]) -> str:
    name = str(v.get("name", "")).strip()
    _check_name(name)
    flow = _state(token).flow
    step = _valid_step({"id": new_id("S", set(flow.steps_by_id())), "name": name, "function": str(v["lane"])})
    service().add_step(token, int(v["base"]), step, after=v.get("after") or None)
    return f"Added {name}"


def _handoff(token: str, v: dict[str, Any]) -> str:
    source, target = str(v["source"]), str(v["target"])
    flow = _state(token).flow
    steps = flow.steps_by_id()
    if source == target:
        raise _refuse("A hand-off goes from one step to another, not to itself.")
    if any(h.source == source and h.target == target for h in flow.handoffs):
        name = (steps[source].name, steps[target].name) if source in steps and target in steps else (source, target)
        raise _refuse(f'There already is a hand-off from "{name[0]}" to "{name[1]}".')
    handoff = Handoff(id=new_id("H", {h.id for h in flow.handoffs}), source=source, target=target)
    service().add_handoff(token, int(v["base"]), handoff)
    return "Hand-off added"


def _delete_handoff(token: str, v: dict[str, Any]) -> str:
    service().delete_handoff(token, int(v["base"]), str(v["id"]))
    return "Hand-off deleted (the facilitator can undo it)"


def _note(token: str, v: dict[str, Any]) -> str:
    name = str(v.get("kind", "comment"))
    kind = next((k for k in NOTE_KINDS if k == name), None)
    if kind is None:
        raise _refuse(f"There is no kind of note called {name[:40]!r}; nothing saved.")
    target_kind: TargetKind = "handoff" if v.get("targetKind") == "handoff" else "step"
    service().comment(token, target_kind, str(v["target"]), str(v.get("text", "")), kind)
    return f"{NOTE_KINDS[kind]} added"


def _propose(token: str, v: dict[str, Any]) -> str:
    tag = Tag(str(v["tag"]))
    service().propose(token, str(v["step"]), tag)
    return f"Proposed {TAG_WORD[tag]}"


def _open(token: str, v: dict[str, Any]) -> str:
    open_step(str(v["step"]))
    return ""


def _peek(token: str, v: dict[str, Any]) -> str:
    st.session_state[PEEK_KEY] = bool(v.get("on"))
    return ""


class _Refusal(StoreError):
    """A gesture refused before it reached the store (same one-line notice)."""


def _refuse(message: str) -> _Refusal:
    return _Refusal(message)


def _check_name(name: str) -> None:
    if not name:
        raise _refuse("A step needs a name; the old one is kept.")
    if len(name) > MAX_NAME:
        raise _refuse(f"A step name has at most {MAX_NAME} characters (this one has {len(name)}); nothing saved.")


def _valid_step(fields: dict[str, Any]) -> Step:
    try:
        return Step.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise _refuse(f"That step is not valid: {first.get('msg', 'bad value')}; nothing saved.") from exc


_HANDLERS: dict[str, Callable[[str, dict[str, Any]], str]] = {
    "move": _move,
    "rename": _rename,
    "add": _add,
    "handoff": _handoff,
    "delete_handoff": _delete_handoff,
    "note": _note,
    "propose": _propose,
    "open": _open,
    "peek": _peek,
}
