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
from redesign.store.errors import StaleEdit, StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.components.step_panel import act
from redesign.ui.resources import service
from redesign.ui.text import plain
from redesign.workshop import actor_label

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


DRAFT_KEY = "step_draft"
"""A refused edit kept for the person: {"step_id", "fields" (what they changed), "before" (what
the form showed them), "told" (who changed the step meanwhile)}."""


SHOWN_KEY = "step_form_shown"
"""((step id, base version), the step the form shows): frozen while the dialog stays on that
version, so someone else's save redrawing the page cannot swap the values under the typing."""


def _close_editor() -> None:
    st.session_state.pop("dialog", None)
    st.session_state.pop(DRAFT_KEY, None)
    st.session_state.pop(SHOWN_KEY, None)


def _shown_step(existing: Step, base_version: int) -> Step:
    """The step the form shows at this base version: as it was then, with a kept draft on top."""
    key = (existing.id, base_version)
    shown = st.session_state.get(SHOWN_KEY)
    if shown and shown[0] == key:
        return shown[1]
    step = existing
    draft = st.session_state.get(DRAFT_KEY)
    if draft and draft["step_id"] == existing.id:
        try:
            step = reapply(existing, draft["fields"])
        except ValueError:  # the step changed so that the draft no longer fits: show the latest
            st.session_state.pop(DRAFT_KEY, None)
    st.session_state[SHOWN_KEY] = (key, step)
    return step


def edited_fields(before: Step, after: Step) -> dict[str, Any]:
    """The fields the person changed in the form (pure)."""
    old, new = before.model_dump(), after.model_dump()
    return {k: v for k, v in new.items() if old.get(k) != v}


def reapply(latest: Step, fields: dict[str, Any]) -> Step:
    """The latest version of the step with the person's changed fields on top (pure)."""
    return Step.model_validate({**latest.model_dump(), **fields})


def both_changed(before: dict[str, Any], latest: Step, fields: dict[str, Any]) -> list[str]:
    """Fields the person changed that someone else also changed meanwhile (pure)."""
    now = latest.model_dump()
    return [k for k in fields if k in before and now.get(k) != before[k] and now.get(k) != fields[k]]


def _show_draft(draft: dict[str, Any], latest: Step) -> None:
    """Say whose change came first and what the form now holds, field by field where both changed."""
    st.warning(
        f"Your save was refused because {draft['told']} while you were editing. Your changes are back "
        "in the form, on top of the latest version: check them and **Save** again, or discard them.",
        icon="🔁",
    )
    now = latest.model_dump()
    for field in both_changed(draft["before"], latest, draft["fields"]):
        theirs, yours = plain(str(now[field])), plain(str(draft["fields"][field]))
        st.caption(f"Both of you changed **{field}**: theirs “{theirs}”, yours “{yours}” (in the form).")
    if st.button("Discard my changes and show the latest version", key="discard_draft"):
        st.session_state.pop(DRAFT_KEY, None)
        st.session_state.pop(SHOWN_KEY, None)
        st.rerun()


@st.dialog("Step details", width="large", on_dismiss=_close_editor)
def step_dialog(state: WorkshopState, step_id: str | None, base_version: int) -> None:
    flow = state.flow
    existing = flow.step(step_id) if step_id and step_id in flow.steps_by_id() else None
    own_lane = state.me.function if state.me.function in flow.functions_by_id() else None
    step = existing or Step(
        id=new_id("S", set(flow.steps_by_id())),
        name="New step",
        function=own_lane or (flow.functions[0].id if flow.functions else "ops"),
    )
    if existing is not None:
        step = _shown_step(existing, base_version)
    draft = st.session_state.get(DRAFT_KEY)
    if draft and existing is not None and draft["step_id"] == existing.id:
        _show_draft(draft, existing)
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
            st.session_state.pop(DRAFT_KEY, None)
            st.session_state.pop(SHOWN_KEY, None)
            st.session_state["dialog"] = ("view", new.id, None)
            st.session_state["selected_step"] = new.id

        if existing:
            try:
                service().update_step(token, base_version, new)
            except StaleEdit as exc:
                # Keep what they typed; the dialog moves to the newest version with it on top.
                told = "; ".join(f"{actor_label(c.actor_name, c.actor_function)} {c.summary}" for c in exc.changes)
                kept = draft["fields"] if draft and draft["step_id"] == existing.id else {}
                st.session_state[DRAFT_KEY] = {
                    "step_id": existing.id,
                    "fields": {**kept, **edited_fields(step, new)},  # step = what the form showed
                    "before": step.model_dump(),  # what the form showed: a field now unlike it changed meanwhile
                    "told": told or "someone else changed it",
                }
                # The refused version is the newest change to this step: the next save is based on it.
                newest = max((c.version for c in exc.changes), default=state.version)
                st.session_state["dialog"] = ("edit", existing.id, newest)
                st.rerun()
            except StoreError as exc:
                st.error(str(exc), icon="⛔")
                return
            close()
            st.session_state["toast"] = f"Saved {new.name}"
            st.rerun()
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
    handoff_form(state, names)
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


