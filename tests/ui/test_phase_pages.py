"""A phase change takes the person to the page where its work happens (issue 16.4).

The page draws the move (a note and the link to the phase's page) and the browser clicks that link
(redesign/ui/assets/phase_move.js): AppTest runs no JavaScript, so here the arrival is the test
opening the page the link names. The browser journey, where the click really happens, is
tests/e2e/test_phases_and_export.py. These check the rule on every page and its edges: the first
page opened is not left, an open step panel holds the move back, a late rerun of the old page
draws the move again.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from redesign.store.service import WorkshopService
from redesign.ui.phase_pages import EXPORT_PAGE, IMPACT_PAGE, WORKSHOP_PAGE, page_of
from redesign.workshop import PHASES, Phase
from tests.ui.conftest import open_page, open_tab, texts

TITLES = {WORKSHOP_PAGE: "Sales forecasting", IMPACT_PAGE: "Impact — Sales forecasting", EXPORT_PAGE: "Export"}
PAGE_NAMES = {WORKSHOP_PAGE: "workshop", IMPACT_PAGE: "impact", EXPORT_PAGE: "export"}


@pytest.fixture
def workshop(svc: WorkshopService):
    created = svc.create_from_sample("sales_forecasting", "Fran")
    sales = svc.join(created.join_code, "Sam", "sales")
    return created, sales


def title(at: AppTest) -> str:
    return str(at.title[0].value)


def moving_to(at: AppTest) -> str | None:
    """The page the drawn move takes the person to (its link), or None when the page shows no move."""
    if not any("taking you to" in str(i.value) for i in at.info):
        return None
    links = at.get("page_link")  # the move's link comes first: it is drawn at the top of the page
    return f"redesign/ui/pages/{links[0].proto.page}.py"  # the link names the page by its address


def arrive(at: AppTest) -> AppTest:
    """The browser clicks the move's link (what assets/phase_move.js does)."""
    target = moving_to(at)
    assert target is not None, "the page shows no move"
    return at.switch_page(target).run()


def test_every_phase_has_a_page() -> None:
    assert {p: page_of(p) for p in PHASES} == {
        Phase.MAP: WORKSHOP_PAGE,
        Phase.ANNOTATE: WORKSHOP_PAGE,
        Phase.VOTE: WORKSHOP_PAGE,
        Phase.CONVERGE: WORKSHOP_PAGE,
        Phase.IMPACT: IMPACT_PAGE,
        Phase.EXPORT: EXPORT_PAGE,
    }


@pytest.mark.parametrize("start", [WORKSHOP_PAGE, IMPACT_PAGE, EXPORT_PAGE], ids=["workshop", "impact", "export"])
@pytest.mark.parametrize("phase", [Phase.VOTE, Phase.IMPACT, Phase.EXPORT], ids=lambda p: p.value)
def test_a_phase_change_takes_a_participant_from_any_page_to_its_work(
    svc: WorkshopService, workshop, start: str, phase: Phase
) -> None:
    created, sales = workshop
    at = open_page(PAGE_NAMES[start], sales.token, timeout=240)  # a first Impact page matches O*NET tasks
    assert not at.exception and title(at).startswith(TITLES[start])  # the page opened on purpose stays
    svc.set_phase(created.facilitator_token, phase)
    at.run()
    assert not at.exception, at.exception
    if page_of(phase) != start:
        assert moving_to(at) == page_of(phase), (start, phase)
        arrive(at)
        assert not at.exception, at.exception
    assert moving_to(at) is None and title(at).startswith(TITLES[page_of(phase)]), (start, phase)
    assert phase.asks(False) in texts(at)  # every page says the phase and what it asks
    at.switch_page(start)  # once: the person may then go back wherever they like, and stay there
    at.run()
    assert not at.exception and moving_to(at) is None and title(at).startswith(TITLES[start])


def test_the_facilitator_changing_the_phase_on_the_impact_page_moves_with_the_room(
    svc: WorkshopService, workshop
) -> None:
    created, _ = workshop
    svc.set_phase(created.facilitator_token, Phase.IMPACT)
    at = open_page("impact", created.facilitator_token, timeout=240)
    assert title(at).startswith(TITLES[IMPACT_PAGE])
    phase = at.sidebar.selectbox[0]
    assert phase.label == "Phase"
    phase.set_value(Phase.VOTE).run()
    assert not at.exception, at.exception
    assert moving_to(at) == WORKSHOP_PAGE
    arrive(at)
    assert not at.exception, at.exception
    assert title(at) == TITLES[WORKSHOP_PAGE] and Phase.VOTE.asks(True) in texts(at)


def test_a_late_rerun_of_the_old_page_draws_the_move_again(svc: WorkshopService, workshop) -> None:
    """The live listener may have asked for a rerun of the old page just before the move; that run
    must not show the old page (the person would stay there): it draws the move again."""
    created, sales = workshop
    at = open_page("workshop", sales.token, timeout=240)
    svc.set_phase(created.facilitator_token, Phase.EXPORT)
    at.run()
    assert moving_to(at) == EXPORT_PAGE
    at.run()  # the old page again, before the browser's click arrived
    assert not at.exception and moving_to(at) == EXPORT_PAGE
    arrive(at)
    assert moving_to(at) is None and title(at).startswith(TITLES[EXPORT_PAGE])
    at.switch_page(WORKSHOP_PAGE).run()  # arrived: going back is the person's choice
    assert moving_to(at) is None and title(at) == TITLES[WORKSHOP_PAGE]


def test_a_new_phase_on_the_same_page_opens_the_board_tab(svc: WorkshopService, workshop) -> None:
    created, sales = workshop
    at = open_page("workshop", sales.token, timeout=240)
    open_tab(at, "🕘 History")
    svc.set_phase(created.facilitator_token, Phase.VOTE)
    at.run()
    assert at.session_state["workshop_tab"] == "🗺 Board"


def test_an_open_step_panel_holds_the_move_until_it_is_closed(svc: WorkshopService, workshop) -> None:
    created, sales = workshop
    at = open_page("workshop", sales.token, timeout=240)
    at.session_state["dialog"] = ("view", "update_opps", None)
    at.run()
    svc.set_phase(created.facilitator_token, Phase.IMPACT)
    at.run()
    assert not at.exception
    assert title(at) == "Sales forecasting" and at.session_state["dialog"][1] == "update_opps"
    del at.session_state["dialog"]  # the person closes the panel
    at.run()
    assert moving_to(at) == IMPACT_PAGE
    arrive(at)
    assert title(at).startswith(TITLES[IMPACT_PAGE])
