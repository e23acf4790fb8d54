"""Incentive and metric changes: what to stop counting, what to add, what to share.

docs/methodology.md#roles-skills-and-incentives (built on Kerr 1975, Goodhart's law,
Holmstrom & Milgrom 1991, sales compensation practice, RACI, the Balanced Scorecard and FVA). Rules,
metric names and sources are in ``catalog/incentive_rules.json``; each function
below is the trigger of one or a few of them. Every shared metric has exactly one
accountable role.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel

from redesign.built import in_order
from redesign.impact.catalog import IncentiveRule, Party, catalog
from redesign.impact.economics import StepEconomics
from redesign.impact.explain import Reason, because, hours
from redesign.impact.roles import RoleChange
from redesign.impact.scenario_view import ScenarioView
from redesign.impact.wording import keyword_pattern, normalise
from redesign.model import Role, RoleKind, Step, StepKind, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUTOMATE, _HUMAN_ROLE, _DECISION = Tag.HUMAN, Tag.AUTOMATE, RoleKind.HUMAN, StepKind.DECISION


class IncentiveChange(BaseModel):
    rule: str
    action: str  # retire | add | share | diagnostic | consider | rebalance
    metric: str
    kind: str  # activity | quality | outcome | diagnostic | pay modifier
    use: str  # target | diagnostic, not a target | shared target | ...
    perspective: str  # Balanced Scorecard perspective
    owner: str | None  # the ONE accountable role
    shared_by: list[str]  # function ids that share the metric (one function when not shared)
    steps: list[str]
    reason: Reason


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _items(
    view: ScenarioView,
    rule_id: str,
    fields: dict[str, Any],
    owner: str | None,
    shared_by: Iterable[str],
    steps: list[str],
    why: str,
    numbers: dict[str, float | int | str] | None = None,
) -> Iterator[IncentiveChange]:
    rule: IncentiveRule = catalog().incentives.rule(rule_id)
    values = _Fields(fields)
    text = rule.text.format_map(values)
    functions = list(dict.fromkeys(shared_by))
    for metric in rule.metrics:
        name = metric.name.format_map(values)
        # Each metric's reason names the metric: one sentence per finding, never the same text twice.
        reason = because(rule_id, steps, f"{name} ({metric.use}): {why} {text}".strip(), numbers)
        yield in_order(
            IncentiveChange,
            {
                "rule": rule_id,
                "action": rule.action,
                "metric": name,
                "kind": metric.kind,
                "use": metric.use,
                "perspective": metric.perspective,
                "owner": owner,
                "shared_by": functions,
                "steps": steps,
                "reason": reason,
            },
        )


def _accountable(view: ScenarioView, step: Step) -> str | None:
    d = view.decision(step.id)
    for role_id in (d.owner if d else None, step.owner):
        human = view.human_of(role_id)
        if human is not None:
            return human
    return None


_norm = normalise


def _matches(text: str, keywords: Iterable[str]) -> bool:
    """Whole words on both sides: "rep" is not "representative", "forecast" is not "forecasting"."""
    return keyword_pattern(tuple(keywords)).search(text) is not None


def _is_seller(view: ScenarioView, step: Step) -> bool:
    """A step a seller owns: what sellers are paid on can only be what they influence."""
    return step.owner is not None and _seller_role(step.owner, view.role_name(step.owner))


@cache
def _seller_role(role_id: str, role_name: str) -> bool:
    return _matches(_norm(f"{role_id} {role_name}"), catalog().incentives.sales_forecasting.seller_keywords)


def _listing(names: list[str], limit: int = 3) -> str:
    """ "A", "A and B", "A, B and C", "A, B, C and 2 more"."""
    if len(names) == 1:
        return names[0]
    if len(names) <= limit:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def _step_items(view: ScenarioView, saved: dict[str, float], shared: dict[str, list[str]]) -> Iterator[IncentiveChange]:
    """One finding per (kind of change, accountable role, function): who answers for which steps, and why.

    A role that answers for five automated steps of one function gets one retire item and one
    set of quality metrics naming the five, with the hours they save, and the shared metrics
    the steps feed; not five copies of the same sentence.
    """
    groups: dict[tuple[Tag, str | None, str], list[Step]] = {}
    for step in view.flow.steps:
        tag = view.tag_of[step.id]
        if tag != _HUMAN:
            groups.setdefault((tag, _accountable(view, step), step.function), []).append(step)
    period = view.flow.period.value
    functions = view.flow.functions_by_id()
    for (tag, owner, function), steps in groups.items():
        ids = [s.id for s in steps]
        names = [s.name for s in steps]
        fields = {"step": _listing(names), "period": period}
        h = sum(saved.get(i, 0.0) for i in ids)
        lane = functions[function].name if function in functions else function
        who = view.role_name(owner) if owner is not None else "Nobody named"
        verb = "automated" if tag == _AUTOMATE else "augmented"
        count = f"{len(steps)} {verb} step{'s' if len(steps) > 1 else ''}"
        quoted = _listing([f'"{n}"' for n in names])
        why = f"{who} answers for {count} in {lane} ({quoted}; {hours(h)} per {period} saved)."
        feeds = list(dict.fromkeys(m for i in ids for m in shared.get(i, [])))
        if feeds:
            named = "; ".join(feeds[:2]) + (f"; and {len(feeds) - 2} more" if len(feeds) > 2 else "")
            why += f" Their output feeds the shared metric{'s' if len(feeds) > 1 else ''} {named}."
        numbers: dict[str, float | int | str] = {"steps": len(steps), "saved_hours": h}
        if tag == _AUTOMATE:
            yield from _items(view, "inc_automate_retire", fields, owner, [function], ids, why, numbers)
            yield from _items(view, "inc_automate_quality", fields, owner, [function], ids, why, numbers)
            sellers = [s for s in steps if _is_seller(view, s)]
            if sellers:
                f = {**fields, "step": _listing([s.name for s in sellers])}
                yield from _items(
                    view, "inc_seller_influence", f, owner, [function], [s.id for s in sellers], why, numbers
                )
        else:
            yield from _items(view, "inc_augment_quality", fields, owner, [function], ids, why, numbers)
            yield from _items(view, "inc_augment_diagnostics", fields, owner, [function], ids, why, numbers)
        selection = [s for s in steps if s.high_risk_area == "annex3_4a"]
        if selection:
            f = {**fields, "step": _listing([s.name for s in selection])}
            hr_why = (
                f"{who} answers for AI in recruitment or selection (Annex III point 4(a)): "
                + ", ".join(f'"{s.name}"' for s in selection)
                + "."
            )
            yield from _items(
                view, "inc_hr_selection", f, owner, [function], [s.id for s in selection], hr_why, numbers
            )


def _shared_metrics(items: list[IncentiveChange], functions: dict[str, str]) -> dict[str, list[str]]:
    """Step id -> the shared metrics it feeds, as "metric (owner; functions)"."""
    found: dict[str, list[str]] = {}
    for item in items:
        if len(item.shared_by) < 2 or "shared" not in item.use:  # diagnostics are watched, not shared targets
            continue
        lanes = " with ".join(functions.get(f, f) for f in item.shared_by)
        for step in item.steps:
            found.setdefault(step, []).append(f"{item.metric} ({lanes})")
    return found


def _handoff_items(view: ScenarioView) -> Iterator[IncentiveChange]:
    flow = view.flow
    data = flow.data_by_id()
    for h in flow.handoffs:
        src, dst = view.steps.get(h.source), view.steps.get(h.target)
        if src is None or dst is None or src.function == dst.function or h.rework:
            continue
        pca = h.pca if h.pca is not None else src.pca
        if pca >= flow.dq_threshold:
            continue
        names = [data[d].name if d in data else d for d in (h.data or src.data_out)]
        owner = view.human_of(src.owner)
        fields = {"data": ", ".join(names) or "the work", "source_step": src.name, "target_step": dst.name}
        why = (
            f'Only {pca:g} % of what "{src.name}" ({src.function}) hands to "{dst.name}" ({dst.function}) arrives '
            f"complete and accurate, below the flow's {flow.dq_threshold:g} % threshold."
        )
        numbers: dict[str, float | int | str] = {"pca": pca, "dq_threshold": flow.dq_threshold, "handoff": h.id}
        yield from _items(
            view, "inc_shared_handoff", fields, owner, [src.function, dst.function], [src.id, dst.id], why, numbers
        )


def _outcome_owner(view: ScenarioView, critical_path: list[str]) -> tuple[str, Step | None]:
    """The lead function (most hours) and its step that answers for the outcome.

    That step is the function's last decision on the critical path, else its last
    decision, else its last step: the latest call the function makes on the result.
    """
    hours_by_function: dict[str, float] = {}
    for s in view.flow.steps:
        hours_by_function[s.function] = hours_by_function.get(s.function, 0.0) + s.volume * s.touch_minutes
    lead = max(hours_by_function, key=lambda f: (hours_by_function[f], -len(f)))
    own = [s for s in view.flow.steps if s.function == lead and view.human_of(s.owner) is not None]
    on_path = set(critical_path)
    for candidates in (
        [s for s in own if s.kind == _DECISION and s.id in on_path],
        [s for s in own if s.kind == _DECISION],
        own,
    ):
        if candidates:
            return lead, candidates[-1]
    return lead, None


def _outcome_items(view: ScenarioView, critical_path: list[str]) -> Iterator[IncentiveChange]:
    flow = view.flow
    if not flow.steps:
        return
    text = _norm(f"{flow.id} {flow.name}")
    outcome = next(o for o in catalog().incentives.outcomes if not o.keywords or _matches(text, o.keywords))
    participating = list(dict.fromkeys(s.function for s in flow.steps))
    suggested = outcome.metric.format(flow=flow.name)
    chosen = view.scenario.outcome_metric.strip()
    metric = chosen or suggested
    # The catalog names who runs its metric (an AP supervisor, not the budget holder whose function
    # spends the most hours); a metric the workshop chose instead has no such name.
    named = _named_owner(view, outcome.owner_roles) if not chosen or chosen == suggested else None
    forecast_owner = _forecast_owner(view) if named is None and is_sales_forecasting(view) else None
    lead, step = _outcome_owner(view, critical_path)
    if forecast_owner is not None:
        # One forecast, one owner: the outcome and the shared forecast-accuracy target name the same role.
        owner: str | None = forecast_owner
        who = f"{view.role_name(owner)} (accountable for the shared forecast metric too)"
        owned = [s.id for s in flow.steps if s.owner == owner]
    elif named is not None:
        owner = named.id
        who = f"{named.name} (the catalog's owner for this metric)"
        owned = [s.id for s in flow.steps if s.owner == named.id]
    else:
        owner = view.human_of(step.owner) if step else None
        who = f'{view.role_name(owner)} (lead function {lead}, its call "{step.name}")' if step else "nobody named"
        owned = [step.id] if step else []
    choice = (
        f"chosen by the workshop (the catalog suggests {suggested})"
        if chosen and chosen != suggested
        else "the catalog's suggestion; the workshop can choose another"
    )
    why = (
        f"{metric} ({choice}) is the outcome of the whole flow; every function that does a step shares it "
        f"({', '.join(participating)}), with {who} accountable [{outcome.id}]."
    )
    steps = owned or [s.id for s in flow.steps if not view.successors.get(s.id)]
    yield from _items(view, "inc_e2e_outcome", {"outcome": metric}, owner, participating, steps, why)


def _named_owner(view: ScenarioView, owner_roles: list[str]) -> Role | None:
    """The flow's first human role whose name holds one of ``owner_roles`` (whole words), most fitting first."""
    humans = [r for r in view.flow.roles if r.kind != RoleKind.AI_AGENT]
    for words in owner_roles:
        found = next((r for r in humans if _matches(_norm(r.name), [words])), None)
        if found is not None:
            return found
    return None


