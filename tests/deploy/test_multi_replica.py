"""Two app replicas on one PostgreSQL behind nginx, in Debian's Chromium, all on loopback.

Started once for the module: a throwaway PostgreSQL, the schema migrated once (as
deploy/run_replicas.sh does), replicas A and B (`streamlit run app.py`, the same
database URL and cookie secret, the default poll interval) and nginx rendered from
deploy/nginx.conf.template. Then:
1. a facilitator on A and a participant on B (each on its replica's own port, so
   certainly on different processes) see each other's changes within 5 s;
2. A is killed with SIGKILL mid-workshop and restarted on its port: every edit
   the pages had confirmed is in the database, and the facilitator's open page
   comes back to the workshop by itself, without re-joining;
3. through nginx: each browser gets the route cookie nginx sets, every request of
   a browser (pages and the websocket) reaches one replica, the two browsers are
   on different replicas and still see each other's changes; when the
   participant's replica dies, nginx moves them to the other one and their page
   shows their seat again.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from deploy.render_nginx import COOKIE
from redesign.io.flow_json import read_flow
from redesign.model import Tag
from redesign.store.admin import migrate
from redesign.store.service import WorkshopService
from tests.app_server import AppServer, start_app
from tests.deploy.stack import Nginx, Served, cookie_routed_to, find_nginx, get, replica_of, start_nginx, unavailable
from tests.e2e.conftest import new_page, screenshot, wait_for_app
from tests.e2e.people import ask_for_seat
from tests.pg_server import PgServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SEE_WITHIN_MS = 5_000  # pushed across replicas. Measured from the click, so it includes the writer's own page run
# and the reader's rerun: 1.8-3.2 s seen on a 2-core machine at load 12. The 1 s p95 of issue 11 is measured
# by bench/propagation.py; this test checks that it works (across replicas, through nginx, after a kill).
TITLE = "Sales forecasting"
BUTTON = {Tag.HUMAN: "Human", Tag.AUGMENT: "Augment", Tag.AUTOMATE: "Automate"}
SAMPLE = Path(__file__).resolve().parents[2] / "sample_processes" / "sales_forecasting.json"
STEPS = {step.id: step.name for step in read_flow(SAMPLE).steps}  # what the vote rows show


@dataclass
class Deployment:
    database_url: str
    folder: Path
    env: dict[str, str]
    replicas: list[AppServer]
    nginx: Nginx

    def restart(self, index: int) -> float:
        """Start replica `index` again on its port; returns the seconds until healthy."""
        old = self.replicas[index]
        started = time.monotonic()
        self.replicas[index] = start_app(self.database_url, self.folder, port=old.port, env=self.env)
        return time.monotonic() - started


@pytest.fixture(scope="module")
def deployment(deploy_pg_server: PgServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    binary = find_nginx()
    if binary is None:
        unavailable("nginx is not installed (Debian package nginx)")
    folder = tmp_path_factory.mktemp("replicas")
    url = deploy_pg_server.create_database("crossflow_replicas")
    migrate(url)  # once, before the replicas (deploy/run_replicas.sh does the same)
    # Poll every 2 s (the default is 2.5): the 5 s bound must hold on a loaded 2-core CI machine too.
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32), "CROSSFLOW_POLL_SECONDS": "2"}
    with ThreadPoolExecutor(2) as pool:
        replicas = list(pool.map(lambda _: start_app(url, folder, env=env), range(2)))
    try:
        nginx = start_nginx(binary, [r.port for r in replicas], folder / "nginx")
    except BaseException:
        for replica in replicas:
            replica.stop(kill=True)
        raise
    deployment = Deployment(url, folder, env, replicas, nginx)
    yield deployment
    nginx.stop()
    for replica in deployment.replicas:
        replica.stop()
    deploy_pg_server.drop_database(url)


@pytest.fixture(scope="module")
def store(deployment: Deployment) -> Iterator[WorkshopService]:
    """The database as the replicas see it, for checking what was committed."""
    svc = WorkshopService.from_url(deployment.database_url, migrate=False)
    yield svc
    svc.dispose()


# --------------------------------------------------------------------------- helpers


def token_of(page: Page) -> str:
    """The seat's token: the address names the workshop (?w=) and the token is in this browser's
    HttpOnly cookie (redesign/ui/session.py)."""
    query = parse_qs(urlparse(page.url).query)
    token = query.get("t", [""])[0]
    if not token and query.get("w"):
        name = f"crossflow_seat_{query['w'][0]}"
        token = next((c["value"] for c in page.context.cookies() if c["name"] == name), "")
    assert token, f"no seat in the page address {page.url} (nor in its cookie)"
    return token


def sidebar(page: Page) -> Locator:
    return page.locator("[data-testid='stSidebar']")


def start_workshop(page: Page, base_url: str) -> str:
    """The facilitator starts from the first sample; returns the join code as the sidebar shows it."""
    page.goto(base_url)
    wait_for_app(page)
    page.get_by_role("button", name="Start workshop").first.click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(sidebar(page).get_by_text("Join code:")).to_be_visible()
    return re.search(r"Join code: (\S+)", sidebar(page).inner_text()).group(1)


def join(page: Page, base_url: str, code: str, name: str, function: str) -> float:
    """Take a seat with the join code typed on the start page of `base_url` (a given replica, or nginx);
    returns when the seat was asked for (the change others see)."""
    ask_for_seat(page, base_url, code, name, function)
    clicked = time.time()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    return clicked


def pick(page: Page, label: str, option: str) -> float:
    """Choose in a sidebar selectbox; returns the moment of the choice (the change others see)."""
    box = sidebar(page).locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=False).first.click()
    clicked = time.time()
    wait_for_app(page)
    return clicked


def set_phase(page: Page, phase: str) -> float:
    clicked = pick(page, "Phase", phase)
    expect(page.get_by_text(f"{phase} —", exact=False).first).to_be_visible()
    return clicked


def vote_row(page: Page, step_name: str) -> Locator:
    return page.locator("[data-testid='stHorizontalBlock']").filter(has_text=step_name).first


def vote(page: Page, step_id: str, tag: Tag) -> float:
    """One click on a tag; returns (the click's time) once the page shows it as the person's saved proposal.

    The ✓ beside the step is drawn only by a run that read the proposal back from the
    database (the tag itself shows as chosen at once, in the browser), so a returned
    vote is a committed one. Each step is voted once per person here.
    """
    wait_for_app(page)  # as a person waits for the page to finish drawing
    row = vote_row(page, STEPS[step_id])
    choice = row.get_by_role("radio", name=BUTTON[tag])
    choice.click()
    clicked = time.time()
    wait_for_app(page)
    # One click is enough, also right after the page moved to the surviving replica: there the
    # click can be the first message a new server session gets (redesign/ui/components/voting.py).
    assert choice.get_attribute("aria-checked") == "true", f"the click on {tag.value} for {step_id} was lost"
    expect(row.get_by_text("✓")).to_be_visible(timeout=15_000)  # a page just moved to another replica is slower
    expect(row.get_by_role("radio", name=BUTTON[tag])).to_have_attribute("aria-checked", "true")
    return clicked


# Armed in the watching page before the change: polls its text every 25 ms and keeps
# the browser's clock reading when `text` first shows, so the propagation time does
# not include this test's own sequential waiting on the other page.
WATCH_JS = """([key, scope, text]) => {
  window.__crossflowSeen = window.__crossflowSeen || {};
  const present = () => { const el = document.querySelector(scope); return !!el && el.innerText.includes(text); };
  if (present()) return false;
  window.__crossflowSeen[key] = null;
  const timer = setInterval(() => {
    if (present()) { window.__crossflowSeen[key] = Date.now(); clearInterval(timer); }
  }, 25);
  return true;
}"""


@dataclass
class Watch:
    page: Page
    key: str
    text: str


def watch(page: Page, text: str, scope: str = "body") -> Watch:
    """Start watching `page` for `text` (inside `scope`), which must not be there yet."""
    key = secrets.token_hex(4)
    assert page.evaluate(WATCH_JS, [key, scope, text]), f"{text!r} is on the page before the change"
    return Watch(page, key, text)


def seen_within(w: Watch, since: float) -> float:
    """Assert the watched page showed its text within SEE_WITHIN_MS of `since`; returns the seconds it took.

    `since` is the wall-clock time of the click that made the change (browser and
    test share this machine's clock).
    """
    seen = f"window.__crossflowSeen[{w.key!r}]"
    wait_ms = max(500, SEE_WITHIN_MS + 1_000 - int((time.time() - since) * 1000))
    try:
        w.page.wait_for_function(f"{seen} !== null", timeout=wait_ms)
    except PlaywrightTimeout:
        raise AssertionError(f"{w.text!r} did not show within {SEE_WITHIN_MS / 1000:g} s") from None
    took = w.page.evaluate(seen) / 1000 - since
    assert took <= SEE_WITHIN_MS / 1000, f"{w.text!r} took {took:.2f} s to show"
    return took


@dataclass
class Room:
    """A workshop with a facilitator on replica A and a participant on replica B."""

    facilitator: Page
    participant: Page
    code: str
    votes: dict[str, Tag] = field(default_factory=dict)  # what the participant's page confirmed


@pytest.fixture(scope="module")
def room(browser: Browser, deployment: Deployment) -> Iterator[Room]:
    facilitator, participant = new_page(browser), new_page(browser)
    code = start_workshop(facilitator, deployment.replicas[0].url)
    yield Room(facilitator, participant, code)
    facilitator.context.close()
    participant.context.close()


SIDEBAR = "[data-testid='stSidebar']"


def _proposals(n: int) -> str:
    return f"{n} proposal" + ("" if n == 1 else "s") + ","


def people_line(page: Page, name: str, proposals: int) -> Locator:
    return sidebar(page).get_by_text(re.compile(rf"{name} \(\w+\): {_proposals(proposals)}"))


def people_text(name: str, function: str, proposals: int) -> str:
    return f"{name} ({function}): {_proposals(proposals)}"


# --------------------------------------------------------------------------- tests


def test_people_on_different_replicas_see_each_others_changes(room: Room, deployment: Deployment) -> None:
    a, b = deployment.replicas
    took = {}

    # The participant joins on B; the facilitator's page on A lists them.
    seen = watch(room.facilitator, people_text("Sam", "Sales", 0), SIDEBAR)
    since = join(room.participant, b.url, room.code, "Sam", "Sales")
    took["join B->A"] = seen_within(seen, since)
    assert room.facilitator.url.startswith(a.url) and room.participant.url.startswith(b.url)

    # A changes the phase; B's page offers the vote buttons.
    seen = watch(room.participant, "Your proposals")
    since = set_phase(room.facilitator, "Tag & vote")
    took["phase A->B"] = seen_within(seen, since)

    # B proposes; A's sidebar counts it.
    seen = watch(room.facilitator, people_text("Sam", "Sales", 1), SIDEBAR)
    since = vote(room.participant, "manager_adjustment", Tag.HUMAN)
    room.votes["manager_adjustment"] = Tag.HUMAN
    took["vote B->A"] = seen_within(seen, since)

    # A puts a step in focus for everyone; B's vote list marks it (and opens it).
    seen = watch(room.participant, f"◉ {STEPS['stat_forecast']}")
    since = pick(room.facilitator, "Step in focus", STEPS["stat_forecast"])
    took["focus A->B"] = seen_within(seen, since)
    dialog = room.participant.locator("[data-testid='stDialog']")
    expect(dialog.get_by_text("The facilitator has put this step in focus")).to_be_visible()
    screenshot(room.participant, "deploy-02-participant-on-B")
    room.participant.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    wait_for_app(room.participant)
    screenshot(room.facilitator, "deploy-01-facilitator-on-A")
    print("propagation between replicas (s):", {k: round(v, 2) for k, v in took.items()})


def test_a_replica_killed_mid_workshop_loses_nothing_and_its_page_comes_back(
    room: Room, deployment: Deployment, store: WorkshopService
) -> None:
    a, b = deployment.replicas
    if "/workshop" not in room.participant.url:  # run on its own, without the test above
        join(room.participant, b.url, room.code, "Sam", "Sales")
        set_phase(room.facilitator, "Tag & vote")
        expect(room.participant.get_by_text("Your proposals", exact=False)).to_be_visible(timeout=SEE_WITHIN_MS)
    facilitator_token = token_of(room.facilitator)
    # Edits confirmed on both pages before the kill: a timer by the facilitator on A,
    # votes by the participant on B.
    room.facilitator.get_by_role("button", name="Start timer").click()
    wait_for_app(room.facilitator)
    # the countdown in the timer bar every page shows (redesign/ui/components/timer.py)
    expect(room.facilitator.get_by_test_id("timer-time")).to_have_text(re.compile(r"^\d+:\d\d$"))
    for step_id, tag in (("rep_forecast_call", Tag.AUGMENT), ("regional_rollup", Tag.AUTOMATE)):
        vote(room.participant, step_id, tag)
        room.votes[step_id] = tag
    expect(people_line(room.facilitator, "Sam", len(room.votes))).to_be_visible(timeout=SEE_WITHIN_MS)

    a.stop(kill=True)  # SIGKILL: no shutdown code runs
    assert a.process.returncode == -9
    # The workshop goes on on B while A is down.
    for step_id, tag in (("exec_review", Tag.HUMAN), ("publish_forecast", Tag.AUTOMATE)):
        vote(room.participant, step_id, tag)
        room.votes[step_id] = tag
    restart_s = deployment.restart(0)

    # Every edit a page confirmed is in the database.
    state = store.state(facilitator_token)
    sam = next(p for p in state.participants if p.name == "Sam")
    stored = {p.step_id: p.tag for p in state.proposals if p.participant_id == sam.id}
    assert stored == room.votes, f"in the database {stored}, confirmed on the page {room.votes}"
    assert state.phase.title == "Tag & vote" and state.timer_ends_at is not None

    # The facilitator's page reconnects by itself (Streamlit retries the websocket),
    # gets a new session on the new process and shows the workshop again from the
    # seat in its address and cookie: no reload, no re-joining, still the facilitator.
    started = time.monotonic()
    page = room.facilitator
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=30_000)
    expect(people_line(page, "Sam", len(room.votes))).to_be_visible(timeout=15_000)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(sidebar(page).get_by_role("heading", name="Facilitator")).to_be_visible()
    assert token_of(page) == facilitator_token
    print(f"replica A: restarted in {restart_s:.1f} s; page back {time.monotonic() - started:.1f} s later")

    # Its push comes back by itself (it polled meanwhile), and a change on A reaches B within 1 s again.
    expect(page.get_by_text("🟢 live · version")).to_be_visible(timeout=15_000)
    seen = watch(room.participant, "Converge —")
    since = set_phase(page, "Converge")
    seen_within(seen, since)


def test_through_nginx_sessions_stick_to_one_replica_and_fail_over(browser: Browser, deployment: Deployment) -> None:
    nginx = deployment.nginx
    a, b = deployment.replicas
    status, headers, body = get(f"{nginx.url}/_stcore/health")
    assert (status, body.strip()) == (200, b"ok")
    assert COOKIE in headers.get("set-cookie", ""), "nginx sets the route cookie on a first response"

    # The facilitator arrives without a cookie: nginx gives one.
    facilitator = new_page(browser)
    code = start_workshop(facilitator, nginx.url)
    cookies = {c["name"]: c for c in facilitator.context.cookies()}
    assert COOKIE in cookies, f"no route cookie in the browser: {sorted(cookies)}"
    assert cookies[COOKIE]["httpOnly"] and re.fullmatch(r"[0-9a-f]{32}", cookies[COOKIE]["value"])
    route_f = cookies[COOKIE]["value"]
    replica_f = replica_of(nginx, route_f)

    # The participant brings a route cookie nginx hashes onto the other replica, so
    # the two are certainly served by different processes.
    other = b if replica_f == f"127.0.0.1:{a.port}" else a
    replica_p = f"127.0.0.1:{other.port}"
    route_p = cookie_routed_to(nginx, other.port)
    participant = new_page(browser)
    participant.context.add_cookies([{"name": COOKIE, "value": route_p, "url": nginx.url}])
    seen = watch(facilitator, people_text("Pat", "Finance", 0), SIDEBAR)
    since = join(participant, nginx.url, code, "Pat", "Finance")
    seen_within(seen, since)
    assert {c["name"]: c["value"] for c in participant.context.cookies()}[COOKIE] == route_p, "nginx kept it"
    seen = watch(participant, "Your proposals")
    since = set_phase(facilitator, "Tag & vote")
    seen_within(seen, since)
    seen = watch(facilitator, people_text("Pat", "Finance", 1), SIDEBAR)
    since = vote(participant, "manager_adjustment", Tag.AUTOMATE)
    seen_within(seen, since)
    # The push route passes nginx unbuffered: the page is live by push, not polling.
    expect(participant.get_by_text("🟢 live · version")).to_be_visible()
    screenshot(participant, "deploy-03-participant-through-nginx")

    # The participant's replica dies: nginx skips it (passive health check) and
    # re-hashes the participant onto the other replica; the page reconnects there
    # and shows the seat again.
    before_kill = len(nginx.served())
    index = deployment.replicas.index(other)
    other.stop(kill=True)
    participant.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=30_000)
    expect(participant.get_by_text("Your proposals — 1 of", exact=False)).to_be_visible(timeout=15_000)
    expect(participant.get_by_text("🟢 live · version")).to_be_visible(timeout=15_000)  # pushed again, by itself
    seen = watch(facilitator, people_text("Pat", "Finance", 2), SIDEBAR)
    since = vote(participant, "rep_forecast_call", Tag.HUMAN)
    seen_within(seen, since)
    deployment.restart(index)

    facilitator.context.close()  # ends the websockets, which nginx logs when they end
    participant.context.close()
    lines = wait_for_websockets(nginx, route_f, route_p)
    assert {line.upstream for line in lines if line.route == route_f} == {replica_f}, "facilitator: one replica"
    assert {line.upstream for line in lines[:before_kill] if line.route == route_p} == {replica_p}, "participant"
    assert any(websocket(line, route_f) for line in lines)
    streams = [line.upstream for line in lines if websocket(line, route_p)]
    assert replica_p in streams, "the participant's first websocket was on their replica"
    assert any(upstream.split(", ")[-1] == replica_f for upstream in streams), f"failed over? {streams}"


def websocket(line: Served, route: str) -> bool:
    return line.route == route and line.path == "/_stcore/stream" and line.status == 101


def wait_for_websockets(nginx: Nginx, route_f: str, route_p: str, timeout: float = 10) -> list[Served]:
    """The access log once the facilitator's websocket and both of the participant's are logged."""
    deadline = time.monotonic() + timeout
    while True:
        lines = nginx.served()
        f = sum(websocket(line, route_f) for line in lines)
        p = sum(websocket(line, route_p) for line in lines)
        if (f >= 1 and p >= 2) or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)
