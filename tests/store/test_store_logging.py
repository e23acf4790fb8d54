"""A failed write is logged for the operator with the workshop id and the action, never a token or key."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from redesign.store import repository as repo
from redesign.store.errors import StaleEdit, StoreUnavailable
from redesign.store.service import WorkshopService
from tests.store.store_flows import Room, open_room

LOGGER = "redesign.store.reporting"


def secrets_of(room: Room) -> list[str]:
    created = room.created
    return [created.facilitator_token, created.facilitator_key, created.join_code, room.ana.token, room.bob.token]


def test_a_write_the_database_fails_is_logged_with_workshop_action_and_cause(
    svc: WorkshopService, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = open_room(svc)
    state = svc.state(room.ana.token)
    step = state.flow.steps[0]

    def broken(*args: object, **kwargs: object) -> None:
        raise sa.exc.OperationalError("INSERT INTO events ...", {}, Exception("disk I/O error"))

    monkeypatch.setattr(repo, "insert_events", broken)  # every write logs its events
    caplog.set_level(logging.INFO, logger="redesign")
    with pytest.raises(StoreUnavailable):
        svc.update_step(room.ana.token, state.version, step.model_copy(update={"touch_minutes": 99}))
    failed = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.ERROR]
    assert len(failed) == 1
    message = failed[0].getMessage()
    assert f"workshop {room.wid}" in message and "update_step failed" in message and "StoreUnavailable" in message
    assert failed[0].exc_info is not None and "disk I/O error" in caplog.text  # the driver's error, as the cause
    assert not any(secret in caplog.text for secret in secrets_of(room))


def test_a_refused_write_is_logged_at_info_with_workshop_and_action(
    svc: WorkshopService, caplog: pytest.LogCaptureFixture
) -> None:
    room = open_room(svc)
    state = svc.state(room.ana.token)
    step = state.flow.steps[0]
    svc.update_step(room.bob.token, state.version, step.model_copy(update={"touch_minutes": 50}))
    caplog.set_level(logging.INFO, logger="redesign")
    with pytest.raises(StaleEdit):
        svc.update_step(room.ana.token, state.version, step.model_copy(update={"touch_minutes": 60}))
    refused = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(refused) == 1 and refused[0].startswith(f"workshop {room.wid}: update_step refused (StaleEdit")
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == LOGGER)
    assert not any(secret in caplog.text for secret in secrets_of(room))


def test_a_wrong_join_code_is_logged_without_the_code(svc: WorkshopService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="redesign")
    with pytest.raises(Exception, match="No workshop has the code"):
        svc.join("ZZZZ-ZZZZ", "Ana", "finance")
    (message,) = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert message == "workshop (not known): join refused (WrongCode)"
    assert "ZZZZ" not in caplog.text  # a guessed code may be one letter off a real one


def test_a_logged_database_error_shows_the_sql_but_not_its_values(
    svc: WorkshopService, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = open_room(svc)
    real = repo.insert_events

    def clashing(conn: sa.Connection, rows: list[dict[str, object]]) -> None:
        real(conn, rows)
        real(conn, rows)  # the same event numbers twice: the database refuses the second insert

    monkeypatch.setattr(repo, "insert_events", clashing)
    caplog.set_level(logging.ERROR, logger="redesign")
    with pytest.raises(sa.exc.IntegrityError):
        svc.set_lock(room.fac, True)
    assert "INSERT INTO events" in caplog.text and "[SQL parameters hidden due to hide_parameters=True]" in caplog.text
    assert room.wid in caplog.text and "set_lock failed" in caplog.text
    assert not any(secret in caplog.text for secret in secrets_of(room))
