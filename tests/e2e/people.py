"""What a person does on a Crossflow page, shared by the browser journeys: start a workshop, join it
with the code the facilitator's page shows, pick from a select box, open a tab or a step's card.

Each goes through what is on the page, as a person would; none builds a URL or calls the store.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Browser, Locator, Page, expect

from tests.app_server import AppServer
from tests.e2e.conftest import new_page, wait_for_app


def card(page: Page, name: str) -> Locator:
    """A step's card on the board, by the name it shows."""
    return page.locator(".cf-card").filter(has=page.locator(".cf-name", has_text=name)).first


def sidebar(page: Page) -> Locator:
    return page.locator("[data-testid='stSidebar']")


def choose(
    page: Page,
    label: str,
    option: str,
    scope: Locator | Page | None = None,
    settle: Callable[[Page], None] = wait_for_app,
) -> None:
    """Pick an option of a Streamlit selectbox by its label; `settle` waits for what follows."""
    box = (scope or page).locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.click()
    choice = page.get_by_role("option", name=option, exact=False).first
    if not choice.is_visible():
        time.sleep(1)
        if not choice.is_visible():
            box.click()  # the first click can land while the page redraws
    choice.click()
    settle(page)


def start_workshop(
    browser: Browser, app: AppServer, fake_clock: bool = False, viewport: dict[str, int] | None = None
) -> Page:
    """The facilitator starts a workshop from the first sample on the start page."""
    fac = new_page(browser)
    if viewport:
        fac.set_viewport_size(viewport)
    if fake_clock:
        fac.clock.install()  # time runs as usual; a test can jump it ahead instead of waiting minutes
    fac.goto(app.url)
    wait_for_app(fac)
    fac.get_by_role("button", name="Start workshop").first.click()
    wait_for_app(fac)
    expect(fac.get_by_role("heading", name="Sales forecasting")).to_be_visible()
    return fac


def join(
    browser: Browser, app: AppServer, fac: Page, name: str, function: str, fake_clock: bool = False, skew: float = 0
) -> Page:
    """A participant opens the start page and types the join code the facilitator's sidebar shows
    (the other way in; test_journey.py opens the sidebar's join link as copied from the page)."""
    code = re.search(r"Join code: (\S+)", sidebar(fac).inner_text()).group(1)
    page = new_page(browser)
    if fake_clock:
        page.clock.install(time=time.time() + skew)  # skew: this computer's clock is off by that many seconds
    ask_for_seat(page, app.url, code, name, function)
    wait_for_app(page)
    return page


def ask_for_seat(page: Page, base_url: str, code: str, name: str, function: str) -> None:
    """On the start page of `base_url`, type the join code and a name and click "Join as <function>";
    returns right after that click (callers that time what others see start their clock here)."""
    page.goto(base_url)
    wait_for_app(page)
    page.get_by_label("Join code").first.fill(code)
    page.get_by_role("button", name="Continue").click()
    wait_for_app(page)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your name").press("Tab")
    page.get_by_role("button", name=f"Join as {function}").click()


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=re.compile(name)).click()
    wait_for_app(page)


def open_step(page: Page, step_name: str) -> Locator:
    """Select the step's card on the board and press Enter, as a person does: the step's dialog."""
    card = page.locator(".cf-card").filter(has=page.locator(".cf-name", has_text=step_name)).first
    card.click()
    page.keyboard.press("Enter")
    wait_for_app(page)
    dialog = page.locator("[data-testid='stDialog']")
    expect(dialog).to_be_visible(timeout=15_000)
    return dialog
