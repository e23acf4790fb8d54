"""Names of people, steps and workshops: one canonical form, nothing invisible, no look-alikes in one room.

- Normalised to NFKC (full-width "Ａｎａ" is "Ana", the "ﬁ" ligature is "fi") with
  runs of spaces collapsed, so the same name typed two ways is the same name.
- Refused: invisible characters (zero-width space, word joiner, soft hyphen, BOM,
  invisible operators, fillers) and direction controls (LRM/RLM, embeddings,
  overrides, isolates, the Arabic letter mark), which can make one name look like
  another or reorder what is shown around it. Zero-width joiner and non-joiner
  are kept only between two letters, where scripts such as Persian and the Indic
  ones need them.
- Confusable: two names whose skeletons match (Unicode TS #39, section 4), such as
  "Fac1" and "Facl", or "Fac1" with a Cyrillic "а". The skeleton maps look-alike
  characters to one prototype using `catalog/confusables.json` (a subset of the
  standard's confusables.txt, source inside) and ignores case.
Pure functions: the model's validators and the store's join use them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

CONFUSABLES = Path(__file__).parent / "catalog" / "confusables.json"

DIRECTION_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset(
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d"
    "\u206e\u206f\u2800\u3164\ufeff\uffa0"
)
JOINERS = frozenset("\u200c\u200d")  # allowed between letters only
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, trimmed, inner runs of white space as one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _is_variation_selector(ch: str) -> bool:
    return "VARIATION SELECTOR" in unicodedata.name(ch, "")


def hidden_character(text: str) -> str | None:
    """The first invisible or direction-control character of `text`, described (None if there is none)."""
    for i, ch in enumerate(text):
        if ch in JOINERS:
            if 0 < i < len(text) - 1 and _is_letter(text[i - 1]) and _is_letter(text[i + 1]):
                continue
            return _describe(ch)
        if ch in DIRECTION_CONTROLS or ch in INVISIBLE:
            return _describe(ch)
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Co", "Cn", "Zl", "Zp") or _is_variation_selector(ch):
            return _describe(ch)
    return None


def hidden_problem(text: str, what: str) -> str | None:
    """Why `text` cannot be a name because of a character one cannot see, or None."""
    found = hidden_character(text)
    if found is None:
        return None
    return (
        f"The {what} contains an invisible or text-direction character ({found}), which would let it pass for "
        "another name; type it again without it."
    )


def _ignorable(ch: str) -> bool:
    return ch in JOINERS or ch in INVISIBLE or unicodedata.category(ch) == "Cf"


@cache
def _table() -> tuple[dict[int, str], dict[str, str]]:
    doc = json.loads(CONFUSABLES.read_text(encoding="utf-8"))
    return {ord(k): v for k, v in doc["map"].items()}, dict(doc["sequences"])


def skeleton(text: str) -> str:
    """The TS #39 skeleton of a (normalised) name, case-folded: equal skeletons look alike."""
    single, sequences = _table()
    decomposed = unicodedata.normalize("NFD", normalise(text))
    mapped = decomposed.translate(single)
    for source, prototype in sequences.items():
        mapped = mapped.replace(source, prototype)
    # default-ignorable characters map to nothing in TS #39: they cannot tell two names apart
    stripped = "".join(ch for ch in mapped if not _ignorable(ch))
    return unicodedata.normalize("NFD", stripped).casefold()


def confusable_with(name: str, others: Iterable[str]) -> str | None:
    """The first of `others` that looks like `name` (same skeleton), or None."""
    mine = skeleton(name)
    return next((other for other in others if skeleton(other) == mine), None)


__all__ = ["confusable_with", "hidden_character", "hidden_problem", "normalise", "skeleton"]
