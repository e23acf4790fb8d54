"""The push route (server-sent events), the presence route and the seat routes, and their lifespan.

`GET /crossflow/events?w=<workshop id>` (text/event-stream), for the holder of that workshop's
seat cookie only (403 otherwise): `event: version` `{"version": N}` on connect and on every newer
committed version, `event: presence` `{"people": [...]}` (the whole list) on connect and on every
change, and `event: ping` every PING_S seconds so that proxies keep the stream open and the page
can tell a live stream from a silent one (a comment line would not reach the page's script).

`GET /crossflow/view?w=<workshop id>[&peek=1]` (JSON), for the seat holder: the board this person sees
at the newest version and the fingerprint of their map's look (`redesign.views.looks.map_look`). A
page whose look is unchanged (someone commented, a leading tag moved) draws the new board from it
without a Streamlit rerun (redesign/ui/assets/live_listener.js); otherwise the page reruns as before.

`POST /crossflow/presence` `{"w": <workshop id>, "step": <step id> | null}`, cookie-authenticated:
the step this person has selected; 204.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from redesign.flowchart import ChartPage
from redesign.metrics import FlowMetrics, analyze
from redesign.store import announce
from redesign.store.database import is_sqlite, make_engine, normalize_url, resolve_database_url
from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.store.service import WorkshopService
from redesign.views.board import board_data, board_layout
from redesign.views.looks import map_look_digest
from redesign.web import seats
from redesign.web.hub import CLOSING, HEARTBEAT_S, Hub, Person
from redesign.web.shutdown import on_stop_signal

EVENTS_PATH = "/crossflow/events"
PRESENCE_PATH = "/crossflow/presence"
VIEW_PATH = "/crossflow/view"
DRAWN_VERSIONS = 32
"""Board layouts and metrics kept per (workshop, version): every open page of a workshop asks for the same."""
PING_S = 15.0
CHECK_S_SQLITE = 0.25
"""SQLite: how often the versions of workshops with open pages are read (catches other processes' writes)."""
CHECK_S_POSTGRES = 5.0
"""PostgreSQL: the same read as a safety net (NOTIFY carries the writes; one could be missed during a
reconnect of the listener)."""
SEAT_CACHE_S = 30.0
log = logging.getLogger(__name__)
_STEP = re.compile(r"^[A-Za-z0-9_.:-]{1,120}$")


class Seats:
    """Who holds a token (cached briefly: a page reconnecting or posting presence costs no query)."""

    def __init__(self, service: Callable[[], WorkshopService]) -> None:
        self._service = service
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Person, str, float]] = {}

    def person(self, token: str | None, workshop_id: str) -> Person | None:
        if not token:
            return None
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(token)
        if hit is None or hit[2] < now:
            try:
                me = self._service().whoami(token)
            except StoreError:
                return None
            hit = (Person(me.id, me.name, me.function), me.workshop_id, now + SEAT_CACHE_S)
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[token] = hit
        person, seat_workshop, _ = hit
        return person if seat_workshop == workshop_id else None


class Live:
    """The hub, the store access the routes need, and (on PostgreSQL) the listener to other replicas."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or resolve_database_url()
        self._service: WorkshopService | None = None
        self._service_lock = threading.Lock()
        # SQLite is one process: no other replica to tell about presence
        self.hub = Hub(send=None if is_sqlite(normalize_url(self.url)) else self._send_presence)
        self.seats = Seats(self.service)
        self._unsubscribe: list[Callable[[], None]] = []
        self.listener: announce.PgListener | None = None
        self._drawn_lock = threading.Lock()
        self._drawn_cache: dict[tuple[str, int], tuple[ChartPage, FlowMetrics]] = {}

    def service(self) -> WorkshopService:
        with self._service_lock:
            if self._service is None:  # its own small pool: the routes' reads never queue behind pages
                self._service = WorkshopService(make_engine(self.url, pool_size=2, max_overflow=8))
            return self._service

    def view(self, token: str, peek: bool) -> dict[str, object]:
        """The board this seat sees now and its map's look (see the module docstring)."""
        state = self.service().shared_state(token)
        layout, metrics = self._drawn(state)
        return {
            "version": state.version,
            "mapLook": map_look_digest(state),
            "board": board_data(state, metrics, peek=peek, layout=layout),
        }

    def _drawn(self, state: WorkshopState) -> tuple[ChartPage, FlowMetrics]:
        key = (state.workshop_id, state.version)
        with self._drawn_lock:
            hit = self._drawn_cache.get(key)
        if hit is None:  # two pages may compute the same version at once: harmless, both are equal
            hit = (board_layout(state.flow), analyze(state.flow))
            with self._drawn_lock:
                if len(self._drawn_cache) >= DRAWN_VERSIONS:
                    self._drawn_cache.pop(next(iter(self._drawn_cache)))
                self._drawn_cache[key] = hit
        return hit

    def _send_presence(self, payloads: list[str]) -> None:
        announce.send_presence(self.service().engine, payloads)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.hub.attach(loop)
        self._unsubscribe.append(announce.on_version(self.hub.version))
        self._unsubscribe.append(announce.on_presence(self.hub.remote_presence))
        if not is_sqlite(normalize_url(self.url)):
            self.listener = announce.PgListener(self.url).start()

    def stop(self) -> None:
        for undo in self._unsubscribe:
            undo()
        self._unsubscribe.clear()
        if self.listener is not None:
            self.listener.stop()
        if self._service is not None:
            self._service.dispose()


