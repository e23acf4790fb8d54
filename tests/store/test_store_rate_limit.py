"""Wrong codes and keys slow the guesser, never the room (issue 13, point 1).

Two clients (different address and browser) and two service instances on one
database, as two replicas behind a load balancer would be.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from redesign.store import rate_limit
from redesign.store.errors import AccessDenied, LimitExceeded, NotFound
from redesign.store.rate_limit import Client
from redesign.store.service import WorkshopService
from tests.store.store_flows import close_flow

EVE = Client(address="203.0.113.7", browser="eve-browser")
ANA = Client(address="198.51.100.20", browser="ana-browser")
WRONG = "ZZZZ-ZZZZ-ZZ"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def replicas(database_url: str, clock: Clock) -> Iterator[tuple[WorkshopService, WorkshopService]]:
    first = WorkshopService.from_url(database_url, clock=clock)
    second = WorkshopService.from_url(database_url, clock=clock)
    with first.engine.begin() as conn:  # the PostgreSQL database is shared by this module's tests
        conn.execute(sa.delete(rate_limit.t.failed_attempts))
    yield first, second
    first.dispose()
    second.dispose()


def _guess_wrong(svc: WorkshopService, client: Client, times: int) -> None:
    for _ in range(times):
        with pytest.raises(NotFound, match="No workshop has the code"):
            svc.join(WRONG, "Eve", "it", client)


def test_wrong_codes_slow_the_guesser_on_every_replica_and_nobody_else(
    replicas: tuple[WorkshopService, WorkshopService], clock: Clock
) -> None:
    a, b = replicas
    created = a.create_workshop("W", "", close_flow(), "Fran")
    _guess_wrong(a, EVE, 5)
    _guess_wrong(b, EVE, 5)  # the other replica counts on the same rows
    for svc in (a, b):
        with pytest.raises(LimitExceeded, match=r"from this browser\. Try again in \d+ seconds"):
            svc.join(created.join_code, "Eve", "it", EVE)  # even the right code waits: no oracle
        with pytest.raises(LimitExceeded):
            svc.preview(created.join_code, EVE)
    # the room: another person joins through either replica, and seated people keep working
    assert b.preview(created.join_code, ANA).name == "W"
    ana = b.join(created.join_code, "Ana", "finance", ANA)
    assert a.state(ana.token).me.name == "Ana"
    assert a.reclaim_facilitator(created.join_code, created.facilitator_key, ANA).workshop_id == created.workshop_id
    clock.now += timedelta(seconds=61)
    assert a.join(created.join_code, "Eve", "it", EVE).workshop_id == created.workshop_id


def test_a_script_rotating_browser_ids_is_capped_by_its_address(
    replicas: tuple[WorkshopService, WorkshopService],
) -> None:
    a, b = replicas
    created = a.create_workshop("W", "", close_flow(), "Fran")
    for i in range(rate_limit.ADDRESS.limit):
        svc = (a, b)[i % 2]
        with pytest.raises(NotFound):
            svc.preview(WRONG, Client(address=EVE.address, browser=f"fresh-{i}"))
    with pytest.raises(LimitExceeded, match="from your network address"):
        b.preview(created.join_code, Client(address=EVE.address, browser="yet-another"))
    assert a.join(created.join_code, "Ana", "finance", ANA).workshop_id == created.workshop_id


def test_wrong_facilitator_keys_slow_key_recovery_for_that_workshop_only(
    replicas: tuple[WorkshopService, WorkshopService], clock: Clock
) -> None:
    a, b = replicas
    created = a.create_workshop("W", "", close_flow(), "Fran")
    other = a.create_workshop("Other", "", close_flow(), "Olga")
    for i in range(rate_limit.KEY.limit):  # many addresses, as a botnet would
        with pytest.raises(AccessDenied, match="facilitator key does not match"):
            (a, b)[i % 2].reclaim_facilitator(created.join_code, "WRONG-KEY", Client(f"192.0.2.{i}", f"bot-{i}"))
    with pytest.raises(LimitExceeded, match="wrong facilitator keys were tried for this workshop"):
        b.reclaim_facilitator(created.join_code, created.facilitator_key, ANA)
    # joining that workshop, and recovering another one, are not affected
    assert a.join(created.join_code, "Ana", "finance", ANA).workshop_id == created.workshop_id
    assert b.reclaim_facilitator(other.join_code, other.facilitator_key, ANA).workshop_id == other.workshop_id
    clock.now += timedelta(minutes=10, seconds=1)
    assert b.reclaim_facilitator(created.join_code, created.facilitator_key, ANA).workshop_id == created.workshop_id


def test_old_attempts_are_forgotten_and_addresses_are_stored_hashed(
    replicas: tuple[WorkshopService, WorkshopService], database_url: str, clock: Clock
) -> None:
    a, _ = replicas
    _guess_wrong(a, EVE, 3)
    clock.now += rate_limit.KEEP + timedelta(seconds=1)
    _guess_wrong(a, ANA, 1)
    with a.engine.connect() as conn:
        buckets = [row.bucket for row in conn.execute(sa.select(rate_limit.t.failed_attempts))]
    assert sorted(buckets) == sorted(rate_limit.client_buckets(ANA))  # Eve's three are gone
    assert not any(ANA.address in bucket or ANA.browser in bucket for bucket in buckets)
