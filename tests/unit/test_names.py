"""Names: NFKC, nothing invisible, look-alikes found by their TS #39 skeleton (issue 13, point 2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from redesign.model import Flow, Step
from redesign.names import CONFUSABLES, confusable_with, hidden_problem, normalise, skeleton


@pytest.mark.parametrize(
    ("typed", "stored"), [("  Ａｎａ  ", "Ana"), ("Of\ufb01ce  team", "Office team"), ("Jose\u0301", "José")]
)
def test_names_are_nfkc_with_single_spaces(typed: str, stored: str) -> None:
    assert normalise(typed) == stored
    assert Step(id="s", name=typed, function="f").name == stored


@pytest.mark.parametrize(
    "hidden",
    ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u202d", "\u2066", "\u200e", "\u200f", "\u061c", "\u3164"],
)
def test_invisible_and_direction_characters_are_refused_with_their_name(hidden: str) -> None:
    problem = hidden_problem(f"Fac{hidden}1", "name")
    assert problem is not None and f"U+{ord(hidden):04X}" in problem
    with pytest.raises(ValidationError, match="invisible or text-direction character"):
        Step(id="s", name=f"Check{hidden} credit", function="f")
    with pytest.raises(ValidationError, match="invisible or text-direction"):
        Flow(id="f", name="\u202eQuote to cash")


def test_joiners_are_kept_between_letters_only() -> None:
    assert hidden_problem("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "name") is None  # Persian ZWNJ
    assert hidden_problem("Ana\u200d", "name") is not None
    assert hidden_problem("\u200cAna", "name") is not None


@pytest.mark.parametrize(
    "lookalike",
    ["F\u0430c1", "Facl", "FacI", "fac1", "\u0424ac1".replace("\u0424", "F"), "F\u0430\u0441l", "Fac1\u200b"],
)
def test_look_alikes_of_a_name_share_its_skeleton(lookalike: str) -> None:
    assert confusable_with(lookalike, ["Ana", "Fac1"]) == "Fac1"


@pytest.mark.parametrize("different", ["Fac2", "Fab1", "Ana B.", "Fa c1", "Anna"])
def test_different_names_do_not(different: str) -> None:
    assert confusable_with(different, ["Ana", "Fac1"]) is None


def test_greek_and_cyrillic_capitals_and_rn_m() -> None:
    assert skeleton("\u0391\u039d\u0391") == skeleton("ANA")  # Greek capitals
    assert skeleton("\u0421\u041e\u0420") == skeleton("COP")  # Cyrillic capitals
    assert skeleton("Kim") == skeleton("Kirn")


def test_the_confusables_data_names_its_source_and_maps_to_ascii() -> None:
    doc = json.loads(CONFUSABLES.read_text(encoding="utf-8"))
    assert doc["source"]["url"].startswith("https://www.unicode.org/Public/security/")
    assert all(len(k) == 1 and v.isascii() for k, v in doc["map"].items())


@given(st.text(max_size=30))
def test_skeleton_is_stable_under_normalisation(text: str) -> None:
    assert skeleton(normalise(text)) == skeleton(text)
