"""The summary as a 16:9 PowerPoint deck (python-pptx), everything native and editable.

Charts are PowerPoint charts (the data sits in the file: a presenter can restyle or
re-plot them); the flow is drawn as rounded rectangles in lane bands with connectors
glued to them (move a box and its arrows follow); tables are PowerPoint tables.

PowerPoint grows a table row to fit its text when it draws the slide, and python-pptx
cannot measure text, so sizes are estimated from the characters (a conservative
average glyph width): long tables are split over several slides and fonts shrink
before anything could spill over the slide's edge.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Callable, Sequence

from lxml import etree
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.parts.slide import SlidePart
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.autoshape import Shape
from pptx.shapes.connector import Connector
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from redesign.flowchart import BOX_H, BOX_W, ChartPage, chart_pages
from redesign.report import formatting as fmt
from redesign.report import pptx_shapes as shapes
from redesign.report import tables as t
from redesign.report.notes import no_notes, notes_table
from redesign.report.summary import HEADLINE_TITLE, TITLES, Summary
from redesign.report.tables import TableData

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # PowerPoint's own 16:9 (13.333 x 7.5 in)
MARGIN = Inches(0.4)
BODY_TOP = Inches(1.25)
BODY_BOTTOM = Emu(SLIDE_H - Inches(0.35))
BODY_W = Emu(SLIDE_W - 2 * MARGIN)
MAX_DIAGRAM_COLUMNS = 7
"""Columns per flow slide: a 10-column flow takes two slides of 5, so names stay readable (9-12 pt)."""
GLYPH_EM = 0.55
"""Average glyph width in ems used to estimate line breaks (Calibri averages about 0.5; the margin is on purpose)."""
LINE = 1.2
"""Line height in ems."""
CELL_MARGIN = Pt(4)

INK = RGBColor(0x21, 0x21, 0x21)
GREY = RGBColor(0x61, 0x61, 0x61)
ACCENT = RGBColor(0x15, 0x65, 0xC0)
GOOD, BAD = RGBColor(0x2E, 0x7D, 0x32), RGBColor(0xC6, 0x28, 0x28)
LOOP = RGBColor(0x8E, 0x24, 0xAA)
BEFORE = RGBColor(0xB0, 0xBE, 0xC5)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _tint(hex_colour: str, amount: float) -> RGBColor:
    value = hex_colour.lstrip("#")
    parts = [int(value[i : i + 2], 16) for i in (0, 2, 4)]
    return RGBColor(*(round(255 - (255 - c) * amount) for c in parts))


# --------------------------------------------------------------------------- text estimates


def _lines(text: str, width_pt: float, size: float) -> int:
    """Lines ``text`` takes in a box ``width_pt`` wide at ``size`` pt (newlines start new lines)."""
    per_line = max(1, int(width_pt / (size * GLYPH_EM)))
    total = 0
    for part in text.split("\n"):
        count, used = 1, 0
        for word in part.split():
            n = len(word)
            if used and used + 1 + n > per_line:
                count += 1
                used = 0
            count += max(0, math.ceil(n / per_line) - 1) if n > per_line else 0
            used = (n % per_line or per_line) if n > per_line else used + (1 if used else 0) + n
        total += count
    return max(1, total)


def _fits(texts: Sequence[str], width_pt: float, height_pt: float, size: float) -> bool:
    needed = sum(_lines(t, width_pt, size) for t in texts) * size * LINE + len(texts) * size * 0.25
    return needed <= height_pt


def _fit(texts: Sequence[str], width_pt: float, height_pt: float, sizes: Sequence[float]) -> float:
    """The largest size at which the paragraphs ``texts`` fit the box (the smallest size otherwise)."""
    return next((size for size in sizes if _fits(texts, width_pt, height_pt, size)), sizes[-1])


def _pt(emu: int) -> float:
    return emu / 12700


# --------------------------------------------------------------------------- slide helpers


FIRST_SLIDE_ID = 256  # the smallest slide id PowerPoint accepts


def _add_slide(prs: PresentationType, layout_index: int = 5) -> Slide:
    """`prs.slides.add_slide`, in time independent of the deck's size.

    python-pptx's own add_slide first looks for an existing relationship to the new
    slide by rebuilding an index of every relationship of the presentation (one per
    slide), which made a deck of n slides cost O(n^2): 2,000 steps took 15 s, 10,000
    did not finish; so did finding the next slide number and id by searching every
    slide id. A brand-new slide part cannot be related already, so it is related
    directly, and slides are numbered by count (this deck never deletes slides)
    (python-pptx 1.0.2 internals, pinned in requirements.txt).
    Its shapes then take ids from a cached maximum ("turbo add") instead of
    searching the slide's tree for each new shape.
    """
    layout = prs.slide_layouts[layout_index]
    part, id_list = prs.part, prs.slides._sldIdLst
    count = len(id_list)  # lxml counts children in C; python-pptx runs an XPath over all of them, twice
    slide_part = SlidePart.new(PackURI(f"/ppt/slides/slide{count + 1}.xml"), part.package, layout.part)
    r_id = part.rels._add_relationship(RT.SLIDE, slide_part)
    slide = slide_part.slide
    slide.shapes.clone_layout_placeholders(layout)
    id_list._add_sldId(id=FIRST_SLIDE_ID + count, rId=r_id)  # python-pptx numbers them the same way
    slide.shapes.turbo_add_enabled = True
    return slide


def _slide(prs: PresentationType, title: str) -> Slide:
    slide = _add_slide(prs)
    shape = shapes.title(slide)
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.3), BODY_W, Inches(0.8)
    shape.text = title
    frame = shape.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    size = 30 if _lines(title, _pt(BODY_W), 30) == 1 else 22
    paragraph.runs[0].font.size = Pt(size)
    paragraph.runs[0].font.bold = True
    paragraph.runs[0].font.color.rgb = ACCENT
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    return slide


def _text(
    slide: Slide,
    left: int,
    top: int,
    width: int,
    height: int,
    paragraphs: Sequence[str],
    sizes: Sequence[float] = (16, 14, 12, 11, 10, 9),
    bullet: bool = False,
    colour: RGBColor = INK,
    bold: bool = False,
) -> None:
    """A text box whose font shrinks until the paragraphs fit it."""
    box = shapes.textbox(slide, left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Pt(3))
    texts = [f"• {p}" if bullet else p for p in paragraphs]
    size = _fit(texts, _pt(width) - 6, _pt(height) - 6, sizes)
    for i, text in enumerate(texts):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(size * 0.25)
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.color.rgb = colour
        run.font.bold = bold


_ALIGN = {"L": PP_ALIGN.LEFT, "R": PP_ALIGN.RIGHT}


def _row_height(cells: Sequence[str], widths: Sequence[int], size: float) -> int:
    lines = max(_lines(text, _pt(w) - 2 * _pt(CELL_MARGIN), size) for text, w in zip(cells, widths, strict=True))
    return Pt(lines * size * LINE + 2 * _pt(CELL_MARGIN) + 2)


def _table_slides(
    prs: PresentationType,
    title: str,
    data: TableData,
    size: float = 12,
    top: int = BODY_TOP,
    first_slide: Slide | None = None,
) -> list[Slide]:
    """The table over as many slides as it needs ("Title (2/3)" on the followers)."""
    if not data:
        return []
    total = sum(data.widths)
    widths = [int(BODY_W * w / total) for w in data.widths]
    size = _table_size(data, widths, size, BODY_BOTTOM - top)
    chunks = _paginate(data, widths, size, top)
    slides: list[Slide] = []
    for n, (start, end) in enumerate(chunks):
        label = title if len(chunks) == 1 else f"{title} ({n + 1}/{len(chunks)})"
        if n == 0 and first_slide is not None:
            slide = first_slide
            if shapes.title(slide).text == title and len(chunks) > 1:
                shapes.title(slide).text_frame.paragraphs[0].runs[0].text = label
        else:
            slide = _slide(prs, label)
        _table(slide, data, start, end, widths, size, top if n == 0 else BODY_TOP)
        slides.append(slide)
    return slides


def _table_size(data: TableData, widths: list[int], size: float, room: int) -> float:
    """Shrink the font (down to 9 pt) while the longest row would not fit on one slide."""
    while size > 9:
        head = _row_height(data.header, widths, size)
        if all(head + _row_height(r, widths, size) <= room for r in data.rows):
            break
        size -= 1
    return size


def _paginate(data: TableData, widths: list[int], size: float, top: int) -> list[tuple[int, int]]:
    head = _row_height(data.header, widths, size)
    chunks: list[tuple[int, int]] = []
    start, used, room = 0, head, BODY_BOTTOM - top
    for i, row in enumerate(data.rows):
        h = _row_height(row, widths, size)
        if i > start and used + h > room:
            chunks.append((start, i))
            start, used, room = i, head, BODY_BOTTOM - BODY_TOP
        used += h
    chunks.append((start, len(data.rows)))
    return chunks


def _table(slide: Slide, data: TableData, start: int, end: int, widths: list[int], size: float, top: int) -> None:
    rows = data.rows[start:end]
    heights = [_row_height(data.header, widths, size), *(_row_height(r, widths, size) for r in rows)]
    table = shapes.table(slide, len(rows) + 1, len(widths), MARGIN, top, sum(widths), sum(heights))
    for i, w in enumerate(widths):
        table.columns[i].width = w
    for i, h in enumerate(heights):
        table.rows[i].height = h
    for r, cells in enumerate([data.header, *rows]):
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
                setattr(cell, side, CELL_MARGIN)
            cell.text = text
            colour = data.colours.get((start + r - 1, c)) if r else None
            for paragraph in cell.text_frame.paragraphs:
                paragraph.alignment = _ALIGN[data.align[c]]
                for run in paragraph.runs:
                    run.font.size = Pt(size)
                    if colour is not None:
                        run.font.color.rgb = _rgb(colour)
                        run.font.bold = True


# --------------------------------------------------------------------------- arrows


def _arrowhead(line_owner: Shape | Connector, colour: RGBColor, dashed: bool = False, width: float = 1.25) -> None:
    """Colour, width, dash and a triangle at the end: python-pptx has no API for line ends."""
    line = line_owner.line
    line.color.rgb = colour
    line.width = Pt(width)
    if dashed:
        line.dash_style = MSO_LINE_DASH_STYLE.DASH
    # Appended last: a:tailEnd must follow the fill and dash children of a:ln (schema order).
    etree.SubElement(line._get_or_add_ln(), qn("a:tailEnd"), {"type": "triangle", "w": "med", "len": "med"})


def _elbow_adjust(connector: Connector, fraction: float) -> None:
    """Where the vertical run of an elbow connector sits, as a share of its width."""
    geometry = connector._element.spPr.find(qn("a:prstGeom"))
    av = geometry.find(qn("a:avLst"))
    if av is None:
        av = etree.SubElement(geometry, qn("a:avLst"))
    for child in list(av):
        av.remove(child)
    etree.SubElement(av, qn("a:gd"), {"name": "adj1", "fmla": f"val {round(fraction * 100000)}"})


# --------------------------------------------------------------------------- slides


def _title_slide(prs: PresentationType, s: Summary) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    title, subtitle = shapes.title(slide), slide.placeholders[1]
    title.left, title.top, title.width, title.height = MARGIN, Inches(2.2), BODY_W, Inches(1.6)
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = MARGIN, Inches(4.0), BODY_W, Inches(1.4)
    title.text = s.title
    title.text_frame.paragraphs[0].runs[0].font.size = Pt(40 if len(s.title) < 50 else 30)
    title.text_frame.paragraphs[0].runs[0].font.bold = True
    bits = ["Executive summary", f"scenario {s.scenario_name}"]
    if s.workshop:
        bits.append(f"workshop {s.workshop}")
    if s.held_on:
        bits.append(fmt.day(s.held_on))
    subtitle.text = " · ".join(bits)
    subtitle.text_frame.paragraphs[0].runs[0].font.size = Pt(20)
    subtitle.text_frame.paragraphs[0].runs[0].font.color.rgb = GREY


def _executive_slide(prs: PresentationType, s: Summary) -> None:
    """The first slide, readable in a minute: what changes, for whom, hours with their range, risks, metric, pilot."""
    slide = _slide(prs, s.title)
    top: int = Inches(1.1)
    _text(
        slide, MARGIN, top, BODY_W, Inches(0.4), [f"{t.subtitle(s)} · {s.executive.basis}"], (12, 11, 10), colour=GREY
    )
    top += Inches(0.45)
    if s.executive.blocked:
        banner = shapes.autoshape(slide, MSO_SHAPE.RECTANGLE, MARGIN, top, BODY_W, Inches(0.4))
        banner.fill.solid()
        banner.fill.fore_color.rgb = BAD
        banner.line.fill.background()
        banner.text_frame.text = "BLOCKED: the savings below cannot be realised until the BLOCK flags are resolved."
        run = banner.text_frame.paragraphs[0].runs[0]
        run.font.size, run.font.bold, run.font.color.rgb = Pt(13), True, RGBColor(0xFF, 0xFF, 0xFF)
        top += Inches(0.5)
    label_w = Inches(1.9)
    rows = t.executive(s)
    texts = [line for _, lines in rows for line in lines]
    height = BODY_BOTTOM - top - Inches(0.5)
    size = _fit(texts, _pt(BODY_W - label_w) - 6, _pt(height) - 6 * len(rows), (15, 14, 13, 12, 11, 10, 9))
    for label, lines in rows:
        needed = sum(_lines(x, _pt(BODY_W - label_w) - 6, size) for x in lines)
        # Each paragraph's space after (`_text`) counts too: without it a four-line "For whom" ran into "Hours".
        h = Pt(needed * size * 1.25 + len(lines) * size * 0.25 + 6)
        _text(slide, MARGIN, top, label_w, h, [label], (size,), colour=ACCENT, bold=True)
        _text(slide, MARGIN + label_w, top, BODY_W - label_w, h, lines, (size,), bold=label == "Hours")
        top += h
    _flag_chips(slide, s, max(top + Inches(0.05), BODY_BOTTOM - Inches(0.45)))


def _headline_slide(prs: PresentationType, s: Summary) -> None:
    slide = _slide(prs, HEADLINE_TITLE)
    cols, gap = 3, Inches(0.25)
    w = int((BODY_W - gap * (cols - 1)) / cols)
    h = Inches(1.25)
    for i, item in enumerate(s.headline):
        x = MARGIN + (i % cols) * (w + gap)
        y = BODY_TOP + (i // cols) * (h + gap)
        tile = shapes.autoshape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, x, y, w, h)
        tile.fill.solid()
        tile.fill.fore_color.rgb = _tint("#1565c0", 0.07)
        tile.line.color.rgb = _tint("#1565c0", 0.35)
        tile.adjustments[0] = 0.08
        frame = tile.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        value = f"{fmt.figure(item.before, item.unit)} → {fmt.figure(item.after, item.unit)}"
        shown = fmt.shown_change(item.before, item.after, item.unit)
        zero = fmt.is_zero_change(shown, item.unit)
        change = "no change" if zero else fmt.change(shown, item.unit)
        spread = fmt.range_text(item.low, item.high, item.unit)
        if not item.known:
            value, change, spread = "unknown", "not measured", ""
        value_size = _fit([value], _pt(w) - 20, 30, (24, 20, 18, 16))
        improved = item.change < 0 if item.better == "lower" else item.change > 0
        tone = GREY if zero or not item.known else GOOD if improved else BAD
        lines = [(item.label, 13, GREY, False), (value, value_size, INK, True), (change, 14, tone, True)]
        if spread:
            lines.append((spread, 10, GREY, False))
        for j, (text, size, colour, bold) in enumerate(lines):
            paragraph = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
            paragraph.alignment = PP_ALIGN.LEFT
            run = paragraph.add_run()
            run.text = text
            run.font.size, run.font.color.rgb, run.font.bold = Pt(size), colour, bold
    y = BODY_TOP + 2 * (h + gap)
    _flag_chips(slide, s, y)
    top = y + Inches(0.55)
    _text(slide, MARGIN, top, BODY_W, BODY_BOTTOM - top, s.highlights, (16, 14, 13, 12, 11, 10), bullet=True)


def _flag_chips(slide: Slide, s: Summary, y: int) -> None:
    x: int = MARGIN
    label = shapes.textbox(slide, x, y, Inches(1.4), Inches(0.4))
    label.text_frame.text = "Governance:"
    label.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
    label.text_frame.paragraphs[0].runs[0].font.bold = True
    x += Inches(1.45)
    for name, n in (("BLOCK", s.flags.block), ("WARN", s.flags.warn), ("INFO", s.flags.info)):
        chip = shapes.autoshape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, x, y, Inches(1.2), Inches(0.4))
        chip.fill.solid()
        chip.fill.fore_color.rgb = _rgb(fmt.SEVERITY_COLOUR[name]) if n else RGBColor(0xEE, 0xEE, 0xEE)
        chip.line.fill.background()
        chip.text_frame.text = f"{n} {name}"
        run = chip.text_frame.paragraphs[0].runs[0]
        run.font.size, run.font.bold = Pt(13), True
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if n else GREY
        x += Inches(1.35)


def _scope_slide(prs: PresentationType, s: Summary) -> None:
    slide = _slide(prs, f"{TITLES['scope']} · {TITLES['participants']}")
    paragraphs = [f"Goal: {fmt.truncate(s.goal, 500)}"] if s.goal else []
    paragraphs.append(f"Scope: {t.scope_line(s)}")
    if s.scenario_description and s.scenario_description.strip() != s.goal:
        paragraphs.append(f"Scenario {s.scenario_name}: {fmt.truncate(s.scenario_description, 300)}")
    _text(slide, MARGIN, BODY_TOP, BODY_W, Inches(2.3), paragraphs, (16, 14, 12, 11))
    top = BODY_TOP + Inches(2.45)
    if not s.participants:
        _text(slide, MARGIN, top, BODY_W, Inches(0.6), [t.NO_RECORD], (14, 12), colour=GREY)
        return
    _table_slides(prs, TITLES["participants"], t.participants(s), 13, top, first_slide=slide)


def _e2e_slide(prs: PresentationType, s: Summary) -> None:
    slide = _slide(prs, TITLES["end_to_end"])
    data = CategoryChartData(number_format="#,##0.0")
    data.categories = [f"{m.label} ({fmt.chart_unit(m.unit)})" for m in s.end_to_end]
    data.add_series("Before", [fmt.chart_value(m.before, m.unit) for m in s.end_to_end])
    data.add_series("After", [fmt.chart_value(m.after, m.unit) for m in s.end_to_end])
    width = Inches(8.2)
    chart = shapes.chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, BODY_TOP, width, BODY_BOTTOM - BODY_TOP, data)
    _style_chart(chart, 11)
    left = MARGIN + width + Inches(0.2)
    notes = [
        *(f"{m.label}: {fmt.figure(m.before, m.unit)} → {fmt.figure(m.after, m.unit)}" for m in s.end_to_end[:1]),
        *s.e2e_notes,
        *s.notes,
    ]
    _text(slide, left, BODY_TOP, SLIDE_W - MARGIN - left, BODY_BOTTOM - BODY_TOP, notes, (14, 12, 11, 10, 9, 8), True)


def _style_chart(chart: Chart, size: float) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(size)
    plot = chart.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = "#,##0.0"
    labels.number_format_is_linked = False
    labels.font.size = Pt(size - 2)
    for series, colour in zip(plot.series, (BEFORE, ACCENT), strict=False):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour
    chart.category_axis.tick_labels.font.size = Pt(size)
    chart.value_axis.tick_labels.font.size = Pt(size - 1)
    chart.value_axis.has_major_gridlines = False


def _roles_slides(prs: PresentationType, s: Summary) -> None:
    roles = s.chart_roles()
    if roles:
        slide = _slide(prs, f"{TITLES['roles']}: hours per {s.period}, before and after")
        data = CategoryChartData(number_format="#,##0.0")
        data.categories = [r.name for r in roles]
        data.add_series("Before", [r.before_hours for r in roles])
        data.add_series("After", [r.after_hours for r in roles])
        chart = shapes.chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, MARGIN, BODY_TOP, BODY_W, BODY_BOTTOM - BODY_TOP, data)
        _style_chart(chart, 12 if len(roles) <= 12 else 10 if len(roles) <= 20 else 8)
        chart.category_axis.reverse_order = True  # first role at the top, as in the tables
    _table_slides(prs, f"{TITLES['roles']}: hours and new duties", t.roles(s), 11)
    _table_slides(prs, "AI agents", t.agents(s), 12)


def _note_slide(prs: PresentationType, title: str, text: str) -> None:
    slide = _slide(prs, title)
    _text(slide, MARGIN, BODY_TOP, BODY_W, Inches(1), [text], (16,), colour=GREY)


def _skills_slides(prs: PresentationType, s: Summary) -> None:
    if not _table_slides(prs, TITLES["skills"], t.skills(s), 11):
        _note_slide(prs, TITLES["skills"], t.NO_SKILLS)
    title = f"Reskilling priorities (top {len(s.reskilling)} of {s.reskilling_total})"
    _table_slides(prs, title, t.reskilling(s), 12)
    _table_slides(prs, "Deskilling warnings", t.deskilling(s), 12)


def _incentive_slides(prs: PresentationType, s: Summary) -> None:
    shown = _table_slides(prs, f"{TITLES['incentives']}: by step", t.step_metrics(s), 10)
    shown += _table_slides(prs, f"{TITLES['incentives']}: shared and outcome metrics", t.shared_metrics(s), 11)
    if not shown:
        _note_slide(prs, TITLES["incentives"], t.NO_METRICS)


SLIDE_CELL_CHARS = 420
"""A consolidated flag can list every step it covers; on a slide a cell stops here (the PDF and HTML keep all)."""


def _slide_cell(text: str) -> str:
    if len(text) <= SLIDE_CELL_CHARS:
        return text
    return text[: SLIDE_CELL_CHARS - 40].rsplit(" ", 1)[0] + " … (full list in the PDF or HTML summary)"


def _governance_slides(prs: PresentationType, s: Summary) -> None:
    data = t.governance(s)
    data = dataclasses.replace(data, rows=[[_slide_cell(cell) for cell in row] for row in data.rows])
    if not _table_slides(prs, TITLES["governance"], data, 10):
        _note_slide(prs, TITLES["governance"], t.NO_FLAGS)


def _pilot_slides(prs: PresentationType, s: Summary) -> None:
    slides = _table_slides(prs, TITLES["pilot"], t.pilot(s), 12)
    if not slides:
        _note_slide(prs, TITLES["pilot"], t.NO_PILOT)


def _disagreement_slides(prs: PresentationType, s: Summary) -> None:
    if not _table_slides(prs, TITLES["disagreements"], t.disagreements(s), 12):
        _note_slide(prs, TITLES["disagreements"], t.no_disagreements(s))


def _notes_slides(prs: PresentationType, s: Summary) -> None:
    if not _table_slides(prs, TITLES["notes"], notes_table(s.open_notes), 11):
        _note_slide(prs, TITLES["notes"], no_notes(s.workshop))


def _decision_slides(prs: PresentationType, s: Summary) -> None:
    if not _table_slides(prs, TITLES["decisions"], t.decisions(s), 10):
        _note_slide(prs, TITLES["decisions"], t.NO_DECISIONS)


def _sources_slides(prs: PresentationType, s: Summary) -> None:
    slide = _slide(prs, TITLES["sources"])
    height = Inches(2.4)
    _text(slide, MARGIN, BODY_TOP, BODY_W, height, s.attribution, (12, 11, 10, 9))
    _table_slides(prs, TITLES["sources"], t.sources(s), 9, BODY_TOP + height + Inches(0.1), first_slide=slide)


# --------------------------------------------------------------------------- the flow as shapes


class _FlowFrame:
    LABEL_W = Inches(1.3)

    def __init__(self, page: ChartPage, top: int) -> None:
        self.x0 = MARGIN + self.LABEL_W
        self.top = top
        self.col_w = (SLIDE_W - MARGIN - self.x0) / max(1, page.columns)
        self.row_h = min(Inches(0.95), (BODY_BOTTOM - top) / max(1.0, page.rows))

    def point(self, x: float, y: float) -> tuple[int, int]:
        return int(self.x0 + x * self.col_w), int(self.top + y * self.row_h)


def _legend(slide: Slide, top: int, continued: bool) -> None:
    """The tag chips and the rework loop; the continuation marks only when the diagram spans slides."""
    x: int = MARGIN
    for tag in (*fmt.TAGS, None):
        chip = shapes.autoshape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, x, top, Inches(0.55), Inches(0.26))
        chip.fill.solid()
        chip.fill.fore_color.rgb = _rgb(fmt.TAG_COLOUR[tag])
        chip.line.fill.background()
        chip.text_frame.text = fmt.TAG_BADGE[tag]
        run = chip.text_frame.paragraphs[0].runs[0]
        run.font.size, run.font.bold, run.font.color.rgb = Pt(9), True, RGBColor(0xFF, 0xFF, 0xFF)
        label = shapes.textbox(slide, x + Inches(0.6), top - Inches(0.04), Inches(1.55), Inches(0.32))
        label.text_frame.text = fmt.TAG_NAME[tag]
        label.text_frame.paragraphs[0].runs[0].font.size = Pt(11)
        x += Inches(2.2)
    note = shapes.textbox(slide, x, top - Inches(0.04), SLIDE_W - MARGIN - x, Inches(0.36))
    note.text_frame.word_wrap = True
    note.text_frame.auto_size = MSO_AUTO_SIZE.NONE
    more = " · → n: to step n on another slide" if continued else ""  # n, not a number a flow may lack
    note.text_frame.text = f"dashed: rework loop{more}"
    note.text_frame.paragraphs[0].runs[0].font.size = Pt(10)
    note.text_frame.paragraphs[0].runs[0].font.color.rgb = GREY


def _lane_bands(slide: Slide, frame: _FlowFrame, page: ChartPage) -> None:
    for band in page.bands:
        _, y = frame.point(0, band.top)
        _, y2 = frame.point(0, band.top + band.height)
        rect = shapes.autoshape(slide, MSO_SHAPE.RECTANGLE, MARGIN, y, BODY_W, y2 - y)
        rect.fill.solid()
        rect.fill.fore_color.rgb = _tint(band.colour, 0.08)
        rect.line.color.rgb = _tint(band.colour, 0.45)
        rect.line.width = Pt(0.5)
        rect.shadow.inherit = False
        label = shapes.autoshape(slide, MSO_SHAPE.RECTANGLE, MARGIN, y, _FlowFrame.LABEL_W - Inches(0.1), y2 - y)
        label.fill.solid()
        label.fill.fore_color.rgb = _tint(band.colour, 0.25)
        label.line.fill.background()
        label.shadow.inherit = False
        label.text_frame.word_wrap = True
        label.text_frame.text = band.name
        size = _fit([band.name], _pt(_FlowFrame.LABEL_W) - 16, _pt(y2 - y) - 8, (14, 12, 10, 9, 8))
        run = label.text_frame.paragraphs[0].runs[0]
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), True, _rgb(band.colour)


def _step_boxes(slide: Slide, frame: _FlowFrame, page: ChartPage) -> dict[str, Shape]:
    drawn: dict[str, Shape] = {}
    w, h = int(frame.col_w * BOX_W), int(frame.row_h * BOX_H)
    for box in page.boxes:
        cx, cy = frame.point(box.x + 0.5, box.y)
        shape = shapes.autoshape(slide, MSO_SHAPE.ROUNDED_RECTANGLE, cx - w // 2, cy - h // 2, w, h)
        colour = fmt.TAG_COLOUR[box.tag]
        shape.fill.solid()
        shape.fill.fore_color.rgb = _tint(colour, 0.14)
        shape.line.color.rgb = _rgb(colour)
        shape.line.width = Pt(1.5)
        shape.shadow.inherit = False
        shape.name = f"step {box.number}: {box.step_id}"
        text = shape.text_frame
        text.word_wrap = True
        text.auto_size = MSO_AUTO_SIZE.NONE
        text.vertical_anchor = MSO_ANCHOR.MIDDLE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(text, side, Pt(2))
        head = f"{fmt.TAG_BADGE[box.tag]} {box.number} · "
        name, sizes = box.name, (12, 11, 10, 9, 8, 7, 6)
        # A name too long even at the smallest size is cut with an ellipsis (the step table has it whole).
        while not _fits([head + name], _pt(w) - 4, _pt(h) - 4, sizes[-1]) and len(name) > 8:
            name = fmt.truncate(box.name, len(name) - 4)
        size = _fit([head + name], _pt(w) - 4, _pt(h) - 4, sizes)
        paragraph = text.paragraphs[0]
        paragraph.alignment = PP_ALIGN.CENTER
        for part, bold, tone in ((head, True, _rgb(colour)), (name, False, INK)):
            run = paragraph.add_run()
            run.text = part
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, tone
        drawn[box.step_id] = shape
    return drawn


def _flow_arrows(slide: Slide, frame: _FlowFrame, page: ChartPage, boxes: dict[str, Shape]) -> None:
    for arrow in page.arrows:
        points = [frame.point(x, y) for x, y in arrow.points]
        source, target = boxes[arrow.source], boxes[arrow.target]
        if arrow.loop or len(points) > 4:
            builder = slide.shapes.build_freeform(*points[0])
            builder.add_line_segments(points[1:], close=False)
            shape = builder.convert_to_shape()
            shape.fill.background()
            shape.shadow.inherit = False
            _arrowhead(shape, LOOP if arrow.loop else GREY, dashed=arrow.loop)
            continue
        kind = MSO_CONNECTOR.STRAIGHT if len(points) == 2 else MSO_CONNECTOR.ELBOW
        connector = shapes.connector(slide, kind, points[0], points[-1])
        connector.begin_connect(source, 3)  # right side of the source
        connector.end_connect(target, 1)  # left side of the target
        if kind == MSO_CONNECTOR.ELBOW:
            x_start, x_end = points[0][0], points[-1][0]
            _elbow_adjust(connector, (points[1][0] - x_start) / max(1, x_end - x_start))
        _arrowhead(connector, GREY)


def _flow_stubs(slide: Slide, frame: _FlowFrame, page: ChartPage) -> None:
    w = int(frame.col_w * BOX_W)
    h = int(frame.row_h * BOX_H)
    for stub in page.stubs:
        box = page.box(stub.step_id)
        cx, cy = frame.point(box.x + 0.5, box.y)
        numbers = ", ".join(str(n) for n in stub.numbers[:3]) + ("…" if len(stub.numbers) > 3 else "")
        mark = "↺ " if stub.loop else ""
        text = f"{mark}→ {numbers}" if stub.direction == "out" else f"{mark}{numbers} →"
        height = Inches(0.2)
        top = max(BODY_TOP, cy - h // 2 - height)
        # The box's width: "from" numbers on its left, "to" numbers on its right, both above it.
        label = shapes.textbox(slide, cx - w // 2, top, w, height)
        frame_ = label.text_frame
        frame_.word_wrap = False
        frame_.auto_size = MSO_AUTO_SIZE.NONE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(frame_, side, 0)
        frame_.text = text
        paragraph = frame_.paragraphs[0]
        paragraph.alignment = PP_ALIGN.RIGHT if stub.direction == "out" else PP_ALIGN.LEFT
        run = paragraph.runs[0]
        run.font.size, run.font.bold = Pt(8), True
        run.font.color.rgb = LOOP if stub.loop else GREY


def _send_lines_back(slide: Slide, after: etree._Element) -> None:
    """Connectors and loop lines under the boxes: moved to just after ``after`` (the last lane band)."""
    tree = slide.shapes._spTree
    lines = [el for el in tree.iterchildren() if el.tag == qn("p:cxnSp") or _is_freeform(el)]
    for el in reversed(lines):
        after.addnext(el)


def _is_freeform(el: etree._Element) -> bool:
    return el.tag == qn("p:sp") and el.find(f".//{qn('a:custGeom')}") is not None


def _flow_slides(prs: PresentationType, s: Summary, progress: Progress | None = None) -> None:
    pages = chart_pages(s.flow, s.tags, MAX_DIAGRAM_COLUMNS)
    for page in pages:
        title = TITLES["flow"] if len(pages) == 1 else f"{TITLES['flow']} ({page.index + 1}/{len(pages)})"
        slide = _slide(prs, title)
        _legend(slide, BODY_TOP - Inches(0.1), len(pages) > 1)
        frame = _FlowFrame(page, BODY_TOP + Inches(0.35))
        _lane_bands(slide, frame, page)
        last_band = slide.shapes._spTree[-1]
        boxes = _step_boxes(slide, frame, page)
        _flow_arrows(slide, frame, page, boxes)
        _send_lines_back(slide, last_band)
        _flow_stubs(slide, frame, page)
        if progress is not None:
            progress((page.index + 1) / len(pages), f"flow slide {page.index + 1} of {len(pages)}")


Progress = Callable[[float, str], None]
"""Called with the share done (0..1) and what is being drawn, so a page can show a progress bar."""


def render_pptx(summary: Summary, progress: Progress | None = None) -> bytes:
    """The summary as PPTX bytes (16:9). `progress`, if given, hears how far the rendering is."""

    def report(done: float, what: str) -> None:
        if progress is not None:
            progress(min(1.0, done), what)

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = summary.title
    prs.core_properties.author = "Crossflow"
    _executive_slide(prs, summary)
    _headline_slide(prs, summary)
    _scope_slide(prs, summary)
    _e2e_slide(prs, summary)
    report(0.05, "headline slides")
    _flow_slides(prs, summary, lambda share, what: report(0.05 + 0.55 * share, what))  # the flow is most of the work
    sections = (
        _roles_slides,
        _skills_slides,
        _incentive_slides,
        _governance_slides,
        _pilot_slides,
        _disagreement_slides,
        _notes_slides,
        _decision_slides,
        _sources_slides,
    )
    for i, section in enumerate(sections):
        section(prs, summary)
        report(0.6 + 0.3 * (i + 1) / len(sections), "detail slides")
    buffer = io.BytesIO()
    prs.save(buffer)
    report(1.0, "saved")
    return buffer.getvalue()


__all__ = ["SLIDE_H", "SLIDE_W", "render_pptx"]
