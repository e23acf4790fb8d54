"""The push route, presence and seat routes against a real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from redesign.model import Tag
from redesign.store.errors import StoreError
from redesign.store.service import WorkshopService
from redesign.views.looks import map_look_digest
from redesign.web import seats
from redesign.workshop import Phase
from tests.web.conftest import RouteServer, open_stream, request, serve

ROOT = Path(__file__).resolve().parents[2]


def room(svc: WorkshopService):
    created = svc.create_from_sample("sales_forecasting", "Fran")
    ana = svc.join(created.join_code, "Ana", "sales")
    bo = svc.join(created.join_code, "Bo", "finance")
    return created, ana, bo


def test_the_stream_needs_the_seat_cookie_of_that_workshop(svc: WorkshopService, routes_server: RouteServer) -> None:
    created, ana, _ = room(svc)
    other = svc.create_from_sample("sales_forecasting", "Olga")
    port = routes_server.port
    assert open_stream(port, created.workshop_id, None)[0] == 403
    assert open_stream(port, created.workshop_id, "not-a-seat")[0] == 403
    assert open_stream(port, other.workshop_id, ana.token)[0] == 403  # a seat elsewhere opens nothing here
    status, stream = open_stream(port, created.workshop_id, ana.token)
    assert status == 200 and stream is not None
    stream.close()


def test_a_committed_write_is_pushed_within_a_second(svc: WorkshopService, routes_server: RouteServer) -> None:
    created, ana, _ = room(svc)
    _, stream = open_stream(routes_server.port, created.workshop_id, ana.token)
    first = stream.wait_for("version")
    assert first == {"version": svc.version(created.workshop_id)}
    started = time.monotonic()
    version = svc.set_phase(created.facilitator_token, Phase.ANNOTATE)
    assert stream.wait_for("version", 1.0, lambda d: d["version"] == version) is not None
    assert time.monotonic() - started < 1.0
    svc.comment(ana.token, "step", "update_opps", "pushed through the group commit")
    after = svc.version(created.workshop_id)
    assert after > version
    assert stream.wait_for("version", 1.0, lambda d: d["version"] == after) is not None
    stream.close()


def test_a_refused_write_announces_nothing(svc: WorkshopService, routes_server: RouteServer) -> None:
    created, ana, _ = room(svc)
    _, stream = open_stream(routes_server.port, created.workshop_id, ana.token)
    stream.wait_for("version")
    with pytest.raises(StoreError):
        svc.set_phase(ana.token, Phase.ANNOTATE)  # only the facilitator moves the room
    assert stream.wait_for("version", 0.8) is None
    stream.close()


def test_another_workshops_messages_never_reach_a_page(svc: WorkshopService, routes_server: RouteServer) -> None:
    mine, ana, _ = room(svc)
    theirs, olga, _ = room(svc)
    _, stream = open_stream(routes_server.port, mine.workshop_id, ana.token)
    _, elsewhere = open_stream(routes_server.port, theirs.workshop_id, olga.token)
    stream.wait_for("version")
    for phase in (Phase.ANNOTATE, Phase.VOTE, Phase.CONVERGE):
        svc.set_phase(theirs.facilitator_token, phase)
    assert elsewhere.wait_for("version", 1.0, lambda d: d["version"] == svc.version(theirs.workshop_id))
    mine_version = svc.set_phase(mine.facilitator_token, Phase.ANNOTATE)
    seen = []
    while (event := stream.next(0.8)) is not None:
        seen.append(event)
    versions = [data["version"] for kind, data in seen if kind == "version"]
    assert versions == [mine_version], seen  # only this workshop's own version, nothing of the other
    people = [p["name"] for kind, data in seen if kind == "presence" for p in data["people"]]
    assert "Olga" not in people
    stream.close()
    elsewhere.close()


def test_presence_shows_who_is_on_the_board_and_their_step(svc: WorkshopService, routes_server: RouteServer) -> None:
    created, ana, bo = room(svc)
    port, wid = routes_server.port, created.workshop_id
    _, anas = open_stream(port, wid, ana.token)
    assert [p["name"] for p in anas.wait_for("presence")["people"]] == ["Ana"]
    _, bos = open_stream(port, wid, bo.token)
    both = anas.wait_for("presence", 1.0, lambda d: len(d["people"]) == 2)
    assert both is not None and {p["name"]: p["function"] for p in both["people"]} == {"Ana": "sales", "Bo": "finance"}
    cookie = f"crossflow_seat_{wid}={bo.token}"
    started = time.monotonic()
    conn, answer = request(port, "POST", "/crossflow/presence", cookie, {"w": wid, "step": "update_opps"})
    assert answer.status == 204
    conn.close()
    moved = anas.wait_for("presence", 1.0, lambda d: any(p["step"] == "update_opps" for p in d["people"]))
    assert moved is not None and time.monotonic() - started < 1.0
    assert next(p for p in moved["people"] if p["name"] == "Bo")["id"] == bo.participant_id
    conn, refused = request(port, "POST", "/crossflow/presence", None, {"w": wid, "step": "update_opps"})
    assert refused.status == 403
    conn.close()
    bos.close()  # Bo's page goes away
    gone = anas.wait_for("presence", 2.0, lambda d: [p["name"] for p in d["people"]] == ["Ana"])
    assert gone is not None
    anas.close()


def test_a_seat_ticket_sets_an_http_only_cookie_once(svc: WorkshopService, routes_server: RouteServer) -> None:
    created, ana, _ = room(svc)
    ticket = seats.TICKETS.issue(created.workshop_id, ana.token)
    conn, answer = request(routes_server.port, "POST", seats.SEAT_PATH, None, {"ticket": ticket})
    cookie = answer.getheader("set-cookie")
    conn.close()
    assert answer.status == 204
    assert cookie.startswith(f"crossflow_seat_{created.workshop_id}={ana.token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=2592000" in cookie
    conn, again = request(routes_server.port, "POST", seats.SEAT_PATH, None, {"ticket": ticket})
    conn.close()
    assert again.status == 403  # one time only
    conn, left = request(routes_server.port, "POST", seats.LEAVE_PATH, None, {"w": created.workshop_id})
    cleared = left.getheader("set-cookie")
    conn.close()
    assert left.status == 204 and "Max-Age=0" in cleared and "HttpOnly" in cleared


@pytest.mark.postgres
def test_a_write_in_another_process_reaches_this_one_through_notify(pg_database_url: str) -> None:
    """Two replicas: the write happens in another process (its own in-memory fan-out cannot reach us);
    PostgreSQL NOTIFY carries it here."""
    svc = WorkshopService.from_url(pg_database_url)
    server = serve(pg_database_url)
    try:
        created, ana, _ = room(svc)
        _, stream = open_stream(server.port, created.workshop_id, ana.token)
        stream.wait_for("version")
        script = (
            "import sys; from redesign.store.service import WorkshopService; from redesign.workshop import Phase;"
            "s = WorkshopService.from_url(sys.argv[1], migrate=False); print(s.set_phase(sys.argv[2], Phase.ANNOTATE))"
        )
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", script, pg_database_url, created.facilitator_token],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        version = int(done.stdout.strip())
        assert stream.wait_for("version", 2.0, lambda d: d["version"] == version) is not None
        assert time.monotonic() - started < 10  # a whole interpreter started and wrote in that time
        stream.close()
    finally:
        server.stop()
        svc.dispose()


@pytest.mark.postgres
def test_presence_crosses_replicas_through_notify(pg_database_url: str) -> None:
    """Ana's page on one replica, Bo's on another: each sees the other, Bo's step, and Bo leaving."""
    svc = WorkshopService.from_url(pg_database_url)
    one, two = serve(pg_database_url), serve(pg_database_url)
    try:
        created, ana, bo = room(svc)
        wid = created.workshop_id
        _, anas = open_stream(one.port, wid, ana.token)
        anas.wait_for("presence")
        _, bos = open_stream(two.port, wid, bo.token)
        names = lambda d: sorted(p["name"] for p in d["people"])  # noqa: E731
        assert anas.wait_for("presence", 1.0, lambda d: names(d) == ["Ana", "Bo"]) is not None
        assert bos.wait_for("presence", 1.0, lambda d: names(d) == ["Ana", "Bo"]) is not None
        conn, answer = request(
            two.port,
            "POST",
            "/crossflow/presence",
            f"crossflow_seat_{wid}={bo.token}",
            {"w": wid, "step": "stat_forecast"},
        )
        conn.close()
        assert answer.status == 204
        assert anas.wait_for("presence", 1.0, lambda d: any(p["step"] == "stat_forecast" for p in d["people"]))
        bos.close()
        assert anas.wait_for("presence", 2.0, lambda d: names(d) == ["Ana"]) is not None
        anas.close()
    finally:
        one.stop()
        two.stop()
        svc.dispose()


