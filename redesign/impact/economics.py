"""Step economics: hours per period before and after a decision, by role and activity.

docs/methodology.md#hours-and-fte. Baseline H = V x T / 60. Automate: the owner keeps the
(1 - a) cases not handled straight through, a person handles the r_exc share of the
automated cases at T_exc minutes each, and the automation takes H_mon monitoring
hours. Augment: the owner's touch time shrinks by g and each case gets T_val minutes
of validation. Governance review steps add their hours to the overseer.

Hours are conserved by construction: every hour is a line (role, activity, before,
after); a step's before/after are the sums of its lines and saved = before - after.
Parameters left empty on the Decision come from ``catalog/effort.json``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel

from redesign.built import in_order
from redesign.impact.catalog import AugmentKind, catalog
from redesign.impact.explain import Reason, because, hours
from redesign.impact.oversight import NewStep
from redesign.impact.scenario_view import UNASSIGNED, ScenarioView
from redesign.impact.wording import keyword_pattern, normalise
from redesign.model import ExposureLabel, RoleKind, Step, StepKind, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUGMENT, _AUTOMATE, _AI_AGENT, _REVIEW, _DECISION = (
    Tag.HUMAN,
    Tag.AUGMENT,
    Tag.AUTOMATE,
    RoleKind.AI_AGENT,
    StepKind.REVIEW,
    StepKind.DECISION,
)

Activity = Literal["doing", "deciding", "reviewing", "validating", "handling_exceptions", "monitoring", "overseeing"]

_ACTIVITY_OF_KIND: dict[StepKind, Activity] = {
    StepKind.TASK: "doing",
    _DECISION: "deciding",
    _REVIEW: "reviewing",
}


class HoursLine(BaseModel):
    """Hours per period of one role on one activity of a step."""

    role: str
    activity: Activity
    before: float
    after: float


class StepEconomics(BaseModel):
    step: str
    name: str
    tag: Tag
    owner: str  # role id, or UNASSIGNED
    volume: float
    touch_minutes: float
    before_hours: float
    after_hours: float
    saved_hours: float  # before - after, exactly
    after_touch_minutes: float  # per case, people only (what the redesigned flow uses)
    pca_before: float
    pca_after: float
    parameters: dict[str, float]  # the figures used (a, r_exc, T_exc, H_mon, g, T_val, ...)
    parameter_origin: dict[str, str]  # "decision" or the catalog id the default came from
    lines: list[HoursLine]
    reason: Reason


class HoursTotals(BaseModel):
    before_hours: float
    after_hours: float
    saved_hours: float
    saved_hours_per_year: float
    before_fte: float
    after_fte: float
    saved_fte: float
    cost_saved_per_period: float | None  # only roles with an hourly cost count
    costed_roles: list[str]
    machine_hours_before: float  # time of steps an AI agent role owns: not people's hours, in no FTE
    machine_hours_after: float
    reason: Reason


def _line(role: str, activity: Activity, before: float, after: float) -> HoursLine:
    # Built without re-validating (typed, every field in HoursLine's order): 5,000 steps make over 10,000 lines.
    return in_order(HoursLine, {"role": role, "activity": activity, "before": before, "after": after})


@cache
def _kind_patterns() -> list[tuple[AugmentKind, re.Pattern[str] | None]]:
    # Whole words on both sides ("note" is not "notebook", "support" is not "supportive").
    return [
        (kind, keyword_pattern(tuple(kind.keywords)) if kind.keywords else None)
        for kind in catalog().effort.augment_kinds
    ]


def augment_kind(step: Step) -> AugmentKind:
    """The kind of work, for the default augmentation time saving (catalog order decides)."""
    text = normalise(f"{step.name} {step.description}")
    kinds = _kind_patterns()
    for kind, pattern in kinds:
        if kind.id == "augment_judgment":
            if step.kind == _DECISION or (step.rubric.judgment or 0) >= 4:
                return kind
        elif pattern is not None and pattern.search(text):
            return kind
    return kinds[-1][0]


@cache
def effort_values() -> Mapping[str, float]:
    """Every effort parameter's value by id, read once: the catalog is read once and never changes, and an
    assessment asks some 20,000 times (``catalog().effort.value`` is a lookup through three calls)."""
    return {p.id: p.value for p in catalog().effort.parameters}


def monitoring_default(view: ScenarioView) -> float:
    per_week = effort_values()["effort_monitoring_hours_per_week"]
    return per_week * 52.0 / view.flow.periods_per_year


def human_share(a: float, r_exc: float) -> float:
    """Share of cases a person still touches after automation: the rest go straight through."""
    return (1.0 - a) + a * r_exc


def augmented_pca(pca: float, error_reduction: float) -> float:
    """A person with AI help: a share of the step's errors go (or, outside the AI's frontier, grow)."""
    return min(100.0, max(0.0, pca + (100.0 - pca) * error_reduction))


def reviewed_pca(pca: float, catch_rate: float) -> float:
    """What leaves a human review: the reviewer catches a share of the errors; never below what came in."""
    return min(100.0, pca + (100.0 - pca) * max(0.0, catch_rate))


def automated_pca(pca: float, a: float, r_exc: float) -> float:
    """Output %C&A: straight-through cases reach the catalog figure, the others keep today's."""
    target = effort_values()["effort_automated_pca"]
    if pca >= target:
        return pca
    straight = a * (1.0 - r_exc)
    return straight * target + (1.0 - straight) * pca


