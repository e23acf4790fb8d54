"""The swimlane diagram cut into pages, in abstract units: boxes, bands and orthogonal arrow routes.

Pure layout shared by the app's map (one page), the PDF and the slides.

Positions come from `redesign.graph.swimlane_layout` (columns by rank, rows within
lanes). A page shows a window of at most ``max_columns`` columns; a hand-off that
leaves the window becomes a stub naming the step numbers it goes to (or comes from),
so a long flow stays readable instead of shrinking to dots. Lanes without any step
are left out. Units: x in columns from the window's left edge, y in rows from the top.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from redesign.graph import swimlane_layout
from redesign.model import Flow, Tag


@dataclass(frozen=True)
class Band:
    name: str
    colour: str
    top: float
    height: float
    function: str = ""  # the lane's function id (the board drops steps into it)


@dataclass(frozen=True)
class Box:
    step_id: str
    number: int  # 1-based position in the flow, as in the summary's step table
    name: str
    tag: Tag | None
    x: float  # column within the page, 0-based (the box's centre)
    y: float  # row centre from the top


BOX_W = 0.8
"""Box width as a share of a column; the 0.2 left between boxes is the gap arrows run in."""
BOX_H = 0.6
"""Box height as a share of a row; the 0.4 left between rows is the channel arrows run in."""

Point = tuple[float, float]


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    loop: bool  # a rework loop (goes back)
    points: tuple[Point, ...] = ()  # the route, from the source box's edge to the target box's edge


@dataclass(frozen=True)
class Stub:
    """Hand-offs that cross the page edge, gathered per step on this page."""

    step_id: str
    direction: str  # "out": to later pages' steps; "in": from other pages' steps
    numbers: list[int]
    loop: bool


@dataclass
class ChartPage:
    index: int  # 0-based
    first_column: int
    columns: int
    rows: float
    bands: list[Band]
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    stubs: list[Stub] = field(default_factory=list)

    def box(self, step_id: str) -> Box:
        return next(b for b in self.boxes if b.step_id == step_id)


def chart_pages(
    flow: Flow, tags: dict[str, Tag], max_columns: int, *, keep_empty_lanes: bool = False
) -> list[ChartPage]:
    """The diagram in pages of at most ``max_columns`` columns, balanced in width.

    ``keep_empty_lanes``: the live board keeps every function's lane, so a step can be dragged
    (or added) into a function that has none yet; printed pages leave them out."""
    layout = swimlane_layout(flow)
    used = {lane.function for lane in layout.lanes} if keep_empty_lanes else {s.function for s in flow.steps}
    bands: list[Band] = []
    shift: dict[float, float] = {}
    top = 0.0
    for lane in layout.lanes:
        if lane.function not in used:
            continue
        shift[lane.top] = top - lane.top
        bands.append(Band(lane.name, lane.colour, top, lane.height, lane.function))
        top += lane.height
    lane_top = {lane.function: lane.top for lane in layout.lanes}
    if not flow.steps:
        return [ChartPage(0, 0, 1, max(top, 1.0), bands)]
    total = max(1, layout.columns)
    n_pages = math.ceil(total / max(1, max_columns))
    per_page = math.ceil(total / n_pages)
    pages = [
        ChartPage(i, i * per_page, min(per_page, total - i * per_page), max(top, 1.0), bands) for i in range(n_pages)
    ]
    page_of: dict[str, int] = {}
    number = {s.id: i + 1 for i, s in enumerate(flow.steps)}
    for step in flow.steps:
        col, row = layout.positions[step.id]
        index = int(col) // per_page
        page_of[step.id] = index
        y = row + shift[lane_top[step.function]]
        pages[index].boxes.append(
            Box(step.id, number[step.id], step.name, tags.get(step.id), col - index * per_page, y)
        )
    _connect(flow, layout.loops, pages, page_of, number)
    return pages


def _connect(
    flow: Flow,
    loops: set[tuple[str, str]],
    pages: list[ChartPage],
    page_of: dict[str, int],
    number: dict[str, int],
) -> None:
    seen: set[tuple[str, str]] = set()
    stubs: dict[tuple[int, str, str, bool], list[int]] = defaultdict(list)
    for h in flow.handoffs:
        pair = (h.source, h.target)
        if pair in seen or h.source not in page_of or h.target not in page_of:
            continue
        seen.add(pair)
        loop = h.rework or pair in loops
        ps, pt = page_of[h.source], page_of[h.target]
        if ps == pt:
            pages[ps].arrows.append(Arrow(h.source, h.target, loop))
            continue
        stubs[(ps, h.source, "out", loop)].append(number[h.target])
        stubs[(pt, h.target, "in", loop)].append(number[h.source])
    for (page, step_id, direction, loop), numbers in stubs.items():
        pages[page].stubs.append(Stub(step_id, direction, sorted(set(numbers)), loop))
    for chart_page in pages:  # `page` above is an int index
        _route_page(chart_page)


# --------------------------------------------------------------------------- routing


def _route_page(page: ChartPage) -> None:
    """Orthogonal routes that run in the gaps between columns and the channels between rows.

    A forward hand-off leaves its box on the right and enters the next on the left.
    Straight when nothing is in the way; else one vertical run in a column gap (after
    the source or before the target, whichever crosses fewer boxes); else through the
    channel between rows. A rework loop leaves at the bottom and comes back from below.
    Parallel runs in one gap are spread apart so they can be told apart.
    """
    boxes = {b.step_id: b for b in page.boxes}
    used: dict[tuple[str, float], int] = defaultdict(int)
    rows = _Rows(page.boxes)
    routed = []
    for arrow in page.arrows:
        s, t = boxes[arrow.source], boxes[arrow.target]
        points = _loop(s, t, used) if arrow.loop or t.x <= s.x else _forward(rows, s, t, used)
        routed.append(Arrow(arrow.source, arrow.target, arrow.loop, tuple(points)))
    page.arrows = routed


_OFFSETS = (0.0, 0.035, -0.035, 0.07, -0.07)
"""Offsets of parallel runs within a gap or channel; all stay inside the 0.2 gap between boxes."""


def _spread(used: dict[tuple[str, float], int], key: tuple[str, float]) -> float:
    k = used[key]
    used[key] += 1
    return _OFFSETS[k % len(_OFFSETS)]


class _Rows:
    """The boxes' column centres by row, sorted, so counting the boxes between two columns is a
    bisection, not a scan of the page (a scan per hand-off made routing quadratic: 10,000 steps)."""

    def __init__(self, boxes: list[Box]) -> None:
        by_row: dict[float, list[float]] = defaultdict(list)
        for b in boxes:
            by_row[b.y].append(b.x + 0.5)
        self._rows = {y: sorted(xs) for y, xs in by_row.items()}

    def blocked(self, row: float, x_from: float, x_to: float) -> int:
        """Boxes in ``row`` whose column lies strictly between the column boundaries x_from and x_to."""
        low, high = min(x_from, x_to), max(x_from, x_to)
        return sum(bisect_left(xs, high) - bisect_right(xs, low) for y, xs in self._rows.items() if abs(y - row) < 0.5)


def _forward(rows: _Rows, s: Box, t: Box, used: dict[tuple[str, float], int]) -> list[Point]:
    start = (s.x + 0.5 + BOX_W / 2, s.y)
    end = (t.x + 0.5 - BOX_W / 2, t.y)
    if s.y == t.y and rows.blocked(s.y, s.x + 1, t.x) == 0:
        return [start, end]
    after, before = s.x + 1.0, t.x
    cost = {
        g: rows.blocked(s.y, s.x + 1, g) + rows.blocked(t.y, g, t.x) + (1 if s.y == t.y else 0) for g in (after, before)
    }
    gap = min(cost, key=lambda g: (cost[g], -g))
    if cost[gap] == 0:
        x = gap + _spread(used, ("gap", gap))
        return [start, (x, s.y), (x, t.y), end]
    # Through the channel between rows next to the target: no box sits in a channel.
    channel = t.y - 0.5 if t.y > s.y else t.y + 0.5
    x1 = after + _spread(used, ("gap", after))
    x2 = before + _spread(used, ("gap", before))
    y = channel + _spread(used, ("channel", channel))
    return [start, (x1, s.y), (x1, y), (x2, y), (x2, t.y), end]


def _loop(s: Box, t: Box, used: dict[tuple[str, float], int]) -> list[Point]:
    """Back from ``s`` to an earlier ``t``: out of the bottom, along the channel below, into t from below.

    Between rows the loop climbs in the column gap right of ``t``, so it never runs
    through the boxes of other lanes.
    """
    sx, tx = s.x + 0.5 + 0.12, t.x + 0.5 - 0.12
    below_s = s.y + 0.5 - 0.08 + _spread(used, ("channel", s.y + 0.5)) / 2
    if s.y == t.y:
        return [(sx, s.y + BOX_H / 2), (sx, below_s), (tx, below_s), (tx, t.y + BOX_H / 2)]
    gap = t.x + 1.0 + _spread(used, ("gap", t.x + 1.0))
    below_t = t.y + 0.5 - 0.08 + _spread(used, ("channel", t.y + 0.5)) / 2
    return [
        (sx, s.y + BOX_H / 2),
        (sx, below_s),
        (gap, below_s),
        (gap, below_t),
        (tx, below_t),
        (tx, t.y + BOX_H / 2),
    ]
