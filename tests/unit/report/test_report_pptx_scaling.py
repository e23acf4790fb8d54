"""PowerPoint export is linear in the flow's size (issue 13, point 3): adding a slide costs the same on slide 10
and slide 1,000. python-pptx's own add_slide scans every relationship and slide id of the deck each time."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.opc.package import _Relationships

from bench.exports import synthetic_with_decisions
from redesign.report.exports import export
from redesign.report.pptx import FIRST_SLIDE_ID, _add_slide


def _lookups_while_rendering(steps: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """The largest relationship collection python-pptx scanned while rendering, and the deck's slide count."""
    largest = [0]
    original = _Relationships._get_matching

    def measuring(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        largest[0] = max(largest[0], len(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(_Relationships, "_get_matching", measuring)
    data = export(synthetic_with_decisions(steps), "pptx").data
    monkeypatch.undo()
    return largest[0], len(Presentation(io.BytesIO(data)).slides)


def test_no_scan_over_every_slide_while_adding_slides(monkeypatch: pytest.MonkeyPatch) -> None:
    small_scan, small_slides = _lookups_while_rendering(40, monkeypatch)
    large_scan, large_slides = _lookups_while_rendering(240, monkeypatch)
    assert large_slides > small_slides + 10
    # each slide relates to its layout (a collection of one or two); the presentation's own
    # relationships (one per slide) are never scanned, so the largest scan does not grow
    assert large_scan == small_scan < small_slides, (small_scan, large_scan, small_slides)


def test_slides_added_fast_are_numbered_as_python_pptx_would() -> None:
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[0])  # one the usual way first, as the title slide is
    for _ in range(5):
        _add_slide(prs)
    buffer = io.BytesIO()
    prs.save(buffer)
    again = Presentation(io.BytesIO(buffer.getvalue()))
    assert [s.slide_id for s in again.slides] == list(range(FIRST_SLIDE_ID, FIRST_SLIDE_ID + 6))
    assert [s.part.partname for s in again.slides] == [f"/ppt/slides/slide{i}.xml" for i in range(1, 7)]
