"""Join codes, secret tokens and how they are stored (hashed).

- Join code: 10 symbols from a 31-symbol alphabet without 0/O/1/I/L, grouped 4-4-2
  ("K7F3-QX9M-2R"): 10 * log2(31) = 49.5 bits, easy to read out loud and type.
  Input is case- and dash-insensitive. Failed joins are rate-limited per browser
  and per address in the database (see `rate_limit`), so at 60 guesses a minute
  finding one of even 10,000 live workshops takes ~2^37 minutes.
- Participant token: 192 random bits, URL-safe; stored only as its SHA-256.
- Facilitator key: 20 symbols of the join-code alphabet (99 bits), grouped by 4
  so it can be written down; stored only as its SHA-256.
SHA-256 without salt is enough here: the secrets are random and long, so there is
no dictionary to precompute.
"""

from __future__ import annotations

import hashlib
import math
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Digits and capitals minus 0, O, 1, I and L, which people confuse."""

JOIN_CODE_LENGTH = 10
JOIN_CODE_GROUPS = (4, 4, 2)
FACILITATOR_KEY_LENGTH = 20
TOKEN_BYTES = 24


def bits(length: int) -> float:
    """Entropy in bits of `length` random symbols of the alphabet."""
    return length * math.log2(len(ALPHABET))


def _random_symbols(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _group(raw: str, groups: tuple[int, ...]) -> str:
    parts, start = [], 0
    for size in groups:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(parts)


def new_join_code() -> str:
    """A fresh code such as "K7F3-QX9M-2R"."""
    return _group(_random_symbols(JOIN_CODE_LENGTH), JOIN_CODE_GROUPS)


def normalize_code(text: str) -> str | None:
    """The canonical (grouped, upper-case) join code, or None if `text` cannot be one."""
    raw = "".join(ch for ch in text.upper() if ch not in " -_\t")
    if len(raw) != JOIN_CODE_LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return _group(raw, JOIN_CODE_GROUPS)


def new_facilitator_key() -> str:
    return _group(_random_symbols(FACILITATOR_KEY_LENGTH), (4,) * (FACILITATOR_KEY_LENGTH // 4))


def normalize_key(text: str) -> str:
    """Facilitator keys are dash-, space- and case-insensitive like join codes."""
    return "".join(ch for ch in text.upper() if ch not in " -_\t")


def new_token() -> str:
    """A participant's secret token (192 bits, URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a token or key is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def key_digest(key: str) -> str:
    return digest("facilitator-key:" + normalize_key(key))
