"""Stopping the server while people have the workshop open: it ends their event streams and exits at
once, instead of waiting for the pages to close (uvicorn's graceful shutdown waits for every open
response; a container stop waited for its SIGKILL)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from redesign.web.routes import EVENTS_PATH
from tests.app_server import start_app
from tests.e2e.conftest import new_page, wait_for_app

PROMPT_S = 5.0


def test_the_server_stops_at_once_with_a_workshop_open(browser: Browser, tmp_path: Path) -> None:
    server = start_app(f"sqlite:///{tmp_path / 'stop.db'}", tmp_path)
    page = new_page(browser)
    try:
        streams: list[str] = []
        page.on("response", lambda response: streams.append(response.url) if EVENTS_PATH in response.url else None)
        page.goto(server.url)
        wait_for_app(page)
        page.get_by_role("button", name="Start workshop").first.click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Sales forecasting")).to_be_visible()
        deadline = time.monotonic() + 20
        while not streams and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert streams, "the workshop page never opened its event stream"

        asked = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the server was still running 30 s after SIGTERM:\n{server.log_tail()}") from None
        took = time.monotonic() - asked
        assert took < PROMPT_S, f"the server took {took:.1f} s to stop with a page open:\n{server.log_tail()}"
        assert "Traceback" not in server.log.read_text(errors="replace"), server.log_tail()
    finally:
        page.context.close()
        server.stop(kill=True)
