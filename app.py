"""Crossflow's Streamlit entry point: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Crossflow", page_icon="🔀", layout="wide")
st.navigation(
    [
        st.Page("redesign/ui/pages/home.py", title="Start", icon="🏠", default=True),
        st.Page("redesign/ui/pages/workshop.py", title="Workshop", icon="🗺"),
        st.Page("redesign/ui/pages/impact.py", title="Impact", icon="📈"),
        st.Page("redesign/ui/pages/export.py", title="Export", icon="📤"),
        st.Page("redesign/ui/pages/samples.py", title="Sample processes", icon="📚"),
        st.Page("redesign/ui/pages/method.py", title="How is this computed?", icon="📐"),
    ],
    position="top",
).run()