def view(port: int, workshop_id: str, token: str | None) -> tuple[int, dict[str, object] | None]:
    cookie = f"crossflow_seat_{workshop_id}={token}" if token else None
    conn, response = request(port, "GET", f"/crossflow/view?w={workshop_id}", cookie)
    try:
        body = response.read()
        return response.status, json.loads(body) if response.status == 200 else None
    finally:
        conn.close()


def test_the_view_route_gives_a_seat_its_board_and_only_its_own(
    svc: WorkshopService, routes_server: RouteServer
) -> None:
    created, ana, bo = room(svc)
    other = svc.create_from_sample("sales_forecasting", "Olga")
    port = routes_server.port
    assert view(port, created.workshop_id, None)[0] == 403
    assert view(port, other.workshop_id, ana.token)[0] == 403  # a seat elsewhere sees nothing here
    svc.set_phase(created.facilitator_token, Phase.VOTE)
    svc.propose(bo.token, "update_opps", Tag.AUTOMATE)  # Bo's proposal: private until reveal
    status, body = view(port, created.workshop_id, ana.token)
    assert status == 200 and body is not None
    board = body["board"]
    assert body["version"] == board["version"] == svc.version(created.workshop_id)
    assert board["me"]["name"] == "Ana"
    card = next(c for c in board["cards"] if c["id"] == "update_opps")
    assert card["tag"] is None and card["mine"] is None  # Bo's private proposal does not show on Ana's board
    assert body["mapLook"] == map_look_digest(svc.state(ana.token)) == map_look_digest(svc.state(ana.token))


