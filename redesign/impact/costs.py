"""Capacity and cash kept apart (docs/methodology.md#costs-and-payback).

Hours freed are capacity. They become cash only when whole people's time is freed in
one role: 0.36 FTE spread over 40 sales reps is nine minutes a day each, which no
budget can bank. So each role's freed FTE is split into the whole FTE that could be
redeployed (``floor``) and the rest, which is spread across its people. Money is in
the catalog's currency: the value of the hours freed (roles with an hourly cost),
the one-off investment and yearly run cost of each AI step (editable defaults in
``effort.json``), and the payback in months. A blocked scenario's savings are
reported as blocked, not as savings.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

from redesign.impact.catalog import catalog
from redesign.impact.economics import HoursTotals, StepEconomics
from redesign.impact.explain import Reason, because, hours
from redesign.impact.roles import RoleChange
from redesign.model import RoleKind, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUGMENT, _AUTOMATE, _HUMAN_ROLE = Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE, RoleKind.HUMAN


class RoleCapacity(BaseModel):
    role: str
    name: str
    people: float
    freed_fte: float
    bankable_fte: float  # whole FTE of this role that could be redeployed (not more than the role's spare people after)
    hours_per_person: float  # freed hours per person per period
    spread: bool  # True: less than one FTE across more than one person: capacity, not cash
    held: bool  # True: whole FTE freed, but the role is still over its capacity after the change
    after_load: float  # FTE of work left after the change, per person of the role (1.0 = full)


class Costs(BaseModel):
    currency: str
    blocked: bool  # a BLOCK stands: none of this can be realised until it is resolved
    freed_fte: float
    bankable_fte: float
    roles: list[RoleCapacity]
    value_per_year: float | None  # hours freed x hourly cost (capacity value) + outcome gains
    outcome_gain_per_year: float  # decisions' outcome gains (forecast accuracy, bad debt, leakage)
    cash_per_year: float | None  # the whole FTE that could be redeployed, at their hourly cost
    uncosted_roles: list[str]  # roles with freed hours and no hourly cost
    investment: float  # one-off
    run_cost_per_year: float
    net_per_year: float | None  # value - run cost
    payback_months: float | None  # None: no value known, or it never pays back
    reason: Reason


def _capacity(roles: list[RoleChange]) -> list[RoleCapacity]:
    out: list[RoleCapacity] = []
    for r in roles:
        if r.kind != _HUMAN_ROLE or r.freed_fte is None or r.freed_fte <= 1e-9:
            continue
        people = r.headcount if r.headcount > 0 else 1.0
        # A person can be redeployed only if the people who stay can do the work that is left: a
        # role still over its capacity after the change has freed hours but no one to spare.
        spare = min(r.freed_fte, max(0.0, people - (r.after_fte or 0.0)))
        out.append(
            RoleCapacity(
                role=r.role,
                name=r.name,
                people=people,
                freed_fte=r.freed_fte,
                bankable_fte=float(math.floor(spare + 1e-9)),
                hours_per_person=-r.change_hours / people,
                spread=r.freed_fte < 1.0 and people > 1,
                held=math.floor(spare + 1e-9) < math.floor(r.freed_fte + 1e-9),
                after_load=(r.after_fte or 0.0) / people,
            )
        )
    return out


def costs(
    steps: list[StepEconomics],
    roles: list[RoleChange],
    totals: HoursTotals,
    periods_per_year: float,
    blocked: bool,
    fte_hours_per_year: float = 1680.0,
) -> Costs:
    effort = catalog().effort
    automated = sum(1 for s in steps if s.tag == _AUTOMATE)
    augmented = sum(1 for s in steps if s.tag == _AUGMENT)
    investment = automated * effort.value("effort_investment_automate") + augmented * effort.value(
        "effort_investment_augment"
    )
    run = automated * effort.value("effort_run_cost_automate") + augmented * effort.value("effort_run_cost_augment")
    outcome = math.fsum(s.parameters.get("gain_per_year", 0.0) for s in steps if s.tag != _HUMAN)
    hours_value = totals.cost_saved_per_period * periods_per_year if totals.cost_saved_per_period is not None else None
    value = (hours_value or 0.0) + outcome if (hours_value is not None or outcome > 0) else None
    net = value - run if value is not None else None
    payback = investment / net * 12.0 if net is not None and net > 0 and investment > 0 else None
    capacity = _capacity(roles)
    bankable = math.fsum(c.bankable_fte for c in capacity)
    rates = {
        r.role: r.cost_change_per_period / r.change_hours for r in roles if r.cost_change_per_period and r.change_hours
    }
    cash = math.fsum(c.bankable_fte * fte_hours_per_year * rates[c.role] for c in capacity if c.role in rates)
    uncosted = [
        r.role for r in roles if r.kind == _HUMAN_ROLE and r.cost_change_per_period is None and r.change_hours < 0
    ]
    cur = effort.currency
    text = (
        f"{totals.saved_fte:.2f} FTE of capacity freed, of which {bankable:g} whole FTE could be redeployed; "
        f"investment {cur} {investment:,.0f}, run cost {cur} {run:,.0f} per year"
    )
    if outcome > 0:
        text += f", outcome gains {cur} {outcome:,.0f} per year (value beyond hours)"
    if net is not None:
        text += f", value {cur} {value:,.0f} per year (cash if hours are redeployed: {cur} {cash:,.0f})"
        text += (
            f", payback {payback:,.0f} months on that value."
            if payback is not None
            else ", no payback at these figures."
        )
    else:
        text += "; no role has an hourly cost, so no payback can be computed."
    if blocked:
        text = "BLOCKED: none of this can be realised until the BLOCK is resolved. " + text
    spread = [c for c in capacity if c.spread]
    if spread:
        c = spread[0]
        text += (
            f" {c.name}: {c.freed_fte:.2f} FTE is spread across {c.people:g} people "
            f"({hours(c.hours_per_person)} each): capacity, not cash."
        )
    held = [c for c in capacity if c.held]
    if held:
        c = max(held, key=lambda c: c.freed_fte)
        text += (
            f" {c.name}: {c.freed_fte:.2f} FTE freed, but the work left still needs {c.after_load:.0%} "
            f"of its {c.people:g} people: capacity, not cash."
        )
    changed = [s.step for s in steps if s.tag != _HUMAN]
    return Costs(
        currency=cur,
        blocked=blocked,
        freed_fte=totals.saved_fte,
        bankable_fte=bankable,
        roles=capacity,
        value_per_year=value,
        outcome_gain_per_year=outcome,
        cash_per_year=cash if value is not None else None,
        uncosted_roles=uncosted,
        investment=investment,
        run_cost_per_year=run,
        net_per_year=net,
        payback_months=payback,
        reason=because(
            "cost_payback",
            changed or [s.step for s in steps][:1],
            text,
            {"investment": investment, "run_cost_per_year": run, "bankable_fte": bankable, "gain_per_year": outcome},
        ),
    )


__all__ = ["Costs", "RoleCapacity", "costs"]
