"""Skill changes per role, a prioritised reskilling list and deskilling warnings.

The change rules (docs/methodology.md#roles-skills-and-incentives) live in ``catalog/skills.json`` with
the O*NET 35 skills and the WEF Future of Jobs skill names. Which skills a step's work
exercises is read from the step itself: the skills it declares, and the O*NET skills whose
cue words (``work_cues``) occur in its name, its description and the O*NET tasks matched to
it. A skill *grows* when the role already uses it in this flow, is *new* when it does not,
and *declines* when the work that exercised it goes to a machine (unless the same role
needs it more elsewhere in the redesign: then it shows as growing only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

from pydantic import BaseModel

from redesign.impact.catalog import SkillRule, catalog
from redesign.impact.economics import StepEconomics
from redesign.impact.explain import Reason, because, hours
from redesign.impact.oversight import NewStep
from redesign.impact.regulated import Terms, phrases_in, stem_terms
from redesign.impact.scenario_view import UNASSIGNED, ScenarioView
from redesign.model import Step, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUGMENT, _AUTOMATE = Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE

Change = Literal["decline", "grow", "new"]


class SkillChange(BaseModel):
    role: str
    skill: str
    taxonomy: str  # onet | wef | ai_act | flow (a name the flow uses that no taxonomy has)
    change: Change
    hours: float  # work per period affected (baseline hours of the steps behind it)
    steps: list[str]
    reason: Reason


class ReskillingItem(BaseModel):
    rank: int
    role: str
    skill: str
    taxonomy: str
    change: Literal["grow", "new"]
    hours: float
    people: float
    priority: float  # the role's hours of work with the skill (already the total for all its people)
    steps: list[str]
    reason: Reason


class DeskillingWarning(BaseModel):
    step: str
    role: str
    hours: float  # hours per period of practice that go to the machine
    remedy: str
    reason: Reason


class SkillsResult(BaseModel):
    changes: list[SkillChange]
    reskilling: list[ReskillingItem]
    deskilling: list[DeskillingWarning]


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("&", " and ").split())


@cache
def _names() -> dict[str, tuple[str, str]]:
    """Normalised name -> (canonical name, taxonomy id); the first taxonomy listed wins."""
    skills = catalog().skills
    found: dict[str, tuple[str, str]] = {}
    for tax in skills.taxonomies:
        for skill in tax.skills:
            found.setdefault(_key(skill.name), (skill.name, tax.id))
    for alias, target in skills.aliases.items():
        if _key(target) in found:
            found.setdefault(_key(alias), found[_key(target)])
    return found


@lru_cache(maxsize=8_192)  # bounded, as `_text_skills`: names can come from workshops' files
def canonical(name: str) -> tuple[str, str]:
    """A skill name as the catalog spells it, and its taxonomy ("flow" when unknown)."""
    return _names().get(_key(name), (name.strip(), "flow"))


@dataclass
class _Hit:
    hours: float = 0.0
    steps: dict[str, None] = field(default_factory=dict)
    rule: str = ""


def _add(
    hits: dict[tuple[str, str, Change], _Hit], role: str, skill: str, change: Change, step: str, h: float, rule: str
) -> None:
    hit = hits[(role, skill, change)]
    if step not in hit.steps:
        hit.hours += h
        hit.steps[step] = None
    hit.rule = hit.rule or rule


def _role_skills(view: ScenarioView) -> dict[str, set[str]]:
    used: dict[str, set[str]] = defaultdict(set)
    for step in view.flow.steps:
        for name in step.skills:
            used[view.owner(step)].add(canonical(name)[0])
    return used


@cache
def _cues() -> tuple[Terms, dict[str, tuple[str, ...]]]:
    """Every cue term in one list (a text is scanned once), and the skills each term points to."""
    skills_of: dict[str, list[str]] = {}
    for skill, words in catalog().skills.work_cues.skills.items():
        for term in stem_terms(words):
            skills_of.setdefault(" ".join(term), []).append(canonical(skill)[0])
    terms = tuple(tuple(phrase.split()) for phrase in skills_of)
    return terms, {phrase: tuple(found) for phrase, found in skills_of.items()}


@lru_cache(maxsize=32_768)  # bounded: the texts come from workshops, and a server runs for months
def _text_skills(text: str) -> tuple[str, ...]:
    terms, skills_of = _cues()
    found = {skill for phrase in phrases_in(text, terms) for skill in skills_of[phrase]}
    order = {canonical(s)[0]: i for i, s in enumerate(catalog().skills.work_cues.skills)}
    return tuple(sorted(found, key=order.__getitem__))


def work_skills(step: Step, tasks: Sequence[tuple[str, str, str]] = ()) -> list[str]:
    """The skills a step's work exercises: those it declares, then those its words and its matched tasks name."""
    found = [canonical(name)[0] for name in step.skills]
    for text in (step.name, step.description, *(task for _, _, task in tasks)):
        if text.strip():
            found.extend(_text_skills(text))
    return list(dict.fromkeys(found))


