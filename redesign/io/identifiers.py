"""Turn foreign ids and names into Crossflow ids, deterministically and uniquely.

Imported files carry ids that may break the model's `Id` pattern (spaces,
accented letters, 300-character GUID chains) or collide once cleaned. The same
input always gives the same id, so importing a file twice gives the same flow.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

ID_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]*$")
MAX_ID = 100
_BAD = re.compile(r"[^A-Za-z0-9_.:\-]+")


def is_valid_id(raw: str) -> bool:
    return len(raw) <= MAX_ID and bool(ID_PATTERN.match(raw))


def sanitize_id(raw: str, fallback: str = "id") -> str:
    """A valid id for ``raw``: kept as is when valid, else cleaned.

    Accents are folded to ASCII ("Prüfung" -> "Prufung"), other characters become
    "_", and an over-long id is cut with a short hash of the original appended so
    two long ids sharing a prefix stay apart.
    """
    if is_valid_id(raw):
        return raw
    folded = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    cleaned = _BAD.sub("_", folded).strip("_") or fallback
    if not re.match(r"[A-Za-z0-9_]", cleaned[0]):
        cleaned = "_" + cleaned
    if len(cleaned) > MAX_ID:
        digest = hashlib.sha1(raw.encode("utf-8")).hexdigest()[:8]
        cleaned = f"{cleaned[: MAX_ID - 9]}_{digest}"
    return cleaned


def slug(name: str, fallback: str = "item") -> str:
    """A lower-case id made from a display name: "Sales Ops (EMEA)" -> "sales_ops_emea"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    cleaned = re.sub(r"[^a-z0-9]+", "_", folded).strip("_") or fallback
    return sanitize_id(cleaned[:MAX_ID], fallback)


class IdAllocator:
    """Hands out unique ids within one namespace (steps, hand-offs, ...)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, raw: str, fallback: str = "id") -> str:
        base = sanitize_id(raw, fallback)
        candidate = base
        n = 2
        while candidate in self.taken:
            suffix = f"_{n}"
            candidate = base[: MAX_ID - len(suffix)] + suffix
            n += 1
        self.taken.add(candidate)
        return candidate
