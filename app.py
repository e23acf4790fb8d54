"""Crossflow's Streamlit entry point: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Crossflow", page_icon="🔀", layout="wide")
st.navigation([st.Page("redesign/ui/pages/samples.py", title="Sample processes", icon="📚", default=True)]).run()
