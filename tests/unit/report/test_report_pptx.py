"""The deck reopens in python-pptx; charts are native and hold the Summary's values; nothing leaves the slide."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType

from redesign.report import formatting as fmt
from redesign.report.exports import summarize
from redesign.report.pptx import render_pptx
from redesign.report.summary import HEADLINE_TITLE, TITLES, Summary
from tests.unit.report.conftest import ARTIFACTS
from tests.unit.report.report_flows import tiny_flow


@pytest.fixture(scope="module")
def deck(sales_summary: Summary) -> PresentationType:
    data = render_pptx(sales_summary)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "sales_forecasting.pptx").write_bytes(data)
    return Presentation(io.BytesIO(data))


def _titles(deck: PresentationType) -> list[str]:
    return [s.shapes.title.text if s.shapes.title is not None else "" for s in deck.slides]


def _charts(deck: PresentationType) -> list:
    return [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]


def test_sixteen_by_nine_with_a_slide_per_section(deck: PresentationType, sales_summary: Summary) -> None:
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    titles = _titles(deck)
    assert titles[0] == sales_summary.title and titles[1] == HEADLINE_TITLE
    for title in TITLES.values():
        assert any(title in t for t in titles), title
    # Split tables say so: "Decision log (1/2)" ... each numbered run complete.
    for t in titles:
        if t.endswith("/2)"):
            stem = t.rsplit(" (", 1)[0]
            assert {f"{stem} (1/2)", f"{stem} (2/2)"} <= set(titles)


def test_headline_slide_shows_the_summary_figures(deck: PresentationType, sales_summary: Summary) -> None:
    text = " ".join(shape.text_frame.text for shape in deck.slides[1].shapes if shape.has_text_frame)
    for h in sales_summary.headline:
        assert f"{fmt.figure(h.before, h.unit)} → {fmt.figure(h.after, h.unit)}" in text
        assert fmt.change(fmt.shown_change(h.before, h.after, h.unit), h.unit) in text
    assert f"{sales_summary.flags.warn} WARN" in text


def test_roles_chart_is_native_and_holds_the_role_hours(deck: PresentationType, sales_summary: Summary) -> None:
    bars = [c for c in _charts(deck) if c.chart_type == XL_CHART_TYPE.BAR_CLUSTERED]
    assert len(bars) == 1
    chart = bars[0]
    roles = sales_summary.chart_roles()
    assert list(chart.plots[0].categories) == [r.name for r in roles]
    before, after = chart.plots[0].series
    assert (before.name, after.name) == ("Before", "After")
    assert list(before.values) == pytest.approx([r.before_hours for r in roles])
    assert list(after.values) == pytest.approx([r.after_hours for r in roles])


def test_end_to_end_chart_plots_lead_time_in_hours(deck: PresentationType, sales_summary: Summary) -> None:
    (chart,) = [c for c in _charts(deck) if c.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED]
    before, after = chart.plots[0].series
    lead = sales_summary.end_to_end[0]
    assert lead.unit == "min" and before.values[0] == pytest.approx(lead.before / 60)
    assert list(after.values) == pytest.approx([fmt.chart_value(m.after, m.unit) for m in sales_summary.end_to_end])
    assert len(chart.plots[0].categories) == len(sales_summary.end_to_end)


def test_flow_is_drawn_as_shapes_with_glued_arrows(deck: PresentationType, sales_summary: Summary) -> None:
    slides = [s for s, t in zip(deck.slides, _titles(deck), strict=True) if t.startswith(TITLES["flow"])]
    boxes = [sh for s in slides for sh in s.shapes if sh.name.startswith("step ")]
    assert len(boxes) == len(sales_summary.steps)
    assert all(b.auto_shape_type is not None and "ROUNDED_RECTANGLE" in str(b.auto_shape_type) for b in boxes)
    connectors = [sh for s in slides for sh in s.shapes if sh.shape_type is not None and "LINE" in str(sh.shape_type)]
    assert connectors
    for c in connectors:
        xml = c._element
        assert xml.find(f".//{qn('a:tailEnd')}") is not None  # an arrowhead
        assert xml.find(f".//{qn('a:stCxn')}") is not None and xml.find(f".//{qn('a:endCxn')}") is not None
    # Every box shows its number, tag badge and name; names are never cut.
    for box in boxes:
        number = int(box.name.split(":")[0].split()[1])
        row = sales_summary.steps[number - 1]
        assert box.text_frame.text == f"{fmt.TAG_BADGE[row.tag]} {number} · {row.name}"
        assert min(r.font.size.pt for p in box.text_frame.paragraphs for r in p.runs) >= 8  # readable


def _inside(deck: PresentationType) -> list[str]:
    problems = []
    width, height = deck.slide_width, deck.slide_height
    for n, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            if shape.left is None:
                continue
            bottom = shape.top + shape.height
            if shape.has_table:
                bottom = shape.top + sum(row.height for row in shape.table.rows)
            if shape.left < 0 or shape.top < 0 or shape.left + shape.width > width or bottom > height:
                problems.append(f"slide {n}: {shape.name}")
    return problems


def test_every_shape_and_table_stays_on_its_slide(deck: PresentationType) -> None:
    assert _inside(deck) == []


def test_a_long_flow_still_fits() -> None:
    from bench.synthetic import synthetic_flow

    deck = Presentation(io.BytesIO(render_pptx(summarize(synthetic_flow(120)))))
    assert _inside(deck) == []
    assert sum(1 for t in _titles(deck) if t.startswith(TITLES["flow"])) > 1


def test_tiny_flow_deck_has_notes_instead_of_empty_tables() -> None:
    deck = Presentation(io.BytesIO(render_pptx(summarize(tiny_flow()))))
    titles = _titles(deck)
    by_title = dict(zip(titles, deck.slides, strict=True))
    slide = by_title[TITLES["disagreements"]]
    texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
    assert "No workshop votes recorded." in texts


def test_every_sample_and_scenario_renders_within_the_slides() -> None:
    from redesign.samples import load_sample, sample_ids

    for sample in sample_ids():
        flow = load_sample(sample)
        for scenario in [None, *flow.scenarios]:
            deck = Presentation(io.BytesIO(render_pptx(summarize(flow, scenario))))
            assert _inside(deck) == [], (sample, scenario and scenario.name)


def test_the_flow_slide_legend_explains_continuation_marks_only_when_the_diagram_spans_slides() -> None:
    # Housing benefit (an unseen flow, 7 steps) fits one slide: "→ 12: to step 12 on another slide" there
    # pointed at a step that does not exist. Motor claims (10 steps) spans two slides.
    from pathlib import Path

    from redesign.io.flow_json import read_flow

    def texts(name: str) -> str:
        flow = read_flow(Path(__file__).parents[1] / "impact" / "data" / name)
        prs = Presentation(io.BytesIO(render_pptx(summarize(flow))))
        return " ".join(sh.text_frame.text for sl in prs.slides for sh in sl.shapes if sh.has_text_frame)

    one = texts("housing_benefit.json")
    assert "dashed: rework loop" in one and "another slide" not in one
    assert "→ n: to step n on another slide" in texts("motor_claims.json")
