"""Showing people's text as text: Markdown in a label must not turn into links or HTML."""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """Escape Markdown so ``st.markdown`` shows the characters as typed."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text).replace("\n", "  \n")