class _StepCalc:
    """One step's lines; separate methods per tag keep each formula readable."""

    def __init__(self, view: ScenarioView, step: Step, oversight: NewStep | None) -> None:
        self.view = view
        self.step = step
        self.decision = view.decisions.get(step.id)  # the dict, not `view.decision`: one call fewer per step
        self.owner = view.owner(step)
        self.activity = _ACTIVITY_OF_KIND[step.kind]
        self.before = step.volume * step.touch_minutes / 60.0
        self.oversight = oversight
        # Each parameter's value and where it came from ("decision" or a catalog id), in the order they
        # are set: two dicts written together, so neither a tuple per parameter nor a split at the end.
        self.values: dict[str, float] = {}
        self.origins: dict[str, str] = {}
        self.lines: list[HoursLine] = []
        self.exception_step: NewStep | None = None

    def p(self, field: str, default: float, catalog_id: str) -> float:
        value = getattr(self.decision, field, None) if self.decision else None
        # `set`, written out: some 12,000 parameters per 5,000-step assessment.
        if value is not None:
            value, origin = float(value), "decision"
        else:
            value, origin = default, catalog_id
        self.values[field] = value
        self.origins[field] = origin
        return value

    def set(self, field: str, value: float, origin: str) -> float:
        self.values[field] = value
        self.origins[field] = origin
        return value

    def run(self) -> StepEconomics:
        tag = self.view.tag_of[self.step.id]
        gain = self.decision.outcome_gain_per_year if self.decision else None
        if gain:  # money per year on an outcome: counted as value by redesign.impact.costs, not as hours
            self.set("gain_per_year", float(gain), "decision")
        if tag == _AUTOMATE:
            after_touch, pca_after, rule, text = self._automate()
        elif tag == _AUGMENT:
            after_touch, pca_after, rule, text = self._augment()
        else:
            after_touch, pca_after, rule = self.step.touch_minutes, self.step.pca, "econ_human"
            self.lines.append(_line(role=self.owner, activity=self.activity, before=self.before, after=self.before))
            text = f'"{self.step.name}" stays as it is: {hours(self.before)} per {self.view.period}.'
        if self.oversight is not None:
            o = self.oversight
            self.lines.append(_line(role=o.owner, activity="overseeing", before=0.0, after=o.hours))
            text += f" Plus {hours(o.hours)} of review by {self.view.role_name(o.owner)} ({o.rule})."
        step, lines = self.step, self.lines
        before = math.fsum([line.before for line in lines])  # a list: fsum of a generator is slower
        after = math.fsum([line.after for line in lines])
        saved = before - after
        numbers: dict[str, float | int | str] = {
            "volume": step.volume,
            "touch_minutes": step.touch_minutes,
            "before_hours": before,
            "after_hours": after,
            "saved_hours": saved,
        }
        values = self.values
        numbers.update(values)
        return in_order(
            StepEconomics,
            {
                "step": step.id,
                "name": step.name,
                "tag": tag,
                "owner": self.owner,
                "volume": step.volume,
                "touch_minutes": step.touch_minutes,
                "before_hours": before,
                "after_hours": after,
                "saved_hours": saved,
                "after_touch_minutes": after_touch,
                "pca_before": step.pca,
                "pca_after": pca_after,
                "parameters": values,
                "parameter_origin": self.origins,
                "lines": lines,
                "reason": because(rule, [step.id], text, numbers),
            },
        )

    def _automate(self) -> tuple[float, float, str, str]:
        step, effort, period = self.step, effort_values(), self.view.period
        a = self.p("automation_rate", effort["effort_automation_rate"], "effort_automation_rate")
        r_exc = self.p("exception_rate", effort["effort_exception_rate"], "effort_exception_rate")
        t_exc = self.p(
            "exception_minutes",
            effort["effort_exception_minutes_factor"] * step.touch_minutes,
            "effort_exception_minutes_factor",
        )
        h_mon = self.p("monitoring_hours", monitoring_default(self.view), "effort_monitoring_hours_per_week")
        residual = self.before * (1.0 - a)
        exceptions = step.volume * a * r_exc * t_exc / 60.0
        exc_role = self._exceptions_role()
        mon_role = self._monitoring_role()
        self.lines.append(_line(role=self.owner, activity=self.activity, before=self.before, after=residual))
        self.lines.append(_line(role=exc_role, activity="handling_exceptions", before=0.0, after=exceptions))
        self.lines.append(_line(role=mon_role, activity="monitoring", before=0.0, after=h_mon))
        self.exception_step = in_order(
            NewStep,
            {
                "id": f"{step.id}__exceptions",
                "kind": "exceptions",
                "name": f"Handle exceptions: {step.name}",
                "for_step": step.id,
                "owner": exc_role,
                "function": self.view.function_of_role(exc_role) or step.function,
                "volume": step.volume * a * r_exc,
                "minutes_per_case": t_exc,
                "hours": exceptions,
                "in_flow": False,
                "rule": "econ_automate",
                "reason": because(
                    "role_resp_exceptions",
                    [step.id],
                    f"{step.volume:g} cases x {a:.0%} automated x {r_exc:.0%} exceptions x {t_exc:.1f} min = "
                    f"{hours(exceptions)} per {period} for {self.view.role_name(exc_role)}.",
                    {"volume": step.volume, "automation_rate": a, "exception_rate": r_exc, "exception_minutes": t_exc},
                ),
            },
        )
        after_touch = (1.0 - a) * step.touch_minutes + a * r_exc * t_exc
        text = (
            f'Automating "{step.name}": {hours(self.before)} before; the owner keeps {1 - a:.0%} of the cases '
            f"({hours(residual)}), exceptions take {hours(exceptions)} ({a:.0%} x {r_exc:.0%} of "
            f"{step.volume:g} cases x {t_exc:.1f} min) and monitoring {hours(h_mon)} per {period}."
        )
        return after_touch, automated_pca(step.pca, a, r_exc), "econ_automate", text

    def _augment(self) -> tuple[float, float, str, str]:
        step, effort, period = self.step, effort_values(), self.view.period
        kind = augment_kind(step)
        g = self.p("time_saving", kind.time_saving, kind.id)
        cap = effort["effort_augment_cap"]
        capped = g > cap and step.rubric.exposure != ExposureLabel.E1
        if capped:
            self.set("time_saving", cap, "effort_augment_cap")
            g = cap
        t_val = self.p(
            "validation_minutes",
            effort["effort_validation_share"] * step.touch_minutes,
            "effort_validation_share",
        )
        folded = self.oversight is not None and self.oversight.owner == self.owner
        if folded:
            # The owner is also the Art 14 overseer: one review per case, not a check and then a review.
            self.set("validation_minutes", 0.0, "econ_oversight")
            t_val = 0.0
        doing = self.before * (1.0 - g)
        validating = step.volume * t_val / 60.0
        self.lines.append(_line(role=self.owner, activity=self.activity, before=self.before, after=doing))
        self.lines.append(_line(role=self.owner, activity="validating", before=0.0, after=validating))
        text = (
            f'Augmenting "{step.name}" ({kind.name}): {hours(self.before)} before; AI saves {g:.0%} of the touch time '
            f"({hours(self.before - doing)}) and checking its output takes {t_val:.1f} min per case "
            f"({hours(validating)}) per {period}."
        )
        if capped:
            text += f" The time saving is capped at {cap:.0%} because the step is not rated E1."
        if folded:
            text += " The owner is also the overseer, so the oversight review replaces the separate validation."
        e_red = self.p("error_reduction", effort["effort_augment_error_reduction"], "effort_augment_error_reduction")
        pca_after = augmented_pca(step.pca, e_red)
        if pca_after != step.pca:
            text += f" %C&A {step.pca:.0f} % -> {pca_after:.0f} % (AI removes {e_red:.0%} of the errors)."
        return step.touch_minutes * (1.0 - g) + t_val, pca_after, "econ_augment", text

    def _exceptions_role(self) -> str:
        for role_id in (self.step.owner, self.decision.owner if self.decision else None):
            human = self.view.human_of(role_id)
            if human is not None:
                return human
        return UNASSIGNED

    def _monitoring_role(self) -> str:
        d = self.decision
        for role_id in (d.owner if d else None, d.ai_agent if d else None, self.step.owner):
            human = self.view.human_of(role_id)
            if human is not None:
                return human
        return UNASSIGNED


