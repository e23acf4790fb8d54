"""Governance flags: what the EU AI Act, GDPR Art 22 and NIST AI RMF ask of a redesign.

research/frameworks.md section 2. Each check below is the trigger of one rule of
``catalog/governance_rules.json``; the wording, severity, remedy and source are data.
BLOCK means the scenario cannot go ahead as tagged; WARN needs a named remedy before
go-live; INFO is a duty to note.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from redesign.impact.catalog import GovernanceRule, Severity, catalog
from redesign.impact.explain import Reason, because
from redesign.impact.oversight import NewStep
from redesign.impact.scenario_view import ScenarioView
from redesign.model import RoleKind, Step, StepKind, Tag

SEVERITY_RANK: dict[str, int] = {"BLOCK": 3, "WARN": 2, "INFO": 1}


class GovernanceFlag(BaseModel):
    rule: str
    severity: Severity
    step: str | None  # the step it is about (None: the whole scenario)
    message: str
    remedy: str
    oversight_step: str | None = None  # id of the review step it adds to the flow
    reason: Reason


class _Fields(dict[str, Any]):
    """Template fields; a field a rule's text does not get reads as "?" instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def _flag(
    rule_id: str,
    step: Step | None,
    steps: list[str],
    fields: Mapping[str, Any],
    numbers: Mapping[str, float | int | str] | None = None,
    oversight: NewStep | None = None,
) -> GovernanceFlag:
    rule: GovernanceRule = catalog().governance[rule_id]
    values = _Fields(fields)
    message = rule.message.format_map(values)
    return GovernanceFlag(
        rule=rule_id,
        severity=rule.severity,
        step=step.id if step else None,
        message=message,
        remedy=rule.remedy.format_map(values),
        oversight_step=oversight.id if oversight else None,
        reason=because(rule_id, steps, message, numbers),
    )


def _step_fields(view: ScenarioView, step: Step) -> dict[str, Any]:
    fields: dict[str, Any] = {"step": step.name, "step_id": step.id, "tag": view.tag(step.id).value}
    area = view.area(step)
    if area is not None:
        fields.update(point=area.point, area=area.area, title=area.title, area_id=area.id)
    return fields


def _error_cost(step: Step) -> int:
    if step.rubric.error_cost is not None:
        return step.rubric.error_cost
    return catalog().suggest.scales.stakes_to_error_cost[step.stakes.value]


def _human_review_after(view: ScenarioView, step: Step) -> bool:
    """A human review or decision right after the step (what keeps a decision from being solely automated)."""
    for succ in view.successors.get(step.id, []):
        nxt = view.steps[succ]
        if nxt.kind in (StepKind.REVIEW, StepKind.DECISION) and view.tag(succ) != Tag.AUTOMATE:
            return True
    return False


def _agent_problem(view: ScenarioView, agent_id: str) -> bool:
    agent = view.roles.get(agent_id)
    if agent is None or agent.kind != RoleKind.AI_AGENT:
        return True
    return view.human_of(agent_id) is None


def _accountable_name(view: ScenarioView, step: Step) -> str:
    d = view.decision(step.id)
    for role_id in (d.owner if d else None, d.ai_agent if d else None, step.owner):
        human = view.human_of(role_id)
        if human is not None:
            return view.role_name(human)
    return "nobody named"


def _step_flags(view: ScenarioView, step: Step, oversight: NewStep | None) -> Iterator[GovernanceFlag]:
    tag = view.tag(step.id)
    fields = _step_fields(view, step)
    area = view.area(step)
    ids = [step.id]
    if view.unknown_area(step):
        known = ", ".join(catalog().high_risk_areas)
        yield _flag("gov_unknown_area", step, ids, {**fields, "area_id": step.high_risk_area, "known": known})
    if tag == Tag.HUMAN:
        return
    if step.emotion_recognition:
        yield _flag("gov_emotion_recognition", step, ids, fields)
    if oversight is not None:
        fields["role"] = view.role_name(oversight.owner)
        numbers = {"review_minutes": oversight.minutes_per_case, "review_hours": oversight.hours}
        yield _flag(oversight.rule, step, ids, fields, numbers, oversight)
    if tag == Tag.AUTOMATE:
        already = oversight is not None and oversight.rule == "gov_profiling_automate"
        if not already and step.profiling and (step.decides_for_person or area is not None):
            yield _flag("gov_profiling_automate", step, ids, fields)
        if step.decides_for_person and not _human_review_after(view, step):
            yield _flag("gov_gdpr_art22", step, ids, fields)
        error_cost = _error_cost(step)
        if area is None and error_cost >= 4:
            yield _flag(
                "gov_high_stakes_automate", step, ids, {**fields, "error_cost": error_cost}, {"error_cost": error_cost}
            )
    decision = view.decision(step.id)
    if decision is not None and decision.ai_agent and _agent_problem(view, decision.ai_agent):
        yield _flag("gov_agent_without_owner", step, ids, {**fields, "role": decision.ai_agent})
    if decision is not None and not decision.it_signoff:
        yield _flag("gov_no_it_signoff", step, ids, fields)
    if tag == Tag.AUTOMATE:
        yield _flag("gov_nist_disengage", step, ids, {**fields, "role": _accountable_name(view, step)})
    if step.customer_facing:
        yield _flag("gov_art50_disclosure", step, ids, fields)
    if area is not None and area.id == "annex3_4a":
        yield _flag("gov_hr_adverse_impact", step, ids, fields)


def check(view: ScenarioView, oversight: list[NewStep]) -> list[GovernanceFlag]:
    """Every flag of the scenario, in flow order, then the scenario-wide ones."""
    review_of = {o.for_step: o for o in oversight}
    flags: list[GovernanceFlag] = []
    for step in view.flow.steps:
        flags.extend(_step_flags(view, step, review_of.get(step.id)))
    for role in view.flow.roles:
        # Defensive: the model already refuses an AI agent without an accountable human.
        if role.kind == RoleKind.AI_AGENT and view.human_of(role.id) is None:
            owned = [s.id for s in view.flow.steps if s.owner == role.id]
            if owned:
                step = view.steps[owned[0]]
                flags.append(_flag("gov_agent_without_owner", step, owned, {"step": step.name, "role": role.id}))
    high_risk = [s.id for s in view.flow.steps if view.area(s) is not None and view.uses_ai(s.id)]
    if high_risk:
        flags.append(_flag("gov_annex3_timing", None, high_risk, {}))
    return flags


def worst_severity(flags: list[GovernanceFlag]) -> str | None:
    return max((f.severity for f in flags), key=SEVERITY_RANK.__getitem__, default=None)
