"""Flows for the impact tests: one small hand-computed flow and a hypothesis strategy.

The small flow (period: week, 1,680 h per FTE-year = 32.3077 h per week):

    intake (ops, clerk, task)   100 x 6 min   = 10 h, wait 60, %C&A 90
      -> check (finance, analyst, review) 100 x 12 min = 20 h, wait 120, %C&A 95   [hand-off %C&A 70]
         -> approve (finance, manager, decision) 10 x 30 min = 5 h
      -> side (ops, clerk, task)  20 x 15 min = 5 h   (off the critical path)

Scenario "s": intake automate (catalog defaults), check augment (defaults),
side augment (time saving 0.6 -> capped at 0.5, validation 0 min), approve human.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from redesign.model import (
    DataItem,
    Decision,
    Flow,
    Function,
    Handoff,
    Role,
    RoleKind,
    Rubric,
    Scenario,
    Step,
    StepKind,
    Tag,
    default_functions,
)


def small_flow(**flow_fields: Any) -> Flow:
    roles = [
        Role(id="clerk", name="Clerk", function="ops", headcount=2, hourly_cost=40),
        Role(id="analyst", name="Analyst", function="finance", headcount=1),
        Role(id="manager", name="Manager", function="finance", headcount=1),
        Role(id="bot", name="Bot", function="it", kind=RoleKind.AI_AGENT, accountable_role="manager"),
    ]
    steps = [
        Step(id="intake", name="Key in claim", function="ops", owner="clerk", volume=100, touch_minutes=6,
             wait_minutes=60, pca=90, data_out=["claim"]),
        Step(id="check", name="Check claim", function="finance", owner="analyst", kind=StepKind.REVIEW,
             volume=100, touch_minutes=12, wait_minutes=120, pca=95, data_in=["claim"]),
        Step(id="approve", name="Approve payout", function="finance", owner="manager", kind=StepKind.DECISION,
             volume=10, touch_minutes=30),
        Step(id="side", name="File copy", function="ops", owner="clerk", volume=20, touch_minutes=15),
    ]  # fmt: skip
    handoffs = [
        Handoff(id="h1", source="intake", target="check", pca=70, data=["claim"]),
        Handoff(id="h2", source="check", target="approve"),
        Handoff(id="h3", source="intake", target="side"),
    ]
    scenario = Scenario(
        id="s",
        name="Small",
        decisions=[
            Decision(step="intake", tag=Tag.AUTOMATE),
            Decision(step="check", tag=Tag.AUGMENT),
            Decision(step="side", tag=Tag.AUGMENT, time_saving=0.6, validation_minutes=0),
            Decision(step="approve", tag=Tag.HUMAN),
        ],
    )
    fields: dict[str, Any] = {
        "id": "small",
        "name": "Small claims",
        "functions": default_functions(),
        "roles": roles,
        "data_items": [DataItem(id="claim", name="Claim")],
        "steps": steps,
        "handoffs": handoffs,
        "scenarios": [scenario],
    }
    fields.update(flow_fields)
    return Flow(**fields)


def one_step_flow(step: Step, decision: Decision | None = None, roles: list[Role] | None = None, **kw: Any) -> Flow:
    """A flow of one step (plus an optional successor given in ``kw['more_steps']``)."""
    more: list[Step] = kw.pop("more_steps", [])
    handoffs: list[Handoff] = kw.pop("handoffs", [])
    roles = roles or [
        Role(id="owner", name="Owner", function="hr", headcount=3),
        Role(id="boss", name="Boss", function="hr"),
        Role(id="agent", name="Agent", function="it", kind=RoleKind.AI_AGENT, accountable_role="boss"),
    ]
    scenarios = [Scenario(id="s", name="S", decisions=[decision])] if decision else []
    return Flow(
        id=kw.pop("flow_id", "one"),
        name=kw.pop("flow_name", "One step"),
        functions=[*default_functions(), Function(id="line", name="Line")],
        roles=roles,
        steps=[step, *more],
        handoffs=handoffs,
        scenarios=scenarios,
        **kw,
    )


AREAS = [None, None, "annex3_4a", "annex3_4b", "annex3_5b", "annex3_2", "annex3_99z"]
SCORES = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@st.composite
def flows(draw: st.DrawFn, max_steps: int = 10) -> Flow:
    """Random valid flows with one random scenario: owners, agents, Annex III ids (one unknown), loops."""
    n = draw(st.integers(min_value=1, max_value=max_steps))
    functions = default_functions()
    fids = [f.id for f in functions]
    roles = [
        Role(id=f"r{i}", name=f"Role {i}", function=draw(st.sampled_from(fids)), headcount=draw(st.integers(0, 20)))
        for i in range(4)
    ]
    roles[1] = roles[1].model_copy(update={"accountable_role": "r0"})
    roles.append(Role(id="agent", name="Agent", function="it", kind=RoleKind.AI_AGENT, accountable_role="r2"))
    owners = [None, "r0", "r1", "r2", "r3", "agent"]
    steps: list[Step] = []
    for i in range(n):
        steps.append(
            Step(
                id=f"s{i}",
                name=draw(st.sampled_from(["Draft letter", "Screen applications", "Check invoice", "Approve", "Call"])),
                function=draw(st.sampled_from(fids)),
                owner=draw(st.sampled_from(owners)),
                kind=draw(st.sampled_from(list(StepKind))),
                volume=draw(st.floats(min_value=0, max_value=1000, allow_nan=False)),
                touch_minutes=draw(st.floats(min_value=0, max_value=240, allow_nan=False)),
                wait_minutes=draw(st.floats(min_value=0, max_value=2000, allow_nan=False)),
                pca=draw(st.floats(min_value=0, max_value=100, allow_nan=False)),
                high_risk_area=draw(st.sampled_from(AREAS)),
                decides_for_person=draw(st.booleans()),
                profiling=draw(st.booleans()),
                emotion_recognition=draw(st.booleans()),
                customer_facing=draw(st.booleans()),
                learning_step=draw(st.booleans()),
                skills=draw(st.lists(st.sampled_from(["Writing", "Negotiation", "Spreadsheets"]), max_size=2)),
                rubric=Rubric(
                    rules=draw(SCORES),
                    digital_input=draw(SCORES),
                    stability=draw(SCORES),
                    judgment=draw(SCORES),
                    interpersonal=draw(SCORES),
                    creativity=draw(SCORES),
                    error_cost=draw(SCORES),
                    auditability=draw(SCORES),
                    exposure=draw(st.sampled_from([None, "E0", "E1", "E2"])),
                ),
            )
        )
    handoffs: list[Handoff] = []
    for i in range(1, n):
        source = draw(st.integers(min_value=0, max_value=i - 1))
        pca = draw(st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False)))
        handoffs.append(Handoff(id=f"h{i}", source=f"s{source}", target=f"s{i}", pca=pca))
    if n > 2 and draw(st.booleans()):
        handoffs.append(Handoff(id="loop", source=f"s{n - 1}", target="s0", rework=True))
    decisions = []
    for step in steps:
        tag = draw(st.sampled_from([None, *Tag]))
        if tag is None:
            continue
        decisions.append(
            Decision(
                step=step.id,
                tag=tag,
                automation_rate=draw(st.one_of(st.none(), st.floats(0, 1))),
                time_saving=draw(st.one_of(st.none(), st.floats(0, 1))),
                exception_rate=draw(st.one_of(st.none(), st.floats(0, 1))),
                exception_minutes=draw(st.one_of(st.none(), st.floats(0, 120))),
                validation_minutes=draw(st.one_of(st.none(), st.floats(0, 30))),
                monitoring_hours=draw(st.one_of(st.none(), st.floats(0, 10))),
                ai_agent=draw(st.sampled_from([None, "agent"])),
                owner=draw(st.sampled_from([None, "r0", "r3"])),
                overseer=draw(st.sampled_from([None, "r1", "r2"])),
                it_signoff=draw(st.booleans()),
            )
        )
    return Flow(
        id="random",
        name=draw(st.sampled_from(["Random", "Sales forecasting", "Hiring"])),
        period=draw(st.sampled_from(["day", "week", "month"])),
        functions=functions,
        roles=roles,
        steps=steps,
        handoffs=handoffs,
        scenarios=[Scenario(id="sc", name="Scenario", decisions=decisions)],
    )
