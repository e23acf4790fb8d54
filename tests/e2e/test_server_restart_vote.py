"""A vote clicked right after the server restarted (one server, no proxy) is saved.

The page keeps what the old server drew; Streamlit's browser reconnects to a new session and,
when the page's last run was a full run, does not rerun it. The person's click is then the new
session's first message: Streamlit runs no callback for a widget the session never drew, and
the click used to be lost (redesign/ui/components/voting.py). The test records the websocket
messages the page sends, so it can tell whether the click was that first message.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, WebSocket, expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.app_server import start_app
from tests.e2e.conftest import wait_for_app
from tests.e2e.test_workshop_fixes import choose, join, sidebar, start_workshop

CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"


def vote_row(page: Page, step_name: str):
    return page.locator("[data-testid='stHorizontalBlock']").filter(has_text=step_name).first


def reruns_sent(page: Page) -> list[list[float]]:
    """Per websocket the page opens from now on, the times it asked the server for a run."""
    sockets: list[list[float]] = []

    def on_socket(socket: WebSocket) -> None:
        sent: list[float] = []
        sockets.append(sent)

        def on_frame(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                message = BackMsg()
                message.ParseFromString(payload)
                if message.WhichOneof("type") == "rerun_script":
                    sent.append(time.time())

        socket.on("framesent", on_frame)

    page.on("websocket", on_socket)
    return sockets


def test_a_vote_clicked_right_after_the_server_restarted_is_saved(browser: Browser, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'restart.db'}"
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32), "CROSSFLOW_POLL_SECONDS": "2"}
    server = start_app(database, tmp_path, env=env)
    fac = start_workshop(browser, server)
    page: Page | None = None
    try:
        choose(fac, "Phase", "Tag & vote", sidebar(fac))
        page = join(browser, server, fac, "Sam", "Sales")
        expect(page.get_by_text("Your proposals", exact=False)).to_be_visible(timeout=15_000)
        fac.context.close()  # nothing else moves the participant's page now
        row = vote_row(page, "Update opportunities")
        row.get_by_role("radio", name="Augment").click()  # a full run: the page's last one on this server
        expect(row.get_by_text("✓")).to_be_visible(timeout=15_000)
        wait_for_app(page)

        sockets = reruns_sent(page)
        server.stop(kill=True)
        server = start_app(database, tmp_path, port=server.port, env=env)
        page.wait_for_selector(CONNECTED, timeout=30_000)
        row = vote_row(page, "Apply territory and ramp changes to CRM")
        choice = row.get_by_role("radio", name="Human")
        choice.click()
        clicked = time.time()
        wait_for_app(page)
        assert choice.get_attribute("aria-checked") == "true", "the click was lost"
        expect(row.get_by_text("✓")).to_be_visible(timeout=15_000)  # drawn from the store: saved
        assert sockets, "the page did not reconnect"
        before = [t for t in sockets[-1] if t < clicked - 0.05]
        assert not before, "the page asked for a run on reconnecting: the click was not the new session's first message"
    finally:
        fac.context.close()
        if page is not None:
            page.context.close()
        server.stop()
