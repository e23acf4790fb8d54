"""Deployment tests: PostgreSQL, app replicas, nginx and Chromium, all started here on loopback.

Anything missing (nginx, PostgreSQL, Chromium) skips these tests with the reason, except
in CI (env CI=true), where it is a failure: CI exists to run them.
PostgreSQL: CROSSFLOW_TEST_PG_URL names a server to use; otherwise a throwaway one is
started once for the session (tests/pg_server.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.deploy.stack import unavailable
from tests.pg_server import PgServer, PgUnavailable, server_from_url, start_pg_server


@pytest.fixture(scope="session")
def deploy_pg_server() -> Iterator[PgServer]:
    external = os.environ.get("CROSSFLOW_TEST_PG_URL", "").strip()
    if external:
        yield server_from_url(external)
        return
    try:
        server = start_pg_server()
    except PgUnavailable as exc:
        unavailable(f"PostgreSQL cannot be started here: {exc}")
    yield server
    server.stop()
