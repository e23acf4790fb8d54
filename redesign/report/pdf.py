"""The summary as a PDF (fpdf2, landscape A4), with no browser and no image library.

The swimlane diagram and the roles chart are drawn with fpdf2's own primitives
(rectangles, lines, polygons), so they stay sharp at any zoom and render anywhere.
Text uses DejaVu Sans for Unicode (Latin, Greek, Cyrillic, arrows, dashes), with
WenQuanYi Micro Hei as the fallback for Chinese, Japanese and Korean names when it is
installed (Debian fonts-wqy-microhei; a name in a script no font covers loses those
characters, with a warning from fpdf2). When DejaVu is missing the core Helvetica font
is used and characters outside Latin-1 are replaced, with a note on the first page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from redesign.flowchart import BOX_H, BOX_W, Box, ChartPage, chart_pages
from redesign.report import formatting as fmt
from redesign.report import tables as t
from redesign.report.notes import no_notes, notes_table
from redesign.report.summary import HEADLINE_TITLE, TITLES, Headline, Summary
from redesign.report.tables import TableData

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
"""CJK fallback (Debian fonts-wqy-microhei, 4.5 MB; one face, used for bold and italic too)."""
FALLBACK_NOTE = (
    "Note: the DejaVu fonts (Debian package fonts-dejavu-core) were not found, so this PDF uses a Latin-1 font "
    "and characters outside it are shown as '?'."
)

PAGE_W, PAGE_H, MARGIN = 297.0, 210.0, 12.0
BODY_W = PAGE_W - 2 * MARGIN
MAX_DIAGRAM_COLUMNS = 10
"""Columns per diagram page: at 10, a box is about 21 mm wide and a name of 40 characters fits at 6.5 pt."""

GREY = (97, 97, 97)
LIGHT = (238, 238, 238)
INK = (33, 33, 33)
ACCENT = (21, 101, 192)
GOOD, BAD = (46, 125, 50), (198, 40, 40)
LOOP = (142, 36, 170)
Colour = tuple[int, int, int]


def rgb(hex_colour: str) -> Colour:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def tint(colour: Colour, amount: float) -> Colour:
    """``colour`` mixed with white: amount 0 = white, 1 = the colour."""
    r, g, b = colour
    return (
        round(255 - (255 - r) * amount),
        round(255 - (255 - g) * amount),
        round(255 - (255 - b) * amount),
    )


_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
"""CJK radicals to unified ideographs (kana included), Hangul syllables, compatibility ideographs, full-width forms."""


def _needs_cjk(summary: Summary) -> bool:
    """Whether any text of the summary is Chinese, Japanese or Korean (the fallback font costs ~0.5 s to load)."""
    return _CJK.search(summary.model_dump_json()) is not None


class _Doc(FPDF):
    def __init__(self, title: str, font_dir: Path, cjk_font: Path | None) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.doc_title = title
        self.unicode = all((font_dir / name).is_file() for name in FONT_FILES.values())
        if self.unicode:
            for style, name in FONT_FILES.items():
                self.add_font("DejaVu", style=style, fname=str(font_dir / name))
            self.family = "DejaVu"
            if cjk_font is not None and cjk_font.is_file():
                self.add_font("CJK", fname=str(cjk_font))
                self.set_fallback_fonts(["CJK"], exact_match=False)
        else:
            self.family = "helvetica"
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)
        self.set_title(self.txt(title))
        self.set_creator("Crossflow")
        self.alias_nb_pages()
        self._widths: dict[tuple[str, str, float, str], float] = {}

    def txt(self, text: str) -> str:
        """Text safe for the current font (everything with DejaVu; Latin-1 with the core font)."""
        if self.unicode:
            return text
        text = text.replace("→", "->").replace("–", "-").replace("—", "-").replace("…", "...").replace("·", "-")
        return text.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, style: str = "") -> None:
        self.set_font(self.family, style=style, size=size)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.font(7)
        self.set_text_color(*GREY)
        self.cell(0, 4, self.txt(f"Crossflow · {self.doc_title} · page {self.page_no()}/{{nb}}"), align=Align.R)
        self.set_text_color(*INK)

    def width_of(self, word: str) -> float:
        key = (self.font_family, self.font_style, self.font_size_pt, word)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self.get_string_width(word)
        return found

    def has_glyphs(self, text: str) -> bool:
        """Whether the current font draws every character (else a fallback font must, through cell())."""
        if text.isascii() or not self.unicode:
            return True
        cmap = getattr(self.current_font, "cmap", None)
        return cmap is None or all(ord(ch) in cmap for ch in text)

    def wrap(self, text: str, width: float) -> list[str]:
        """Lines of ``text`` that fit ``width`` mm in the current font (long words are cut)."""
        space = self.width_of(" ")
        lines: list[str] = []
        line, line_w = "", 0.0
        for word in self.txt(text).split():
            word_w = self.width_of(word)
            while word_w > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and self.get_string_width(word[:cut]) > width:
                    cut -= 1
                if line:
                    lines.append(line)
                    line, line_w = "", 0.0
                lines.append(word[:cut])
                word = word[cut:]
                word_w = self.width_of(word)
            if line and line_w + space + word_w > width:
                lines.append(line)
                line, line_w = word, word_w
            elif line:
                line, line_w = f"{line} {word}", line_w + space + word_w
            else:
                line, line_w = word, word_w
        if line:
            lines.append(line)
        return lines or [""]

    def wrap_lines(self, text: str, width: float) -> list[str]:
        """``wrap`` paragraph by paragraph: a newline in the text starts a new line."""
        return [line for part in text.split("\n") for line in self.wrap(part, width)]


# --------------------------------------------------------------------------- building blocks


def _heading(pdf: _Doc, text: str, space_needed: float = 40.0) -> None:
    if pdf.get_y() > PAGE_H - MARGIN - space_needed:
        pdf.add_page()
    elif pdf.get_y() > MARGIN + 1:
        pdf.ln(4)
    pdf.font(14, "B")
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 8, pdf.txt(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN, pdf.get_y(), PAGE_W - MARGIN, pdf.get_y())
    pdf.ln(2)
    pdf.set_text_color(*INK)


def _sub(pdf: _Doc, text: str) -> None:
    if pdf.get_y() > PAGE_H - MARGIN - 30:
        pdf.add_page()
    pdf.ln(1)
    pdf.font(10.5, "B")
    pdf.cell(0, 6, pdf.txt(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _para(pdf: _Doc, text: str, size: float = 9.5, style: str = "", colour: Colour = INK) -> None:
    pdf.font(size, style)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.5, pdf.txt(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _bullets(pdf: _Doc, items: Sequence[str], size: float = 9.5) -> None:
    pdf.font(size)
    for item in items:
        pdf.set_x(MARGIN + 2)
        pdf.cell(4, size * 0.5, pdf.txt("•"))
        pdf.multi_cell(BODY_W - 6, size * 0.5, pdf.txt(item), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(0.6)


def _table(pdf: _Doc, data: TableData, size: float = 8.0, caption: str = "") -> None:
    """A table over the body width; the header repeats on every page.

    Drawn with cells and lines rather than ``FPDF.table``: fpdf2's table measures every
    prefix of every line (quadratic in the line length) and took 1.9 of the 2.3 s this
    document needed; wrapping with cached word widths keeps the sample well under 1 s.
    """
    if not data:
        return
    if caption:
        _sub(pdf, caption)
    header, rows, widths, aligns = data.header, data.rows, data.widths, data.align
    colours = {key: rgb(value) for key, value in data.colours.items()}
    total = sum(widths)
    col_w = [BODY_W * w / total for w in widths]
    line_h = size * 0.45
    pad = 1.0

    def lines_of(cells: Sequence[str], style: str, row: int | None = None) -> list[list[str]]:
        # Measure each cell in the font it is drawn in: coloured cells are bold, and bold text
        # measured as regular ran into the next column (issue 16 point 9: the tag into Owner).
        out: list[list[str]] = []
        for c, (text, w) in enumerate(zip(cells, col_w, strict=True)):
            bold = style == "B" or (row is not None and (row, c) in colours)
            pdf.font(size, "B" if bold else "")
            out.append(pdf.wrap_lines(text, w - 2 * pad))
        return out

    def draw(cells: list[list[str]], y: float, height: float, style: str, row: int | None) -> None:
        x, margin = MARGIN, pdf.c_margin
        pdf.c_margin = 0  # the text goes exactly where it was measured
        for c, (lines, w) in enumerate(zip(cells, col_w, strict=True)):
            colour = colours.get((row, c)) if row is not None else None
            pdf.font(size, "B" if colour or style == "B" else "")
            pdf.set_text_color(*(colour or INK))
            for i, line in enumerate(lines):
                width = pdf.get_string_width(line)
                tx = x + pad if aligns[c] == "L" else x + w - pad - width if aligns[c] == "R" else x + (w - width) / 2
                if pdf.has_glyphs(line):  # text() is several times faster than cell() ...
                    pdf.text(tx, y + pad + (i + 0.78) * line_h, line)
                else:  # ... but only cell() falls back to the CJK font for glyphs DejaVu lacks
                    pdf.set_xy(tx, y + pad + i * line_h)
                    pdf.cell(width, line_h, line)
            x += w
        pdf.c_margin = margin
        pdf.set_text_color(*INK)
        pdf.set_draw_color(210, 210, 210)
        pdf.set_line_width(0.15)
        pdf.line(MARGIN, y + height, MARGIN + BODY_W, y + height)

    head = lines_of(header, "B")
    head_h = max(len(c) for c in head) * line_h + 2 * pad
    bottom = PAGE_H - MARGIN - 5

    def draw_header() -> float:
        y = pdf.get_y()
        pdf.set_fill_color(*LIGHT)
        pdf.rect(MARGIN, y, BODY_W, head_h, style="F")
        draw(head, y, head_h, "B", None)
        return y + head_h

    if pdf.get_y() + head_h + 3 * line_h > bottom:
        pdf.add_page()
    y = draw_header()
    room = bottom - (MARGIN + head_h)
    for r, cells in enumerate(rows):
        wrapped = lines_of(cells, "", r)
        most = max(1, int((room - 2 * pad) / line_h))
        wrapped = [c if len(c) <= most else [*c[: most - 1], c[most - 1] + "…"] for c in wrapped]
        height = max(len(c) for c in wrapped) * line_h + 2 * pad
        if y + height > bottom:
            pdf.add_page()
            pdf.set_y(MARGIN)
            y = draw_header()
        draw(wrapped, y, height, "", r)
        y += height
    pdf.set_y(y + 3)


# --------------------------------------------------------------------------- headline page


def _tile(pdf: _Doc, x: float, y: float, w: float, h: float, item: Headline) -> None:
    pdf.set_fill_color(*tint(ACCENT, 0.07))
    pdf.set_draw_color(*tint(ACCENT, 0.35))
    pdf.set_line_width(0.3)
    pdf.rect(x, y, w, h, style="DF", round_corners=True, corner_radius=2)
    pdf.set_xy(x + 3, y + 2.5)
    pdf.font(9)
    pdf.set_text_color(*GREY)
    pdf.cell(w - 6, 4.5, pdf.txt(item.label))
    pdf.set_xy(x + 3, y + 8)
    pdf.font(14, "B")
    pdf.set_text_color(*INK)
    value = f"{fmt.figure(item.before, item.unit)} → {fmt.figure(item.after, item.unit)}"
    if pdf.get_string_width(pdf.txt(value)) > w - 6:
        pdf.font(11.5, "B")
    pdf.cell(w - 6, 7, pdf.txt(value))
    if not item.known:
        pdf.set_xy(x + 3, y + 8)
        pdf.set_fill_color(*tint(ACCENT, 0.07))
        pdf.rect(x + 1, y + 7.5, w - 2, 13, style="F")
        pdf.font(14, "B")
        pdf.cell(w - 6, 7, pdf.txt("unknown"))
        pdf.set_xy(x + 3, y + 16)
        pdf.font(8)
        pdf.set_text_color(*GREY)
        pdf.cell(w - 6, 5, pdf.txt("not measured: ask the people downstream"))
        pdf.set_text_color(*INK)
        return
    shown = fmt.shown_change(item.before, item.after, item.unit)
    zero = fmt.is_zero_change(shown, item.unit)
    improved = item.change < 0 if item.better == "lower" else item.change > 0
    pdf.set_text_color(*(GREY if zero else GOOD if improved else BAD))
    pdf.set_xy(x + 3, y + 16)
    pdf.font(9.5, "B")
    change = "no change" if zero else fmt.change(shown, item.unit)
    pdf.cell(24, 5, pdf.txt(change))
    spread = fmt.range_text(item.low, item.high, item.unit)
    if spread:
        pdf.font(7.5)
        pdf.set_text_color(*GREY)
        pdf.set_xy(x + 27, y + 16)
        pdf.cell(w - 30, 5, pdf.txt(spread))
    pdf.set_text_color(*INK)


def _headline_page(pdf: _Doc, s: Summary) -> None:
    """The executive page: what changes, for whom, hours with their range, risks, the shared metric, the pilot."""
    pdf.add_page()
    pdf.font(18, "B")
    pdf.multi_cell(0, 8, pdf.txt(s.title), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _para(pdf, f"{t.subtitle(s)} · {s.executive.basis}", 9, colour=GREY)
    if not pdf.unicode:
        _para(pdf, FALLBACK_NOTE, 8, colour=BAD)
    if s.executive.blocked:
        pdf.ln(1)
        pdf.set_fill_color(*BAD)
        pdf.set_text_color(255, 255, 255)
        pdf.font(10, "B")
        text = "BLOCKED: the savings below cannot be realised until the BLOCK flags are resolved."
        pdf.cell(0, 7, pdf.txt(text), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
    pdf.ln(2)
    label_w = 34.0
    for label, lines in t.executive(s):
        pdf.font(9.5, "B")
        pdf.set_text_color(*ACCENT)
        y = pdf.get_y()
        pdf.set_xy(MARGIN, y)
        pdf.cell(label_w, 5, pdf.txt(label))
        pdf.set_text_color(*INK)
        pdf.font(9.5, "B" if label == "Hours" else "")
        for line in lines:
            pdf.set_x(MARGIN + label_w)
            pdf.multi_cell(BODY_W - label_w, 4.8, pdf.txt(line), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.2)
    pdf.ln(1)
    gap, cols = 4.0, 3
    w, h = (BODY_W - gap * (cols - 1)) / cols, 22.0
    tiles = [x for x in s.headline if x.key in ("hours", "fte", "lead_time", "rolled_pca", "handoffs", "hours_year")]
    rows = (len(tiles) + cols - 1) // cols
    # The tiles and the governance chips under them (7 mm) end above the automatic page break, which
    # sits 4 mm above the margin: with only the margin reserved, the chips went alone to page 2.
    if pdf.get_y() + rows * (h + gap) + CHIPS_H > pdf.page_break_trigger:
        tiles, rows = tiles[:cols], 1  # the first page stays one page: the rest is on page 2
    y0 = pdf.get_y()
    for i, item in enumerate(tiles):
        _tile(pdf, MARGIN + (i % cols) * (w + gap), y0 + (i // cols) * (h + gap), w, h, item)
    pdf.set_y(y0 + rows * (h + gap))
    _flag_chips(pdf, s)


def _scope_and_highlights(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["scope"])
    if s.goal:
        _para(pdf, f"Goal: {fmt.truncate(s.goal, 600)}", 10)
    _para(pdf, f"Scope: {t.scope_line(s)}", 9.5, colour=GREY)
    _sub(pdf, HEADLINE_TITLE)
    _table(pdf, t.headline(s), 8.5)
    _bullets(pdf, s.highlights, 9)
    if s.ranges:
        _sub(pdf, "How sure: ranges over the uncertain assumptions")
        _table(pdf, t.ranges(s), 8)
    if s.sensitivity:
        _sub(pdf, "Which assumption moves the hours saved most")
        _table(pdf, t.sensitivity(s), 8)


CHIPS_H = 7.0
"""Height of the governance chips line under the headline tiles."""


def _flag_chips(pdf: _Doc, s: Summary) -> None:
    pdf.font(10, "B")
    pdf.set_x(MARGIN)
    pdf.cell(28, CHIPS_H, pdf.txt("Governance:"))
    for label, n in (("BLOCK", s.flags.block), ("WARN", s.flags.warn), ("INFO", s.flags.info)):
        colour = rgb(fmt.SEVERITY_COLOUR[label])
        text = pdf.txt(f"{n} {label}")
        w = pdf.get_string_width(text) + 6
        x, y = pdf.get_x(), pdf.get_y()
        pdf.set_fill_color(*(colour if n else LIGHT))
        pdf.rect(x, y + 0.5, w, 6, style="F", round_corners=True, corner_radius=1.5)
        pdf.set_text_color(*((255, 255, 255) if n else GREY))
        pdf.cell(w, 7, text, align=Align.C)
        pdf.set_x(x + w + 3)
    pdf.set_text_color(*INK)
    pdf.ln(9)


# --------------------------------------------------------------------------- the diagram


def _legend(pdf: _Doc, y: float, continued: bool) -> None:
    """The tag badges and the rework loop; the continuation marks only when the diagram spans pages."""
    pdf.font(7.5)
    x = MARGIN
    for tag in (*fmt.TAGS, None):
        colour = rgb(fmt.TAG_COLOUR[tag])
        pdf.set_fill_color(*colour)
        pdf.rect(x, y + 0.8, 7, 3.4, style="F", round_corners=True, corner_radius=0.8)
        pdf.set_text_color(255, 255, 255)
        pdf.font(6, "B")
        pdf.set_xy(x, y)
        pdf.cell(7, 5, pdf.txt(fmt.TAG_BADGE[tag]), align=Align.C)
        pdf.set_text_color(*INK)
        pdf.font(7.5)
        label = pdf.txt(fmt.TAG_NAME[tag])
        pdf.set_xy(x + 8, y)
        pdf.cell(pdf.get_string_width(label) + 2, 5, label)
        x += 8 + pdf.get_string_width(label) + 7
    pdf.set_draw_color(*LOOP)
    pdf.set_dash_pattern(1.2, 0.8)
    pdf.line(x, y + 2.5, x + 8, y + 2.5)
    pdf.set_dash_pattern()
    pdf.set_xy(x + 9, y)
    more = "   ·   → n: continues at step n on another page" if continued else ""  # n, not a number a flow may lack
    pdf.cell(40, 5, pdf.txt(f"rework loop{more}"))


def _arrowhead(pdf: _Doc, tip: tuple[float, float], start: tuple[float, float], size: float = 1.6) -> None:
    (x1, y1), (x0, y0) = tip, start
    dx, dy = x1 - x0, y1 - y0
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    base = (x1 - ux * size * 1.6, y1 - uy * size * 1.6)
    left = (base[0] - uy * size * 0.7, base[1] + ux * size * 0.7)
    right = (base[0] + uy * size * 0.7, base[1] - ux * size * 0.7)
    pdf.polygon([tip, left, right], style="F")


class _Frame:
    """Page units (columns, rows) to millimetres for one diagram page."""

    LABEL_W = 24.0

    def __init__(self, page: ChartPage, top: float, bottom: float) -> None:
        self.x0 = MARGIN + self.LABEL_W
        self.col_w = (PAGE_W - MARGIN - self.x0) / max(1, page.columns)
        self.row_h = min(26.0, (bottom - top) / max(1.0, page.rows))
        self.top = top
        self.box_w = self.col_w * BOX_W
        self.box_h = self.row_h * BOX_H

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.x0 + x * self.col_w, self.top + y * self.row_h

    def centre(self, box: Box) -> tuple[float, float]:
        return self.point(box.x + 0.5, box.y)


def _draw_box(pdf: _Doc, frame: _Frame, box: Box) -> None:
    cx, cy = frame.centre(box)
    x, y, w, h = cx - frame.box_w / 2, cy - frame.box_h / 2, frame.box_w, frame.box_h
    colour = rgb(fmt.TAG_COLOUR[box.tag])
    pdf.set_fill_color(*tint(colour, 0.14))
    pdf.set_draw_color(*colour)
    pdf.set_line_width(0.5)
    pdf.rect(x, y, w, h, style="DF", round_corners=True, corner_radius=1.8)
    badge = pdf.txt(fmt.TAG_BADGE[box.tag])
    pdf.font(5.5, "B")
    bw = pdf.get_string_width(badge) + 2.2
    pdf.set_fill_color(*colour)
    pdf.rect(x + 0.8, y + 0.8, bw, 3.2, style="F", round_corners=True, corner_radius=0.8)
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(x + 0.8, y + 0.8)
    pdf.cell(bw, 3.2, badge, align=Align.C)
    pdf.set_text_color(*GREY)
    pdf.font(5.5)
    pdf.set_xy(x + w - 9, y + 0.8)
    pdf.cell(8.2, 3.2, str(box.number), align=Align.R)
    pdf.set_text_color(*INK)
    _box_text(pdf, box.name, x + 1.2, y + 4.4, w - 2.4, h - 5.0)


def _box_text(pdf: _Doc, text: str, x: float, y: float, w: float, h: float) -> None:
    """The name in the largest size that fits; at the smallest size the last line ends in an ellipsis."""
    for size in (7.0, 6.5, 6.0, 5.5, 5.0):
        pdf.font(size)
        line_h = size * 0.42
        lines = pdf.wrap(text, w)
        if len(lines) * line_h <= h:
            break
    else:
        keep = max(1, int(h / line_h))
        lines = lines[:keep]
        while lines[-1] and pdf.get_string_width(lines[-1] + "…") > w:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + pdf.txt("…")
    top = y + (h - len(lines) * line_h) / 2
    for i, line in enumerate(lines):
        pdf.set_xy(x, top + i * line_h)
        pdf.cell(w, line_h, line, align=Align.C)


def _draw_arrows(pdf: _Doc, frame: _Frame, page: ChartPage) -> None:
    pdf.set_line_width(0.3)
    for arrow in page.arrows:
        points = [frame.point(x, y) for x, y in arrow.points]
        colour = LOOP if arrow.loop else (117, 117, 117)
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        if arrow.loop:
            pdf.set_dash_pattern(1.2, 0.8)
        pdf.polyline(points)
        pdf.set_dash_pattern()
        _arrowhead(pdf, points[-1], points[-2])


def _draw_stubs(pdf: _Doc, frame: _Frame, page: ChartPage) -> None:
    boxes = {b.step_id: b for b in page.boxes}
    pdf.font(5.5, "B")
    for stub in page.stubs:
        cx, cy = frame.centre(boxes[stub.step_id])
        numbers = ", ".join(str(n) for n in stub.numbers[:4]) + ("…" if len(stub.numbers) > 4 else "")
        mark = "↺ " if stub.loop else ""
        text = pdf.txt(f"{mark}→ {numbers}" if stub.direction == "out" else f"{mark}{numbers} →")
        pdf.set_text_color(*(LOOP if stub.loop else GREY))
        width = frame.box_w / 2
        y = cy - frame.box_h / 2 - 3.2
        if stub.direction == "out":
            pdf.set_xy(cx, y)
            pdf.cell(width, 3, text, align=Align.R)
        else:
            pdf.set_xy(cx - width, y)
            pdf.cell(width, 3, text, align=Align.L)
    pdf.set_text_color(*INK)


def _diagram(pdf: _Doc, s: Summary) -> None:
    pages = chart_pages(s.flow, s.tags, MAX_DIAGRAM_COLUMNS)
    for page in pages:
        pdf.add_page()
        title = TITLES["flow"]
        if len(pages) > 1:
            title += f" (diagram {page.index + 1} of {len(pages)})"
        _heading(pdf, title)
        _legend(pdf, pdf.get_y(), len(pages) > 1)
        top = pdf.get_y() + 8
        frame = _Frame(page, top, PAGE_H - MARGIN - 6)
        for band in page.bands:
            y = top + band.top * frame.row_h
            h = band.height * frame.row_h
            colour = rgb(band.colour)
            pdf.set_fill_color(*tint(colour, 0.08))
            pdf.set_draw_color(*tint(colour, 0.45))
            pdf.set_line_width(0.2)
            pdf.rect(MARGIN, y, BODY_W, h, style="DF")
            pdf.set_fill_color(*tint(colour, 0.25))
            pdf.rect(MARGIN, y, _Frame.LABEL_W - 2, h, style="F")
            pdf.font(7.5, "B")
            pdf.set_text_color(*colour)
            lines = pdf.wrap(band.name, _Frame.LABEL_W - 4)[:3]
            for i, line in enumerate(lines):
                pdf.set_xy(MARGIN + 1, y + h / 2 - len(lines) * 1.7 + i * 3.4)
                pdf.cell(_Frame.LABEL_W - 4, 3.4, line)
            pdf.set_text_color(*INK)
        _draw_arrows(pdf, frame, page)
        for box in page.boxes:
            _draw_box(pdf, frame, box)
        _draw_stubs(pdf, frame, page)
        pdf.set_y(top + page.rows * frame.row_h + 2)


# --------------------------------------------------------------------------- the roles chart


def _roles_chart(pdf: _Doc, s: Summary) -> None:
    roles = s.chart_roles()
    if not roles:
        return
    label_w, value_w = 58.0, 16.0
    bar_h, gap = 2.6, 1.8
    row_h = bar_h * 2 + gap
    height = len(roles) * row_h + 10
    if pdf.get_y() + min(height, PAGE_H - 2 * MARGIN - 20) > PAGE_H - MARGIN - 6:
        pdf.add_page()
    _sub(pdf, f"Hours per {s.period} by role, before and after")
    y = pdf.get_y() + 1
    peak = max(max(r.before_hours, r.after_hours) for r in roles) or 1.0
    bar_area = BODY_W - label_w - value_w
    before_c, after_c = (176, 190, 197), ACCENT
    for colour, text, dx in ((before_c, "before", 0.0), (after_c, "after", 22.0)):
        pdf.set_fill_color(*colour)
        pdf.rect(MARGIN + label_w + dx, y, 4, 3, style="F")
        pdf.font(7.5)
        pdf.set_xy(MARGIN + label_w + dx + 5, y - 0.5)
        pdf.cell(15, 4, text)
    y += 6
    for role in roles:
        if y + row_h > PAGE_H - MARGIN - 6:
            pdf.add_page()
            y = pdf.get_y()
        pdf.font(7.5)
        pdf.set_xy(MARGIN, y + 0.4)
        name = role.name
        while pdf.get_string_width(pdf.txt(name)) > label_w - 2 and len(name) > 4:
            name = name[:-2]
        pdf.cell(label_w - 2, bar_h * 2, pdf.txt(name if name == role.name else name.rstrip() + "…"), align=Align.R)
        for i, (value, colour) in enumerate(((role.before_hours, before_c), (role.after_hours, after_c))):
            w = bar_area * value / peak
            by = y + i * bar_h
            pdf.set_fill_color(*colour)
            if w > 0:
                pdf.rect(MARGIN + label_w, by, w, bar_h - 0.3, style="F")
            pdf.font(6.5)
            pdf.set_xy(MARGIN + label_w + w + 1, by - 0.3)
            pdf.cell(value_w, bar_h, pdf.txt(fmt.hours(value)))
        y += row_h
    pdf.set_y(y + 2)


# --------------------------------------------------------------------------- detail sections


def _participants(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["participants"])
    if not s.participants:
        _para(pdf, t.NO_RECORD)
    _table(pdf, t.participants(s), 8.5)


def _end_to_end(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["end_to_end"])
    _table(pdf, t.end_to_end(s), 9)
    _bullets(pdf, [*s.e2e_notes, *s.notes], 8.5)


def _flow_tables(pdf: _Doc, s: Summary) -> None:
    pdf.add_page()
    _table(pdf, t.steps(s), 7.5, "Steps and their tags")
    _table(pdf, t.new_steps(s), 7.5, "New human steps the redesign adds")


def _roles(pdf: _Doc, s: Summary) -> None:
    # Keep the heading with the chart: both move to a new page when the chart does not fit.
    chart_h = len(s.chart_roles()) * 7.0 + 24
    _heading(pdf, TITLES["roles"], min(chart_h, PAGE_H - 2 * MARGIN - 12))
    _roles_chart(pdf, s)
    _table(pdf, t.roles(s), 7)
    _table(pdf, t.agents(s), 7.5, "AI agents")


def _skills(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["skills"])
    if not s.skills:
        _para(pdf, t.NO_SKILLS)
    _table(pdf, t.skills(s), 7.5)
    _table(pdf, t.reskilling(s), 7.5, f"Reskilling priorities (top {len(s.reskilling)} of {s.reskilling_total})")
    _table(pdf, t.deskilling(s), 7.5, "Deskilling warnings")


def _incentives(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["incentives"])
    if not s.step_metrics and not s.shared_metrics:
        _para(pdf, t.NO_METRICS)
    _table(pdf, t.step_metrics(s), 7, "Metrics to retire, add and watch, by step")
    _table(pdf, t.shared_metrics(s), 7.5, "Shared and outcome metrics")


def _governance(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["governance"])
    if not s.governance:
        _para(pdf, t.NO_FLAGS)
    _table(pdf, t.governance(s), 7)


def _pilot(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["pilot"])
    if not s.waves and not s.held:
        _para(pdf, t.NO_PILOT)
    _table(pdf, t.pilot(s), 8)
    _bullets(pdf, t.wave_totals(s) + [p.why for p in s.held], 8.5)


def _disagreements(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["disagreements"])
    if not s.disagreements:
        _para(pdf, t.no_disagreements(s))
    _table(pdf, t.disagreements(s), 8)


def _notes(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["notes"])
    if not s.open_notes:
        _para(pdf, no_notes(s.workshop))
    _table(pdf, notes_table(s.open_notes), 7.5)


def _decisions(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["decisions"])
    if not s.decisions:
        _para(pdf, t.NO_DECISIONS)
    _table(pdf, t.decisions(s), 7)


def _sources(pdf: _Doc, s: Summary) -> None:
    _heading(pdf, TITLES["sources"])
    _table(pdf, t.sources(s), 6.5)
    _sub(pdf, "Attribution")
    for text in s.attribution:
        _para(pdf, text, 7.5)
        pdf.ln(1)


def render_pdf(summary: Summary, font_dir: Path = FONT_DIR, cjk_font: Path = CJK_FONT) -> bytes:
    """The summary as PDF bytes (landscape A4)."""
    pdf = _Doc(summary.title, font_dir, cjk_font if _needs_cjk(summary) else None)
    _headline_page(pdf, summary)
    pdf.add_page()  # the headline is one page; the detail starts on the next
    _scope_and_highlights(pdf, summary)
    _participants(pdf, summary)
    _end_to_end(pdf, summary)
    _diagram(pdf, summary)
    _flow_tables(pdf, summary)
    _roles(pdf, summary)
    _skills(pdf, summary)
    _incentives(pdf, summary)
    _governance(pdf, summary)
    _pilot(pdf, summary)
    _disagreements(pdf, summary)
    _notes(pdf, summary)
    _decisions(pdf, summary)
    _sources(pdf, summary)
    return bytes(pdf.output())


__all__ = ["CJK_FONT", "FONT_DIR", "render_pdf"]
