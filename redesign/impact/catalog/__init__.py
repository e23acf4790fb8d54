"""The impact catalog: rules, defaults and taxonomies as data, each entry with its source.

The JSON files next to this module are package data, read once (``catalog()`` is
cached) through ``importlib.resources``. Changing a rule means editing a file here and
its test, not the engine. Every rule-like entry has an ``id`` and a ``source``;
``rule(id)`` finds any of them, so a `Reason` can always name where a figure comes from.
"""

from __future__ import annotations

import json
from functools import cache, cached_property
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleRef(_Entry):
    """What every catalog rule can say about itself: id, a sentence and its source."""

    id: str
    text: str
    source: str


# --------------------------------------------------------------------------- effort


class EffortParameter(_Entry):
    id: str
    value: float
    unit: str
    text: str
    source: str
    low: float | None = None  # plausible range for the Monte Carlo draws (docs/methodology.md#ranges)
    high: float | None = None


class AugmentKind(_Entry):
    id: str
    name: str
    time_saving: float = Field(ge=0, le=1)
    match: str
    keywords: list[str]
    source: str
    low: float | None = Field(default=None, ge=0, le=1)
    high: float | None = Field(default=None, ge=0, le=1)


class Effort(_Entry):
    parameters: list[EffortParameter]
    augment_kinds: list[AugmentKind]
    currency: str = "EUR"

    @cached_property
    def _by_id(self) -> dict[str, EffortParameter]:  # lookups run for every step: index once
        return {p.id: p for p in self.parameters}

    def value(self, param_id: str) -> float:
        return self.parameter(param_id).value

    def parameter(self, param_id: str) -> EffortParameter:
        try:
            return self._by_id[param_id]
        except KeyError as exc:
            raise KeyError(f'effort.json has no parameter "{param_id}"') from exc


# --------------------------------------------------------------------------- suggest


class Attribute(_Entry):
    code: str
    field: str
    name: str
    pushes: str
    source: str


class Scales(_Entry):
    pca_to_score: list[tuple[float, int]]
    stakes_to_error_cost: dict[str, int]
    exposure_x: dict[str, float]
    missing_score: float
    min_prior_confidence: float
    source: str


class SuggestRule(_Entry):
    model_config = ConfigDict(extra="allow", frozen=True)  # thresholds differ per rule

    id: str
    text: str
    source: str
    tag: str | None = None

    def threshold(self, name: str) -> float:
        value = (self.model_extra or {}).get(name)
        if not isinstance(value, int | float):
            raise KeyError(f'suggest rule "{self.id}" has no threshold "{name}"')
        return float(value)


class Confidence(_Entry):
    base: float
    per_point: float
    default_rule: float
    gate: float
    coverage_floor: float
    text: str
    source: str


class SuggestRules(_Entry):
    attributes: list[Attribute]
    scales: Scales
    gates: list[SuggestRule]
    rules: list[SuggestRule]
    confidence: Confidence

    @cached_property
    def _by_id(self) -> dict[str, SuggestRule]:
        return {r.id: r for r in [*self.gates, *self.rules]}

    def rule(self, rule_id: str) -> SuggestRule:
        try:
            return self._by_id[rule_id]
        except KeyError as exc:
            raise KeyError(f'suggest_rules.json has no rule "{rule_id}"') from exc


# --------------------------------------------------------------------------- governance


Severity = Literal["BLOCK", "WARN", "INFO"]


class HighRiskArea(_Entry):
    id: str
    point: str
    area: str
    title: str
    about_person: bool
    source: str


class GovernanceRule(_Entry):
    id: str
    severity: Severity
    trigger: str
    message: str
    remedy: str
    oversight_step: bool
    source: str
    # A gap of the same kind on many steps is one item: ``summary`` takes {count} and {items}
    # (each step's ``summary_item``, default its name); ``summary_remedy`` replaces the remedy.
    summary: str | None = None
    summary_item: str | None = None
    summary_remedy: str | None = None


# --------------------------------------------------------------------------- incentives


class MetricTemplate(_Entry):
    name: str
    kind: str
    use: str
    perspective: str


class IncentiveRule(_Entry):
    id: str
    trigger: str
    action: str
    metrics: list[MetricTemplate]
    text: str
    source: str
    min_share: float | None = None


class Party(_Entry):
    party: str
    keywords: list[str]
    functions: list[str] = Field(default_factory=list)


class SalesForecasting(_Entry):
    flow_ids: list[str]
    flow_keywords: list[str]
    parties: list[Party]
    accountable_party: str
    seller_keywords: list[str]
    source: str


class Outcome(_Entry):
    id: str
    keywords: list[str]
    metric: str
    source: str
    # Who runs this metric, most fitting first ("AP supervisor" for first-pass match rate), matched as
    # whole words in the flow's role names; none found = the lead function's last call (incentives.py).
    owner_roles: list[str] = []


