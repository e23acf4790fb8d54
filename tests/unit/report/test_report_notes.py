"""Open comments and flags reach every summary, per step, with who raised them (issue 16.9)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from redesign.impact.assess import assess
from redesign.model import Flow, Scenario
from redesign.report.html import render_html
from redesign.report.markdown import render_markdown
from redesign.report.notes import NO_NOTES, NO_NOTES_RECORD, open_notes
from redesign.report.pdf import render_pdf
from redesign.report.record import record_from_workshop
from redesign.report.summary import TITLES, build_summary
from redesign.workshop import CommentOut

AT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def comment(
    cid: int, target: str, kind: str, text: str, resolved: bool = False, target_kind: str = "step"
) -> CommentOut:
    return CommentOut(
        id=cid,
        author_id="p1",
        author_name="Ana Ruiz",
        author_function="sales",
        target_kind=target_kind,
        target_id=target,
        kind=kind,
        text=text,
        resolved=resolved,
        at=AT + timedelta(minutes=cid),
    )


def test_open_notes_are_per_step_in_flow_order_with_the_author(sales_flow: Flow) -> None:
    first, later = sales_flow.steps[0], sales_flow.steps[5]
    handoff = sales_flow.handoffs[0]
    notes = open_notes(
        sales_flow,
        [
            comment(1, later.id, "comment", "Why two spreadsheets?"),
            comment(2, later.id, "data_quality", "Close dates are stale"),
            comment(3, first.id, "risk", "HR data is personal", resolved=True),
            comment(4, first.id, "question", "Who owns the roster?"),
            comment(5, handoff.id, "data_quality", "Email arrives late", target_kind="handoff"),
            comment(6, "gone_step", "risk", "Said about a deleted step"),
        ],
    )
    assert [(n.target, n.kind, n.text) for n in notes] == [
        (first.name, "Question", "Who owns the roster?"),
        (f"hand-off {first.name} → {sales_flow.step(handoff.target).name}", "Data quality", "Email arrives late"),
        (later.name, "Data quality", "Close dates are stale"),
        (later.name, "Comment", "Why two spreadsheets?"),
        ("step gone_step (deleted)", "Risk", "Said about a deleted step"),
    ]
    assert {n.author for n in notes} == {"Ana Ruiz (Sales)"}


def _pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


def _summary(flow: Flow, comments: list[CommentOut]):
    scenario = Scenario(id="as_is", name="As-is")
    record = record_from_workshop("W", "", flow, [], [], [], comments=comments)
    return build_summary(flow, scenario, assess(flow, scenario), record)


def test_every_format_lists_the_open_flags(sales_flow: Flow) -> None:
    step = sales_flow.steps[2]
    s = _summary(sales_flow, [comment(1, step.id, "data_quality", "Quota file has last year's ramp dates")])
    flat = _pdf_text(render_pdf(s))
    assert TITLES["notes"] in flat and "Quota file has last year's ramp dates" in flat and "Ana Ruiz (Sales)" in flat
    for rendered in (render_markdown(s), render_html(s)):
        assert TITLES["notes"] in rendered
        assert "Quota file has last year" in rendered and "Ana Ruiz (Sales)" in rendered


def test_the_section_says_why_it_is_empty(sales_flow: Flow) -> None:
    closed = _summary(sales_flow, [comment(1, sales_flow.steps[0].id, "risk", "done", resolved=True)])
    assert closed.open_notes == [] and NO_NOTES in render_markdown(closed)
    scenario = Scenario(id="as_is", name="As-is")
    no_record = build_summary(sales_flow, scenario, assess(sales_flow, scenario), None)
    assert NO_NOTES_RECORD in render_markdown(no_record)


def test_what_people_typed_stays_text_in_html_and_markdown(sales_flow: Flow) -> None:
    typed = "<script>alert(1)</script> | *not bold*"
    s = _summary(sales_flow, [comment(1, sales_flow.steps[0].id, "risk", typed)])
    html = render_html(s)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    row = next(line for line in render_markdown(s).splitlines() if "alert(1)" in line)
    assert row.count(" | ") == 3 and "\\|" in row, f"a typed | must not add a column: {row}"
