"""What a scenario changes for each role: hours and FTE, the shift in activities, new duties.

docs/methodology.md#hours-and-fte (role allocation: every hour goes to the role that
does it; new steps add hours to their owner role) and #roles-skills-and-incentives (the
move from doing to reviewing, deciding and handling exceptions). AI agents appear as roles with their
accountable human; their time is machine time and counts in no FTE.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Literal

from pydantic import BaseModel

from redesign.impact.economics import StepEconomics
from redesign.impact.explain import Reason, because, hours
from redesign.impact.oversight import NewStep
from redesign.impact.scenario_view import ScenarioView
from redesign.model import RoleKind, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUGMENT, _AUTOMATE, _HUMAN_ROLE, _AI_AGENT = (
    Tag.HUMAN,
    Tag.AUGMENT,
    Tag.AUTOMATE,
    RoleKind.HUMAN,
    RoleKind.AI_AGENT,
)

ResponsibilityKind = Literal[
    "monitor_automation", "handle_exceptions", "validate_ai_output", "own_ai_agent", "oversee_high_risk_step"
]

_DOING = ("doing",)
_REVIEWING = ("reviewing", "validating", "overseeing")


class Responsibility(BaseModel):
    kind: ResponsibilityKind
    steps: list[str]
    hours: float  # per period, 0 when the duty has no hours of its own (owning an agent)
    reason: Reason


class RoleChange(BaseModel):
    role: str
    name: str
    function: str | None
    kind: RoleKind
    headcount: float
    accountable_role: str | None
    before_hours: float
    after_hours: float
    change_hours: float  # after - before (negative = hours freed)
    before_fte: float | None  # None for AI agents
    after_fte: float | None
    freed_fte: float | None  # (before - after) / FTE hours per period
    before_by_activity: dict[str, float]
    after_by_activity: dict[str, float]
    cost_change_per_period: float | None  # change_hours x hourly cost, when the role has one
    steps: list[str]  # every step this role does, decides, oversees or is accountable for here
    responsibilities: list[Responsibility]  # new duties the redesign gives the role
    reason: Reason


_RESPONSIBILITY_RULE: dict[ResponsibilityKind, str] = {
    "monitor_automation": "role_resp_monitor",
    "handle_exceptions": "role_resp_exceptions",
    "validate_ai_output": "role_resp_validate",
    "own_ai_agent": "role_resp_own_agent",
    "oversee_high_risk_step": "role_resp_oversee",
}

_ACTIVITY_DUTY: dict[str, ResponsibilityKind] = {
    "monitoring": "monitor_automation",
    "handling_exceptions": "handle_exceptions",
    "validating": "validate_ai_output",
    "overseeing": "oversee_high_risk_step",
}

_DUTY_TEXT: dict[ResponsibilityKind, str] = {
    "monitor_automation": "monitors the automation of",
    "handle_exceptions": "handles the exceptions of",
    "validate_ai_output": "validates the AI output of",
    "own_ai_agent": "is accountable for the AI agent doing",
    "oversee_high_risk_step": "oversees (reviews, can override and stop) the AI at",
}


class _Acc:
    def __init__(self) -> None:
        self.before: dict[str, float] = defaultdict(float)
        self.after: dict[str, float] = defaultdict(float)
        self.steps: dict[str, None] = {}
        self.duty_steps: dict[ResponsibilityKind, dict[str, None]] = defaultdict(dict)
        self.duty_hours: dict[ResponsibilityKind, float] = defaultdict(float)
        self.change: dict[str, float] = defaultdict(float)  # hours after - before, per step
        self.tag: dict[str, Tag] = {}


SHOWN_NAMES = 5
"""Step names written out in a sentence; the reason's step ids always list them all."""


def _names(view: ScenarioView, step_ids: list[str]) -> str:
    shown = ", ".join(f'"{view.steps[s].name}"' for s in step_ids[:SHOWN_NAMES])
    more = len(step_ids) - SHOWN_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _share(by_activity: dict[str, float], names: tuple[str, ...]) -> float:
    total = math.fsum(by_activity.values())
    return math.fsum(v for k, v in by_activity.items() if k in names) / total if total > 0 else 0.0


