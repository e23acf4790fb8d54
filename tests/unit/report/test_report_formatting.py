"""How figures read: the one place numbers become text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redesign.diagram import TAG_STYLE
from redesign.report import formatting as fmt


def test_numbers_and_signs() -> None:
    assert fmt.number(1234.56) == "1,234.6"
    assert fmt.number(-0.04) == "0.0"  # no "-0.0"
    assert fmt.signed(3) == "+3.0" and fmt.signed(-2.25) == "-2.2" and fmt.signed(0.01) == "0.0"
    assert fmt.hours(176.41666) == "176.4 h"
    assert fmt.fte(1.1864) == "1.19 FTE"
    assert fmt.share(2 / 3) == "67%"


def test_figures_and_changes_by_unit() -> None:
    assert fmt.figure(2197, "min") == "36.6 h"  # lead times are shown in hours
    assert fmt.change(-251.25, "min") == "-4.2 h"
    assert fmt.figure(18.1477, "%") == "18.1%" and fmt.change(1.34, "%") == "+1.3 pts"
    assert fmt.figure(29, "count") == "29" and fmt.change(1, "count") == "+1" and fmt.change(0, "count") == "0"
    assert fmt.figure(5.46, "FTE") == "5.46 FTE" and fmt.change(-1.46, "FTE") == "-1.46 FTE"
    assert fmt.figure(9173.66, "h") == "9,173.7 h"
    assert fmt.chart_value(90, "min") == 1.5 and fmt.chart_unit("min") == "h"


def test_tags_read_without_colour() -> None:
    assert fmt.tagged(None) == "[–] no decision"
    assert [fmt.TAG_BADGE[t] for t in fmt.TAGS] == ["H", "A+", "AUTO"]


def test_tag_colours_match_the_app_diagram() -> None:
    for tag, colour in fmt.TAG_COLOUR.items():
        assert TAG_STYLE[tag][0] == colour


@given(st.text(min_size=0, max_size=300), st.integers(min_value=2, max_value=120))
def test_truncate_never_exceeds_the_limit(text: str, limit: int) -> None:
    out = fmt.truncate(text, limit)
    assert len(out) <= limit
    flat = " ".join(text.split())
    assert out == flat or out.endswith("…")


def test_a_change_never_reads_zero_between_two_different_printed_figures() -> None:
    # 1.44% -> 1.47% prints "1.4% -> 1.5%": the change column must not say "0.0 pts" (or "no change").
    shown = fmt.shown_change(1.44, 1.47, "%")
    assert fmt.change(shown, "%") == "+0.1 pts" and not fmt.is_zero_change(shown, "%")
    assert fmt.shown_change(1.41, 1.44, "%") == 0.0  # "1.4% -> 1.4%": no change
    # 0.84% -> 0.76% prints "0.8% -> 0.8%": no change, not "-0.1 pts" between two equal figures.
    shown = fmt.shown_change(0.84, 0.76, "%")
    assert fmt.change(shown, "%") == "0.0 pts" and fmt.is_zero_change(shown, "%")
    assert fmt.shown_change(100.0, 90.0, "h") == -10.0
    # The change foots with the printed figures: 75,798.66 -> 64,600.14 prints as -11,198.6, not -11,198.5.
    assert fmt.change(fmt.shown_change(75_798.66, 64_600.14, "h"), "h") == "-11,198.6 h"
    assert fmt.change(fmt.shown_change(86.0, 88.0, "min"), "min") == "+0.1 h"  # minutes print as 1.4 h -> 1.5 h