def is_sales_forecasting(view: ScenarioView) -> bool:
    sf = catalog().incentives.sales_forecasting
    return view.flow.id in sf.flow_ids or _matches(_norm(f"{view.flow.id} {view.flow.name}"), sf.flow_keywords)


def parties(view: ScenarioView) -> dict[str, list[Role]]:
    """Sales, RevOps and FP&A roles of a sales-forecasting flow (see the catalog for the matching rule)."""
    sf = catalog().incentives.sales_forecasting
    functions = view.flow.functions_by_id()

    def function_text(role: Role) -> str:
        lane = functions.get(role.function)
        return _norm(f"{role.function} {lane.name if lane else ''}")

    def fits(party: Party, role: Role) -> bool:
        return not party.functions or _matches(function_text(role), party.functions)

    found: dict[str, list[Role]] = {p.party: [] for p in sf.parties}
    humans = [r for r in view.flow.roles if r.kind == _HUMAN_ROLE]
    for role in humans:
        text = _norm(f"{role.id} {role.name}")
        party = next((p for p in sf.parties if _matches(text, p.keywords) and fits(p, role)), None)
        if party is not None:
            found[party.party].append(role)
    taken = {r.id for roles in found.values() for r in roles}
    for party in sf.parties:
        if not found[party.party] and party.functions:
            found[party.party] = [
                r for r in humans if r.id not in taken and _matches(function_text(r), party.functions)
            ]
    return found


