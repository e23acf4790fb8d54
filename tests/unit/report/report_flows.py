"""A two-step flow whose summary figures are worked out by hand (see `tiny_flow`)."""

from __future__ import annotations

from redesign.model import Decision, Flow, Function, Handoff, Role, Scenario, Step, Tag


def tiny_flow(name_a: str = "Enter orders") -> Flow:
    """Sales enters orders (10 cases x 60 min = 10 h a week), Finance checks them (10 x 30 min = 5 h).

    Scenario "Auto": entering is automated with a = 0.5, no exceptions and 1 h of
    monitoring a week, owned by the rep. By hand, per week:
    - before 10 + 5 = 15 h; after: the rep keeps half the cases (5 h) + 1 h monitoring
      = 6 h, plus Finance's 5 h = 11 h; saved 4 h.
    - per year (52 weeks): 780 h -> 572 h.
    - FTE = hours / (1,680 / 52 = 32.31 h): 0.46 -> 0.34.
    - lead time per case: 60 + 30 = 90 min before; 30 + 30 = 60 min after.
    - hand-offs 1 -> 1; rolled %C&A 100% -> 100%.
    - governance: one INFO (someone must be able to stop the automation), no WARN
      (IT signed off), no BLOCK.
    """
    return Flow(
        id="tiny",
        name="Tiny orders",
        description="Order entry and checking.",
        functions=[Function(id="sales", name="Sales"), Function(id="finance", name="Finance")],
        roles=[
            Role(id="rep", name="Sales rep", function="sales", headcount=2),
            Role(id="fpa", name="FP&A analyst", function="finance", headcount=1),
        ],
        steps=[
            Step(id="a", name=name_a, function="sales", owner="rep", volume=10, touch_minutes=60),
            Step(id="b", name="Check orders", function="finance", owner="fpa", volume=10, touch_minutes=30),
        ],
        handoffs=[Handoff(id="h1", source="a", target="b")],
        scenarios=[
            Scenario(
                id="auto",
                name="Auto",
                description="Automate order entry.",
                decisions=[
                    Decision(
                        step="a",
                        tag=Tag.AUTOMATE,
                        automation_rate=0.5,
                        exception_rate=0.0,
                        exception_minutes=0.0,
                        monitoring_hours=1.0,
                        owner="rep",
                        success_measure="Orders in ERP within a day",
                        it_signoff=True,
                        rationale="Rule-based entry.",
                    )
                ],
            )
        ],
    )
