"""Scenario comparison: several redesigns of one flow side by side.

Each scenario is assessed on the same flow (`assess`), so the figures compare like
for like: hours and FTE, lead time, rolled %C&A, hand-offs, governance flags, and
each role's hours per scenario.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from redesign.impact.assess import Impact, assess
from redesign.impact.explain import Reason, because, hours
from redesign.model import Flow, Scenario, Tag


class ScenarioSummary(BaseModel):
    scenario: str
    name: str
    decided: int
    automate: int
    augment: int
    human: int
    before_hours: float
    after_hours: float
    saved_hours: float
    saved_fte: float
    lead_time_before: float  # minutes per case
    lead_time_after: float
    rolled_pca_before: float
    rolled_pca_after: float
    handoffs_after: int
    new_steps: int
    block: int
    warn: int
    info: int
    reason: Reason


class RoleHours(BaseModel):
    role: str
    name: str
    before_hours: float
    after_hours: dict[str, float]  # scenario id -> hours per period
    reason: Reason


class ScenarioComparison(BaseModel):
    flow_id: str
    flow_name: str
    period: str
    scenarios: list[ScenarioSummary]
    roles: list[RoleHours]
    evidence: str | None = None  # which evidence the governance flags read (see impact/task_basis.py)
    # The full assessment of each scenario (same order), for callers in Python; left out
    # of JSON so a comparison stays a compact table.
    impacts: list[Impact] = Field(default_factory=list, exclude=True)


def _summary(impact: Impact) -> ScenarioSummary:
    tags = [s.tag for s in impact.steps]
    decided = [s.step for s in impact.steps if s.tag != Tag.HUMAN]
    severities = [f.severity for f in impact.governance]
    t = impact.totals
    e2e = impact.end_to_end
    text = (
        f"{impact.scenario_name}: {hours(t.saved_hours)} saved per {impact.period} ({t.saved_fte:.2f} FTE), "
        f"lead time {e2e.before.lead_time_minutes:,.0f} -> {e2e.after.lead_time_minutes:,.0f} min, "
        f"{severities.count('BLOCK')} BLOCK, {severities.count('WARN')} WARN."
    )
    return ScenarioSummary(
        scenario=impact.scenario_id,
        name=impact.scenario_name,
        decided=len(decided),
        automate=tags.count(Tag.AUTOMATE),
        augment=tags.count(Tag.AUGMENT),
        human=tags.count(Tag.HUMAN),
        before_hours=t.before_hours,
        after_hours=t.after_hours,
        saved_hours=t.saved_hours,
        saved_fte=t.saved_fte,
        lead_time_before=e2e.before.lead_time_minutes,
        lead_time_after=e2e.after.lead_time_minutes,
        rolled_pca_before=e2e.before.rolled_pca,
        rolled_pca_after=e2e.after.rolled_pca,
        handoffs_after=e2e.after.handoffs,
        new_steps=len(impact.new_steps),
        block=severities.count("BLOCK"),
        warn=severities.count("WARN"),
        info=severities.count("INFO"),
        reason=because(
            "cmp_scenario",
            decided,
            text,
            {"saved_hours": t.saved_hours, "saved_fte": t.saved_fte},
        ),
    )


def _roles(impacts: list[Impact]) -> list[RoleHours]:
    order: dict[str, tuple[str, float, list[str]]] = {}
    for impact in impacts:
        for r in impact.roles:
            name, before, steps = order.setdefault(r.role, (r.name, r.before_hours, []))
            steps.extend(s for s in r.steps if s not in steps)
    rows: list[RoleHours] = []
    for role_id, (name, before, steps) in order.items():
        after = {i.scenario_id: next((r.after_hours for r in i.roles if r.role == role_id), before) for i in impacts}
        listing = ", ".join(f"{sid} {hours(h)}" for sid, h in after.items())
        rows.append(
            RoleHours(
                role=role_id,
                name=name,
                before_hours=before,
                after_hours=after,
                reason=because(
                    "role_hours",
                    steps,
                    f"{name}: {hours(before)} as is; {listing}.",
                    {"before_hours": before, **{k: v for k, v in after.items()}},
                ),
            )
        )
    return rows


def compare(
    flow: Flow,
    scenarios: Sequence[Scenario | str] | None = None,
    tasks: Mapping[str, Sequence[tuple[str, str, str]]] | None = None,
    evidence: str | None = None,
) -> ScenarioComparison:
    """Assess each scenario (default: every scenario of the flow) and line them up.

    ``tasks``: the O*NET tasks matched to each step, read by every scenario's governance flags as
    `assess` reads them (None = the flow's words only); ``evidence`` says which it was.
    """
    chosen: list[Scenario | str] = list(flow.scenarios) if scenarios is None else list(scenarios)
    impacts = [assess(flow, s, tasks) for s in chosen]
    return ScenarioComparison(
        flow_id=flow.id,
        flow_name=flow.name,
        period=flow.period.value,
        scenarios=[_summary(i) for i in impacts],
        roles=_roles(impacts),
        evidence=evidence,
        impacts=impacts,
    )
