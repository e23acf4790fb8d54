"""AppTest fixtures: every test gets its own SQLite database and a fresh service cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from redesign.store.service import WorkshopService

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'ui.db'}"
    monkeypatch.setenv("CROSSFLOW_DATABASE_URL", url)
    st.cache_resource.clear()
    return url


@pytest.fixture
def svc(db_url: str) -> Iterator[WorkshopService]:
    service = WorkshopService.from_url(db_url)
    yield service
    service.dispose()


def open_page(page: str, token: str | None = None, timeout: float = 60) -> AppTest:
    """Run the app on `page` ("workshop", "impact", ...) as the holder of `token`."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if token:
        at.query_params["t"] = token
    at.run()
    if page != "home":
        at.switch_page(f"redesign/ui/pages/{page}.py")
        at.run()
    return at


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open a tab of the workshop page (tabs are lazy there: only the open one is drawn)."""
    at.session_state["workshop_tab"] = label
    return at.run()


def texts(at: AppTest) -> str:
    """All visible text of the page, for assertions."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "title", "subheader", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)
