"""Governance flags: what the EU AI Act, GDPR Art 22 and NIST AI RMF ask of a redesign.

Method: docs/methodology.md#governance-flags. Each check below is the trigger of one
rule of ``catalog/governance_rules.json``; the wording, severity, remedy and source are
data. BLOCK means the scenario cannot go ahead as tagged; WARN needs a named remedy
before go-live; INFO is a duty to note.

Three things keep the flags worth reading:
* rules with a ``summary`` are gaps of the same kind (no IT sign-off, no named person who
  can stop an automation ...): they come out as **one item** listing the steps, not one
  item per step; everything is ordered by severity, then flow order;
* regulated uses the flow's words suggest but nobody has labelled
  (``redesign.impact.regulated``) come out as "to confirm" items, including the question
  whether a credit decision is about natural persons;
* the AI Act's duties apply to AI systems: a decision whose ``system`` is "rules" (rules
  written by people, AI Act Art 3(1) and Recital 12) gets no AI Act flag, but GDPR Art 22
  still applies to it, since it is about solely automated decisions, however made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Set
from typing import Any, NamedTuple

from pydantic import BaseModel

from redesign.built import built
from redesign.impact.catalog import GovernanceRule, HighRiskArea, Severity, catalog
from redesign.impact.explain import Reason, because
from redesign.impact.oversight import NewStep
from redesign.impact.regulated import Detection, detect_step, is_rules_based, phrases_in, vocabulary
from redesign.impact.scenario_view import AI_TAGS, ScenarioView
from redesign.model import Handoff, RoleKind, Step, StepKind, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUTOMATE, _AI_AGENT, _REVIEW, _DECISION = (
    Tag.HUMAN,
    Tag.AUTOMATE,
    RoleKind.AI_AGENT,
    StepKind.REVIEW,
    StepKind.DECISION,
)

SEVERITY_RANK: dict[str, int] = {"BLOCK": 3, "WARN": 2, "INFO": 1}


class GovernanceFlag(BaseModel):
    rule: str
    severity: Severity
    step: str | None  # the step it is about (None: the whole scenario, or several steps: see ``steps``)
    message: str
    remedy: str
    oversight_step: str | None = None  # id of the review step it adds to the flow
    reason: Reason
    steps: list[str] = []  # every step it concerns (one item per kind of gap lists them all)
    item: str = ""  # this step's line in the kind's one item (the rule's summary_item)


class _Fields(dict[str, Any]):
    """Template fields; a field a rule's text does not get reads as "?" instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


class _Pending(NamedTuple):
    """A step's flag of a kind that is consolidated into one item (a rule with a ``summary``).

    Only its step and its line (``item``) go into the kind's item; the full flag (message,
    remedy, reason) is written only when the kind turns out to concern this one step. A
    5,000-step flow makes thousands of these and keeps a handful (a tuple: made faster than a frozen dataclass).
    """

    rule: str
    step: str
    item: str
    make: Callable[[], GovernanceFlag]


def _flag(
    rule_id: str,
    step: Step | None,
    steps: list[str],
    fields: Mapping[str, Any],
    numbers: Mapping[str, float | int | str] | None = None,
    oversight: NewStep | None = None,
) -> GovernanceFlag | _Pending:
    """The flag, or for a step's gap of a consolidated kind a `_Pending` one (see `consolidate`)."""
    rule: GovernanceRule = catalog().governance[rule_id]
    values = _Fields(fields)
    if rule.summary and step is not None:
        item = (rule.summary_item or "{step}").format_map(values)
        return _Pending(rule_id, step.id, item, lambda: _full(rule, step, steps, values, numbers, oversight))
    return _full(rule, step, steps, values, numbers, oversight)


def _full(
    rule: GovernanceRule,
    step: Step | None,
    steps: list[str],
    values: _Fields,
    numbers: Mapping[str, float | int | str] | None,
    oversight: NewStep | None,
) -> GovernanceFlag:
    rule_id = rule.id
    message = rule.message.format_map(values)
    # Built without re-validating (every field is typed here): a large flow makes thousands of flags,
    # most of which are then merged into one item per kind of gap.
    return built(
        GovernanceFlag,
        item=(rule.summary_item or "{step}").format_map(values),
        rule=rule_id,
        severity=rule.severity,
        step=step.id if step else None,
        message=message,
        remedy=rule.remedy.format_map(values),
        oversight_step=oversight.id if oversight else None,
        reason=because(rule_id, steps, message, numbers),
    )


