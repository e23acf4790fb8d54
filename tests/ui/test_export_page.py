"""The Export page: what the summary is based on (issue 16.5), who may export when, and exports off the page
(issue 13.3)."""

from __future__ import annotations

import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from redesign.report.exports import ExportResult
from redesign.store.service import WorkshopService
from redesign.ui.export_jobs import ExportBusy, ExportJobs
from redesign.workshop import Phase
from tests.ui.conftest import open_page, texts


@pytest.fixture
def workshop(svc: WorkshopService):
    created = svc.create_from_sample("sales_forecasting", "Fran")
    sales = svc.join(created.join_code, "Sam", "sales")
    return created, sales


def finish_export(at: AppTest, timeout: float = 60) -> list[str]:
    """Rerun the page (as its progress fragment does) until the export is done; the download labels."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        labels = [d.proto.label for d in at.get("download_button")]
        if any(label.startswith("⬇") and "Workshop record" not in label for label in labels):
            return labels
        time.sleep(0.3)
        at.run()
        assert not at.exception
    raise AssertionError(f"no download after {timeout} s: {texts(at)}")


def made_file(at: AppTest, workshop_id: str, fmt: str) -> str:
    """The text of the file the page offers for download (as the person would save it)."""
    _, result = at.session_state[f"export:{workshop_id}:{at.radio(key='basis').value}:{fmt}"]
    return result.data.decode("utf-8")


def test_with_nothing_settled_the_page_asks_and_the_title_says_prepared(svc: WorkshopService, workshop) -> None:
    created, _ = workshop
    at = open_page("export", created.facilitator_token)
    assert "The room has settled no step yet." in texts(at)
    assert at.radio(key="basis").value is None
    assert at.button(key="prep:md").disabled and at.button(key="prep:pdf").disabled
    assert not at.button(key="prep:json").disabled  # the flow itself needs no basis
    ambitious = next(o for o in at.radio(key="basis").options if "Ambitious" in o)
    at.radio(key="basis").set_value(ambitious).run()
    assert "the room has not settled it" in texts(at)
    at.button(key="prep:md").click().run()
    finish_export(at)
    text = made_file(at, created.workshop_id, "md")
    first = text.splitlines()[0]
    assert "Prepared scenario “Ambitious” (not settled by the room)" in first, first


def test_suggestions_as_the_basis_are_titled_as_suggestions(svc: WorkshopService, workshop) -> None:
    created, _ = workshop
    at = open_page("export", created.facilitator_token)
    at.radio(key="basis").set_value("suggestions").run()
    at.button(key="prep:md").click().run()
    finish_export(at)
    first = made_file(at, created.workshop_id, "md").splitlines()[0]
    assert "Crossflow's suggestions (not decided by the room)" in first, first


def test_participants_export_summaries_only_from_impact_on(svc: WorkshopService, workshop) -> None:
    created, sales = workshop
    svc.set_phase(created.facilitator_token, Phase.VOTE)
    at = open_page("export", sales.token, timeout=240)  # the Impact page below matches O*NET tasks first
    at.radio(key="basis").set_value(at.radio(key="basis").options[0]).run()
    assert at.button(key="prep:pdf").disabled and at.button(key="prep:xlsx").disabled
    assert "open to everyone in" in (at.button(key="prep:pdf").help or "")
    assert not at.button(key="prep:bpmn").disabled
    svc.set_phase(created.facilitator_token, Phase.IMPACT)
    at.run()  # the new phase takes Sam to the Impact page (issue 16.4); Sam comes back to export
    assert [str(link.proto.page) for link in at.get("page_link")] == ["impact"]
    at.switch_page("redesign/ui/pages/impact.py").run()  # the browser follows that link
    at.switch_page("redesign/ui/pages/export.py").run()
    at.radio(key="basis").set_value(at.radio(key="basis").options[0]).run()
    assert not at.button(key="prep:pdf").disabled


def test_one_export_at_a_time_per_workshop() -> None:
    jobs = ExportJobs(workers=2)
    release = threading.Event()

    def slow(progress) -> ExportResult:
        progress(0.5, "halfway")
        release.wait(10)
        return ExportResult(b"x", "x.md", "text/markdown")

    first = jobs.start("w1", "PDF", "Ana", slow)
    with pytest.raises(ExportBusy, match="Ana is preparing a PDF of this workshop"):
        jobs.start("w1", "PowerPoint", "Ben", slow)
    other = jobs.start("w2", "PDF", "Cy", slow)  # another workshop is not held up
    release.set()
    deadline = time.monotonic() + 10
    while not (first.finished and other.finished) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.result is not None and first.share == 0.5 and other.finished
    assert jobs.running("w1") is None
    jobs.start("w1", "PDF", "Ben", lambda progress: ExportResult(b"", "y", "z"))  # free again