def handoff_from_form(flow: Flow, source: str, target: str, values: dict[str, Any]) -> tuple[Handoff, bool]:
    """The hand-off source -> target after the form's edits, and whether it already existed (pure).

    Only the fields in ``values`` change: an existing hand-off keeps everything else
    (its data, its notes), so saving a new channel never empties the data it carries.
    """
    existing = next((h for h in flow.handoffs if h.source == source and h.target == target), None)
    base = existing or Handoff(id=new_id("H", {h.id for h in flow.handoffs}), source=source, target=target)
    update = {k: v for k, v in values.items() if getattr(base, k) != v}
    if source == target:
        update["rework"] = True  # a step feeding itself is a loop back by definition
    merged = Handoff.model_validate({**base.model_dump(), **update})
    return merged, existing is not None


def handoff_form(state: WorkshopState, names: dict[str, str]) -> None:
    """Pick From and To (the form then shows that hand-off as it is now), edit, save."""
    flow = state.flow
    ids = list(names)
    st.markdown("**Add or change a hand-off**")
    c1, c2 = st.columns(2)
    source = c1.selectbox("From", ids, format_func=lambda i: names[i], key="handoff_from")
    target = c2.selectbox("To", ids, index=min(1, len(ids) - 1), format_func=lambda i: names[i], key="handoff_to")
    existing = next((h for h in flow.handoffs if h.source == source and h.target == target), None)
    current = existing or Handoff(id="new", source=source, target=target)
    st.caption(
        f"Changing hand-off {existing.id}: the fields show what it is now; only what you change is saved."
        if existing
        else "No hand-off yet between these steps: saving adds one."
    )
    data = {d.id: d.name for d in flow.data_items}
    # Keyed by version and pair: another pair, or someone else's save, loads fresh values.
    with st.form(f"handoff:{state.version}:{source}:{target}"):
        c1, c2 = st.columns(2)
        channel = c1.text_input(
            "Channel", value=current.channel, placeholder="e.g. spreadsheet by email", max_chars=200
        )
        condition = c2.text_input("Condition", value=current.condition, placeholder="e.g. only for large deals")
        carried = st.multiselect(
            "Data carried",
            list(data),
            default=[d for d in current.data if d in data],
            format_func=data.__getitem__,
        )
        c1, c2, c3 = st.columns(3)
        pca = c1.number_input(
            "%C&A arriving (empty = same as the step)",
            min_value=0.0,
            max_value=100.0,
            value=current.pca,
            placeholder="same as the step",
        )
        wait = c2.number_input("Wait minutes", min_value=0.0, value=float(current.wait_minutes))
        rework = c3.checkbox("Rework loop (goes back)", value=current.rework)
        dq_note = st.text_input("Data-quality note", value=current.dq_note, max_chars=4000)
        if st.form_submit_button("Save hand-off"):
            values = {
                "channel": channel.strip(),
                "condition": condition.strip(),
                "data": [*carried, *[d for d in current.data if d not in data]],  # keep ids the list lacks
                "pca": pca,
                "wait_minutes": wait,
                "rework": rework,
                "dq_note": dq_note,
            }
            try:
                handoff, exists = handoff_from_form(flow, source, target, values)
            except ValueError as exc:
                st.error("The hand-off has a problem: " + _first_error(exc), icon="⛔")
                return
            if exists and handoff == existing:
                st.info("Nothing changed.")
                return
            token = st.session_state["token"]
            call = service().update_handoff if exists else service().add_handoff
            act(lambda: call(token, state.version, handoff), "Hand-off saved")
