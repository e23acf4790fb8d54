"""Tag suggestions: gates first, then scores (docs/methodology.md#tag-suggestions-and-evidence).

Attributes come from the step's rubric (facilitator scores 1-5), the %C&A of the
work arriving at the step (Q), the step's stakes when no error cost is scored (E),
and the LLM exposure of the step (X): the facilitator's ``rubric.exposure`` when
set, else the prior from the nearest O*NET tasks (an exposure index such as
`redesign.impact.exposure.default_index()`; any object with ``prior(text, k)``
works, so tests can pass a small fake). Thresholds are data in
``catalog/suggest_rules.json``.

Hard rule: a step that decides something about a person in an EU AI Act Annex III
area is never suggested for automation.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from redesign.built import in_order
from redesign.impact.catalog import SuggestRules, catalog
from redesign.impact.collector import collector_paused
from redesign.impact.explain import Reason, because
from redesign.impact.scenario_view import ScenarioView
from redesign.model import ExposureLabel, Flow, Step, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUGMENT, _AUTOMATE = Tag.HUMAN, Tag.AUGMENT, Tag.AUTOMATE

ATTRIBUTE_CODES = ("R", "D", "S", "Q", "J", "P", "C", "E", "X")
_RUBRIC_FIELDS = {
    "R": "rules",
    "D": "digital_input",
    "S": "stability",
    "J": "judgment",
    "P": "interpersonal",
    "C": "creativity",
}


class ExposureSource(Protocol):
    def prior(self, text: str, k: int = 5) -> Any: ...


class TaskEvidence(BaseModel):
    """One matched O*NET task and how it was rated (Eloundou et al. 2023)."""

    soc: str
    occupation: str
    task: str
    similarity: float
    human_exposure: str
    gpt4_exposure: str
    gpt4_automation: str
    beta: float


class ExposureEvidence(BaseModel):
    origin: Literal["facilitator", "onet_prior", "none"]  # where the X used comes from
    label: ExposureLabel | None  # the label used (None: exposure unknown)
    x: float | None
    prior_label: str | None = None  # the O*NET prior, shown even when overridden
    prior_score: float | None = None
    prior_confidence: float | None = None
    explanation: str = ""
    matches: list[TaskEvidence] = []


class TagSuggestion(BaseModel):
    step: str
    name: str
    tag: Tag
    confidence: float  # 0..1
    rule: str  # the catalog rule that decided
    gates: list[str]  # gate rules that apply to the step (binding or not)
    scores: dict[str, float | None]  # R D S Q J P C E X A, and F H x
    exposure: ExposureEvidence
    notes: list[Reason]  # extra advice (log everything, fix the data first)
    reason: Reason


class Suggestions(BaseModel):
    flow_id: str
    flow_name: str
    exposure_index: str  # which evidence was used, or why none
    items: list[TagSuggestion]


class _NoIndex:
    def prior(self, text: str, k: int = 5) -> None:
        return None


def _default_index() -> tuple[ExposureSource, str]:
    try:
        from redesign.impact.exposure import default_index

        index = default_index()
        how = "matched by meaning" if getattr(index, "uses_context", False) else "matched by words"
        return index, f"O*NET task exposure labels (Eloundou et al. 2023; O*NET CC BY 4.0), {how}"
    except (ImportError, OSError, ValueError, KeyError) as exc:  # a missing or broken data file
        return _NoIndex(), f"no O*NET exposure index ({exc.__class__.__name__}: {exc}); rubric scores only"


def _pca_score(pca: float, rules: SuggestRules) -> int:
    return next(score for floor, score in rules.scales.pca_to_score if pca >= floor)


def _incoming_pca(view: ScenarioView, step: Step) -> float | None:
    figures = [h.pca if h.pca is not None else view.steps[h.source].pca for h in view.incoming.get(step.id, [])]
    return min(figures) if figures else None


def _evidence(step: Step, prior: Any, rules: SuggestRules) -> ExposureEvidence:
    if prior is None:
        return _rubric_evidence(step, rules)
    matches = [
        TaskEvidence(
            soc=str(getattr(m, "soc", "")),
            occupation=str(getattr(m, "occupation", "")),
            task=str(getattr(m, "task", "")),
            similarity=float(getattr(m, "similarity", 0.0)),
            human_exposure=str(getattr(m, "human_exposure", "")),
            gpt4_exposure=str(getattr(m, "gpt4_exposure", "")),
            gpt4_automation=str(getattr(m, "gpt4_automation", "")),
            beta=float(getattr(m, "beta", 0.0)),
        )
        for m in (getattr(prior, "matches", None) or [])
    ]
    prior_label = str(getattr(prior, "label", "")) or None if prior is not None else None
    confidence = float(getattr(prior, "confidence", 0.0)) if prior is not None else None
    base: dict[str, Any] = {  # ExposureEvidence's fields; pydantic validates each one
        "prior_label": prior_label,
        "prior_score": float(getattr(prior, "score", 0.0)) if prior is not None else None,
        "prior_confidence": confidence,
        "explanation": str(getattr(prior, "explanation", "")) if prior is not None else "",
        "matches": matches,
    }
    xs = rules.scales.exposure_x
    if step.rubric.exposure is not None:
        label = ExposureLabel(step.rubric.exposure)
        return ExposureEvidence(origin="facilitator", label=label, x=xs[label.value], **base)
    if prior_label in xs and confidence is not None and confidence >= rules.scales.min_prior_confidence:
        label = ExposureLabel(prior_label)
        return ExposureEvidence(origin="onet_prior", label=label, x=xs[label.value], **base)
    return ExposureEvidence(origin="none", label=None, x=None, **base)


def _rubric_evidence(step: Step, rules: SuggestRules) -> ExposureEvidence:
    """`_evidence` without an O*NET prior: the facilitator's label or none.

    Built without re-validating (the label and x come from the validated rubric and catalog):
    suggest without an exposure index runs this for every step.
    """
    label = ExposureLabel(step.rubric.exposure) if step.rubric.exposure is not None else None
    return in_order(
        ExposureEvidence,
        {
            "origin": "facilitator" if label is not None else "none",
            "label": label,
            "x": rules.scales.exposure_x[label.value] if label is not None else None,
            "prior_label": None,
            "prior_score": None,
            "prior_confidence": None,
            "explanation": "",
            "matches": [],
        },
    )


class _Scores:
    def __init__(self, view: ScenarioView, step: Step, evidence: ExposureEvidence, rules: SuggestRules) -> None:
        # Written out rather than looped over the codes: suggest makes one per step (5,000-step flows).
        rubric = step.rubric
        r, d, s, j, p, c = (
            rubric.rules,
            rubric.digital_input,
            rubric.stability,
            rubric.judgment,
            rubric.interpersonal,
            rubric.creativity,
        )
        q = _incoming_pca(view, step)
        self.incoming_pca = q
        q_score = float(_pca_score(q, rules)) if q is not None else None
        self.error_cost_scored = rubric.error_cost is not None
        # A StrEnum member is its value as a key and in an f-string: no `.value` (a Python-level property on 3.11).
        e = float(rubric.error_cost or rules.scales.stakes_to_error_cost[step.stakes])
        self.x = x = evidence.x
        # The order of _RUBRIC_FIELDS, then Q, E, A, X (the order the scores are shown and saved in).
        self.values: dict[str, float | None] = {
            "R": r,
            "D": d,
            "S": s,
            "J": j,
            "P": p,
            "C": c,
            "Q": q_score,
            "E": e,
            "A": rubric.auditability,
            "X": x,
        }
        missing = rules.scales.missing_score
        feas = [v for v in (r, d, s, q_score) if v is not None]
        human = [v for v in (j, p, c) if v is not None]
        self.F = sum(feas) / len(feas) if feas else missing
        self.H = max(human) if human else missing
        self.E = e or missing
        known = len(feas) + len(human) + int(self.error_cost_scored) + int(x is not None)
        self.coverage = known / len(ATTRIBUTE_CODES)

    def as_dict(self) -> dict[str, float | None]:
        return {**self.values, "F": self.F, "H": self.H, "x": self.x}


class _Limits:
    """The suggest rules' thresholds as attributes, read from the catalog once (suggest asks ~15 per step).

    The same floats `SuggestRule.threshold` returns, named rule_threshold: ``automate_min_rules`` is
    ``sug_automate``'s ``min_rules``, ``aug_`` stands for ``sug_augment``, ``gate_`` for ``sug_gate_error_cost``.
    """

    __slots__ = (
        "aug_min_exposure",
        "aug_min_feasibility",
        "aug_min_human_advantage",
        "automate_max_error_cost",
        "automate_max_human_advantage",
        "automate_min_exposure",
        "automate_min_feasibility",
        "automate_min_rules",
        "gate_max_error_cost",
        "human_max_exposure",
        "human_max_feasibility",
        "human_min_human_advantage",
        "max_input_score",
        "min_auditability",
    )

    def __init__(self, rules: SuggestRules) -> None:
        automate, human, augment = rules.rule("sug_automate"), rules.rule("sug_human"), rules.rule("sug_augment")
        self.automate_min_rules = automate.threshold("min_rules")
        self.automate_min_exposure = automate.threshold("min_exposure")
        self.automate_min_feasibility = automate.threshold("min_feasibility")
        self.automate_max_human_advantage = automate.threshold("max_human_advantage")
        self.automate_max_error_cost = automate.threshold("max_error_cost")
        self.human_max_exposure = human.threshold("max_exposure")
        self.human_min_human_advantage = human.threshold("min_human_advantage")
        self.human_max_feasibility = human.threshold("max_feasibility")
        self.aug_min_feasibility = augment.threshold("min_feasibility")
        self.aug_min_exposure = augment.threshold("min_exposure")
        self.aug_min_human_advantage = augment.threshold("min_human_advantage")
        self.gate_max_error_cost = rules.rule("sug_gate_error_cost").threshold("max_error_cost_for_automate")
        self.min_auditability = rules.rule("sug_auditability_log").threshold("min_auditability")
        self.max_input_score = rules.rule("sug_low_input_quality").threshold("max_input_score")


@cache
def _limits() -> _Limits:
    """Read once: the catalog is read once and never changes (`catalog()` is cached the same way)."""
    return _Limits(catalog().suggest)


def _automate_margin(s: _Scores, lim: _Limits, *, error_cost: bool = True) -> float | None:
    """Distance to the automate thresholds (None: not met); without E to see what a gate blocks."""
    rule_based = s.values["R"]
    routes = []
    if rule_based is not None:
        routes.append(rule_based - lim.automate_min_rules)
    if s.x is not None:
        routes.append((s.x - lim.automate_min_exposure) * 4)
    if not routes:
        return None
    terms = [
        s.F - lim.automate_min_feasibility,
        lim.automate_max_human_advantage - s.H,
        max(routes),
    ]
    if error_cost:
        terms.append(lim.automate_max_error_cost - s.E)
    margin = min(terms)
    return margin if margin >= 0 else None


def _human_margin(s: _Scores, lim: _Limits) -> float | None:
    if s.x is None or s.x > lim.human_max_exposure:
        return None
    margin = max(s.H - lim.human_min_human_advantage, lim.human_max_feasibility - s.F)
    return margin if margin >= 0 else None


def _augment_margin(s: _Scores, lim: _Limits) -> float | None:
    routes = [s.F - lim.aug_min_feasibility]
    if s.x is not None:
        routes.append((s.x - lim.aug_min_exposure) * 4)
    margin = min(max(routes), s.H - lim.aug_min_human_advantage)
    return margin if margin >= 0 else None


def _gates(step: Step, s: _Scores, lim: _Limits) -> list[str]:
    gates: list[str] = []
    if step.emotion_recognition:
        gates.append("sug_gate_emotion")
    person_area = step.high_risk_area is not None and step.decides_for_person
    profiles = step.profiling and (step.decides_for_person or step.high_risk_area is not None)
    if person_area or profiles:
        gates.append("sug_gate_person_high_risk")
    if lim.gate_max_error_cost < s.E:
        gates.append("sug_gate_error_cost")
    return gates


def _confidence(margin: float, s: _Scores, rules: SuggestRules) -> float:
    c = rules.confidence
    return min(1.0, c.base + c.per_point * margin) * (c.coverage_floor + (1 - c.coverage_floor) * s.coverage)


def _decide(step: Step, s: _Scores, rules: SuggestRules, lim: _Limits) -> tuple[Tag, str, float, list[str]]:
    gates = _gates(step, s, lim)
    c = rules.confidence
    if "sug_gate_emotion" in gates:
        return _HUMAN, "sug_gate_emotion", c.gate, gates
    if _automate_margin(s, lim, error_cost=False) is not None:
        if gates:  # the person gate or the error-cost gate: automate would fit, the gate caps it
            return _AUGMENT, "sug_gated_augment", c.gate, gates
        margin = _automate_margin(s, lim)
        if margin is not None:
            return _AUTOMATE, "sug_automate", _confidence(margin, s, rules), gates
    if (margin := _human_margin(s, lim)) is not None:
        return _HUMAN, "sug_human", _confidence(margin, s, rules), gates
    if (margin := _augment_margin(s, lim)) is not None:
        return _AUGMENT, "sug_augment", _confidence(margin, s, rules), gates
    return (
        _AUGMENT,
        "sug_default_augment",
        c.default_rule * (c.coverage_floor + (1 - c.coverage_floor) * s.coverage),
        gates,
    )


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


Rated = float | None


@lru_cache(maxsize=4_096)  # bounded: scores are 1-5 or unrated, so a few thousand combinations at most
def _rated(r: Rated, d: Rated, s: Rated, q: Rated, j: Rated, p: Rated, c: Rated, missing: float) -> tuple[str, str]:
    """The brackets after F and H in a suggestion's text ("R 4, D 3, S ?, Q 5", "J 2, P ?, C 1").

    Written once per combination of scores: a flow repeats a few, and suggest writes one per step.
    """
    neutral = f"; unrated, so neutral {missing:g}"
    f_note = "" if any(x is not None for x in (r, d, s, q)) else neutral
    h_note = "" if any(x is not None for x in (j, p, c)) else neutral
    return (
        f"R {_fmt(r)}, D {_fmt(d)}, S {_fmt(s)}, Q {_fmt(q)}{f_note}",
        f"J {_fmt(j)}, P {_fmt(p)}, C {_fmt(c)}{h_note}",
    )


def _text(
    step: Step, tag: Tag, rule_id: str, s: _Scores, ev: ExposureEvidence, gates: list[str], rules: SuggestRules
) -> str:
    v = s.values
    label = ev.label.value if ev.label else "?"
    if ev.origin == "facilitator":
        exposure = f"exposure {label} (set by the facilitator)"
    elif ev.origin == "onet_prior":
        exposure = f"exposure {label} (O*NET prior, confidence {ev.prior_confidence or 0:.2f})"
    else:
        exposure = "exposure unknown" + (
            f" (O*NET prior {ev.prior_label} at confidence {ev.prior_confidence or 0:.2f}, "
            f"below the {rules.scales.min_prior_confidence:g} needed)"
            if ev.prior_label is not None and ev.matches
            else ""
        )
    feasibility, human = _rated(v["R"], v["D"], v["S"], v["Q"], v["J"], v["P"], v["C"], rules.scales.missing_score)
    parts = [
        f'Suggest {tag} for "{step.name}":',
        f"F = {s.F:.1f} ({feasibility}),",
        f"H = {s.H:g} ({human}), E = {s.E:g}, {exposure}.",
        rules.rule(rule_id).text,
    ]
    binding = rule_id in ("sug_gated_augment", "sug_gate_emotion")
    parts.extend(rules.rule(g).text for g in gates if g != rule_id and (binding or g == "sug_gate_person_high_risk"))
    return " ".join(parts)


def _notes(step: Step, s: _Scores, rules: SuggestRules, lim: _Limits) -> list[Reason]:
    notes: list[Reason] = []
    if s.values["A"] is not None and s.values["A"] >= lim.min_auditability:
        audit = rules.rule("sug_auditability_log")
        notes.append(because(audit.id, [step.id], audit.text, {"A": s.values["A"]}))
    if s.values["Q"] is not None and s.values["Q"] <= lim.max_input_score:
        low = rules.rule("sug_low_input_quality")
        numbers = {"Q": s.values["Q"], "incoming_pca": s.incoming_pca or 0.0}
        notes.append(because(low.id, [step.id], f"{low.text} (incoming %C&A {s.incoming_pca:g} %)", numbers))
    return notes


def suggest_step(view: ScenarioView, step: Step, prior: Any) -> TagSuggestion:
    rules, lim = catalog().suggest, _limits()
    evidence = _evidence(step, prior, rules)
    s = _Scores(view, step, evidence, rules)
    tag, rule_id, confidence, gates = _decide(step, s, rules, lim)
    scores = s.as_dict()
    numbers = {k: v for k, v in scores.items() if v is not None}
    numbers["coverage"] = s.coverage
    # Built without re-validating: every field is typed here (suggest runs this for every step).
    return in_order(
        TagSuggestion,
        {
            "step": step.id,
            "name": step.name,
            "tag": tag,
            "confidence": confidence,
            "rule": rule_id,
            "gates": gates,
            "scores": scores,
            "exposure": evidence,
            "notes": _notes(step, s, rules, lim),
            "reason": because(rule_id, [step.id], _text(step, tag, rule_id, s, evidence, gates, rules), numbers),
        },
    )


def step_queries(step: Step, context: str = "") -> list[str]:
    """What the exposure index reads for a step: its name, and its name with the description.

    A short name matches O*NET task statements best; a long description dilutes the
    similarity but helps when the name alone is jargon. Both are asked, the more
    confident prior wins (the name on a tie). ``context`` (the flow's name, for the
    matcher by meaning) goes first: "Source candidates" in "Recruiting and hiring" is
    about job candidates, not political ones.
    """
    lead = f"{context}: " if context.strip() else ""
    queries = [f"{lead}{step.name}"]
    if step.description.strip():
        queries.append(f"{lead}{step.name}. {step.description}")
    return queries


def best_prior(index: ExposureSource, step: Step, cache: dict[str, Any] | None = None, context: str = "") -> Any:
    cache = {} if cache is None else cache
    best: Any = None
    for text in step_queries(step, context):
        if text not in cache:
            cache[text] = index.prior(text, k=5)
        prior = cache[text]
        if prior is not None and (best is None or getattr(prior, "confidence", 0.0) > getattr(best, "confidence", 0.0)):
            best = prior
    return best


def suggest(flow: Flow, exposure: ExposureSource | Literal["default"] | None = "default") -> Suggestions:
    """A suggested tag, confidence and reasons for every step, in flow order.

    ``exposure``: "default" = the shipped O*NET index (rubric only if it cannot be
    loaded), None = no prior (rubric only), or any object with ``prior(text, k)``.
    """
    if exposure == "default":
        index, described = _default_index()
    elif exposure is None:
        index, described = _NoIndex(), "no exposure index (rubric scores only)"
    else:
        index, described = exposure, type(exposure).__name__
    view = ScenarioView(flow, None)
    with collector_paused():
        priors = _priors_in_flow(index, flow)
        items = [suggest_step(view, step, prior) for step, prior in zip(flow.steps, priors, strict=True)]
    return Suggestions(flow_id=flow.id, flow_name=flow.name, exposure_index=described, items=items)


def _priors_in_flow(index: ExposureSource, flow: Flow) -> list[Any]:
    """The exposure prior of every step, in flow order.

    The matcher by meaning (an index with ``prior_step``) reads each step in its flow: its
    name, its description and the trade the flow's steps describe together (measured:
    bench/matcher.py). Any other index is asked the step's name and its name with its
    description, the more confident answer kept (``best_prior``).
    """
    warm = getattr(index, "warm", None)
    if hasattr(index, "prior_step") and hasattr(index, "flow_prior"):
        from redesign.impact.exposure import StepQuery

        queries = [StepQuery(flow.name, step.name, step.description) for step in flow.steps]
        if warm is not None:  # encode every distinct text in batches, faster than one at a time
            warm(text for query in queries for text in query.encoded())
        in_flow = index.flow_prior(flow.name, [step.name for step in flow.steps])
        return [index.prior_step(query, 5, in_flow) for query in queries]
    cache: dict[str, Any] = {}  # steps with the same wording share one lookup
    context = flow.name if getattr(index, "uses_context", False) else ""
    if warm is not None:
        warm(q for step in flow.steps for q in step_queries(step, context))
    return [best_prior(index, step, cache, context) for step in flow.steps]


__all__ = [
    "ExposureEvidence",
    "ExposureSource",
    "Suggestions",
    "TagSuggestion",
    "TaskEvidence",
    "best_prior",
    "step_queries",
    "suggest",
    "suggest_step",
]