def _step_fields(step: Step, tag: Tag, area: HighRiskArea | None) -> dict[str, Any]:
    # StrEnum: str() is the value, without `.value` (a Python-level property on 3.11, read once per step).
    fields: dict[str, Any] = {"step": step.name, "step_id": step.id, "tag": str(tag)}
    if area is not None:
        fields.update(point=area.point, area=area.area, title=area.title, area_id=area.id)
    return fields


def _error_cost(step: Step) -> int:
    if step.rubric.error_cost is not None:
        return step.rubric.error_cost
    return catalog().suggest.scales.stakes_to_error_cost[step.stakes]


def _sees_every_case(view: ScenarioView, step: Step, handoff: Handoff, nxt: Step) -> bool:
    """Whether a step after ``step`` gets every decision ``step`` makes, not only appeals or large cases.

    A condition on the hand-off ("if appealed", "amount over 50k"), a smaller volume, or words
    such as "appeal" or "escalation" in the next step's name mean it sees some cases only: the
    decisions it never sees stay solely automated (WP251 rev.01 IV.A).
    """
    if handoff.condition.strip() or phrases_in(nxt.name, vocabulary().partial_review):
        return False
    return not (step.volume > 0 and 0 < nxt.volume < step.volume * 0.95)  # 0 = volume not known


def _human_review_after(view: ScenarioView, step: Step) -> tuple[bool, str]:
    """(a human review or decision right after the step sees every case, a note on one that sees only some)."""
    partial = ""
    outgoing = (h for succ in view.successors.get(step.id, []) for h in view.incoming[succ] if h.source == step.id)
    for h in outgoing:
        nxt = view.steps[h.target]
        if nxt.kind in (_REVIEW, _DECISION) and view.tag(nxt.id) != _AUTOMATE:
            if _sees_every_case(view, step, h, nxt):
                return True, ""
            partial = (
                f' "{nxt.name}" after it sees only some cases ({h.condition or f"{nxt.volume:g} of {step.volume:g}"}).'
            )
    return False, partial


def is_ai(view: ScenarioView, step_id: str) -> bool:
    """AI (augment or automate) done by an AI system; False for rules written by people (AI Act Art 3(1))."""
    # `view.uses_ai` and `view.decision` read from their dicts: governance asks this some 7,000 times per 5,000 steps.
    decision = view.decisions.get(step_id)
    return view.tag_of.get(step_id, _HUMAN) in AI_TAGS and not (decision is not None and decision.system == "rules")


def _agent_problem(view: ScenarioView, agent_id: str) -> bool:
    agent = view.roles.get(agent_id)
    if agent is None or agent.kind != _AI_AGENT:
        return True
    return view.human_of(agent_id) is None


def _accountable_name(view: ScenarioView, step: Step) -> str:
    d = view.decision(step.id)
    for role_id in (d.owner if d else None, d.ai_agent if d else None, step.owner):
        human = view.human_of(role_id)
        if human is not None:
            return view.role_name(human)
    return "nobody named"


