"""A PowerPoint of a 5,000-step flow is prepared off the page: the facilitator sees it progress, and another
person in the room can join and act while it runs (issue 13, point 3)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from bench.exports import synthetic_with_decisions
from redesign.io.flow_json import dumps
from tests.app_server import AppServer
from tests.e2e.conftest import new_page, screenshot, wait_for_app

STEPS = 5_000


def test_export_of_5000_steps_shows_progress_and_the_room_keeps_working(
    browser: Browser, app: AppServer, tmp_path: Path
) -> None:
    flow_file = tmp_path / "big-process.json"
    flow_file.write_text(dumps(synthetic_with_decisions(STEPS)), encoding="utf-8")

    fac = new_page(browser)
    fac.set_default_timeout(180_000)
    sent: list[float] = []  # the moments the facilitator's page sent the server anything
    fac.on("websocket", lambda ws: ws.on("framesent", lambda _frame: sent.append(time.monotonic())))
    fac.goto(app.url)
    wait_for_app(fac)
    fac.get_by_role("tab", name=re.compile("From a file")).click()
    expect(fac.locator("[data-testid='stFileUploaderDropzone']")).to_be_visible()
    fac.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(flow_file))
    start = fac.get_by_role("button", name="Start workshop from this file")
    expect(start).to_be_visible(timeout=180_000)
    start.click()
    sidebar = fac.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text(re.compile(r"^Join code: ")).first).to_be_visible(timeout=180_000)
    join_link = sidebar.locator("[data-testid='stCode']").first.inner_text().strip()  # as a person copies it

    fac.get_by_role("link", name=re.compile("Export")).click()
    expect(fac.get_by_text("The room has settled no step yet.")).to_be_visible(timeout=180_000)
    fac.get_by_text(re.compile("Prepared scenario “Redesign”")).first.click()
    wait_for_app(fac)
    fac.get_by_role("button", name=re.compile("Prepare 📊 PowerPoint")).click()
    bar = fac.locator("[data-testid='stProgress']")
    expect(bar).to_be_visible(timeout=60_000)
    expect(bar).to_contain_text("Preparing the PowerPoint")
    screenshot_started = time.monotonic()
    first = bar.inner_text()
    fac.screenshot(path=str(tmp_path / "progress.png"))
    Path("artifacts/screenshots").mkdir(parents=True, exist_ok=True)
    fac.screenshot(path="artifacts/screenshots/13-export-progress-5000-steps.png")

    # Someone else joins the room and proposes while the export runs.
    ana = new_page(browser)
    ana.set_default_timeout(180_000)
    joined_at = time.monotonic()
    ana.goto(join_link)
    wait_for_app(ana)
    ana.get_by_label("Your name").fill("Ana")
    ana.get_by_role("button", name=re.compile("Join as")).first.click()
    leave = ana.locator("[data-testid='stSidebar']").get_by_role("button", name=re.compile("Leave"))
    expect(leave).to_be_visible(timeout=180_000)  # she is in: her seat's controls are on the page
    acted_in = time.monotonic() - joined_at
    # The export was still running while she joined: the bar is still there and has moved on.
    expect(bar).to_be_visible()
    later = bar.inner_text()
    assert later != first, (first, later)
    assert acted_in < 120, f"joining took {acted_in:.0f} s while the export ran"

    # The export finishes and offers its file.
    expect(fac.get_by_role("button", name=re.compile(r"⬇ synthetic_5000-redesign\.pptx"))).to_be_visible(
        timeout=900_000
    )
    screenshot(fac, "13-export-ready-5000-steps")
    # With no export running the page asks the server nothing (the progress bar polled twice a second).
    fac.wait_for_timeout(1_000)
    quiet_from = len(sent)
    fac.wait_for_timeout(3_000)
    assert len(sent) == quiet_from, f"the idle Export page sent {len(sent) - quiet_from} messages in 3 s"
    print(f"joined in {acted_in:.1f} s while exporting; export took {time.monotonic() - screenshot_started:.0f} s+")