def role_changes(view: ScenarioView, steps: list[StepEconomics], new_steps: list[NewStep]) -> list[RoleChange]:
    """Every role with work or a duty in this flow, in the flow's role order (no owner last)."""
    acc: dict[str, _Acc] = defaultdict(_Acc)
    for econ in steps:
        for line in econ.lines:
            a = acc[line.role]
            a.before[line.activity] += line.before
            a.after[line.activity] += line.after
            a.steps[econ.step] = None
            a.change[econ.step] += line.after - line.before
            a.tag[econ.step] = econ.tag
            duty = _ACTIVITY_DUTY.get(line.activity)
            if duty is not None and line.after > 0:
                a.duty_steps[duty][econ.step] = None
                a.duty_hours[duty] += line.after
    for step_id, decision in view.decisions.items():
        if decision.tag == _HUMAN:
            continue
        if decision.ai_agent and decision.ai_agent in view.roles:
            acc[decision.ai_agent].steps[step_id] = None
            human = view.human_of(decision.ai_agent)
            if human is not None:
                acc[human].steps[step_id] = None
                acc[human].duty_steps["own_ai_agent"][step_id] = None
        if decision.owner in view.roles:
            acc[decision.owner].steps[step_id] = None
    order = {r.id: i for i, r in enumerate(view.flow.roles)}
    ids = sorted(acc, key=lambda r: order.get(r, len(order)))
    overseen: dict[str, list[str]] = {}  # role -> the steps it reviews, in new-step order (one pass, not one per role)
    for n in new_steps:
        if n.kind == "oversight":
            overseen.setdefault(n.owner, []).append(n.for_step)
    return [_role_change(view, role_id, acc[role_id], overseen.get(role_id, [])) for role_id in ids]


DRIVERS = 2
"""Steps named as the reason for a role's change (the ones that move its hours most)."""


def _drivers(view: ScenarioView, a: _Acc) -> str:
    """' Mostly "A" (automated, -40.0 h) and "B" (augmented, -12.0 h).': why this role's hours move."""
    moved = sorted((s for s, h in a.change.items() if abs(h) >= 0.05), key=lambda s: (-abs(a.change[s]), s))
    if not moved:
        return ""
    done = {_AUTOMATE: "automated", _AUGMENT: "augmented", _HUMAN: "as is"}
    shown = [
        f'"{view.steps[s].name}" ({done[a.tag[s]]}, {a.change[s]:+,.1f} h)' for s in moved[:DRIVERS] if s in view.steps
    ]
    if not shown:
        return ""
    rest = len(moved) - DRIVERS
    more = f", and {rest} more step{'s' if rest > 1 else ''}" if rest > 0 else ""
    return f" Mostly {' and '.join(shown)}{more}."


def _role_change(view: ScenarioView, role_id: str, a: _Acc, overseen: list[str]) -> RoleChange:
    flow = view.flow
    role = view.roles.get(role_id)
    kind = role.kind if role else _HUMAN_ROLE
    before = math.fsum(a.before.values())
    after = math.fsum(a.after.values())
    fte = flow.fte_hours_per_period
    human = kind == _HUMAN_ROLE
    cost = (after - before) * role.hourly_cost if role is not None and role.hourly_cost is not None else None
    duties = [
        Responsibility(
            kind=duty,
            steps=list(step_ids),
            hours=a.duty_hours.get(duty, 0.0),
            reason=because(
                _RESPONSIBILITY_RULE[duty],
                step_ids,
                f"{_first_upper(view.role_name(role_id))} {_DUTY_TEXT[duty]} "
                + _names(view, list(step_ids))
                + (f" ({hours(a.duty_hours[duty])} per {flow.period.value})." if a.duty_hours.get(duty) else "."),
                {"hours": a.duty_hours.get(duty, 0.0), "steps": len(step_ids)},
            ),
        )
        for duty, step_ids in a.duty_steps.items()
    ]
    doing_before, doing_after = _share(a.before, _DOING), _share(a.after, _DOING)
    review_before, review_after = _share(a.before, _REVIEWING), _share(a.after, _REVIEWING)
    name = role.name if role else "No owner"
    if kind == _AI_AGENT:
        text = (
            f"{name} is an AI agent accountable to {view.role_name(view.human_of(role_id))}; "
            "its time is machine time and counts in no FTE."
        )
        rule = "role_ai_agent"
    else:
        text = (
            f"{name}: {hours(before)} before, {hours(after)} after per {flow.period.value} "
            f"({(before - after) / fte:+.2f} FTE freed); doing {doing_before:.0%} -> {doing_after:.0%} of the time, "
            f"reviewing and validating {review_before:.0%} -> {review_after:.0%}.{_drivers(view, a)}"
        )
        rule = "role_hours"
    return RoleChange(
        role=role_id,
        name=name,
        function=role.function if role else None,
        kind=kind,
        headcount=role.headcount if role else 0.0,
        accountable_role=role.accountable_role if role else None,
        before_hours=before,
        after_hours=after,
        change_hours=after - before,
        before_fte=before / fte if human else None,
        after_fte=after / fte if human else None,
        freed_fte=(before - after) / fte if human else None,
        before_by_activity={k: v for k, v in a.before.items() if v},
        after_by_activity={k: v for k, v in a.after.items() if v},
        cost_change_per_period=cost,
        steps=list(dict.fromkeys([*a.steps, *overseen])),
        responsibilities=duties,
        reason=because(
            rule,
            list(a.steps),
            text,
            {
                "before_hours": before,
                "after_hours": after,
                "fte_hours_per_period": fte,
                "doing_share_before": doing_before,
                "doing_share_after": doing_after,
                "reviewing_share_before": review_before,
                "reviewing_share_after": review_after,
            },
        ),
    )
