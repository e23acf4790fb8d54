"""Page config and the pages of the app (app.py runs this as the page script)."""

from __future__ import annotations

import streamlit as st


def run_pages() -> None:
    st.set_page_config(page_title="Crossflow", page_icon="🔀", layout="wide")
    st.navigation(
        [
            st.Page("redesign/ui/pages/home.py", title="Start", icon="🏠", default=True),
            st.Page("redesign/ui/pages/workshop.py", title="Workshop", icon="🗺", url_path="workshop"),
            st.Page("redesign/ui/pages/impact.py", title="Impact", icon="📈", url_path="impact"),
            st.Page("redesign/ui/pages/export.py", title="Export", icon="📤", url_path="export"),
            st.Page("redesign/ui/pages/samples.py", title="Sample processes", icon="📚", url_path="samples"),
            st.Page("redesign/ui/pages/method.py", title="How is this computed?", icon="📐", url_path="method"),
        ],
        position="top",
    ).run()
