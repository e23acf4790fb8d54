"""The timer's phases on the server side: running, "Time's up" for a minute, then cleared (issue 16.7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from redesign.store.service import WorkshopService
from redesign.ui.components.timer import SHOWN_AFTER_END_SECONDS, timer_state
from tests.ui.conftest import open_page

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_timer_state_runs_ends_and_clears() -> None:
    assert timer_state(None, NOW) == "none"
    assert timer_state(NOW + timedelta(seconds=1), NOW) == "running"
    assert timer_state(NOW, NOW) == "ended"
    assert timer_state(NOW - timedelta(seconds=SHOWN_AFTER_END_SECONDS - 1), NOW) == "ended"
    assert timer_state(NOW - timedelta(seconds=SHOWN_AFTER_END_SECONDS), NOW) == "cleared"


def test_a_naive_end_time_is_read_as_utc() -> None:
    assert timer_state((NOW + timedelta(minutes=2)).replace(tzinfo=None), NOW) == "running"


def _timers(at: AppTest) -> list[object]:
    """The timer components on the page (the live listener is a component too)."""
    return [c for c in at.get("bidi_component") if getattr(c, "key", None) == "crossflow_timer"]


def test_impact_and_export_draw_a_running_timer_and_nothing_after_it_cleared(svc: WorkshopService) -> None:
    created = svc.create_from_sample("sales_forecasting", "Fran")
    svc.set_timer(created.facilitator_token, 300)
    for page in ("impact", "export"):
        at = open_page(page, created.facilitator_token)
        assert not at.exception
        assert _timers(at), f"{page}: no timer drawn"
    svc.set_timer(created.facilitator_token, None)
    at = open_page("impact", created.facilitator_token)
    assert not at.exception and not _timers(at)


def _sidebar_with_the_clear_button() -> None:
    from redesign.ui.components.timer import clear_timer_button
    from redesign.ui.session import require_state

    clear_timer_button(require_state("Timer", "no seat"))


def test_the_facilitator_clears_the_timer_for_everyone(svc: WorkshopService) -> None:
    created = svc.create_from_sample("sales_forecasting", "Fran")
    sam = svc.join(created.join_code, "Sam", "sales")
    svc.set_timer(created.facilitator_token, 300)
    participant = AppTest.from_function(_sidebar_with_the_clear_button, default_timeout=60)
    participant.query_params["t"] = sam.token
    participant.run()
    assert not participant.exception and not participant.sidebar.button, "only the facilitator clears it"
    at = AppTest.from_function(_sidebar_with_the_clear_button, default_timeout=60)
    at.query_params["t"] = created.facilitator_token
    at.run()
    assert not at.exception
    at.sidebar.button(key="clear_timer").click().run()
    assert not at.exception
    assert svc.state(created.facilitator_token).timer_ends_at is None
    assert not at.sidebar.button, "nothing left to clear"