@cache
def _drafting() -> frozenset[str]:
    """The catalog's drafting skills, canonical (read once, not once per step)."""
    return frozenset(canonical(n)[0] for n in catalog().skills.work_cues.drafting)


def _split(skills: list[str]) -> tuple[list[str], list[str]]:
    """(drafting skills, core skills) of a step's work."""
    drafting = _drafting()
    return [s for s in skills if s in drafting], [s for s in skills if s not in drafting]


def _rising(
    hits: dict, used: dict[str, set[str]], role: str, rule: SkillRule, step: str, h: float, core: Sequence[str] = ()
) -> None:
    """The rule's rising skills and the step's core skills (its people keep that part and do more of it)."""
    names = [*rule.rising, *core]
    for name in dict.fromkeys(canonical(n)[0] for n in (names or rule.fallback)):
        _add(hits, role, name, "grow" if name in used[role] else "new", step, h, rule.id)


def skill_changes(view: ScenarioView, steps: list[StepEconomics], new_steps: list[NewStep]) -> SkillsResult:
    cat = catalog().skills
    used = _role_skills(view)
    hits: dict[tuple[str, str, Change], _Hit] = defaultdict(_Hit)
    econ = {s.step: s for s in steps}
    exceptions_by_step = {n.for_step: n.owner for n in new_steps if n.kind == "exceptions"}
    deskilling: list[DeskillingWarning] = []
    # The three rules, looked up once rather than once per step.
    automate, augment, ai_inputs = cat.rule("skl_automate"), cat.rule("skl_augment"), cat.rule("skl_human_ai_inputs")
    for step in view.flow.steps:
        tag = view.tag_of[step.id]
        owner = view.owner(step)
        h = econ[step.id].before_hours
        if tag == _HUMAN and not any(view.uses_ai(p) for p in view.predecessors.get(step.id, [])):
            continue
        work = work_skills(step, view.tasks.get(step.id, ()))
        drafting, core = _split(work)
        if tag == _AUTOMATE:
            rule = automate
            # The machine now does the step: every skill its work exercised is used less by its owner;
            # whoever handles the exceptions watches and repairs the automation.
            for name in work or rule.declining_default:
                _add(hits, owner, canonical(name)[0], "decline", step.id, h, rule.id)
            handler = exceptions_by_step.get(step.id, owner)
            _rising(hits, used, handler, rule, step.id, h)
            if step.learning_step:
                deskilling.append(_deskilling(view, step.id, owner, h))
        elif tag == _AUGMENT:
            rule = augment
            # Augmenting takes the drafting and compiling part, not the step's core skills.
            for name in drafting or rule.declining_default:
                _add(hits, owner, canonical(name)[0], "decline", step.id, h, rule.id)
            _rising(hits, used, owner, rule, step.id, h, core)
        else:
            _rising(hits, used, owner, ai_inputs, step.id, h, core)
    for review in (n for n in new_steps if n.kind == "oversight"):
        _rising(hits, used, review.owner, cat.rule("skl_annex3_oversight"), review.for_step, review.hours)
    changes = _changes(view, hits)
    return SkillsResult(changes=changes, reskilling=_reskilling(view, changes), deskilling=deskilling)


