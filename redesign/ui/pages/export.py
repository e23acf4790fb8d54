"""Export the redesign: the executive summary (PDF, PPTX, HTML, Markdown) and the data."""

from __future__ import annotations

import json

import streamlit as st

from redesign.report.exports import export
from redesign.report.record import record_from_workshop
from redesign.store.errors import StoreError
from redesign.ui.live import live_watch
from redesign.ui.resources import scenarios_of, service
from redesign.ui.session import require_state

SUMMARY_FORMATS = {"pdf": "📄 PDF", "pptx": "📊 PowerPoint", "html": "🌐 HTML (offline)", "md": "📝 Markdown"}
DATA_FORMATS = {
    "json": "Flow (Crossflow JSON)",
    "xlsx": "Excel workbook",
    "csv": "CSV tables (zip)",
    "bpmn": "BPMN 2.0 XML",
    "mermaid": "Mermaid flowchart",
}

state = require_state("Export", "Join or start a workshop to export its redesign.")

st.title(f"Export — {state.name}")
live_watch(state, st.session_state["token"])  # brought up to date when the workshop moves on
options = scenarios_of(state)
default = 0 if options[0].decisions else next((i for i, s in enumerate(options) if s.decisions), 0)
index = st.selectbox(
    "Scenario for the summary",
    range(len(options)),
    index=default,
    format_func=lambda i: f"{options[i].name} ({len(options[i].decisions)} decisions)",
)
scenario = options[index]
record = record_from_workshop(state.name, state.goal, state.flow, state.participants, state.proposals, state.decisions)


def export_buttons(formats: dict[str, str]) -> None:
    """One "prepare" button per format (exports take a moment), then its download button."""
    cols = st.columns(len(formats))
    for col, (fmt, label) in zip(cols, formats.items(), strict=True):
        with col:
            key = f"export:{state.workshop_id}:{state.version}:{scenario.id}:{fmt}"
            if st.button(f"Prepare {label}", key=f"prep:{fmt}", width="stretch"):
                with st.spinner(f"Rendering {label}..."):
                    try:
                        st.session_state[key] = export(state.flow, fmt, scenario=scenario, record=record)
                    except ValueError as exc:
                        st.error(str(exc))
            result = st.session_state.get(key)
            if result is not None:
                st.download_button(
                    f"⬇ {result.filename}",
                    result.data,
                    file_name=result.filename,
                    mime=result.mime,
                    key=f"dl:{fmt}",
                    width="stretch",
                )


st.subheader("Executive summary")
st.caption(
    "One page of headline numbers, then the redesigned flow, roles, skills, incentives, governance, "
    "pilot waves, open disagreements and the decision log."
)
if not (state.revealed or state.me.is_facilitator):
    st.caption("Proposals are still private, so the summary lists only your own view of the disagreements.")
export_buttons(SUMMARY_FORMATS)
st.subheader("Data")
export_buttons(DATA_FORMATS)

if state.me.is_facilitator:
    st.subheader("Workshop record")
    st.caption(
        "Everything: flow, participants, proposals, comments, decisions and the event log, as JSON "
        "(import it again on another server)."
    )
    try:
        record_json = json.dumps(service().export_workshop(st.session_state["token"]), indent=2, default=str)
        st.download_button(
            "⬇ Workshop record (JSON)", record_json, file_name=f"{state.flow.id}-workshop.json", mime="application/json"
        )
    except StoreError as exc:
        st.error(str(exc))
