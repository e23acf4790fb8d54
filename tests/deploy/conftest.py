"""Deployment tests: PostgreSQL, app replicas, nginx and Chromium, all started here on loopback.

Anything missing (nginx, PostgreSQL, Chromium) skips these tests with the reason, except
in CI (env CI=true), where it is a failure: CI exists to run them.
PostgreSQL: CROSSFLOW_TEST_PG_URL names a server to use; otherwise a throwaway one is
started once for the session (tests/pg_server.py).
"""

from __future__ import annotations

import pytest

from tests.pg_server import PgServer


@pytest.fixture(scope="session")
def deploy_pg_server(pg_server: PgServer) -> PgServer:
    """The session's PostgreSQL server (tests/conftest.py), shared with the store tests."""
    return pg_server