def _changes(view: ScenarioView, hits: dict[tuple[str, str, Change], _Hit]) -> list[SkillChange]:
    rising = {(role, skill) for (role, skill, change) in hits if change != "decline"}
    period = view.flow.period.value
    verb = {"decline": "is used less", "grow": "is needed more", "new": "is new"}
    out: list[SkillChange] = []
    for (role, skill, change), hit in hits.items():
        if change == "decline" and (role, skill) in rising:
            continue
        names = ", ".join(f'"{view.steps[s].name}"' for s in list(hit.steps)[:5])
        more = f" and {len(hit.steps) - 5} more" if len(hit.steps) > 5 else ""
        out.append(
            SkillChange(
                role=role,
                skill=skill,
                taxonomy=canonical(skill)[1],
                change=change,
                hours=hit.hours,
                steps=list(hit.steps),
                reason=because(
                    hit.rule,
                    hit.steps,
                    f"{skill} {verb[change]} for {view.role_name(role)} because of {names}{more} "
                    f"({hours(hit.hours)} of work per {period}).",
                    {"hours": hit.hours, "steps": len(hit.steps)},
                ),
            )
        )
    order = {r.id: i for i, r in enumerate(view.flow.roles)}
    rank = {"new": 0, "grow": 1, "decline": 2}
    out.sort(key=lambda c: (order.get(c.role, len(order)), rank[c.change], -c.hours, c.skill))
    return out


def _reskilling(view: ScenarioView, changes: list[SkillChange]) -> list[ReskillingItem]:
    rule = catalog().skills.reskilling
    items: list[tuple[float, SkillChange, float]] = []
    for c in changes:
        if c.change == "decline":
            continue
        role = view.roles.get(c.role)
        if role is not None and role.kind != "human":
            continue
        people = role.headcount if role is not None and role.headcount > 0 else 1.0
        # c.hours is already the whole role's work (all its people): multiplying by people again counted twice.
        items.append((c.hours, c, people))
    items.sort(key=lambda t: (-t[0], t[1].role, t[1].skill))
    return [
        ReskillingItem(
            rank=i + 1,
            role=c.role,
            skill=c.skill,
            taxonomy=c.taxonomy,
            change=c.change,  # type: ignore[arg-type]  # declines were skipped above: only grow/new reach here
            hours=c.hours,
            people=people,
            priority=priority,
            steps=c.steps,
            reason=because(
                rule.id,
                c.steps,
                f"{c.skill} for {view.role_name(c.role)}: {hours(c.hours)} of work per {view.flow.period.value} "
                f"across {people:g} {'person' if people == 1 else 'people'} ({hours(c.hours / people)} each).",
                {"hours": c.hours, "people": people, "priority": priority},
            ),
        )
        for i, (priority, c, people) in enumerate(items)
    ]


def _deskilling(view: ScenarioView, step_id: str, role: str, h: float) -> DeskillingWarning:
    rule = catalog().skills.rule("skl_deskilling")
    step = view.steps[step_id]
    who = f" ({view.role_name(role)})" if role != UNASSIGNED else ""
    return DeskillingWarning(
        step=step_id,
        role=role,
        hours=h,
        remedy=rule.remedy,
        reason=because(
            rule.id,
            [step_id],
            f'"{step.name}" is where juniors{who} learn the job, and it is automated: {hours(h)} of practice per '
            f"{view.flow.period.value} goes to the machine, and with it the skill to handle the exceptions.",
            {"hours": h},
        ),
    )
