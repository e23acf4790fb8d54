"""Seats in HttpOnly cookies: one-time tickets from the page, cookies set and cleared by a route.

A seat token acts as one person, so it never appears in an address and no page script can read
it. A page that holds a seat (just joined, started or took it back) asks for a one-time ticket
(`Tickets.issue`, in this process's memory, valid a minute) and posts it to `/crossflow/seat`;
the answer sets the cookie `crossflow_seat_<workshop id>` (HttpOnly, SameSite=Strict, Secure
over https, 30 days). `/crossflow/leave` clears it. Both answer 204: the page stays as it is.

Tickets live in the memory of the replica that issued them; the page posts from the same
browser through the same sticky route (deploy/nginx.conf.template), so it reaches that replica.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

SEAT_COOKIE = "crossflow_seat_{}"
SEAT_PATH = "/crossflow/seat"
LEAVE_PATH = "/crossflow/leave"
SEAT_DAYS = 30
TICKET_SECONDS = 60.0
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
"""Workshop ids and tokens (uuid hex, token_urlsafe): nothing to escape in a cookie name or value."""


@dataclass(frozen=True)
class _Ticket:
    workshop_id: str
    token: str
    expires: float


class Tickets:
    """One-time tickets that stand for a seat for a minute (thread-safe)."""

    def __init__(self, lifetime: float = TICKET_SECONDS) -> None:
        self._lifetime = lifetime
        self._lock = threading.Lock()
        self._tickets: dict[str, _Ticket] = {}

    def issue(self, workshop_id: str, token: str) -> str:
        if not (SAFE_ID.match(workshop_id) and SAFE_ID.match(token)):
            raise ValueError("not a workshop id or seat token")
        ticket = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:
            for key in [k for k, v in self._tickets.items() if v.expires < now]:
                del self._tickets[key]
            self._tickets[ticket] = _Ticket(workshop_id, token, now + self._lifetime)
        return ticket

    def redeem(self, ticket: str) -> _Ticket | None:
        """The seat a ticket stands for, once; None if unknown, used or expired."""
        with self._lock:
            found = self._tickets.pop(ticket, None) if isinstance(ticket, str) else None
        if found is None or found.expires < time.monotonic():
            return None
        return found


TICKETS = Tickets()


def seat_token(request: Request, workshop_id: str | None) -> str | None:
    """The seat token this browser holds for `workshop_id` (from its cookie), if any."""
    if not workshop_id or not SAFE_ID.match(workshop_id):
        return None
    token = request.cookies.get(SEAT_COOKIE.format(workshop_id))
    return token if token and SAFE_ID.match(token) else None


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
    return (forwarded or request.url.scheme) == "https"


async def read_json(request: Request) -> dict[str, object] | None:
    """The JSON object a page posted; None for anything else (a cross-site form cannot send JSON without
    the browser asking first, so requiring it keeps these routes same-origin)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return None
    body = await request.body()
    if len(body) > 2000:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def take_seat(request: Request) -> Response:
    """POST {"ticket": ...}: set the seat cookie the ticket stands for."""
    data = await read_json(request)
    found = TICKETS.redeem(str(data.get("ticket", ""))) if data else None
    if found is None:
        return PlainTextResponse("This seat link has expired; join again with the join link.", status_code=403)
    response = Response(status_code=204)
    response.set_cookie(
        SEAT_COOKIE.format(found.workshop_id),
        found.token,
        max_age=SEAT_DAYS * 86400,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


async def leave(request: Request) -> Response:
    """POST {"w": workshop id}: this browser forgets its seat in that workshop."""
    data = await read_json(request)
    workshop_id = str(data.get("w", "")) if data else ""
    if not SAFE_ID.match(workshop_id):
        return PlainTextResponse("Which workshop?", status_code=400)
    response = Response(status_code=204)
    response.delete_cookie(
        SEAT_COOKIE.format(workshop_id), path="/", httponly=True, samesite="strict", secure=_secure(request)
    )
    return response
