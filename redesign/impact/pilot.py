"""Pilot plan: the decided steps in waves, by value and risk ("start focused, scale after").

Value = net hours saved (relative to the best step) + %C&A gain (per
``pca_points_per_value_unit`` points); risk = the worst governance severity and the
error cost. A BLOCK holds the step until its remedy is applied; a step with no value
at its parameters is held too. Rule ``pilot_waves`` in ``catalog/rules.json``.

A gap that is a task to schedule (IT security and integration sign-off) is not a
risk of the step: it is listed on the item as a task before go-live and does not
push the step out of wave 1. Every plan with a candidate that saves hours has a
wave 1: when no step is low-risk, the least risky one pilots with its oversight in
place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from pydantic import BaseModel

from redesign.built import in_order
from redesign.impact.catalog import catalog
from redesign.impact.economics import StepEconomics
from redesign.impact.explain import Reason, because, hours
from redesign.impact.governance import SEVERITY_RANK, GovernanceFlag
from redesign.impact.scenario_view import ScenarioView
from redesign.model import Step, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN = Tag.HUMAN

SCHEDULABLE = frozenset({"gov_no_it_signoff"})
"""Governance gaps that are a task to schedule before go-live, not a reason to wait."""


class PilotItem(BaseModel):
    step: str
    name: str
    tag: Tag
    tasks: list[str] = []  # what to schedule before this step goes live (e.g. the IT sign-off)
    net_hours: float  # saved per period
    pca_gain: float  # percentage points of the step's output %C&A
    value: float
    risk: float
    severity: str | None  # worst governance flag on the step
    error_cost: int
    reason: Reason


class PilotWave(BaseModel):
    number: int
    name: str
    items: list[PilotItem]
    net_hours: float
    reason: Reason


class PilotPlan(BaseModel):
    waves: list[PilotWave]
    held: list[PilotItem]


_WAVES = (
    (1, "Pilot: start focused", "pilot_wave_1"),
    (2, "Scale", "pilot_wave_2"),
    (3, "Govern, then scale", "pilot_wave_3"),
)


def _error_cost(step: Step, by_stakes: Mapping[str, int]) -> int:
    """The step's scored error cost, else its stakes' (``by_stakes``: the catalog's table, looked up once)."""
    if step.rubric.error_cost is not None:
        return step.rubric.error_cost
    return by_stakes[step.stakes]  # a StrEnum member finds its value's entry, without `.value`


def pilot_plan(view: ScenarioView, steps: list[StepEconomics], flags: list[GovernanceFlag]) -> PilotPlan:
    params = catalog().method["pilot_waves"].params
    high_cost = params["high_error_cost"]
    by_stakes = catalog().suggest.scales.stakes_to_error_cost
    pca_unit = params["pca_points_per_value_unit"]
    worst: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    for f in flags:
        for sid in [f.step] if f.step is not None else f.reason.steps:
            if f.rule in SCHEDULABLE:
                tasks.setdefault(sid, []).append(f.remedy)
            elif SEVERITY_RANK[f.severity] > SEVERITY_RANK.get(worst.get(sid, ""), 0):
                worst[sid] = f.severity
    decided = [e for e in steps if e.tag != _HUMAN]
    best = max((e.saved_hours for e in decided), default=0.0)
    waves: dict[int, list[PilotItem]] = {1: [], 2: [], 3: []}
    held: list[PilotItem] = []
    candidates: list[tuple[int, PilotItem]] = []
    for e in decided:
        step = view.steps[e.step]
        gain = max(0.0, e.pca_after - e.pca_before)
        value = (e.saved_hours / best if best > 0 else 0.0) + gain / pca_unit
        severity = worst.get(e.step)
        cost = _error_cost(step, by_stakes)
        risk = SEVERITY_RANK.get(severity or "", 0) + (cost - 1) / 4
        numbers: dict[str, float | int | str] = {
            "net_hours": e.saved_hours,
            "pca_gain": gain,
            "value": value,
            "risk": risk,
            "error_cost": cost,
            "severity": severity or "none",
        }
        if severity == "BLOCK":
            rule, wave = "pilot_held_block", 0
            text = f'"{e.name}" is held: a BLOCK stands until its remedy is applied.'
        elif e.saved_hours <= 0 and gain <= 0:
            rule, wave = "pilot_held_no_value", 0
            text = (
                f'"{e.name}" is held: it saves no hours ({hours(e.saved_hours)}) and gains no %C&A at these parameters.'
            )
        elif severity == "WARN" or cost >= high_cost:
            rule, wave = "pilot_wave_3", 3
            text = (
                f'"{e.name}" waits for governance: {"a WARN" if severity == "WARN" else "a high error cost"} '
                f"(error cost {cost}); value {value:.2f}, {hours(e.saved_hours)} saved."
            )
        else:
            rule, wave = "pilot_wave_2", 2
            text = f'"{e.name}": low risk, value {value:.2f} ({hours(e.saved_hours)} saved, +{gain:.1f} pts %C&A).'
        to_schedule = list(dict.fromkeys(tasks.get(e.step, [])))  # once, for the text and the item
        if to_schedule:
            text += f" Schedule first: {'; '.join(to_schedule)}"
        item = in_order(
            PilotItem,
            {
                "step": e.step,
                "name": e.name,
                "tag": e.tag,
                "tasks": to_schedule,
                "net_hours": e.saved_hours,
                "pca_gain": gain,
                "value": value,
                "risk": risk,
                "severity": severity,
                "error_cost": cost,
                "reason": because(rule, [e.step], text, numbers),
            },
        )
        if wave == 0:
            held.append(item)
        else:
            candidates.append((wave, item))
    candidates.sort(key=lambda t: (-t[1].value, t[1].risk, view.order[t[1].step]))
    first_max = int(params["wave1_max_steps"])
    for wave, item in candidates:
        # A pilot has to show its value in hours: a step that costs hours for a %C&A gain scales later.
        if wave == 2 and len(waves[1]) < first_max and item.net_hours > 0:
            item = item.model_copy(
                update={
                    "reason": item.reason.model_copy(
                        update={"rule": "pilot_wave_1", "source": catalog().rule("pilot_wave_1").source}
                    )
                }
            )
            wave = 1
        waves[wave].append(item)
    if not waves[1]:
        _least_risky_first(waves, first_max)
    return PilotPlan(
        waves=[_wave(number, name, rule, waves[number]) for number, name, rule in _WAVES if waves[number]],
        held=held,
    )


def _least_risky_first(waves: dict[int, list[PilotItem]], first_max: int) -> None:
    """No low-risk candidate: the least risky steps that save hours pilot first, with their oversight in place."""
    pool = [i for i in waves[2] + waves[3] if i.net_hours > 0]
    pool.sort(key=lambda i: (i.risk, -i.value))
    for item in pool[: max(1, first_max)]:
        (waves[2] if item in waves[2] else waves[3]).remove(item)
        text = item.reason.text + " Least risky of the steps that save hours: pilot it with its oversight in place."
        rule = catalog().rule("pilot_wave_1")
        waves[1].append(item.model_copy(update={"reason": item.reason.model_copy(
            update={"rule": rule.id, "source": rule.source, "text": text})}))  # fmt: skip
        if len(waves[1]) >= 1 and item.risk > 0:
            break  # one risky step is a pilot; more is a roll-out


def _wave(number: int, name: str, rule: str, items: list[PilotItem]) -> PilotWave:
    net = math.fsum(i.net_hours for i in items)
    return PilotWave(
        number=number,
        name=name,
        items=items,
        net_hours=net,
        reason=because(
            rule,
            [i.step for i in items],
            f"Wave {number} ({name}): {len(items)} step(s), {hours(net)} saved per period, ordered by value then risk.",
            {"steps": len(items), "net_hours": net},
        ),
    )
