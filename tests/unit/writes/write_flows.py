"""A small flow for the write model's tests (no database: see `redesign.writes.memory`)."""

from __future__ import annotations

from redesign.model import DataItem, Flow, Handoff, Role, Step, default_functions


def close_flow(n_steps: int = 5) -> Flow:
    """Steps S1..Sn alternating Finance and Ops, chained by hand-offs H1..H(n-1)."""
    lanes = ("finance", "ops")
    return Flow(
        id="close",
        name="Month-end close",
        functions=default_functions(),
        roles=[
            Role(id="accountant", name="Accountant", function="finance", headcount=3),
            Role(id="planner", name="Planner", function="ops", headcount=2),
        ],
        data_items=[DataItem(id="ledger", name="General ledger", system="ERP")],
        steps=[
            Step(id=f"S{i}", name=f"Step {i}", function=lanes[i % 2], touch_minutes=30, volume=10)
            for i in range(1, n_steps + 1)
        ],
        handoffs=[Handoff(id=f"H{i}", source=f"S{i}", target=f"S{i + 1}") for i in range(1, n_steps)],
    )
