"""Whole-word keyword matching, shared by the rules that read step, role and flow names.

A keyword matches only as whole words: "rep" is not in "representative" or "reporter",
"close" is not in "Claims closing", and "month-end close" matches "Month end close" and
"month-end close" alike (hyphens, underscores and spacing are normalised on both sides).
Rules that need word forms to agree ("hire", "hiring") use the stemmed matching of
``redesign.impact.regulated.phrases_in`` instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["keyword_pattern", "mentions", "normalise"]

_SEPARATORS = re.compile(r"[_\-/]+")


def normalise(text: str) -> str:
    """Case-folded, hyphens and underscores as spaces, single spaces."""
    return " ".join(_SEPARATORS.sub(" ", text.casefold()).split())


@lru_cache(maxsize=1024)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all keywords, each bounded by non-alphanumerics on both sides."""
    words = sorted({normalise(k) for k in keywords if normalise(k)}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z0-9])")


def mentions(text: str, keywords: Iterable[str]) -> tuple[str, ...]:
    """The keywords (normalised) that occur in ``text`` as whole words, in order of appearance."""
    return tuple(dict.fromkeys(m.group(0) for m in keyword_pattern(tuple(keywords)).finditer(normalise(text))))
