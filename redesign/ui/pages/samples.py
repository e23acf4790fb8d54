"""Browse the sample processes as swimlane diagrams, with their value-stream metrics."""

from __future__ import annotations

import streamlit as st

from redesign.diagram import DiagramOptions, swimlane_figure
from redesign.metrics import analyze
from redesign.samples import load_sample, sample_ids

st.title("Sample processes")
st.caption(
    "Realistic end-to-end flows to start a workshop from. Red outlines mark data-quality break points; "
    "yellow outlines the steps that read their data."
)
ids = sample_ids()
if not ids:
    st.warning("No sample processes found in sample_processes/.")
    st.stop()
choice = st.selectbox("Process", ids, format_func=lambda i: load_sample(i).name, key="sample_choice")
flow = load_sample(choice)
metrics = analyze(flow)
st.write(flow.description)
cols = st.columns(5)
cols[0].metric("Steps", len(flow.steps))
cols[1].metric(f"Touch hours / {flow.period.value}", f"{metrics.touch_hours:,.0f}")
cols[2].metric("Lead time (critical path)", f"{metrics.lead_time_minutes / 60:,.1f} h")
cols[3].metric("Cross-function hand-offs", f"{metrics.cross_function_handoffs} of {metrics.handoffs}")
cols[4].metric("Rolled %C&A", f"{metrics.rolled_pca:.0f}%")
st.plotly_chart(swimlane_figure(flow, DiagramOptions(metrics=metrics)), width="stretch", key="sample_chart")
st.caption(f"Source: {flow.source}" if flow.source else "")