def _step_flags(
    view: ScenarioView, step: Step, tag: Tag, oversight: NewStep | None
) -> Iterator[GovernanceFlag | _Pending]:
    area = view.area(step)  # once, for the fields and the checks below
    fields = _step_fields(step, tag, area)
    ids = [step.id]
    if view.unknown_area(step):
        known = ", ".join(catalog().high_risk_areas)
        yield _flag("gov_unknown_area", step, ids, {**fields, "area_id": step.high_risk_area, "known": known})
    if tag == _HUMAN:
        return
    ai = is_ai(view, step.id)
    if step.emotion_recognition and ai:
        yield _flag("gov_emotion_recognition", step, ids, fields)
    if oversight is not None:
        fields["role"] = view.role_name(oversight.owner)
        numbers = {"review_minutes": oversight.minutes_per_case, "review_hours": oversight.hours}
        yield _flag(oversight.rule, step, ids, fields, numbers, oversight)
    if tag == _AUTOMATE:
        already = oversight is not None and oversight.rule == "gov_profiling_automate"
        if ai and not already and step.profiling and (step.decides_for_person or area is not None):
            yield _flag("gov_profiling_automate", step, ids, fields)
        reviewed, partial = _human_review_after(view, step)
        if step.decides_for_person and not reviewed:
            yield _flag("gov_gdpr_art22", step, ids, {**fields, "partial": partial})
        error_cost = _error_cost(step)
        # A person who reviews or decides every case right after it catches the costly errors: no flag then.
        if (area is None or not ai) and error_cost >= 4 and not reviewed:
            yield _flag(
                "gov_high_stakes_automate", step, ids, {**fields, "error_cost": error_cost}, {"error_cost": error_cost}
            )
    decision = view.decision(step.id)
    if decision is not None and decision.ai_agent and _agent_problem(view, decision.ai_agent):
        yield _flag("gov_agent_without_owner", step, ids, {**fields, "role": decision.ai_agent})
    if decision is not None and not decision.it_signoff:
        yield _flag("gov_no_it_signoff", step, ids, fields)
    if tag == _AUTOMATE and ai:
        yield _flag("gov_nist_disengage", step, ids, {**fields, "role": _accountable_name(view, step)})
    if step.customer_facing and ai:
        yield _flag("gov_art50_disclosure", step, ids, fields)
    if area is not None and area.id == "annex3_4a":
        yield _flag("gov_hr_adverse_impact", step, ids, fields)
    if decision is not None and decision.system is None and tag == _AUTOMATE:
        words = is_rules_based(f"{decision.rationale} {step.description}")
        if words:
            yield _flag("gov_confirm_ai_system", step, ids, {**fields, "words": ", ".join(words)})


def _to_confirm(view: ScenarioView, step: Step, tag: Tag) -> Iterator[GovernanceFlag | _Pending]:
    """Open detections on a step the scenario hands to AI or automates: the workshop confirms or dismisses them."""
    if tag == _HUMAN:
        return
    automated, ai = tag == _AUTOMATE, is_ai(view, step.id)
    if not (automated or ai):
        return  # rules written by people that only help a person: none of the three items below applies
    # Only an automated step can take the Art 22 item: an augmented one skips looking for it.
    for d in detect_step(view.flow, step, view.tasks.get(step.id, ()), art22=automated):
        if d.status != "open":
            continue
        if d.kind == "art22" and automated:
            yield _detected("gov_confirm_art22", step, d)
        elif d.kind == "person_question" and ai:
            yield _detected("gov_confirm_person", step, d)
        elif d.kind == "area" and ai and step.high_risk_area is None:
            yield _detected("gov_confirm_area", step, d)


def _detected(rule_id: str, step: Step, d: Detection) -> GovernanceFlag | _Pending:
    from redesign.impact.catalog import catalog as _catalog

    area = _catalog().high_risk_areas.get(d.area or "")
    words = sorted({w for e in d.evidence for w in e.words if e.field != "area"})
    fields = {
        "step": step.name,
        "step_id": step.id,
        "point": area.point if area else "",
        "title": area.title if area else "",
        "words": ", ".join(words[:6]),
        "question": d.question,
    }
    return _flag(rule_id, step, [step.id], fields)


