"""How the summary's figures read, the same in every renderer.

Renderers never round or convert numbers themselves: they call these, so the PDF,
the slides, the HTML and the Markdown print identical strings (and the tests can
look for exactly these strings in each of them).
"""

from __future__ import annotations

from datetime import date

from redesign.impact.explain import counted as counted  # re-exported: the engine's sentences count the same way
from redesign.model import Tag

TAG_NAME: dict[Tag | None, str] = {
    None: "no decision",
    Tag.HUMAN: "human judgment",
    Tag.AUGMENT: "augment",
    Tag.AUTOMATE: "automate",
}
TAG_BADGE: dict[Tag | None, str] = {None: "–", Tag.HUMAN: "H", Tag.AUGMENT: "A+", Tag.AUTOMATE: "AUTO"}
# The colours of redesign.diagram.TAG_STYLE, repeated here so the PDF and PPTX
# renderers need not import plotly; a test keeps the two in step.
TAG_COLOUR: dict[Tag | None, str] = {
    None: "#9e9e9e",
    Tag.HUMAN: "#1565c0",
    Tag.AUGMENT: "#ef6c00",
    Tag.AUTOMATE: "#2e7d32",
}
SEVERITY_COLOUR: dict[str, str] = {"BLOCK": "#b71c1c", "WARN": "#e65100", "INFO": "#455a64"}


def number(value: float, digits: int = 1) -> str:
    """1234.56 -> "1,234.6"; -0.0 prints as 0."""
    text = f"{value:,.{digits}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def signed(value: float, digits: int = 1) -> str:
    """+1,234.6 / -3.0 / 0.0 (no sign on zero)."""
    text = number(value, digits)
    return text if text.startswith("-") or float(text.replace(",", "")) == 0 else f"+{text}"


def hours(value: float) -> str:
    return f"{number(value)} h"


def fte(value: float) -> str:
    return f"{number(value, 2)} FTE"


def percent(value: float) -> str:
    """A percentage already in 0..100."""
    return f"{number(value)}%"


def share(value: float) -> str:
    """A share in 0..1 as a whole percentage."""
    return f"{value * 100:.0f}%"


def count(value: float) -> str:
    return f"{value:,.0f}"


def minutes_as_hours(minutes: float) -> str:
    return hours(minutes / 60.0)


def day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def tag(value: Tag | None) -> str:
    return TAG_NAME[value]


def tagged(value: Tag | None) -> str:
    """ "[A+] augment": badge and name, so the tag reads without colour."""
    return f"[{TAG_BADGE[value]}] {TAG_NAME[value]}"


def figure(value: float, unit: str) -> str:
    """A figure in its unit, as the summary stores units ("h", "FTE", "min", "count", "%")."""
    if unit == "min":
        return minutes_as_hours(value)
    if unit == "FTE":
        return fte(value)
    if unit == "%":
        return percent(value)
    if unit == "count":
        return count(value)
    return hours(value)


def change(value: float, unit: str) -> str:
    """The difference after - before, signed, in the figure's unit."""
    if unit == "min":
        return f"{signed(value / 60.0)} h"
    if unit == "FTE":
        return f"{signed(value, 2)} FTE"
    if unit == "%":
        return f"{signed(value)} pts"
    if unit == "count":
        return f"{value:+,.0f}" if round(value) else "0"
    return f"{signed(value)} h"


def is_zero_change(value: float, unit: str) -> bool:
    """True when the change prints as zero in its unit ("+0.0 h" is no change)."""
    text = change(value, unit)
    digits = "".join(ch for ch in text if ch.isdigit())
    return not digits.strip("0")


def _printed(value: float, unit: str) -> float:
    """The figure as the reader sees it, in the unit ``change`` takes (minutes print as hours)."""
    text = figure(value, unit).split()[0].rstrip("%").replace(",", "")
    return float(text) * 60.0 if unit == "min" else float(text)


def shown_change(before: float, after: float, unit: str) -> float:
    """The change to print beside ``before`` and ``after``: the difference of the two printed figures.

    A table must foot: "75,798.7 h -> 64,600.1 h" reads "-11,198.6 h", not the unrounded "-11,198.5 h";
    "1.44% -> 1.46%" reads "1.4% -> 1.5%, +0.1 pts", not "0.0 pts"; "0.84% -> 0.76%" reads
    "0.8% -> 0.8%", no change, not "-0.1 pts". The unrounded change stays in the summary's data.
    """
    if figure(before, unit) == figure(after, unit):
        return 0.0
    return _printed(after, unit) - _printed(before, unit)


def range_text(low: float | None, high: float | None, unit: str) -> str:
    """ "P10-P90: 19.2 h to 23.3 h", or "" when there is no range worth showing."""
    if low is None or high is None or is_zero_change(high - low, unit):
        return ""
    return f"P10-P90: {figure(low, unit)} to {figure(high, unit)}"


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: max(1, limit - 1)].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(",;:") + "…"


def chart_unit(unit: str) -> str:
    """The unit a chart plots a figure in (minutes are plotted as hours)."""
    return {"min": "h", "count": "count"}.get(unit, unit)


def chart_value(value: float, unit: str) -> float:
    return value / 60.0 if unit == "min" else value


TAGS: tuple[Tag, ...] = (Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE)
