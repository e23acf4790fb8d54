"""Fixtures shared by every test folder.

One Playwright driver and one Chromium for the whole session: the e2e journeys and the
deployment tests share them (two sync Playwright instances in one process conflict).
One throwaway PostgreSQL server for the whole session too, shared by the store and
deployment tests (CROSSFLOW_TEST_PG_URL names an existing server instead). Anything
missing skips with the reason, except in CI (env CI=true), where it is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.app_server import CHROMIUM, CHROMIUM_ARGS
from tests.pg_server import PgServer, PgUnavailable, server_from_url, start_pg_server


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/setup --dev installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium)")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    external = os.environ.get("CROSSFLOW_TEST_PG_URL", "").strip()
    if external:
        yield server_from_url(external)
        return
    try:
        server = start_pg_server()
    except PgUnavailable as exc:
        if in_ci():
            pytest.fail(f"CI needs PostgreSQL, but it could not be started: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server
    server.stop()