class IncentiveRules(_Entry):
    rules: list[IncentiveRule]
    sales_forecasting: SalesForecasting
    outcomes: list[Outcome]

    @cached_property
    def _by_id(self) -> dict[str, IncentiveRule]:
        return {r.id: r for r in self.rules}

    def rule(self, rule_id: str) -> IncentiveRule:
        try:
            return self._by_id[rule_id]
        except KeyError as exc:
            raise KeyError(f'incentive_rules.json has no rule "{rule_id}"') from exc


# --------------------------------------------------------------------------- skills


class Skill(_Entry):
    name: str
    group: str


class Taxonomy(_Entry):
    id: str
    name: str
    source: str
    skills: list[Skill]


class SkillRule(_Entry):
    id: str
    trigger: str
    source: str
    declining_from_step: bool = False
    declining_default: list[str] = Field(default_factory=list)
    rising: list[str] = Field(default_factory=list)
    applies_to: str = ""
    remedy: str = ""
    from_work: bool = False  # the step's own skills (read from its words, ``WorkCues``) decline or rise too
    fallback: list[str] = Field(default_factory=list)  # rising when the step's words name no skill


class WorkCues(_Entry):
    """Words that say which O*NET skill a step's work exercises (see skills.json)."""

    about: str = Field(alias="_about")
    source: str
    drafting: list[str]  # the skills an AI assistant takes over first
    skills: dict[str, list[str]]


class SkillsCatalog(_Entry):
    taxonomies: list[Taxonomy]
    aliases: dict[str, str]
    rules: list[SkillRule]
    reskilling: RuleRef
    work_cues: WorkCues

    @cached_property
    def _by_id(self) -> dict[str, SkillRule]:
        return {r.id: r for r in self.rules}

    def rule(self, rule_id: str) -> SkillRule:
        try:
            return self._by_id[rule_id]
        except KeyError as exc:
            raise KeyError(f'skills.json has no rule "{rule_id}"') from exc


# --------------------------------------------------------------------------- method rules


class MethodRule(_Entry):
    id: str
    text: str
    source: str
    params: dict[str, float] = Field(default_factory=dict)


# --------------------------------------------------------------------------- the catalog


class Catalog(_Entry):
    effort: Effort
    suggest: SuggestRules
    high_risk_areas: dict[str, HighRiskArea]
    governance: dict[str, GovernanceRule]
    incentives: IncentiveRules
    skills: SkillsCatalog
    method: dict[str, MethodRule]
    sources: dict[str, RuleRef]  # every rule-like entry of every file, by id

    def rule(self, rule_id: str) -> RuleRef:
        try:
            return self.sources[rule_id]
        except KeyError as exc:
            raise KeyError(f'no catalog rule "{rule_id}"') from exc

    def method_param(self, rule_id: str, name: str) -> float:
        return self.method[rule_id].params[name]


def _read(name: str) -> dict[str, Any]:
    """A catalog file without its top-level "_about" notes (they document the file for people)."""
    data = json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _index(refs: list[RuleRef]) -> dict[str, RuleRef]:
    found: dict[str, RuleRef] = {}
    for ref in refs:
        if ref.id in found:
            raise ValueError(f'catalog rule id "{ref.id}" is defined twice')
        found[ref.id] = ref
    return found


@cache
def catalog() -> Catalog:
    """The whole catalog, validated; read from package data on first use only."""
    effort = Effort.model_validate(_read("effort.json"))
    suggest = SuggestRules.model_validate(_read("suggest_rules.json"))
    areas = [HighRiskArea.model_validate(a) for a in _read("high_risk_areas.json")["areas"]]
    governance = [GovernanceRule.model_validate(r) for r in _read("governance_rules.json")["rules"]]
    incentives = IncentiveRules.model_validate(_read("incentive_rules.json"))
    skills = SkillsCatalog.model_validate(_read("skills.json"))
    method = [MethodRule.model_validate(r) for r in _read("rules.json")["rules"]]
    refs = [
        *(RuleRef(id=p.id, text=p.text, source=p.source) for p in effort.parameters),
        *(RuleRef(id=k.id, text=f"{k.name}: {k.match}", source=k.source) for k in effort.augment_kinds),
        *(RuleRef(id=r.id, text=r.text, source=r.source) for r in [*suggest.gates, *suggest.rules]),
        *(RuleRef(id=a.id, text=f"{a.point}: {a.title}", source=a.source) for a in areas),
        *(RuleRef(id=r.id, text=r.trigger, source=r.source) for r in governance),
        *(RuleRef(id=r.id, text=r.text, source=r.source) for r in incentives.rules),
        *(RuleRef(id=o.id, text=o.metric, source=o.source) for o in incentives.outcomes),
        *(RuleRef(id=r.id, text=r.trigger, source=r.source) for r in skills.rules),
        skills.reskilling,
        *(RuleRef(id=r.id, text=r.text, source=r.source) for r in method),
    ]
    return Catalog(
        effort=effort,
        suggest=suggest,
        high_risk_areas={a.id: a for a in areas},
        governance={r.id: r for r in governance},
        incentives=incentives,
        skills=skills,
        method={r.id: r for r in method},
        sources=_index(refs),
    )