def _sse(event: str, data: dict[str, object]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def events_endpoint(live: Live) -> Callable[[Request], Any]:
    async def events(request: Request) -> Response:
        workshop_id = request.query_params.get("w", "")
        token = seats.seat_token(request, workshop_id)
        person = await run_in_threadpool(live.seats.person, token, workshop_id)
        if person is None:
            return PlainTextResponse("This browser holds no seat in that workshop.", status_code=403)
        try:
            version = await run_in_threadpool(live.service().version, workshop_id)
        except StoreError:
            return PlainTextResponse("The workshop store is not available.", status_code=503)
        hub = live.hub
        hub.seen(workshop_id, version)
        sub = hub.subscribe(workshop_id, person)

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 2000\n\n"
                yield _sse("version", {"version": hub.latest(workshop_id) or version})
                yield _sse("presence", {"people": hub.people(workshop_id)})
                while True:
                    try:
                        event, data = await asyncio.wait_for(sub.queue.get(), PING_S)
                    except TimeoutError:
                        yield _sse("ping", {})  # an event, not a comment: the page hears it (see listener)
                        continue
                    if event == CLOSING:  # the server is stopping; the page reconnects to the next one
                        return
                    yield _sse(event, data)
            finally:
                hub.unsubscribe(sub)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"},
        )

    return events


def view_endpoint(live: Live) -> Callable[[Request], Any]:
    async def view(request: Request) -> Response:
        workshop_id = request.query_params.get("w", "")
        token = seats.seat_token(request, workshop_id)
        person = await run_in_threadpool(live.seats.person, token, workshop_id)
        if token is None or person is None:
            return PlainTextResponse("This browser holds no seat in that workshop.", status_code=403)
        peek = request.query_params.get("peek") == "1"
        try:
            body = await run_in_threadpool(live.view, token, peek)
        except StoreError as exc:
            log.warning("board view for workshop %s failed: %s", workshop_id, exc)
            return PlainTextResponse("The workshop store is not available.", status_code=503)
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return view


def presence_endpoint(live: Live) -> Callable[[Request], Any]:
    async def presence(request: Request) -> Response:
        data = await seats.read_json(request)
        if data is None:
            return PlainTextResponse('Send JSON: {"w": workshop id, "step": step id or null}.', status_code=400)
        workshop_id = str(data.get("w", ""))
        step = data.get("step")
        if step is not None and not (isinstance(step, str) and _STEP.match(step)):
            return PlainTextResponse("step must be a step id or null.", status_code=400)
        person = await run_in_threadpool(live.seats.person, seats.seat_token(request, workshop_id), workshop_id)
        if person is None:
            return PlainTextResponse("This browser holds no seat in that workshop.", status_code=403)
        live.hub.select(workshop_id, person, step)
        return Response(status_code=204)

    return presence


def build(base_path: str = "", url: str | None = None) -> tuple[list[BaseRoute], Callable[[Any], Any], Live]:
    """The routes (under the server's base path) and a lifespan that starts and stops the live plumbing."""
    live = Live(url)
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    routes: list[BaseRoute] = [
        Route(base + EVENTS_PATH, events_endpoint(live), methods=["GET"]),
        Route(base + PRESENCE_PATH, presence_endpoint(live), methods=["POST"]),
        Route(base + VIEW_PATH, view_endpoint(live), methods=["GET"]),
        Route(base + seats.SEAT_PATH, seats.take_seat, methods=["POST"]),
        Route(base + seats.LEAVE_PATH, seats.leave, methods=["POST"]),
    ]

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        live.start(asyncio.get_running_loop())
        tasks = [asyncio.create_task(_beat(live.hub)), asyncio.create_task(_check(live))]
        # uvicorn waits for open responses before this block's end runs: the streams end on the signal
        unwrap = on_stop_signal(live.hub.close)
        try:
            yield
        finally:
            unwrap()
            for task in tasks:
                task.cancel()
            live.stop()

    return routes, lifespan, live


async def _check(live: Live) -> None:
    """Read the versions of the workshops that have open pages here; announce what moved."""
    interval = CHECK_S_SQLITE if is_sqlite(normalize_url(live.url)) else CHECK_S_POSTGRES
    while True:
        await asyncio.sleep(interval)
        watched = live.hub.watched()
        if not watched:
            continue
        try:
            found = await run_in_threadpool(announce.current_versions, live.service().engine, watched)
        except Exception as exc:  # the store is down: pages fall back to polling and say so
            log.warning("Could not read workshop versions: %s", exc)
            continue
        live.hub.versions(found)


async def _beat(hub: Hub) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        try:
            hub.heartbeat()
        except Exception:  # keep beating
            log.exception("presence heartbeat failed")
