"""Regulated uses found in the flow's words, for the workshop to confirm or dismiss (Impact page, Governance).

Confirming saves the step's own fields (``high_risk_area``, ``decides_for_person``) with the
ordinary step update; dismissing records on the step who dismissed it and why. Both go
through the store's ``update_step``, so they are versioned, undoable and refused when stale.
"""

from __future__ import annotations

import streamlit as st

from redesign.impact.catalog import catalog
from redesign.impact.regulated import Detection, confirm, detect, dismiss, matched_tasks
from redesign.store.schemas import WorkshopState
from redesign.ui.components.step_panel import act
from redesign.ui.resources import service, step_suggestion
from redesign.ui.text import plain

KIND_LABEL = {"area": "Annex III area", "person_question": "Natural persons?", "art22": "GDPR Art 22"}
STATUS_LABEL = {"open": "to confirm", "confirmed": "confirmed", "dismissed": "dismissed"}


def _title(d: Detection) -> str:
    area = catalog().high_risk_areas.get(d.area or "")
    what = f"{area.point}: {area.title}" if area else KIND_LABEL[d.kind]
    return f"{d.step_name} — {what}"


def _evidence(d: Detection) -> str:
    lines = [
        f"- {plain(e.field)}: “{plain(e.text[:140])}” ({', '.join(plain(w) for w in e.words)})"
        for e in d.evidence
        if e.field != "area"
    ]
    return "\n".join(lines[:6])


def _actions(state: WorkshopState, d: Detection, key: str) -> None:
    token = st.session_state.get("token")
    step = state.flow.steps_by_id().get(d.step)
    if token is None or step is None or not state.can.edit_flow:
        st.caption("Only someone who may edit the flow right now can confirm or dismiss.")
        return
    cols = st.columns([1, 3, 1])
    if cols[0].button("Confirm", key=f"det_yes:{key}", help="Set this on the step; the governance rules then apply"):
        new = confirm(step, d)
        act(lambda: service().update_step(token, state.version, new), f"Confirmed for {step.name}")
    why = cols[1].text_input(
        "Why dismiss?", key=f"det_why:{key}", placeholder="e.g. only limited companies borrow here", max_chars=300
    )
    if cols[2].button("Dismiss", key=f"det_no:{key}", disabled=not why.strip()):
        new = dismiss(step, d, by=state.me.name, why=why.strip())
        act(lambda: service().update_step(token, state.version, new), f"Dismissed for {step.name}")


def detections_section(state: WorkshopState) -> None:
    """Every regulated use the flow's words suggest, open ones first, each with its evidence."""
    # The O*NET tasks matched to each step (computed once per flow version) add domain evidence.
    tasks = matched_tasks(step_suggestion(state, s.id) for s in state.flow.steps)
    found = detect(state.flow, tasks)
    st.markdown("**Regulated uses found in the flow's words**")
    if not found:
        st.caption("Nothing in the step names, data, roles or flow description suggests an Annex III use or Art 22.")
        return
    order = {"open": 0, "dismissed": 1, "confirmed": 2}
    open_count = sum(d.status == "open" for d in found)
    st.caption(
        f"{open_count} to confirm, {len(found) - open_count} settled. Each is a suggestion from the words shown; "
        "confirming labels the step, dismissing records who and why."
    )
    for i, d in enumerate(sorted(found, key=lambda d: order[d.status])):
        label = f"{'❓' if d.status == 'open' else '✔️' if d.status == 'confirmed' else '✖️'} {_title(d)}"
        with st.expander(f"{label} · {STATUS_LABEL[d.status]}", expanded=False):
            st.markdown(plain(d.question))
            st.markdown(_evidence(d))
            st.caption(f"Source: {plain(d.source)}")
            if d.status == "dismissed":
                st.caption(f"Dismissed by {plain(d.dismissed_by) or 'someone'}: {plain(d.dismissed_why)}")
            elif d.status == "open":
                _actions(state, d, f"{d.step}:{d.key}:{i}")
