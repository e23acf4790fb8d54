"""Browser journeys: the real app on loopback, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.app_server import AppServer, start_app

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}

# A shared 2-core machine: pages can take seconds to redraw. Set here, where every journey and
# the deploy tests (which import this module) see it; it used to be set by one test module.
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[AppServer]:
    folder = tmp_path_factory.mktemp("app")
    server = start_app(f"sqlite:///{folder / 'e2e.db'}", folder, env={"CROSSFLOW_POLL_SECONDS": "2"})
    yield server
    # The browsers go first, so the server's log ends with the pages' goodbyes rather than their
    # reconnection attempts (the server ends open event streams itself: tests/e2e/test_server_stop.py).
    for context in browser.contexts:
        context.close()
    server.stop()


def new_page(browser: Browser) -> Page:
    """A page in its own browser context: a separate person with separate cookies and storage."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    return context.new_page()


def wait_for_app(page: Page) -> None:
    """Wait until the script has run and the page is idle (Streamlit's own e2e convention)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60_000)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    time.sleep(0.4)


def screenshot(page: Page, name: str) -> Path:
    """Save what the person sees now (after the page has finished running) for a human to look at."""
    wait_for_app(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
