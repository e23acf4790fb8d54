"""Texts the pages write as Markdown show as written: an asterisk inside a word is escaped.

"O*NET ... (Eloundou et al. 2023, O*NET CC BY 4.0)" in one caption rendered the words between
the two asterisks in italics and dropped the asterisks. People's and the engine's texts go
through `redesign.ui.text.plain`; this test reads the page code's own literals.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "redesign" / "ui"
METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"

# Streamlit calls whose text (or label) is rendered as Markdown.
MARKDOWN_CALLS = {"markdown", "caption", "info", "warning", "error", "success", "write", "expander", "button", "toast"}
INTRAWORD_ASTERISK = re.compile(r"[A-Za-z0-9]\*[A-Za-z0-9]")  # escaped, "O\*NET", has a backslash before it


def _markdown_literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        if call.func.attr not in MARKDOWN_CALLS or not isinstance(call.func.value, ast.Name):
            continue
        if call.func.value.id != "st":
            continue
        for arg in call.args[:1]:
            for node in ast.walk(arg):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.append((node.lineno, node.value))
    return found


def unescaped_intraword_asterisks(text: str) -> list[str]:
    return [text[max(0, m.start() - 10) : m.end() + 10] for m in INTRAWORD_ASTERISK.finditer(text)]


def test_the_checker_finds_an_unescaped_asterisk_and_passes_an_escaped_one() -> None:
    assert unescaped_intraword_asterisks("Eloundou et al. 2023, O*NET CC BY 4.0")
    assert not unescaped_intraword_asterisks("Eloundou et al. 2023, O\\*NET CC BY 4.0; **bold** and *italic*")


def test_page_literals_escape_asterisks_inside_words() -> None:
    offenders = [
        f"{path.relative_to(UI)}:{line}: {snippet!r}"
        for path in sorted(UI.rglob("*.py"))
        for line, text in _markdown_literals(ast.parse(path.read_text(encoding="utf-8")))
        for snippet in unescaped_intraword_asterisks(text)
    ]
    assert not offenders, "write O\\*NET in Markdown texts:\n" + "\n".join(offenders)


def test_the_methodology_page_escapes_asterisks_inside_words() -> None:
    # The "How is this computed?" page renders this file with st.markdown (and so does GitHub).
    assert not unescaped_intraword_asterisks(METHODOLOGY.read_text(encoding="utf-8"))
