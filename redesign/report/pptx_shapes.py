"""Typed access to the python-pptx calls the deck uses: sizes in plain EMU integers.

python-pptx 1.0.2 ships annotations, but its shape-tree methods take `Length` (an `int`
subclass) while any sum of lengths is a plain `int`, `slide.shapes.title` may be `None`, and
`add_chart` is annotated as returning the `Chart` although it returns the `GraphicFrame`
holding it. The deck computes geometry with plain integers; these functions are the one
place where they become `Emu` lengths and where the library's loose or wrong annotations are
made precise, so the rest of `redesign/report/pptx.py` is checked as it is written.
"""

from __future__ import annotations

from typing import cast

from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.shapes.autoshape import Shape
from pptx.shapes.connector import Connector
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.table import Table
from pptx.util import Emu


class MissingTitleError(ValueError):
    """The slide layout has no title placeholder (every layout the deck uses has one)."""


def title(slide: Slide) -> Shape:
    """The slide's title placeholder (python-pptx types it `Shape | None`)."""
    shape = slide.shapes.title
    if shape is None:
        raise MissingTitleError(f"slide layout {slide.slide_layout.name!r} has no title placeholder")
    return shape


def textbox(slide: Slide, left: int, top: int, width: int, height: int) -> Shape:
    return slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))


def autoshape(slide: Slide, kind: MSO_SHAPE, left: int, top: int, width: int, height: int) -> Shape:
    return slide.shapes.add_shape(kind, Emu(left), Emu(top), Emu(width), Emu(height))


def table(slide: Slide, rows: int, cols: int, left: int, top: int, width: int, height: int) -> Table:
    return slide.shapes.add_table(rows, cols, Emu(left), Emu(top), Emu(width), Emu(height)).table


def chart(
    slide: Slide, kind: XL_CHART_TYPE, left: int, top: int, width: int, height: int, data: CategoryChartData
) -> Chart:
    frame = slide.shapes.add_chart(
        kind,
        Emu(left),
        Emu(top),
        Emu(width),
        Emu(height),
        # python-pptx annotates `chart_data` as its legacy `ChartData` alias, a subclass of the
        # `CategoryChartData` its docs tell new code to use; the call accepts any chart data.
        data,  # type: ignore[arg-type]
    )
    # Annotated as `Chart`, but it returns the graphic frame (its own docstring says so).
    return cast(GraphicFrame, frame).chart


def connector(slide: Slide, kind: MSO_CONNECTOR, begin: tuple[int, int], end: tuple[int, int]) -> Connector:
    return slide.shapes.add_connector(kind, Emu(begin[0]), Emu(begin[1]), Emu(end[0]), Emu(end[1]))
