"""The app's own routes (redesign/web) served by uvicorn in a thread, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from starlette.applications import Starlette

from redesign.web.routes import Live, build
from tests.pg_server import free_port
from tests.store.conftest import database_url, pg_database_url, svc  # noqa: F401  (the store's fixtures)


@dataclass
class RouteServer:
    port: int
    live: Live
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.live.hub.close()  # what the stop signal does in the app (no signals reach a thread)
        self.server.should_exit = True
        self.thread.join(15)


def serve(url: str) -> RouteServer:
    routes, lifespan, live = build(url=url)
    app = Starlette(routes=routes, lifespan=lifespan)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the route server did not start")
        time.sleep(0.05)
    if live.listener is not None:
        assert live.listener.connected.wait(10), "the PostgreSQL listener did not connect"
    return RouteServer(port, live, server, thread)


@pytest.fixture
def routes_server(database_url: str) -> Iterator[RouteServer]:  # noqa: F811
    server = serve(database_url)
    yield server
    server.stop()


@dataclass
class Stream:
    """One page's event stream, read with a deadline."""

    response: http.client.HTTPResponse
    conn: http.client.HTTPConnection
    events: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    def next(self, timeout: float = 2.0) -> tuple[str, dict[str, object]] | None:
        """The next event (comments skipped), or None if none arrives within `timeout` seconds."""
        self.conn.sock.settimeout(timeout)
        event, data = "message", ""
        try:
            while True:
                line = self.response.fp.readline().decode()
                if line == "":
                    return None
                line = line.rstrip("\n")
                if line == "":
                    if data:
                        found = (event, json.loads(data))
                        self.events.append(found)
                        return found
                    event, data = "message", ""
                    continue
                if line.startswith(":") or line.startswith("retry:"):
                    continue
                key, _, value = line.partition(": ")
                if key == "event":
                    event = value
                elif key == "data":
                    data += value
        except TimeoutError:
            return None

    def wait_for(self, kind: str, timeout: float = 2.0, where=lambda data: True) -> dict[str, object] | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            found = self.next(left)
            if found is None:
                return None
            if found[0] == kind and where(found[1]):
                return found[1]
        return None

    def close(self) -> None:
        self.conn.close()


def request(port: int, method: str, path: str, cookie: str | None = None, body: object = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    return conn, conn.getresponse()


def open_stream(port: int, workshop_id: str, token: str | None) -> tuple[int, Stream | None]:
    cookie = f"crossflow_seat_{workshop_id}={token}" if token else None
    conn, response = request(port, "GET", f"/crossflow/events?w={workshop_id}", cookie)
    if response.status != 200:
        conn.close()
        return response.status, None
    return 200, Stream(response, conn)