def _forecast_owner(view: ScenarioView, by_party: dict[str, list[Role]] | None = None) -> str | None:
    """Who is accountable for a sales forecast: the catalog's accountable party, else any party's role."""
    by_party = by_party if by_party is not None else parties(view)
    accountable = catalog().incentives.sales_forecasting.accountable_party
    return _party_accountable(view, by_party.get(accountable, [])) or _party_accountable(
        view, [r for roles in by_party.values() for r in roles]
    )


def _sales_forecast_items(view: ScenarioView) -> Iterator[IncentiveChange]:
    by_party = parties(view)
    role_ids = {r.id for roles in by_party.values() for r in roles}
    steps = [s.id for s in view.flow.steps if s.owner in role_ids]
    if not steps:
        return
    functions = list(dict.fromkeys(r.function for roles in by_party.values() for r in roles))
    owner = _forecast_owner(view, by_party)
    listing = "; ".join(f"{p}: {', '.join(r.name for r in rs) or 'none found'}" for p, rs in by_party.items())
    why = f"This is a sales-forecasting flow ({listing})."
    numbers: dict[str, float | int | str] = {p: len(rs) for p, rs in by_party.items()}
    yield from _items(view, "inc_sales_forecast_shared", {}, owner, functions, steps, why, numbers)
    yield from _items(view, "inc_sales_forecast_diagnostics", {}, owner, functions, steps, why, numbers)
    sellers = [s.id for s in view.flow.steps if s.owner in role_ids and _is_seller(view, s)]
    if sellers:
        names = ", ".join(sorted({view.role_name(view.steps[s].owner) for s in sellers}))
        yield from _items(
            view,
            "inc_forecast_modifier",
            {},
            owner,
            functions,
            sellers,
            f"Sellers ({names}) submit the forecast they are paid against.",
        )


