"""Editing the flow: a dialog for one step, table editors for bulk edits of steps and hand-offs.

Known Streamlit traps (research/streamlit.md): the data editor's result is never fed
back as its input; editors are keyed by the workshop version so someone else's change
cannot land an edit on the wrong row (unsaved table edits are then discarded, and the
page says so); dialogs open from a session flag, outside the polling fragment.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from redesign.model import Flow, Handoff, Stakes, Step, StepKind
from redesign.store.schemas import WorkshopState
from redesign.ui.components.step_panel import act
from redesign.ui.resources import service

STEP_COLUMNS = ["id", "name", "function", "owner", "volume", "touch_minutes", "wait_minutes", "pca", "dq_note"]
HANDOFF_COLUMNS = ["id", "source", "target", "channel", "pca", "wait_minutes", "condition", "rework"]


def new_id(prefix: str, taken: set[str]) -> str:
    """The next free id like S13 / H7."""
    numbers = [int(m.group(1)) for t in taken if (m := re.fullmatch(rf"{prefix}(\d+)", t))]
    n = max(numbers, default=len(taken)) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


# --------------------------------------------------------------------------- step dialog


@st.dialog("Step details", width="large", on_dismiss=lambda: st.session_state.pop("dialog", None))
def step_dialog(state: WorkshopState, step_id: str | None, base_version: int) -> None:
    flow = state.flow
    existing = flow.step(step_id) if step_id and step_id in flow.steps_by_id() else None
    own_lane = state.me.function if state.me.function in flow.functions_by_id() else None
    step = existing or Step(
        id=new_id("S", set(flow.steps_by_id())),
        name="New step",
        function=own_lane or (flow.functions[0].id if flow.functions else "ops"),
    )
    functions = {f.id: f.name for f in flow.functions}
    roles = {"": "— no owner —", **{r.id: r.name for r in flow.roles}}
    data = {d.id: f"{d.name} ({d.system})" if d.system else d.name for d in flow.data_items}
    with st.form("step_form"):
        c1, c2 = st.columns([1, 3])
        sid = c1.text_input("Id", value=step.id, disabled=existing is not None)
        name = c2.text_input("Name", value=step.name, max_chars=200)
        description = st.text_area("Description", value=step.description, max_chars=4000, height=80)
        c1, c2, c3 = st.columns(3)
        function = c1.selectbox(
            "Function (lane)",
            list(functions),
            index=_index(list(functions), step.function),
            format_func=functions.__getitem__,
        )
        owner = c2.selectbox(
            "Owner role", list(roles), index=_index(list(roles), step.owner or ""), format_func=roles.__getitem__
        )
        kind = c3.selectbox("Kind", list(StepKind), index=list(StepKind).index(step.kind), format_func=str)
        c1, c2, c3, c4 = st.columns(4)
        volume = c1.number_input(f"Cases / {flow.period.value}", min_value=0.0, value=float(step.volume))
        touch = c2.number_input("Touch minutes", min_value=0.0, value=float(step.touch_minutes))
        wait = c3.number_input("Wait minutes", min_value=0.0, value=float(step.wait_minutes))
        pca = c4.number_input("%C&A of output", min_value=0.0, max_value=100.0, value=float(step.pca))
        dq_note = st.text_input("Data-quality note", value=step.dq_note, max_chars=4000)
        c1, c2 = st.columns(2)
        data_in = c1.multiselect(
            "Data in", list(data), default=[d for d in step.data_in if d in data], format_func=data.__getitem__
        )
        data_out = c2.multiselect(
            "Data out", list(data), default=[d for d in step.data_out if d in data], format_func=data.__getitem__
        )
        c1, c2, c3 = st.columns(3)
        stakes = c1.selectbox("Judgment stakes", list(Stakes), index=list(Stakes).index(step.stakes), format_func=str)
        decides = c2.checkbox("Decides an outcome for a person", value=step.decides_for_person)
        learning = c3.checkbox("Juniors learn the job here", value=step.learning_step)
        after = None
        if existing is None and flow.steps:
            names = {s.id: s.name for s in flow.steps}
            after = st.selectbox(
                "Comes after (adds the hand-off)", ["", *names], format_func=lambda i: names.get(i, "—")
            )
        saved = st.form_submit_button("Save", type="primary")
    if saved:
        try:
            new = step.model_copy(
                update={
                    "id": sid.strip(),
                    "name": name.strip(),
                    "description": description,
                    "function": function,
                    "owner": owner or None,
                    "kind": kind,
                    "volume": volume,
                    "touch_minutes": touch,
                    "wait_minutes": wait,
                    "pca": pca,
                    "dq_note": dq_note,
                    "data_in": data_in,
                    "data_out": data_out,
                    "stakes": stakes,
                    "decides_for_person": decides,
                    "learning_step": learning,
                }
            )
            new = Step.model_validate(new.model_dump())
        except ValueError as exc:
            st.error(_first_error(exc), icon="⛔")
            return
        token = st.session_state["token"]

        def close() -> None:
            st.session_state["dialog"] = ("view", new.id, None)
            st.session_state["selected_step"] = new.id

        if existing:
            act(lambda: service().update_step(token, base_version, new), f"Saved {new.name}", then=close)
        else:

            def add() -> None:
                version = service().add_step(token, base_version, new)
                if after:
                    handoff = Handoff(id=new_id("H", {h.id for h in flow.handoffs}), source=after, target=new.id)
                    service().add_handoff(token, version, handoff)

            act(add, f"Added {new.name}", then=close)
    if existing and st.button("🗑 Delete this step", key="delete_step"):

        def closed() -> None:
            st.session_state.pop("dialog", None)
            st.session_state.pop("selected_step", None)

        act(lambda: service().delete_step(st.session_state["token"], base_version, existing.id), "Deleted", then=closed)


def _index(options: list[str], value: str) -> int:
    return options.index(value) if value in options else 0


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}"
    return str(exc)


# --------------------------------------------------------------------------- tables


def steps_frame(flow: Flow) -> pd.DataFrame:
    return pd.DataFrame([{c: getattr(s, c) for c in STEP_COLUMNS} for s in flow.steps], columns=STEP_COLUMNS)


def apply_step_edits(flow: Flow, edits: dict[str, Any]) -> Flow:
    """A new flow with the editor's edited/added/deleted rows applied (pure; invalid -> ValueError)."""
    steps = [s.model_dump() for s in flow.steps]
    for row, change in (edits.get("edited_rows") or {}).items():
        steps[int(row)].update({k: (None if k == "owner" and v == "" else v) for k, v in change.items()})
    deleted = {int(i) for i in edits.get("deleted_rows") or []}
    removed_ids = {steps[i]["id"] for i in deleted}
    steps = [s for i, s in enumerate(steps) if i not in deleted]
    taken = {s["id"] for s in steps}
    for added in edits.get("added_rows") or []:
        row = {k: v for k, v in added.items() if v is not None and k in STEP_COLUMNS}
        row.setdefault("id", new_id("S", taken))
        row.setdefault("name", "New step")
        row.setdefault("function", flow.functions[0].id if flow.functions else "ops")
        taken.add(row["id"])
        steps.append(row)
    handoffs = [h for h in flow.handoffs if h.source not in removed_ids and h.target not in removed_ids]
    return Flow.model_validate({**flow.model_dump(), "steps": steps, "handoffs": [h.model_dump() for h in handoffs]})


