"""Issue 16 in real browsers, each test doing what the person did on the sales-forecasting sample.

1. editing a hand-off's channel keeps the data it carries;
2. a refused stale step edit keeps the typed note and lands on the new version;
6. settling asks for what the decision log needs, or "decide later" on purpose;
7. the timer is large, signals its end (flash, a chime that can be muted) and clears itself;
9. the open comments and data-quality flags reach the PDF.
Screenshots at 1366x768 go to artifacts/screenshots/ (16-*.png).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, Locator, Page, expect

from tests.app_server import AppServer
from tests.e2e.conftest import new_page, screenshot, wait_for_app

STEP_NAME = "Update opportunities"
FIRST, SECOND = "Maintain rep roster in HRIS", "Apply territory and ramp changes to CRM"


def sidebar(page: Page) -> Locator:
    return page.locator("[data-testid='stSidebar']")


def choose(page: Page, label: str, option: str, scope: Locator | Page | None = None) -> None:
    """Pick an option of a Streamlit selectbox by its label."""
    box = (scope or page).locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=False).first.click()
    wait_for_app(page)


def start_workshop(browser: Browser, app: AppServer, fake_clock: bool = False) -> Page:
    fac = new_page(browser)
    if fake_clock:
        fac.clock.install()  # time runs as usual; a test can jump it ahead instead of waiting minutes
    fac.goto(app.url)
    wait_for_app(fac)
    fac.get_by_role("button", name="Start workshop").first.click()
    wait_for_app(fac)
    expect(fac.get_by_role("heading", name="Sales forecasting")).to_be_visible()
    return fac


def join(browser: Browser, app: AppServer, fac: Page, name: str, function: str, fake_clock: bool = False) -> Page:
    """A participant opens the start page and types the join code the facilitator's sidebar shows.

    (Not the sidebar's join link: on the Workshop page it names /workshop, which does not take
    ?join=, a bug left to the sidebar's owner; see the report.)
    """
    code = re.search(r"Join code: (\S+)", sidebar(fac).inner_text()).group(1)
    page = new_page(browser)
    if fake_clock:
        page.clock.install()
    page.goto(app.url)
    wait_for_app(page)
    page.get_by_label("Join code").first.fill(code)
    page.get_by_role("button", name="Continue").click()
    wait_for_app(page)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your name").press("Tab")
    page.get_by_role("button", name=f"Join as {function}").click()
    wait_for_app(page)
    return page


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=re.compile(name)).click()
    wait_for_app(page)


def open_step(page: Page, step_name: str) -> Locator:
    """Pick the step under the map and open it: the step's dialog."""
    page.locator("[data-testid='stSelectbox']").filter(has_text="Click a step on the map").first.click()
    page.get_by_role("option", name=step_name, exact=False).first.click()
    wait_for_app(page)
    page.get_by_role("button", name="Open", exact=True).click()
    wait_for_app(page)
    dialog = page.locator("[data-testid='stDialog']")
    expect(dialog).to_be_visible(timeout=15_000)
    return dialog


# --------------------------------------------------------------------------- 7. the timer


def timer(page: Page) -> Locator:
    return page.locator(".cf-timer")


def test_the_timer_is_large_signals_its_end_and_clears_itself(browser: Browser, app: AppServer) -> None:
    fac = start_workshop(browser, app, fake_clock=True)
    sam = join(browser, app, fac, "Sam", "Sales", fake_clock=True)
    sidebar(fac).get_by_role("button", name=re.compile("Start timer")).click()
    wait_for_app(fac)
    fac.get_by_role("link", name=re.compile("Impact")).click()
    wait_for_app(fac)
    sam.get_by_role("link", name=re.compile("Export")).click()
    wait_for_app(sam)
    for page in (fac, sam):
        clock = page.get_by_test_id("timer-time")
        expect(clock).to_have_text(re.compile(r"^[45]:\d\d$"))
        size = clock.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 36, f"the countdown is {size}px: it must read from the back of the room"
    first = fac.get_by_test_id("timer-time").inner_text()
    time.sleep(2.2)
    assert fac.get_by_test_id("timer-time").inner_text() != first, "it counts down without a rerun"
    screenshot(fac, "16-7a-timer-running-impact")
    screenshot(sam, "16-7b-timer-running-export")

    # Sam mutes this browser; the facilitator's projector keeps the sound.
    sam.get_by_test_id("timer-mute").click()
    expect(sam.get_by_test_id("timer-mute")).to_have_text(re.compile("Sound off"))
    for page in (fac, sam):
        minutes, seconds = page.get_by_test_id("timer-time").inner_text().split(":")
        page.clock.fast_forward((int(minutes) * 60 + int(seconds)) * 1000 + 500)  # just past the end
        expect(page.get_by_test_id("timer-time")).to_have_text("Time's up", timeout=5_000)
        expect(timer(page)).to_have_class(re.compile("cf-flash"))
    # The chime was synthesised and started on the facilitator's page (it had clicked), not on Sam's.
    expect(timer(fac)).to_have_attribute("data-sound", "played")
    expect(timer(sam)).to_have_attribute("data-sound", "muted")
    screenshot(fac, "16-7c-times-up-flash")

    # "Time's up" does not stay forever: a minute later the bar clears itself, page reloaded or not.
    for page in (fac, sam):
        page.clock.fast_forward("01:01")
        expect(timer(page)).to_be_hidden(timeout=5_000)
    screenshot(fac, "16-7d-timer-cleared")
    fac.context.close()
    sam.context.close()
