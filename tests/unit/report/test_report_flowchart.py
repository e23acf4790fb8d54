"""The diagram cut into pages: every step once, arrows orthogonal and never through another box."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import synthetic_flow
from redesign.flowchart import BOX_H, BOX_W, ChartPage, chart_pages
from redesign.model import Flow, Function, Handoff, Step
from redesign.samples import load_sample, sample_ids


def _crosses(page: ChartPage, a: tuple[float, float], b: tuple[float, float], skip: set[str]) -> list[str]:
    """Boxes (other than ``skip``) whose inside the axis-aligned segment a-b passes through."""
    hit = []
    eps = 1e-6
    for box in page.boxes:
        if box.step_id in skip:
            continue
        left, right = box.x + 0.5 - BOX_W / 2 + eps, box.x + 0.5 + BOX_W / 2 - eps
        top, bottom = box.y - BOX_H / 2 + eps, box.y + BOX_H / 2 - eps
        xs, ys = sorted((a[0], b[0])), sorted((a[1], b[1]))
        if xs[0] < right and xs[1] > left and ys[0] < bottom and ys[1] > top:
            hit.append(box.step_id)
    return hit


def _check(flow: Flow, max_columns: int) -> list[ChartPage]:
    pages = chart_pages(flow, {}, max_columns)
    placed = [b.step_id for p in pages for b in p.boxes]
    assert sorted(placed) == sorted(s.id for s in flow.steps)  # every step exactly once
    for page in pages:
        assert page.columns <= max_columns
        ids = {b.step_id for b in page.boxes}
        assert all(0 <= b.x < page.columns for b in page.boxes)
        for arrow in page.arrows:
            assert arrow.source in ids and arrow.target in ids
            points = arrow.points
            assert len(points) >= 2
            for a, b in pairwise(points):
                assert a[0] == b[0] or a[1] == b[1], f"diagonal segment {a} -> {b}"
                assert not _crosses(page, a, b, {arrow.source, arrow.target}), (arrow, a, b)
        for stub in page.stubs:
            assert stub.step_id in ids and stub.numbers
    return pages


def test_every_sample_lays_out_cleanly() -> None:
    for sample in sample_ids():
        _check(load_sample(sample), 10)


def test_sales_forecasting_fits_one_page_and_hand_offs_across_pages_become_stubs() -> None:
    flow = load_sample("sales_forecasting")
    (page,) = chart_pages(flow, {}, 10)
    assert page.columns == 10 and not page.stubs
    assert {b.name for b in page.bands} == {"Sales", "IT", "HR", "Finance", "Ops"}
    pages = _check(flow, 4)  # 10 columns need 3 pages; ceil(10 / 3) = 4 columns a page
    assert [p.columns for p in pages] == [4, 4, 2]
    crossing = sum(1 for p in pages for s in p.stubs for _ in s.numbers if s.direction == "out")
    arrived = sum(1 for p in pages for s in p.stubs for _ in s.numbers if s.direction == "in")
    assert crossing == arrived > 0


def test_large_synthetic_flow_pages() -> None:
    flow = synthetic_flow(200)
    pages = _check(flow, 10)
    assert len(pages) > 10 and any(s.loop for p in pages for s in p.stubs) | any(
        a.loop for p in pages for a in p.arrows
    )


def test_lanes_without_steps_are_left_out() -> None:
    flow = load_sample("sales_forecasting")
    bare = flow.model_copy(update={"functions": [*flow.functions, Function(id="legal", name="Legal")]})
    (page,) = chart_pages(bare, {}, 10)
    assert "Legal" not in {b.name for b in page.bands}


@st.composite
def flows(draw: st.DrawFn) -> Flow:
    n = draw(st.integers(min_value=1, max_value=30))
    lanes = draw(st.integers(min_value=1, max_value=4))
    functions = [Function(id=f"f{i}", name=f"Lane {i}") for i in range(lanes)]
    steps = [Step(id=f"s{i}", name=f"Step {i}", function=f"f{draw(st.integers(0, lanes - 1))}") for i in range(n)]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n, unique=True))
    handoffs = [
        Handoff(id=f"h{k}", source=f"s{a}", target=f"s{b}", rework=a >= b) for k, (a, b) in enumerate(pairs) if a != b
    ]
    return Flow(id="random", name="Random", functions=functions, steps=steps, handoffs=handoffs)


@settings(max_examples=60, deadline=None)
@given(flows(), st.integers(min_value=1, max_value=10))
def test_any_flow_any_page_width(flow: Flow, max_columns: int) -> None:
    _check(flow, max_columns)
