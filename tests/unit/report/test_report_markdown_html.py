"""Markdown and HTML: every section and headline figure; user text escaped; the HTML works offline."""

from __future__ import annotations

import re
from html import escape

from redesign.report import formatting as fmt
from redesign.report.exports import summarize
from redesign.report.html import render_html
from redesign.report.markdown import esc, render_markdown
from redesign.report.summary import HEADLINE_TITLE, TITLES, Summary
from tests.unit.report.conftest import ARTIFACTS
from tests.unit.report.report_flows import tiny_flow

PLANTED = '<script>alert("x")</script> | *bold* [link](http://evil)'


def test_markdown_has_every_section_and_headline_figure(sales_summary: Summary) -> None:
    md = render_markdown(sales_summary)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "sales_forecasting.md").write_text(md, encoding="utf-8")
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == [TITLES["scope"], HEADLINE_TITLE, *[t for k, t in TITLES.items() if k != "scope"]]
    for h in sales_summary.headline:
        row = f"| {esc(h.label)} | {fmt.figure(h.before, h.unit)} | {fmt.figure(h.after, h.unit)} | "
        assert row + f"{fmt.change(fmt.shown_change(h.before, h.after, h.unit), h.unit)} |" in md
    assert "```mermaid\nflowchart LR" in md
    assert "Ana Ruiz" in md and "Chloé Martin" in md
    for d in sales_summary.decisions:
        assert esc(d.step) in md


def test_markdown_escapes_user_text() -> None:
    md = render_markdown(summarize(tiny_flow(PLANTED)))
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    # A pipe in a name cannot split a table row: the step's row still has the table's 9 cells.
    row = next(line for line in md.splitlines() if line.startswith("| 1 |"))
    assert len(re.split(r"(?<!\\)\|", row)) - 2 == 9
    assert "\\*bold\\*" in md and "\\[link\\]" in md


def test_html_is_self_contained_and_opens_offline(sales_summary: Summary) -> None:
    page = render_html(sales_summary)
    (ARTIFACTS / "sales_forecasting.html").write_text(page, encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, flags=re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", page, flags=re.I)
    assert not re.search(r"<img[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", page, flags=re.I)
    assert not re.search(r"@import|url\(\s*[\"']?(https?:)?//", page.split("<script>")[0])
    # plotly.js is embedded exactly once, and there are three charts (flow, end-to-end, roles).
    assert page.count("window.PlotlyConfig") == 1
    assert page.count("Plotly.newPlot(") == 3
    assert len(page) > 3_000_000


def test_html_has_every_section_and_headline_figure(sales_summary: Summary) -> None:
    page = render_html(sales_summary)
    for key, title in TITLES.items():
        assert f'<section id="{key}"><h2>{escape(title)}</h2>' in page
    for h in sales_summary.headline:
        figure = f"{fmt.figure(h.before, h.unit)} → {fmt.figure(h.after, h.unit)}"
        assert escape(figure) in page and escape(h.label) in page
    for r in sales_summary.chart_roles():
        assert escape(r.name) in page


def test_html_escapes_a_script_planted_in_a_step_name() -> None:
    page = render_html(summarize(tiny_flow(PLANTED)))
    assert 'alert("x")' not in page and "alert(&quot;x&quot;)" in page
    assert escape(PLANTED) in page  # the tables show it as text
    # Outside the embedded plotly.js bundle, the only scripts are plotly's own.
    scripts = re.findall(r"<script[^>]*>", page)
    assert all(s == "<script>" or s.startswith('<script type="text/javascript"') for s in scripts)
    assert page.count("<script") == len(scripts)


def test_the_motor_claims_activity_ratio_change_matches_its_printed_figures() -> None:
    # Unseen flow (tests/unit/impact/data): the activity ratio moves 1.44% -> 1.47%, printed 1.4% -> 1.5%.
    from pathlib import Path

    from redesign.impact.assess import assess
    from redesign.io.flow_json import read_flow
    from redesign.report.summary import build_summary

    flow = read_flow(Path(__file__).parents[1] / "impact" / "data" / "motor_claims.json")
    scenario = flow.scenario("straight_through")
    md = render_markdown(build_summary(flow, scenario, assess(flow, scenario)))
    assert "| Activity ratio (critical path) | 1.4% | 1.5% | +0.1 pts |" in md


def test_an_unseen_flows_activity_ratio_change_agrees_with_its_printed_figures() -> None:
    # Motor claims: 1.44% -> 1.46% printed "1.4% -> 1.5%, 0.0 pts" before (equal printed figures
    # with a change, "0.8% -> 0.8%, -0.1 pts", are in test_report_formatting.py).
    from pathlib import Path

    from redesign.impact.assess import assess
    from redesign.io.flow_json import read_flow
    from redesign.report.summary import build_summary

    flow = read_flow(Path(__file__).parents[1] / "impact" / "data" / "motor_claims.json")
    scenario = flow.scenarios[0]
    summary = build_summary(flow, scenario, assess(flow, scenario))
    assert "| Activity ratio (critical path) | 1.4% | 1.5% | +0.1 pts |" in render_markdown(summary)
