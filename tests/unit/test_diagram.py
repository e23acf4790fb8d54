"""The map figure: one clickable point per step carrying its id, tags readable without colour, text escaped."""

from __future__ import annotations

from redesign.diagram import DiagramOptions, swimlane_figure
from redesign.metrics import analyze
from redesign.model import Tag
from tests.unit.flows import three_step_flow


def points(fig) -> dict[str, str]:
    """step id -> its label, over every trace that carries step ids."""
    found = {}
    for trace in fig.data:
        if trace.customdata is not None:
            found.update(dict(zip(trace.customdata, trace.text, strict=True)))
    return found


def test_every_step_is_one_clickable_point_with_its_id() -> None:
    flow = three_step_flow()
    labels = points(swimlane_figure(flow))
    assert sorted(labels) == ["a", "b", "c"]


def test_tags_show_as_badges_and_break_points_are_marked() -> None:
    flow = three_step_flow()
    fig = swimlane_figure(
        flow, DiagramOptions(tags={"a": Tag.AUTOMATE, "b": Tag.HUMAN}, metrics=analyze(flow), comment_counts={"c": 2})
    )
    labels = points(fig)
    assert labels["a"].startswith("<b>[AUTO]</b>") and "⚠" in labels["a"]  # a is the 70 % break point
    assert labels["b"].startswith("<b>[H]</b>")
    assert "💬2" in labels["c"] and "[" not in labels["c"]
    assert any(t.name == "rework loop" for t in fig.data)


def test_user_text_is_escaped() -> None:
    flow = three_step_flow()
    flow.steps[0].name = "<img src=x onerror=alert(1)>"
    label = points(swimlane_figure(flow))["a"]
    assert "<img" not in label and "&lt;img" in label