def consolidate(flags: list[GovernanceFlag | _Pending], rules_based: Set[str] = frozenset()) -> list[GovernanceFlag]:
    """One item per kind of gap (rules with a ``summary``), listing its steps; all ordered by severity.

    A kind that concerns a single step keeps that step's own wording. ``rules_based``: steps done by
    rules written by people, not an AI system; a summary's ``{kind}`` then reads "automated or AI-assisted
    steps" instead of "AI steps".
    """
    rules = catalog().governance
    grouped: dict[str, list[GovernanceFlag | _Pending]] = {}
    out: list[GovernanceFlag | _Pending] = []
    for f in flags:
        if rules[f.rule].summary and f.step is not None:
            if f.rule not in grouped:
                out.append(f)  # placeholder: keeps the kind where its first step is
            grouped.setdefault(f.rule, []).append(f)
        else:
            assert isinstance(f, GovernanceFlag)  # a pending flag always has a step and a summary
            out.append(f.model_copy(update={"steps": f.steps or list(f.reason.steps)}))
    merged: list[GovernanceFlag] = []
    for f in out:
        group = grouped.get(f.rule) if f.step is not None and rules[f.rule].summary else None
        if group is None:
            assert isinstance(f, GovernanceFlag)
            merged.append(f)
        elif len(group) == 1:
            full = f.make() if isinstance(f, _Pending) else f
            merged.append(full.model_copy(update={"steps": [full.step]}))
        elif group[0] is f and len({g.step for g in group}) == 1:
            # One step, several flags of a kind (two Annex III points): "2 AI steps" would count one step
            # twice; each flag keeps its own wording, in one item.
            merged.append(_one_step(group))
        elif group[0] is f:
            merged.append(_summary(rules[f.rule], group, rules_based))
    return sorted(merged, key=lambda f: -SEVERITY_RANK[f.severity])


def _one_step(group: list[GovernanceFlag | _Pending]) -> GovernanceFlag:
    full = [f.make() if isinstance(f, _Pending) else f for f in group]
    message = " ".join(f.message for f in full)
    first = full[0]
    steps = [first.step] if first.step is not None else []
    return first.model_copy(update={"message": message, "steps": steps, "reason": because(first.rule, steps, message)})


def _summary(rule: GovernanceRule, group: list[GovernanceFlag | _Pending], rules_based: Set[str]) -> GovernanceFlag:
    steps = list(dict.fromkeys(f.step for f in group if f.step is not None))  # a step with two points counts once
    items = "; ".join(f.item for f in group)
    kind = "automated or AI-assisted steps" if any(s in rules_based for s in steps) else "AI steps"
    message = rule.summary.format_map(_Fields(count=len(steps), items=items, kind=kind))  # type: ignore[union-attr]  # consolidate groups only rules with a summary
    return GovernanceFlag(
        rule=rule.id,
        severity=rule.severity,
        step=None,
        message=message,
        remedy=(rule.summary_remedy or rule.remedy).format_map(
            _Fields(count=len(steps), items=items, step="each step")
        ),
        reason=because(rule.id, steps, message),
        steps=steps,
    )


def check(view: ScenarioView, oversight: list[NewStep]) -> list[GovernanceFlag]:
    """Every flag of the scenario: one item per kind of gap, ordered by severity, then flow order."""
    review_of = {o.for_step: o for o in oversight}
    flags: list[GovernanceFlag | _Pending] = []
    for step in view.flow.steps:
        tag = view.tag_of[step.id]
        flags.extend(_step_flags(view, step, tag, review_of.get(step.id)))
        flags.extend(_to_confirm(view, step, tag))
    for role in view.flow.roles:
        # Defensive: the model already refuses an AI agent without an accountable human.
        if role.kind == _AI_AGENT and view.human_of(role.id) is None:
            owned = [s.id for s in view.flow.steps if s.owner == role.id]
            if owned:
                step = view.steps[owned[0]]
                flags.append(_flag("gov_agent_without_owner", step, owned, {"step": step.name, "role": role.id}))
    # `high_risk_area` first: most steps have none, and no `view.area` call is needed to see that.
    high_risk = [
        s.id for s in view.flow.steps if s.high_risk_area is not None and view.area(s) is not None and is_ai(view, s.id)
    ]
    if high_risk:
        flags.append(_flag("gov_annex3_timing", None, high_risk, {}))
    # Steps done by rules written by people: a consolidated item that lists one must not call them all AI.
    return consolidate(flags, {k for k, d in view.decisions.items() if d.system == "rules"})


def worst_severity(flags: list[GovernanceFlag]) -> str | None:
    return max((f.severity for f in flags), key=SEVERITY_RANK.__getitem__, default=None)
