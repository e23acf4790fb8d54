"""The PDF opens (poppler renders every page to PNG) and says what the Summary says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from redesign.report import formatting as fmt
from redesign.report.exports import summarize
from redesign.report.pdf import CJK_FONT, FALLBACK_NOTE, render_pdf
from redesign.report.summary import HEADLINE_TITLE, TITLES, Summary
from tests.unit.report.conftest import ARTIFACTS
from tests.unit.report.report_flows import tiny_flow

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"[ \t]+", " ", out)


def _pages(pdf: Path) -> list[str]:
    return _text(pdf).split("\f")[:-1]


@pytest.fixture(scope="module")
def sales_pdf(sales_summary: Summary) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "sales_forecasting.pdf"
    path.write_bytes(render_pdf(sales_summary))
    return path


def test_pdf_renders_to_png_page_by_page(sales_pdf: Path) -> None:
    for old in ARTIFACTS.glob("sales_forecasting-page-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(sales_pdf), str(ARTIFACTS / "sales_forecasting-page")], check=True
    )
    pngs = sorted(ARTIFACTS.glob("sales_forecasting-page-*.png"))
    pages = _pages(sales_pdf)
    assert 8 <= len(pngs) == len(pages) <= 30
    assert all(p.stat().st_size > 3_000 for p in pngs)
    # No empty pages: each has more on it than the footer.
    for number, text in enumerate(pages, start=1):
        body = text.replace(f"page {number}/{len(pages)}", "").replace("Crossflow", "")
        assert len(body.split()) > 15, f"page {number} is (nearly) empty"
    # Landscape A4 (297 x 210 mm) at 60 dpi: about 702 x 497 pixels.
    header = pngs[0].read_bytes()[16:24]
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
    assert abs(width - 297 / 25.4 * 60) <= 2 and abs(height - 210 / 25.4 * 60) <= 2


def test_first_page_is_the_executive_page(sales_pdf: Path, sales_summary: Summary) -> None:
    # Changed deliberately (issue 15 point 7): page 1 says what changes, for whom, hours with their range,
    # risks, the shared metric and the pilot; goal, scope and the full headline table move to page 2.
    pages = _pages(sales_pdf)
    first = " ".join(pages[0].split())
    assert sales_summary.title in first
    for label in ("What changes", "For whom", "Hours", "Money", "Risks to clear", "Shared metric", "Pilot first"):
        assert label in first
    assert "P10-P90" in first and "EUR" in first
    for h in sales_summary.headline[:3]:
        assert h.label in first
        assert f"{fmt.figure(h.before, h.unit)} → {fmt.figure(h.after, h.unit)}" in first
    f = sales_summary.flags
    assert f"{f.block} BLOCK" in first and f"{f.warn} WARN" in first and f"{f.info} INFO" in first
    second = " ".join(pages[1].split())
    assert HEADLINE_TITLE in second and TITLES["scope"] in second


def test_every_section_and_its_content_is_there(sales_pdf: Path, sales_summary: Summary) -> None:
    text = _text(sales_pdf)
    flat = " ".join(text.split())
    for title in TITLES.values():
        assert title in flat, title
    s = sales_summary
    for person in ("Ana Ruiz", "Chloé Martin", "Fran Facilitator"):
        assert person in flat  # who took part, Unicode names intact
    assert "Update opportunities" in flat and "open" in flat  # the disagreement
    for m in s.end_to_end:
        assert fmt.figure(m.after, m.unit) in flat
    for role in s.chart_roles()[:5]:
        assert role.name in flat and fmt.hours(role.after_hours) in flat
    for flag in s.governance:
        assert flag.severity in flat
    for wave in s.waves:
        assert wave.name in flat
    for d in s.decisions:
        assert d.step in flat
    assert "GPTs are GPTs" in flat and "O*NET" in flat


def test_diagram_page_lists_every_step_number(sales_pdf: Path, sales_summary: Summary) -> None:
    pages = _pages(sales_pdf)
    diagram = next(p for p in pages if TITLES["flow"] in p and "rework loop" in p)
    words = set(diagram.split())
    assert all(str(r.number) in words for r in sales_summary.steps)
    assert {"Sales", "IT", "HR", "Finance", "Ops"} <= words


def test_chinese_japanese_and_korean_names_keep_their_characters(tmp_path: Path) -> None:
    if not CJK_FONT.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CJK_FONT} is missing: scripts/setup --dev installs fonts-wqy-microhei")
        pytest.skip(f"{CJK_FONT} is not installed (Debian fonts-wqy-microhei)")
    name = "销售预测 – 受注の確認 – 주문 확인"
    summary = summarize(tiny_flow(name))
    pdf = tmp_path / "cjk.pdf"
    pdf.write_bytes(render_pdf(summary))
    text = " ".join(_text(pdf).split())
    assert name in text
    # in the tables too (they draw each line themselves): steps, diagram, roles' new duties, pilot...
    assert text.count("销售预测") >= 4, text.count("销售预测")
    without = tmp_path / "no-cjk.pdf"
    without.write_bytes(render_pdf(summary, cjk_font=tmp_path / "none.ttc"))
    assert name not in " ".join(_text(without).split())  # the check can fail: without the font they are lost


def test_unicode_names_and_the_fallback_without_dejavu(tmp_path: Path) -> None:
    # DejaVu covers Latin, Greek and Cyrillic; CJK needs the fallback font (test above).
    flow = tiny_flow("Überprüfung der Aufträge – Проверка заказов")
    summary = summarize(flow)
    with_fonts = tmp_path / "unicode.pdf"
    with_fonts.write_bytes(render_pdf(summary))
    assert "Überprüfung der Aufträge – Проверка заказов" in " ".join(_text(with_fonts).split())
    fallback = tmp_path / "fallback.pdf"
    fallback.write_bytes(render_pdf(summary, font_dir=tmp_path / "no-fonts"))
    text = " ".join(_text(fallback).split())
    assert FALLBACK_NOTE[:40] in text
    assert "Überprüfung der Aufträge" in text  # Latin-1 survives, the rest becomes "?"


def test_bold_tag_cells_stay_inside_their_column(tmp_path: Path) -> None:
    """Issue 16 point 9: "[H] human judgment" ran into the Owner column of the decision log."""
    from redesign.samples import load_sample

    pdf = tmp_path / "sales.pdf"
    pdf.write_bytes(render_pdf(summarize(load_sample("sales_forecasting"))))
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')
    checked = 0
    for page in html.split("<page ")[1:]:
        words = [(float(a), float(y), float(b), w) for a, y, b, w in word.findall(page)]
        heads = [(y, x) for x, y, _, w in words if w == "Decision"]
        if not heads:
            continue
        top = heads[0][0]
        below = [(a, y, b, w) for a, y, b, w in words if y > top]
        if not {"Owner", "Tag"} <= {w for *_, w in below}:
            continue
        owner_x = min(a for a, _, _, w in below if w == "Owner")
        tag_x = min(a for a, _, _, w in below if w == "Tag")
        for a, _, b, w in below:
            if tag_x - 1 <= a < owner_x and w in ("judgment", "augment", "automate", "human"):
                assert b < owner_x, (w, b, owner_x)
                checked += 1
    assert checked >= 3


def test_the_diagram_legend_explains_continuation_marks_only_when_the_diagram_spans_pages(tmp_path: Path) -> None:
    # Motor claims (an unseen flow, 10 steps) fits one diagram page: "→ 12: continues at step 12 on
    # another page" there pointed at a step that does not exist. Procure-to-pay spans two pages.
    from redesign.io.flow_json import read_flow
    from redesign.samples import load_sample

    one = tmp_path / "motor.pdf"
    one.write_bytes(render_pdf(summarize(read_flow(Path(__file__).parents[1] / "impact/data/motor_claims.json"))))
    text = " ".join(_text(one).split())
    assert "rework loop" in text and "continues at step" not in text
    two = tmp_path / "p2p.pdf"
    two.write_bytes(render_pdf(summarize(load_sample("procure_to_pay"))))
    assert "→ n: continues at step n on another page" in " ".join(_text(two).split())
