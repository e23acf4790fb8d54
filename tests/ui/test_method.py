"""The "How is this computed?" page renders the repository's methodology document."""

from __future__ import annotations

from pathlib import Path

from tests.ui.conftest import open_page

METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"


def test_method_page_shows_every_section_of_the_methodology(db_url: str) -> None:
    at = open_page("method")
    assert not at.exception
    assert [t.value for t in at.title] == ["How is this computed?"]
    headings = [
        line[3:].strip() for line in METHODOLOGY.read_text(encoding="utf-8").splitlines() if line.startswith("## ")
    ]
    shown = [h.value for h in at.header]
    assert shown == headings
    body = "\n".join(m.value for m in at.markdown)
    assert "Annex III point 5(b)" in body or "5(b)" in body
    assert "https://eur-lex.europa.eu/eli/reg/2024/1689/oj" in body
