"""Wrong join codes and facilitator keys slow the guesser, never the room.

Every wrong guess is a row of `failed_attempts` in the workshop database, so every
replica sees the same counts. A guess is counted in the buckets of who made it:

- `browser`: the browser's own id (a random cookie the app sets). Tight (10 a
  minute): a person mistyping a code is slowed, nobody else is.
- `address`: the network address the request came from. Looser (60 a minute): it
  is the cap for a script that drops or rotates its browser id, which it controls;
  people behind the same office address are slowed only while someone there
  guesses faster than that.
- `key:<workshop>`: wrong facilitator keys for one workshop, from anywhere (30 in
  ten minutes). It slows taking the facilitator seat back for that workshop only;
  joining it is never affected, and its people keep their seats.

Before a join, preview or key recovery the caller's buckets are read (one query);
a wrong guess is written in its own short transaction after the refusal, since the
refused request's own transaction rolls back. A caller over a limit is refused
before the code or key is even looked at. Addresses and browser ids are stored as
hashes, never as given. With a 49.5-bit join code, 60 guesses a minute from one
address would need ~2^37 minutes to find one of 10,000 live workshops.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from redesign.store import tables as t


@dataclass(frozen=True)
class Client:
    """Who is guessing, as far as the app can tell. Empty strings: not known (a script, the CLI, a test)."""

    address: str = ""
    browser: str = ""


@dataclass(frozen=True)
class Rule:
    kind: str
    limit: int
    window: timedelta
    refusal: str  # shown as is, then "Try again in N seconds."


BROWSER = Rule("browser", 10, timedelta(minutes=1), "Too many wrong codes or keys were tried from this browser.")
ADDRESS = Rule(
    "address", 60, timedelta(minutes=1), "Too many wrong codes or keys were tried from your network address."
)
KEY = Rule(
    "key",
    30,
    timedelta(minutes=10),
    "Too many wrong facilitator keys were tried for this workshop (joining it is not affected).",
)
RULES = {rule.kind: rule for rule in (BROWSER, ADDRESS, KEY)}
KEEP = max(rule.window for rule in RULES.values())


def _hashed(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(f"crossflow-{kind}:{value}".encode()).hexdigest()[:40]


def client_buckets(client: Client | None) -> list[str]:
    """The buckets a guess by `client` counts in. An unknown client shares one address bucket."""
    client = client or Client()
    buckets = [_hashed("address", client.address.strip()[:100])]
    if client.browser.strip():
        buckets.append(_hashed("browser", client.browser.strip()[:100]))
    return buckets


def key_bucket(workshop_id: str) -> str:
    return f"key:{workshop_id}"


def _rule(bucket: str) -> Rule:
    return RULES[bucket.partition(":")[0]]


def refusal(conn: Connection, buckets: Sequence[str], now: datetime) -> str | None:
    """The message for the first bucket over its limit, with how long to wait; None if all are under."""
    fa = t.failed_attempts.c
    rows = conn.execute(
        sa.select(fa.bucket, sa.func.count().label("n"), sa.func.min(fa.at).label("oldest"))
        .where(sa.or_(*(sa.and_(fa.bucket == b, fa.at > now - _rule(b).window) for b in buckets)))
        .group_by(fa.bucket)
    ).all()
    counts: dict[str, tuple[int, datetime | None]] = {str(r.bucket): (int(r.n), r.oldest) for r in rows}
    for bucket in buckets:
        count, oldest = counts.get(bucket, (0, None))
        rule = _rule(bucket)
        if count >= rule.limit:
            oldest = oldest or now
            wait = max(1, math.ceil((oldest + rule.window - now).total_seconds()))
            return f"{rule.refusal} Try again in {wait} seconds."
    return None


def record(conn: Connection, buckets: Sequence[str], now: datetime) -> None:
    """Count one wrong guess in each bucket, and forget guesses older than every window."""
    conn.execute(sa.delete(t.failed_attempts).where(t.failed_attempts.c.at < now - KEEP))
    conn.execute(sa.insert(t.failed_attempts), [{"bucket": b, "at": now} for b in buckets])
