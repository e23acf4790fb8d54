"""Whole-word keyword matching: no rule misfires on a word inside another word."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redesign.impact.wording import mentions, normalise


def test_a_role_keyword_matches_whole_words_only() -> None:
    assert mentions("Sales representative", ["rep"]) == ()
    assert mentions("Court reporter", ["rep"]) == ()
    assert mentions("Sales rep (mid-market)", ["rep"]) == ("rep",)
    assert mentions("Reps' forecast", ["rep"]) == ()  # a plural is another word: list it if it is meant


def test_claims_closing_is_not_month_end_close() -> None:
    assert mentions("Claims closing", ["month-end close", "close"]) == ()
    assert mentions("Month end close", ["month-end close"]) == ("month end close",)
    assert mentions("month_end_close", ["Month-end close"]) == ("month end close",)
    assert mentions("Close the books", ["close"]) == ("close",)


def test_longer_keywords_win_over_their_prefixes() -> None:
    assert mentions("credit score check", ["credit", "credit score"]) == ("credit score",)


@given(st.text(alphabet="abc -_", max_size=30), st.text(alphabet="abc", min_size=1, max_size=4))
def test_a_match_is_always_a_whole_word_of_the_text(text: str, word: str) -> None:
    for found in mentions(text, [word]):
        assert found in normalise(text).split() or f" {found} " in f" {normalise(text)} "