def _party_accountable(view: ScenarioView, roles: list[Role]) -> str | None:
    ids = {r.id for r in roles}
    owned = [s for s in view.flow.steps if s.owner in ids]
    return owned[-1].owner if owned else (roles[0].id if roles else None)


def _rebalance_items(view: ScenarioView, roles: list[RoleChange]) -> Iterator[IncentiveChange]:
    min_share = catalog().incentives.rule("inc_rebalance_scorecard").min_share or 0.0
    for rc in roles:
        if rc.kind != _HUMAN_ROLE or rc.before_hours <= 0:
            continue
        share = (rc.before_hours - rc.after_hours) / rc.before_hours
        if share < min_share:
            continue
        why = (
            f"{rc.name} loses {share:.0%} of its hours on this flow "
            f"({rc.before_hours:,.1f} h -> {rc.after_hours:,.1f} h per {view.flow.period.value})."
        )
        numbers: dict[str, float | int | str] = {
            "before_hours": rc.before_hours,
            "after_hours": rc.after_hours,
            "share_lost": share,
            "min_share": min_share,
        }
        yield from _items(
            view,
            "inc_rebalance_scorecard",
            {"role": rc.name},
            rc.role,
            [rc.function] if rc.function else [],
            [s for s in rc.steps if s in view.steps],
            why,
            numbers,
        )


def headline_shared_metric(incentives: list[IncentiveChange]) -> IncentiveChange | None:
    """The one shared metric to lead with: the shared outcome first (the sales sample's forecast accuracy
    is the model), then the flow's end-to-end outcome, then the most widely shared hand-off metric."""
    ranked = sorted(
        (i for i in incentives if i.action == "share"),
        key=lambda i: (i.kind != "outcome", i.rule == "inc_e2e_outcome", -len(i.shared_by)),
    )
    return ranked[0] if ranked else None


def incentive_changes(
    view: ScenarioView,
    roles: list[RoleChange],
    critical_path: list[str],
    steps: list[StepEconomics] | None = None,
) -> list[IncentiveChange]:
    """Every metric change of the scenario: per accountable role and function, per hand-off, per flow, per role.

    The shared metrics come first so that each role's findings can name the shared metrics its steps feed.
    """
    shared = list(_handoff_items(view))
    if is_sales_forecasting(view):
        shared.extend(_sales_forecast_items(view))
    functions = {f.id: f.name for f in view.flow.functions}
    feeds = _shared_metrics(shared, functions)
    saved = {e.step: e.saved_hours for e in steps or []}
    out = [*_step_items(view, saved, feeds), *shared]
    out.extend(_outcome_items(view, critical_path))
    out.extend(_rebalance_items(view, roles))
    return out
