"""What a person does right after the server restarted (one server, no proxy) is saved.

The page keeps what the old server drew; Streamlit's browser reconnects to a new session and,
when the page's last run was a full run, does not rerun it. Streamlit runs no callback for a
widget its session never drew, so a click or a board gesture sent as the new session's first
message was lost. The vote list and the board save such an input themselves
(redesign/ui/components/voting.py, redesign/ui/components/board/), and the live listener reruns
the page as soon as its connection is back (redesign/ui/assets/live_listener.js), so the new
session has drawn the page before the person acts; a click within milliseconds of reconnecting
(Playwright's) still beats that run to the server.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, WebSocket, expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from tests.app_server import start_app
from tests.e2e.conftest import wait_for_app
from tests.e2e.people import card, choose, join, sidebar, start_workshop

CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
# The listener's rerun goes out as the connection comes back; Streamlit's own fallback takes 4 s and more
# (or never comes): 2.5 s tells them apart with room for a loaded CI machine.
KICK_WITHIN_S = 2.5


@dataclass
class Socket:
    opened: float
    reruns: list[float] = field(default_factory=list)
    """When the page asked the server for a run on this websocket."""


def record_sockets(page: Page) -> list[Socket]:
    """The websockets the page opens from now on, with the runs it asks for on each."""
    sockets: list[Socket] = []

    def on_socket(websocket: WebSocket) -> None:
        socket = Socket(time.time())
        sockets.append(socket)

        def on_frame(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                message = BackMsg()
                message.ParseFromString(payload)
                if message.WhichOneof("type") == "rerun_script":
                    socket.reruns.append(time.time())

        websocket.on("framesent", on_frame)

    page.on("websocket", on_socket)
    return sockets


def vote_row(page: Page, step_name: str) -> Locator:
    return page.locator("[data-testid='stHorizontalBlock']").filter(has_text=step_name).first


@contextmanager
def restarted(browser: Browser, tmp_path: Path) -> Iterator[tuple[Page, list[Socket]]]:
    """A participant's vote page whose last run was a full one (their own vote), reconnected to a
    restarted server; yields the page and the websockets it opened since the restart."""
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
        sockets = record_sockets(page)
        server.stop(kill=True)
        server = start_app(database, tmp_path, port=server.port, env=env)
        page.wait_for_selector(CONNECTED, timeout=30_000)
        assert sockets, "the page did not reconnect"
        yield page, sockets
    finally:
        fac.context.close()
        if page is not None:
            page.context.close()
        server.stop()


def test_a_vote_clicked_as_the_page_reconnects_is_saved(browser: Browser, tmp_path: Path) -> None:
    """At once, before any run of the new session has drawn the page: the click is its first message."""
    with restarted(browser, tmp_path) as (page, _):
        row = vote_row(page, "Apply territory and ramp changes to CRM")
        choice = row.get_by_role("radio", name="Human")
        # Within milliseconds of reconnecting: the listener's rerun has gone out, but the click reaches
        # the server before that run drew the vote list (it stops that run). Without the vote list's own
        # save this failed 3 runs of 3, also with the listener's rerun.
        choice.click()
        wait_for_app(page)
        assert choice.get_attribute("aria-checked") == "true", "the click was lost"
        expect(row.get_by_text("✓")).to_be_visible(timeout=15_000)  # drawn from the store: saved


def test_a_board_gesture_made_as_the_page_reconnects_is_saved(browser: Browser, tmp_path: Path) -> None:
    """The board's gesture (a callback too) as the new session's first message, or ahead of its first run."""
    with restarted(browser, tmp_path) as (page, _):
        card(page, "Run statistical forecast").click()
        page.keyboard.press("2")
        wait_for_app(page)
        expect(card(page, "Run statistical forecast")).to_contain_text("you: ◆ Augment", timeout=10_000)


def test_the_page_reruns_as_it_reconnects(browser: Browser, tmp_path: Path) -> None:
    """The listener reruns the page as soon as its connection is back, so the new session has drawn it
    (and knows its widgets) before the person acts; Streamlit's browser does not, after a full run."""
    with restarted(browser, tmp_path) as (page, sockets):
        socket = sockets[-1]
        deadline = time.monotonic() + 10
        while not socket.reruns and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert socket.reruns, "the page did not rerun on reconnecting"
        took = socket.reruns[0] - socket.opened
        assert took <= KICK_WITHIN_S, f"the page reran {took:.1f} s after reconnecting"
