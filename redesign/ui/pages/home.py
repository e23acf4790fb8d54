"""Start page: start a workshop (sample, file, blank), join one, or take the facilitator seat back."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from redesign.model import blank_flow
from redesign.samples import sample_ids, sample_info
from redesign.store.errors import StoreError
from redesign.store.schemas import CreatedWorkshop
from redesign.ui.client import current_client, ensure_browser_id
from redesign.ui.components.uploads import read_upload, sub_process_choice
from redesign.ui.resources import service
from redesign.ui.session import JOIN_PARAM, SEAT_PARAM, current_token, current_workshop, flash, remember
from redesign.ui.text import plain

WORKSHOP_PAGE = "redesign/ui/pages/workshop.py"


def enter(token: str, workshop_id: str, facilitator_key: str | None = None) -> None:
    """Into the workshop page; its address names the workshop, never the token (see redesign/ui/session.py)."""
    remember(token, workshop_id)
    if facilitator_key:
        st.session_state["facilitator_key"] = facilitator_key
    st.switch_page(WORKSHOP_PAGE, query_params={SEAT_PARAM: workshop_id})


def join_form(code: str) -> None:
    """A participant arrives from the join link: a name, a function, in."""
    try:
        preview = service().preview(code, current_client())
    except StoreError as exc:
        st.error(str(exc))
        st.page_link("redesign/ui/pages/home.py", label="Back to the start page", icon="🏠")
        return
    st.title(f"Join “{preview.name}”")
    if preview.goal:
        st.markdown(plain(preview.goal))
    name = st.text_input("Your name", key="join_name", max_chars=80, placeholder="e.g. Ana")
    st.markdown("**Your function** — click yours to join:")
    cols = st.columns(min(5, max(1, len(preview.functions))))
    for i, (function_id, function_name) in enumerate(preview.functions):
        if cols[i % len(cols)].button(f"Join as {function_name}", key=f"join:{function_id}", width="stretch"):
            if not name.strip():
                st.error("Type your name first, so the others know who proposed what.")
                return
            try:
                joined = service().join(code, name, function_id, current_client())
            except StoreError as exc:
                st.error(str(exc))
                return
            enter(joined.token, joined.workshop_id)


def start_section() -> None:
    st.subheader("Start a workshop")
    facilitator = st.text_input("Your name (facilitator)", value="Facilitator", max_chars=80, key="fac_name")
    samples, upload, blank = st.tabs(["📚 From a sample", "📤 From a file", "📄 Blank"])
    with samples:
        ids = sample_ids()
        cols = st.columns(2)
        for i, sample_id in enumerate(ids):
            info = sample_info(sample_id)
            with cols[i % 2].container(border=True):
                st.markdown(f"**{plain(info.name)}**")
                st.caption(
                    f"{info.steps} steps · {', '.join(info.functions)}"
                    + (f" · {info.scenarios} scenarios" if info.scenarios else "")
                )
                st.caption(plain(info.description[:220] + ("…" if len(info.description) > 220 else "")))
                if st.button("Start workshop", key=f"start:{sample_id}", type="primary" if i == 0 else "secondary"):
                    _create(partial(service().create_from_sample, sample_id, facilitator))
    with upload:
        st.caption(
            "A Crossflow JSON flow, a BPMN 2.0 file (Camunda, Signavio, bpmn.io, Bizagi...) or a CSV/XLSX "
            "step list (columns: step, name, function, owner, next, touch minutes, volume...)."
        )
        file = st.file_uploader("Process file", type=["json", "bpmn", "xml", "csv", "xlsx"], key="upload")
        if file is not None:
            sub_processes = sub_process_choice(file.name)
            with st.spinner("Reading the file..."):
                result = read_upload(file.name, file.getvalue(), sub_processes)
            flow = result.flow
            if flow is None:
                st.error(result.error or f"{file.name} could not be imported.")
            else:
                st.success(result.summary)
                for note in result.notes[:10]:
                    st.caption("· " + plain(note))
                name = st.text_input("Workshop name", value=flow.name, key="upload_name", max_chars=80)
                if st.button("Start workshop from this file", type="primary"):
                    _create(lambda: service().create_workshop(name, "", flow, facilitator))
    with blank:
        name = st.text_input("Process name", value="", placeholder="e.g. Quote to cash", key="blank_name", max_chars=80)
        goal = st.text_area("Goal of the workshop", key="blank_goal", max_chars=2000)
        if st.button("Start a blank workshop"):
            if not name.strip():
                st.error("Give the process a name first.")
            else:
                _create(lambda: service().create_workshop(name, goal, blank_flow(name), facilitator))


def _create(make: Callable[[], CreatedWorkshop]) -> None:
    try:
        created = make()
    except StoreError as exc:
        st.error(str(exc))
        return
    enter(created.facilitator_token, created.workshop_id, created.facilitator_key)


def join_section() -> None:
    st.subheader("Join a workshop")
    with st.form("join_code_form", border=False):
        code = st.text_input("Join code", placeholder="K7F3-QX9M-2R", max_chars=40)
        if st.form_submit_button("Continue"):
            st.query_params[JOIN_PARAM] = code.strip()
            st.rerun()
    with st.expander("I am the facilitator and lost my browser session"), st.form("reclaim_form", border=False):
        code = st.text_input("Join code", key="reclaim_code", max_chars=40)
        key = st.text_input("Facilitator key", type="password", key="reclaim_key", max_chars=80)
        if st.form_submit_button("Take the facilitator seat"):
            try:
                joined = service().reclaim_facilitator(code, key, current_client())
            except StoreError as exc:
                st.error(str(exc))
            else:
                enter(joined.token, joined.workshop_id)


flash()
code = st.query_params.get(JOIN_PARAM)
if code:
    join_form(code)
elif token := current_token():  # an old address with the token (?t=) goes on with it, and the page moves it to a cookie
    workshop_id = current_workshop()
    st.switch_page(WORKSHOP_PAGE, query_params={SEAT_PARAM: workshop_id} if workshop_id else {"t": token})
else:
    st.title("🔀 Crossflow")
    st.markdown(
        "Redesign one end-to-end process with **every function at the table**: map the flow, mark where data "
        "quality breaks down, tag each step **human judgment / augment / automate**, and see what changes for "
        "roles, skills, incentives and the end-to-end numbers."
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        start_section()
    with right:
        join_section()
ensure_browser_id()  # last: an element that appears once must not shift the others (tabs would reset)
