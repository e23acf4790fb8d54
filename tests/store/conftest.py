"""Store tests run once per database: a fresh SQLite file per test, and PostgreSQL.

PostgreSQL: with CROSSFLOW_TEST_PG_URL set, that server is used (each test module
gets its own new database on it, so the URL's user needs CREATEDB; without it the
given database is used as is). Otherwise a throwaway server is started for the
session with `tests/pg_server.py` (initdb + pg_ctl as the `postgres` user) and
stopped at the end. If PostgreSQL is not installed the PostgreSQL cases are skipped
with the reason, except in CI (env CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from redesign.store.service import WorkshopService
from tests.pg_server import PgServer


@pytest.fixture(scope="module")
def pg_database_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh PostgreSQL database for one test module."""
    try:
        url = pg_server.create_database()
    except Exception as exc:  # no CREATEDB on an external server: use its database as given
        external = os.environ.get("CROSSFLOW_TEST_PG_URL", "").strip()
        if not external:
            raise
        warnings.warn(f"cannot create a test database ({exc}); using {external} as is", stacklevel=1)
        yield external
        return
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crossflow.db'}"
    return str(request.getfixturevalue("pg_database_url"))


@pytest.fixture
def svc(database_url: str) -> Iterator[WorkshopService]:
    service = WorkshopService.from_url(database_url)
    yield service
    service.dispose()