def steps_table(state: WorkshopState) -> None:
    flow = state.flow
    key = f"steps_table:{state.version}"
    st.caption(
        "Edit cells, add rows at the bottom, delete with the row checkbox, then **Save table**. "
        "If someone else changes the flow first, unsaved table edits are discarded and you see theirs."
    )
    st.data_editor(
        steps_frame(flow),
        key=key,
        hide_index=True,
        num_rows="dynamic" if state.can.edit_flow else "fixed",
        disabled=not state.can.edit_flow or ["id"],
        column_config={
            "function": st.column_config.SelectboxColumn(
                "function", options=[f.id for f in flow.functions], required=True
            ),
            "owner": st.column_config.SelectboxColumn("owner", options=["", *[r.id for r in flow.roles]]),
            "pca": st.column_config.NumberColumn("%C&A", min_value=0, max_value=100),
            "volume": st.column_config.NumberColumn("volume", min_value=0),
            "touch_minutes": st.column_config.NumberColumn("touch min", min_value=0),
            "wait_minutes": st.column_config.NumberColumn("wait min", min_value=0),
        },
    )
    if state.can.edit_flow and st.button("💾 Save table", key="save_steps"):
        edits = st.session_state.get(key) or {}
        try:
            new_flow = apply_step_edits(flow, edits)
        except ValueError as exc:
            st.error("The table has a problem: " + _first_error(exc), icon="⛔")
            return
        act(lambda: service().replace_flow(st.session_state["token"], state.version, new_flow), "Saved")


def handoffs_table(state: WorkshopState) -> None:
    flow = state.flow
    names = {s.id: s.name for s in flow.steps}
    rows = [{c: getattr(h, c) for c in HANDOFF_COLUMNS} for h in flow.handoffs]
    frame = pd.DataFrame(rows, columns=HANDOFF_COLUMNS)
    frame.insert(2, "from", [names.get(h.source, h.source) for h in flow.handoffs])
    frame.insert(4, "to", [names.get(h.target, h.target) for h in flow.handoffs])
    st.dataframe(frame, hide_index=True, width="stretch")
    if not state.can.edit_flow or len(flow.steps) < 2:
        return
    ids = list(names)
    with st.form(f"add_handoff:{state.version}"):
        st.markdown("**Add or change a hand-off**")
        c1, c2, c3 = st.columns(3)
        source = c1.selectbox("From", ids, format_func=lambda i: names[i])
        target = c2.selectbox("To", ids, index=min(1, len(ids) - 1), format_func=lambda i: names[i])
        channel = c3.text_input("Channel", placeholder="e.g. spreadsheet by email")
        c1, c2, c3 = st.columns(3)
        pca = c1.number_input("%C&A arriving (0 = same as the step)", min_value=0.0, max_value=100.0, value=0.0)
        wait = c2.number_input("Wait minutes", min_value=0.0, value=0.0)
        rework = c3.checkbox("Rework loop (goes back)")
        if st.form_submit_button("Save hand-off"):
            existing = next((h for h in flow.handoffs if h.source == source and h.target == target), None)
            handoff = Handoff(
                id=existing.id if existing else new_id("H", {h.id for h in flow.handoffs}),
                source=source,
                target=target,
                channel=channel,
                pca=pca or None,
                wait_minutes=wait,
                rework=rework or source == target,
            )
            token = st.session_state["token"]
            call = service().update_handoff if existing else service().add_handoff
            act(lambda: call(token, state.version, handoff), "Hand-off saved")
    if flow.handoffs:
        c1, c2 = st.columns([3, 1])
        gone = c1.selectbox(
            "Remove a hand-off",
            [h.id for h in flow.handoffs],
            format_func=lambda i: next(
                f"{names.get(h.source)} → {names.get(h.target)}" for h in flow.handoffs if h.id == i
            ),
            key=f"rm_handoff:{state.version}",
        )
        if c2.button("Remove", key="remove_handoff"):
            act(lambda: service().delete_handoff(st.session_state["token"], state.version, gone), "Removed")
