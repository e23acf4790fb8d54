"""Flows and a ready workshop for the store tests (built here, not read from samples)."""

from __future__ import annotations

from dataclasses import dataclass

from redesign.model import DataItem, Flow, Handoff, Role, Step, default_functions
from redesign.store.schemas import CreatedWorkshop, Joined
from redesign.store.service import WorkshopService
from redesign.workshop import Phase


def close_flow(n_steps: int = 4) -> Flow:
    """A month-end close: steps S1..Sn alternating Finance and Ops, chained by hand-offs H1..H(n-1)."""
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
            Step(
                id=f"S{i}",
                name=f"Step {i}",
                function=lanes[i % 2],
                owner="accountant" if lanes[i % 2] == "finance" else "planner",
                touch_minutes=30,
                volume=10,
            )
            for i in range(1, n_steps + 1)
        ],
        handoffs=[Handoff(id=f"H{i}", source=f"S{i}", target=f"S{i + 1}") for i in range(1, n_steps)],
    )


@dataclass
class Room:
    """A workshop with a facilitator and two participants."""

    created: CreatedWorkshop
    ana: Joined  # Finance
    bob: Joined  # Ops

    @property
    def fac(self) -> str:
        return self.created.facilitator_token

    @property
    def wid(self) -> str:
        return self.created.workshop_id


def open_room(svc: WorkshopService, flow: Flow | None = None, phase: Phase | None = None) -> Room:
    created = svc.create_workshop("Close redesign", "Close in 3 days", flow or close_flow(), "Fran")
    ana = svc.join(created.join_code, "Ana", "finance")
    bob = svc.join(created.join_code, "Bob", "Ops")
    if phase is not None:
        svc.set_phase(created.facilitator_token, phase)
    return Room(created, ana, bob)