@dataclass(frozen=True)
class EconomicsResult:
    steps: list[StepEconomics]
    exception_steps: list[NewStep]


def step_economics(view: ScenarioView, oversight: list[NewStep]) -> EconomicsResult:
    """Every step's hours before and after, in flow order; oversight hours on the reviewed step."""
    review_of = {o.for_step: o for o in oversight}
    steps: list[StepEconomics] = []
    exception_steps: list[NewStep] = []
    for step in view.flow.steps:
        calc = _StepCalc(view, step, review_of.get(step.id))
        steps.append(calc.run())
        if calc.exception_step is not None and calc.exception_step.hours > 0:
            exception_steps.append(calc.exception_step)
    return EconomicsResult(steps=steps, exception_steps=exception_steps)


def totals(view: ScenarioView, steps: list[StepEconomics]) -> HoursTotals:
    """People's hours: a step an AI agent already does (its owner is an agent) is machine time."""
    flow = view.flow
    fte = flow.fte_hours_per_period
    people_before: list[float] = []
    people_after: list[float] = []
    machine_before: list[float] = []
    machine_after: list[float] = []
    cost = 0.0
    costed: set[str] = set()
    machine_role = {r.id: r.kind == _AI_AGENT for r in view.flow.roles}  # once per role, not per line
    for s in steps:
        for line in s.lines:
            role = view.roles.get(line.role)
            machine = machine_role.get(line.role, False)
            (machine_before if machine else people_before).append(line.before)
            (machine_after if machine else people_after).append(line.after)
            if role is not None and role.hourly_cost is not None and not machine:
                cost += (line.before - line.after) * role.hourly_cost
                costed.add(role.id)
    before, after = math.fsum(people_before), math.fsum(people_after)
    saved = before - after
    changed = [s.step for s in steps if s.saved_hours != 0 or s.tag != _HUMAN]
    return HoursTotals(
        before_hours=before,
        after_hours=after,
        saved_hours=saved,
        saved_hours_per_year=saved * flow.periods_per_year,
        before_fte=before / fte,
        after_fte=after / fte,
        saved_fte=saved / fte,
        cost_saved_per_period=cost if costed else None,
        costed_roles=sorted(costed),
        machine_hours_before=math.fsum(machine_before),
        machine_hours_after=math.fsum(machine_after),
        reason=because(
            "econ_totals",
            changed,
            f"{hours(before)} per {flow.period.value} before and {hours(after)} after: {hours(saved)} saved "
            f"({saved / fte:.2f} FTE at {fte:,.1f} h per FTE per {flow.period.value}; "
            f"{saved * flow.periods_per_year:,.0f} h per year).",
            {
                "before_hours": before,
                "after_hours": after,
                "saved_hours": saved,
                "fte_hours_per_period": fte,
                "periods_per_year": flow.periods_per_year,
            },
        ),
    )
