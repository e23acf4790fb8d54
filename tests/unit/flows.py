"""Small hand-made flows for the core tests (numbers chosen to be worked out by hand)."""

from __future__ import annotations

from typing import Any

from redesign.model import DataItem, Flow, Function, Handoff, Role, Step


def doc(**overrides: Any) -> dict[str, Any]:
    """A valid minimal flow document; override any top-level key."""
    base: dict[str, Any] = {
        "schema_version": 1,
        "id": "tiny",
        "name": "Tiny",
        "functions": [{"id": "sales", "name": "Sales"}, {"id": "finance", "name": "Finance"}],
        "roles": [
            {"id": "rep", "name": "Sales rep", "function": "sales", "headcount": 10},
            {"id": "fpa", "name": "FP&A analyst", "function": "finance", "headcount": 2},
        ],
        "data_items": [{"id": "pipe", "name": "Pipeline", "system": "CRM"}],
        "steps": [
            {"id": "a", "name": "Update opportunities", "function": "sales", "owner": "rep", "data_out": ["pipe"]},
            {"id": "b", "name": "Reconcile", "function": "finance", "owner": "fpa", "data_in": ["pipe"]},
        ],
        "handoffs": [{"id": "h1", "source": "a", "target": "b"}],
    }
    base.update(overrides)
    return base


def three_step_flow() -> Flow:
    """A (sales) -> B (finance) -> C (finance), with C looping back to A as rework.

    Per case: A 30 touch + 60 wait, hand-off A->B waits 5, B 6 + 0, C 12 + 0:
    lead time 30 + 60 + 5 + 6 + 12 = 113 minutes, of which 48 touch.
    Per week: A 10 x 30 = 300 min, B 10 x 6 = 60, C 10 x 12 = 120 -> 480 min = 8 h.
    A's output is 70 % C&A, B's 90 %, C's 100 %: rolled 0.7 x 0.9 x 1.0 = 63 %.
    """
    return Flow(
        id="three",
        name="Three",
        functions=[Function(id="sales", name="Sales"), Function(id="finance", name="Finance")],
        roles=[
            Role(id="rep", name="Rep", function="sales", headcount=1),
            Role(id="fpa", name="FP&A", function="finance", headcount=1),
        ],
        data_items=[DataItem(id="d", name="D"), DataItem(id="e", name="E")],
        steps=[
            Step(
                id="a",
                name="A",
                function="sales",
                owner="rep",
                volume=10,
                touch_minutes=30,
                wait_minutes=60,
                pca=70,
                data_out=["d"],
            ),
            Step(
                id="b",
                name="B",
                function="finance",
                owner="fpa",
                volume=10,
                touch_minutes=6,
                pca=90,
                data_in=["d"],
                data_out=["e"],
            ),
            Step(id="c", name="C", function="finance", owner="fpa", volume=10, touch_minutes=12, data_in=["e"]),
        ],
        handoffs=[
            Handoff(id="h1", source="a", target="b", wait_minutes=5),
            Handoff(id="h2", source="b", target="c"),
            Handoff(id="h3", source="c", target="a"),
        ],
    )
