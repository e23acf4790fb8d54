"""The server's stop signal ends the open event streams (redesign/web/shutdown.py, `Hub.close`).

The whole path, a real `streamlit run` stopped with SIGTERM while a browser holds a stream, is the
journey tests/e2e/test_server_stop.py."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from types import FrameType

import pytest

from redesign.store.service import WorkshopService
from redesign.web.shutdown import on_stop_signal
from tests.web.conftest import RouteServer, Stream, open_stream


@pytest.fixture
def recorded_sigterm() -> Iterator[list[str]]:
    """SIGTERM handled by a recorder (as uvicorn's handler would be), restored afterwards."""
    heard: list[str] = []

    def recorder(number: int, frame: FrameType | None) -> None:
        heard.append("before")

    original = signal.signal(signal.SIGTERM, recorder)
    yield heard
    signal.signal(signal.SIGTERM, original)


def test_the_signal_is_heard_first_then_the_handler_that_was_there(recorded_sigterm: list[str]) -> None:
    undo = on_stop_signal(lambda: recorded_sigterm.append("us"))
    signal.raise_signal(signal.SIGTERM)
    assert recorded_sigterm == ["us", "before"]
    undo()
    signal.raise_signal(signal.SIGTERM)
    assert recorded_sigterm == ["us", "before", "before"]  # unwrapped: only the original hears it


def test_undo_leaves_a_handler_set_since_alone(recorded_sigterm: list[str]) -> None:
    undo = on_stop_signal(lambda: recorded_sigterm.append("us"))
    later = signal.signal(signal.SIGTERM, signal.SIG_IGN)  # uvicorn puts its predecessor back first
    undo()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    assert later is not signal.SIG_IGN


def _ends(stream: Stream, within: float) -> bool:
    """Whether the server ends the stream within `within` seconds (else the read times out; the stream
    is unusable afterwards, so this is the last read of it)."""
    stream.conn.sock.settimeout(within)
    try:
        while stream.response.fp.readline() not in (b"", b"0\r\n"):  # EOF or the last chunk
            pass
    except TimeoutError:
        return False
    return True


def test_closing_the_hub_ends_open_streams_and_new_ones(svc: WorkshopService, routes_server: RouteServer) -> None:
    created = svc.create_from_sample("sales_forecasting", "Fran")
    ana = svc.join(created.join_code, "Ana", "sales")
    _, stream = open_stream(routes_server.port, created.workshop_id, ana.token)
    assert stream is not None and stream.wait_for("version") is not None

    routes_server.live.hub.close()  # what SIGTERM does in the app
    assert _ends(stream, 3.0)
    _, late = open_stream(routes_server.port, created.workshop_id, ana.token)
    assert late is not None and _ends(late, 3.0)

    started = time.monotonic()
    routes_server.stop()
    assert not routes_server.thread.is_alive()
    assert time.monotonic() - started < 5
