"""How is this computed? The methodology document of the repository, rendered as a page.

The analysis cites its sections by anchor (docs/methodology.md#regulated-uses); this page
shows the same text, so a reader of the app or of an export can open every source.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

METHODOLOGY = Path(__file__).resolve().parents[3] / "docs" / "methodology.md"


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading (the one docs and exports cite): lower case, no punctuation, hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of each "## " section; the text before the first one has an empty heading."""
    found: list[tuple[str, str]] = [("", "")]
    for line in text.splitlines():
        if line.startswith("## "):
            found.append((line[3:].strip(), ""))
        elif not line.startswith("# "):
            head, body = found[-1]
            found[-1] = (head, body + line + "\n")
    return [(h, b) for h, b in found if h or b.strip()]


st.title("How is this computed?")
try:
    document = METHODOLOGY.read_text(encoding="utf-8")
except OSError as exc:
    st.error(f"The methodology document could not be read ({METHODOLOGY.name}: {exc.strerror or exc}).")
    st.stop()

parts = sections(document)
headings = [h for h, _ in parts if h]
st.caption("Every figure, rule and flag Crossflow shows, with its formula, its defaults and its published source.")
st.markdown(" · ".join(f"[{h}](#{anchor(h)})" for h in headings))
for heading, body in parts:
    if heading:
        st.header(heading, anchor=anchor(heading), divider="gray")
    st.markdown(body)