def test_a_comment_changes_the_board_but_not_the_maps_look(svc: WorkshopService, routes_server: RouteServer) -> None:
    """What lets a page take a comment from the view route with no rerun: the cards change, the look does not."""
    created, ana, bo = room(svc)
    port = routes_server.port
    _, before = view(port, created.workshop_id, ana.token)
    svc.comment(bo.token, "step", "update_opps", "Reps update late on Fridays")
    _, after = view(port, created.workshop_id, ana.token)
    assert before is not None and after is not None
    assert after["version"] > before["version"]
    assert after["mapLook"] == before["mapLook"]
    notes = {c["id"]: c["notes"] for c in after["board"]["cards"]}
    assert notes["update_opps"] == 1
    svc.set_phase(created.facilitator_token, Phase.ANNOTATE)  # a new phase: the page must rerun
    _, phased = view(port, created.workshop_id, ana.token)
    assert phased is not None and phased["mapLook"] != after["mapLook"]
    step = svc.state(ana.token).flow.step("update_opps")
    svc.update_step(created.facilitator_token, phased["version"], step.model_copy(update={"name": "Update deals"}))
    _, renamed = view(port, created.workshop_id, ana.token)  # a changed flow: the page must rerun
    assert renamed is not None and renamed["mapLook"] != phased["mapLook"]
