"""Regulated uses found in the flow's own words: Annex III areas, decisions about people, Art 22.

A facilitator who imports a BPMN map never types ``high_risk_area`` or
``decides_for_person``; the governance rules would then stay silent on a
consumer-loan flow that automates "Approve or decline the loan". This module
reads what the flow already says (step names and descriptions, the data items a
step reads and writes, the owner role, the flow's name and description, and the
O*NET occupations of the tasks matched to the step) and suggests:

* an **Annex III area** (``kind="area"``) when a rule's activity words occur in
  the step's own text and its domain words around it (vocabularies and rules:
  ``catalog/regulated_uses.json``, each with its source);
* a **natural-person question** (``kind="person_question"``) when the area
  applies only to natural persons (point 5(b)) and the flow does not say whether
  the decision is about people or companies: the workshop answers it;
* an **Art 22 candidate** (``kind="art22"``): a decision verb and an effect that
  matters to someone (a loan, a job, a claim ...) about a person.

Every detection carries its evidence (field, text, words) and a status: it is
*confirmed* when the step's own fields already say so (confirming sets them with
the ordinary step update), *dismissed* when the step records a dismissal with
who and why, else *open* ("to confirm"). Pure functions, no I/O beyond the
packaged catalog.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from redesign.built import in_order
from redesign.impact.exposure import _BREAK, _fold, _keep, _words
from redesign.model import Flow, Scenario, Step, Tag

__all__ = [
    "Detection",
    "Evidence",
    "Vocabulary",
    "adverse_decisions",
    "confirm",
    "detect",
    "detect_step",
    "dismiss",
    "is_rules_based",
    "open_detections",
    "phrases_in",
    "rewards_more",
]

Kind = Literal["area", "person_question", "art22"]
Status = Literal["open", "confirmed", "dismissed"]
Terms = tuple[tuple[str, ...], ...]


class Evidence(BaseModel):
    """Where a detection's words were found."""

    model_config = ConfigDict(frozen=True)

    field: str  # "step name", "description", "data item", "role", "flow", "O*NET task"
    text: str
    words: tuple[str, ...]


class Detection(BaseModel):
    """One suggestion for the workshop to confirm or dismiss."""

    model_config = ConfigDict(frozen=True)

    key: str  # stable: what a dismissal names ("annex3_5b", "art22", "person:annex3_5b")
    kind: Kind
    step: str
    step_name: str
    area: str | None  # the Annex III area id (None for Art 22)
    rule: str
    question: str
    evidence: tuple[Evidence, ...]
    status: Status
    dismissed_by: str = ""
    dismissed_why: str = ""
    source: str


# --------------------------------------------------------------------------- vocabularies


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    area: str
    domain: Terms
    activity: Terms
    context: Terms
    exclude: Terms
    person: Literal["implied", "required"]
    onet_occupations: tuple[str, ...]
    domain_in_name_only: bool
    source: str


class Vocabulary(BaseModel):
    """The catalog file, with every term already stemmed into word tuples."""

    model_config = ConfigDict(frozen=True)

    person_strong: Terms
    person_weak: Terms
    person_source: str
    organisation: Terms
    organisation_source: str
    verbs: Terms
    effects: Terms
    evaluative: Terms
    decision_source: str
    rules_based: Terms
    rules_based_source: str
    partial_review: Terms
    partial_review_source: str
    rules: tuple[_Rule, ...]


def stem_terms(terms: Iterable[str]) -> Terms:
    """Term lists as ``phrases_in`` reads them (stemmed word tuples); public for other word-list rules."""
    return _stem_terms(terms)


def _stem_terms(terms: Iterable[str]) -> Terms:
    return tuple(dict.fromkeys(w for w in (tuple(_words(t)) for t in terms) if w))


@cache
def vocabulary() -> Vocabulary:
    raw = json.loads(resources.files("redesign.impact.catalog").joinpath("regulated_uses.json").read_text("utf-8"))
    rules = tuple(
        _Rule(
            id=r["id"],
            area=r["area"],
            domain=_stem_terms(r["domain"]),
            activity=_stem_terms(r["activity"]),
            context=_stem_terms(r["context"]),
            exclude=_stem_terms(r["exclude"]),
            person=r["person"],
            onet_occupations=tuple(r["onet_occupations"]),
            domain_in_name_only=r["domain_in_name_only"],
            source=r["source"],
        )
        for r in raw["rules"]
    )
    return Vocabulary(
        person_strong=_stem_terms(raw["person"]["strong"]),
        person_weak=_stem_terms(raw["person"]["weak"]),
        person_source=raw["person"]["source"],
        organisation=_stem_terms(raw["organisation"]["terms"]),
        organisation_source=raw["organisation"]["source"],
        verbs=_stem_terms(raw["decision"]["verbs"]),
        effects=_stem_terms(raw["decision"]["effects"]),
        evaluative=_stem_terms(raw["decision"]["evaluative"]),
        decision_source=raw["decision"]["source"],
        rules_based=_stem_terms(raw["rules_based"]["terms"]),
        rules_based_source=raw["rules_based"]["source"],
        partial_review=_stem_terms(raw["partial_review"]["terms"]),
        partial_review_source=raw["partial_review"]["source"],
        rules=rules,
    )


# --------------------------------------------------------------------------- matching


@lru_cache(maxsize=32_768)  # bounded: the texts come from workshops, and a server runs for months
def _stems(text: str) -> tuple[str, ...]:
    return tuple(_words(text))


_BY_FIRST: dict[int, tuple[Terms, dict[str, Terms]]] = {}


def _by_first(terms: Terms) -> dict[str, Terms]:
    """Terms grouped by their first word, so a text is scanned once per word, not once per term.

    Keyed by id() (hashing a long tuple of tuples on every call would cost more than the scan);
    the entry keeps the tuple itself, so a recycled id is noticed.
    """
    entry = _BY_FIRST.get(id(terms))
    if entry is None or entry[0] is not terms:
        grouped: dict[str, list[tuple[str, ...]]] = {}
        for term in terms:
            grouped.setdefault(term[0], []).append(term)
        entry = _BY_FIRST[id(terms)] = (terms, {k: tuple(v) for k, v in grouped.items()})
    return entry[1]


_FOUND: dict[tuple[int, str], tuple[Terms, tuple[str, ...]]] = {}


def phrases_in(text: str, terms: Terms) -> tuple[str, ...]:
    """The terms (as stem phrases) that occur in ``text`` as whole words in a row.

    Memoised per (term list, text): the flow's name and description and a role's text are
    read again for every step. Keyed by the list's id() like `_by_first`, and the entry keeps
    the list, so a term list freed and another made at the same address is not given its hits.
    """
    key = (id(terms), text)
    entry = _FOUND.get(key)
    if entry is None or entry[0] is not terms:
        if len(_FOUND) > 100_000:
            _FOUND.clear()
        entry = _FOUND[key] = (terms, _phrases_in(text, terms))
    return entry[1]


def _phrases_in(text: str, terms: Terms) -> tuple[str, ...]:
    words = _stems(text)
    if not words:
        return ()
    index = _by_first(terms)
    found: list[str] = []
    for i, word in enumerate(words):
        for term in index.get(word, ()):
            if words[i : i + len(term)] == term:
                phrase = " ".join(term)
                if phrase not in found:
                    found.append(phrase)
    return tuple(found)


class _Field(NamedTuple):
    field: str
    text: str


def _own(step: Step) -> list[_Field]:
    own = [_Field(field="step name", text=step.name)]
    if step.description.strip():
        own.append(_Field(field="description", text=step.description))
    return own


_MAPS: dict[int, tuple[Flow, dict[str, _Field], dict[str, _Field]]] = {}


def _maps(flow: Flow) -> tuple[dict[str, _Field], dict[str, _Field]]:
    """The text of each data item and role, by id, written once per flow object (the last few flows are kept).

    Many steps share a data item or an owner: their fields (immutable tuples) are shared too.
    """
    entry = _MAPS.get(id(flow))
    if entry is None or entry[0] is not flow:
        if len(_MAPS) > 8:
            _MAPS.clear()
        data = {d.id: _Field(field="data item", text=f"{d.name} {d.description}".strip()) for d in flow.data_items}
        roles = {r.id: _Field(field="role", text=f"{r.name} {r.description}".strip()) for r in flow.roles}
        entry = _MAPS[id(flow)] = (flow, data, roles)
    return entry[1], entry[2]


def _around(flow: Flow, step: Step) -> list[_Field]:
    """The step's data items and owner role: what the step handles and who does it."""
    data, roles = _maps(flow)
    found = [f for f in (data.get(i) for i in dict.fromkeys([*step.data_in, *step.data_out])) if f is not None]
    role = roles.get(step.owner or "")
    if role is not None:
        found.append(role)
    return found


def _flow_fields(flow: Flow, with_description: bool) -> list[_Field]:
    fields = [_Field(field="flow", text=flow.name)]
    if with_description and flow.description.strip():
        fields.append(_Field(field="flow", text=flow.description))
    return fields


def _hits(fields: Sequence[_Field], terms: Terms) -> list[Evidence]:
    # Evidence and detections are built without re-validating (typed here): governance asks for every AI step.
    return [
        in_order(Evidence, {"field": f.field, "text": f.text, "words": _surface(f.text, w)})
        for f in fields
        if (w := phrases_in(f.text, terms))
    ]


_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=8192)  # the flow's and the roles' texts come back for every step
def _surface(text: str, phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The words as the text writes them ("declined", not the stem "declin"), for people to read."""
    pairs = [(stem, raw) for raw in _WORD.findall(_fold(text)) if (stem := _keep(raw)) not in (None, _BREAK)]
    stems = [p[0] for p in pairs]
    shown: list[str] = []
    for phrase in phrases:
        words = phrase.split()
        n = len(words)
        at = next((i for i in range(len(stems) - n + 1) if stems[i : i + n] == words), None)
        shown.append(" ".join(raw for _, raw in pairs[at : at + n]) if at is not None else phrase)
    return tuple(dict.fromkeys(shown))


def _onet_hits(tasks: Sequence[tuple[str, str, str]], prefixes: tuple[str, ...]) -> list[Evidence]:
    """Matched O*NET tasks (soc, occupation, task) whose occupation belongs to the rule."""
    return [
        in_order(Evidence, {"field": "O*NET task", "text": f"{task} ({occupation})", "words": (occupation,)})
        for soc, occupation, task in tasks
        if any(soc.startswith(p) for p in prefixes)
    ]


def is_rules_based(text: str) -> tuple[str, ...]:
    """Words that say an automation is rules-based (not an AI system), e.g. in a decision's rationale."""
    return phrases_in(text, vocabulary().rules_based)


# --------------------------------------------------------------------------- detection


def _status(step: Step, key: str, confirmed: bool) -> tuple[Status, str, str]:
    for d in step.dismissed:
        if d.key == key:
            return "dismissed", d.by, d.why
    return ("confirmed" if confirmed else "open"), "", ""


class _Text:
    """The texts around one step, gathered once and only when a rule needs them.

    Kept in slots filled on first read, not ``functools.cached_property``: on CPython 3.11 that takes
    a lock on every first read, and governance makes one of these for every AI step.
    """

    __slots__ = ("_everywhere", "_near", "_person", "flow", "own", "step")

    def __init__(self, flow: Flow, step: Step) -> None:
        self.flow = flow
        self.step = step
        self.own = _own(step)
        self._near: list[_Field] | None = None
        self._everywhere: list[_Field] | None = None
        self._person: tuple[list[Evidence], list[Evidence], list[Evidence]] | None = None

    @property
    def near(self) -> list[_Field]:
        """The step, its data items and owner role, and the flow's name."""
        if self._near is None:
            self._near = [*self.own, *_around(self.flow, self.step), *_flow_fields(self.flow, with_description=False)]
        return self._near

    @property
    def everywhere(self) -> list[_Field]:
        """``near`` and the flow's description."""
        if self._everywhere is None:
            self._everywhere = [*self.near, *_flow_fields(self.flow, with_description=True)[1:]]
        return self._everywhere

    @property
    def person(self) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
        """Evidence that the step is about natural persons (strong, weak) or about organisations."""
        if self._person is None:
            v = vocabulary()
            fields = self.everywhere
            self._person = _hits(fields, v.person_strong), _hits(fields, v.person_weak), _hits(fields, v.organisation)
        return self._person


def _candidate_rules(name: str) -> list[_Rule]:
    """Rules one of whose activity words starts in the step's name (the cheap test: most steps have none)."""
    starts = _activity_starts()
    hit = {i for w in _stems(name) for i in starts.get(w, ())}
    return [r for i, r in enumerate(vocabulary().rules) if i in hit]


@cache
def _activity_starts() -> dict[str, tuple[int, ...]]:
    starts: dict[str, list[int]] = {}
    for i, rule in enumerate(vocabulary().rules):
        for term in rule.activity:
            if i not in starts.setdefault(term[0], []):
                starts[term[0]].append(i)
    return {k: tuple(v) for k, v in starts.items()}


def _area_detections(text: _Text, tasks: Sequence[tuple[str, str, str]]) -> list[Detection]:
    from redesign.impact.catalog import catalog  # the catalog imports nothing from here

    areas = catalog().high_risk_areas
    step = text.step
    own = text.own
    found: list[Detection] = []
    guessed: set[int] = set()  # indexes in found of detections whose domain only the matched O*NET tasks name
    for rule in _candidate_rules(step.name):
        # What the step does is read from its name only: descriptions tell stories ("no emotion
        # recognition is used", "customers who scored 1-2") whose verbs are not the step's own.
        # Most steps stop here, so the wider text is only gathered for the few that go on.
        activity = _hits(own[:1], rule.activity)
        if not activity or _hits(own[:1], rule.exclude):
            continue
        near, everywhere = text.near, text.everywhere
        worded = _hits(own[:1] if rule.domain_in_name_only else near, rule.domain)
        domain = worded + _onet_hits(tasks, rule.onet_occupations)
        if not domain:
            continue
        context = _hits(everywhere, rule.context) if rule.context else []
        if rule.context and not context:
            continue
        strong, weak, org = text.person  # only now: most candidates stop at the domain or the context
        if not worded and rule.person == "required" and org and not strong:
            # The domain is only the matcher's reading of the step (loan clerks' "Accept payment on
            # accounts" for a supplier payment run) and the flow's words speak of organisations: no question.
            continue
        area = areas.get(rule.area)
        title = f"{area.point} ({area.title})" if area else rule.area
        evidence = tuple(activity + domain + context)
        if rule.person == "required" and not (strong and not org):
            key = f"person:{rule.area}"
            said = "organisations" if org and not strong else ("both people and organisations" if org else "nobody")
            status, by, why = _status(step, key, step.high_risk_area == rule.area and step.decides_for_person)
            found.append(
                in_order(
                    Detection,
                    {
                        "key": key,
                        "kind": "person_question",
                        "step": step.id,
                        "step_name": step.name,
                        "area": rule.area,
                        "rule": rule.id,
                        "question": (
                            f'Is "{step.name}" about natural persons (consumers, sole traders) or only about '
                            f"companies? {title} applies to natural persons only; the flow's words point to {said}."
                        ),
                        "evidence": tuple([*evidence, *strong, *weak, *org]),
                        "status": status,
                        "dismissed_by": by,
                        "dismissed_why": why,
                        "source": f"{rule.source}; {vocabulary().organisation_source}",
                    },
                )
            )
            if not worded:
                guessed.add(len(found) - 1)
            continue
        status, by, why = _status(step, rule.area, step.high_risk_area == rule.area)
        found.append(
            in_order(
                Detection,
                {
                    "key": rule.area,
                    "kind": "area",
                    "step": step.id,
                    "step_name": step.name,
                    "area": rule.area,
                    "rule": rule.id,
                    "question": f'Does "{step.name}" fall under {title}?',
                    "evidence": tuple([*evidence, *strong]) if rule.person == "required" else evidence,
                    "status": status,
                    "dismissed_by": by,
                    "dismissed_why": why,
                    "source": rule.source,
                },
            )
        )
        if not worded:
            guessed.add(len(found) - 1)
    return _without_contradicted_guesses(found, guessed)


def _without_contradicted_guesses(found: list[Detection], guessed: set[int]) -> list[Detection]:
    """Drop the open detections that only the matched O*NET tasks support when the step's own words found an area.

    "Grade work-sample assessment" in a hiring flow is employment (Annex III 4(a)) by its words; the
    teachers' grading tasks the matcher finds close to it do not make it education (3(b)) as well.
    """
    if not guessed or not any(i not in guessed and d.kind == "area" for i, d in enumerate(found)):
        return found
    return [d for i, d in enumerate(found) if i not in guessed or d.status != "open"]


def _art22(text: _Text, areas_found: list[Detection]) -> Detection | None:
    """A decision with a legal or similarly significant effect on a person (GDPR Art 22 candidate)."""
    v = vocabulary()
    step = text.step
    implied = [d for d in areas_found if d.kind == "area"]
    firsts = (_by_first(v.verbs), _by_first(v.evaluative))
    if not any(w in index for w in _stems(step.name) for index in firsts):
        return None
    own = text.own
    verbs = _hits(own[:1], v.verbs)  # the step's name says what it decides (see _area_detections)
    effects = _hits([own[0], *text.near[len(own) :]], v.effects) if verbs else []
    if not (verbs and effects):
        # In an Annex III area about persons, a score or an assessment that decides is itself the
        # decision (CJEU C-634/21, SCHUFA): the evaluative verb is enough.
        verbs = _hits(own[:1], v.evaluative) if implied else []
        effects = []
        if not verbs:
            return None
    strong, weak, org = text.person
    about_person = bool(implied) or bool(strong) or (bool(weak) and not org)
    if not about_person:
        return None
    status, by, why = _status(step, "art22", step.decides_for_person)
    area_words = [in_order(Evidence, {"field": "area", "text": d.question, "words": (d.area or "",)}) for d in implied]
    return in_order(
        Detection,
        {
            "key": "art22",
            "kind": "art22",
            "step": step.id,
            "step_name": step.name,
            "area": None,
            "rule": "det_gdpr_art22",
            "question": (
                f'Does "{step.name}" decide an outcome for a natural person with a legal or similarly significant '
                "effect (GDPR Art 22)? If it is automated, a person must be able to review every such decision."
            ),
            "evidence": tuple([*verbs, *effects, *strong, *(weak if not org else []), *area_words]),
            "status": status,
            "dismissed_by": by,
            "dismissed_why": why,
            "source": v.decision_source,
        },
    )


def detect_step(
    flow: Flow, step: Step, tasks: Sequence[tuple[str, str, str]] = (), *, art22: bool = True
) -> list[Detection]:
    """Every detection for one step; ``tasks`` = matched O*NET tasks as (soc, occupation, task).

    ``art22=False`` leaves the Art 22 candidate out, for a caller that cannot use it (governance
    asks it only of automated steps): the area detections it would read are found either way.
    """
    text = _Text(flow, step)
    found = _area_detections(text, tasks)
    candidate = _art22(text, found) if art22 else None
    return [*found, candidate] if candidate is not None else found


def detect(flow: Flow, tasks: Mapping[str, Sequence[tuple[str, str, str]]] | None = None) -> list[Detection]:
    """Detections for every step of the flow, in flow order."""
    tasks = tasks or {}
    return [d for step in flow.steps for d in detect_step(flow, step, tasks.get(step.id, ()))]


def open_detections(detections: Iterable[Detection]) -> list[Detection]:
    return [d for d in detections if d.status == "open"]


def confirm(step: Step, detection: Detection) -> Step:
    """The step with the detection's label set (saved by the caller through the ordinary step update)."""
    if detection.kind == "art22":
        return step.model_copy(update={"decides_for_person": True})
    update: dict[str, object] = {"high_risk_area": detection.area}
    if detection.kind == "person_question":
        update["decides_for_person"] = True
    return step.model_copy(update=update)


def dismiss(step: Step, detection: Detection, by: str, why: str) -> Step:
    """The step with a recorded dismissal (who, why); a second dismissal of the same key replaces the first."""
    from redesign.model import Dismissal

    kept = [d for d in step.dismissed if d.key != detection.key]
    return step.model_copy(update={"dismissed": [*kept, Dismissal(key=detection.key, by=by, why=why)]})


# --------------------------------------------------------------------------- adverse automated decisions


@cache
def _adverse() -> tuple[Terms, Terms, str]:
    raw = json.loads(resources.files("redesign.impact.catalog").joinpath("regulated_uses.json").read_text("utf-8"))
    return _stem_terms(raw["adverse"]["verbs"]), _stem_terms(raw["adverse"]["volume_words"]), raw["adverse"]["source"]


def adverse_decisions(flow: Flow, scenario: Scenario | None) -> dict[str, tuple[str, ...]]:
    """Automated steps that can decide against a person, with the words that say so.

    For the incentive rules: a target on such a step must never reward *more* of its
    decisions (more declines, more rejections), since each one is an automated adverse
    decision a person may contest (GDPR Art 22(3)); see ``rewards_more``.
    """
    if scenario is None:
        return {}
    verbs, _, _ = _adverse()
    automated = {d.step for d in scenario.decisions if d.tag == Tag.AUTOMATE}
    found: dict[str, tuple[str, ...]] = {}
    for step in flow.steps:
        if step.id not in automated:
            continue
        words = phrases_in(step.name, verbs)
        if words or step.decides_for_person:
            found[step.id] = words or ("decides for a person",)
    return found


def rewards_more(metric: str) -> tuple[str, ...]:
    """Words in a metric or target that reward doing more of something ("number of loans declined")."""
    _, volume, _ = _adverse()
    return phrases_in(metric, volume)


def adverse_source() -> str:
    return _adverse()[2]


def matched_tasks(suggestions: Iterable[object], min_similarity: float = 0.5) -> dict[str, list[tuple[str, str, str]]]:
    """(soc, occupation, task) of the O*NET tasks matched to each step by the tag suggestions, for ``detect``.

    Only close matches count: a task is evidence of the step's domain, not a guess.
    """
    found: dict[str, list[tuple[str, str, str]]] = {}
    for item in suggestions:
        exposure = getattr(item, "exposure", None)
        for m in getattr(exposure, "matches", []) or []:
            if m.similarity >= min_similarity:
                found.setdefault(item.step, []).append((m.soc, m.occupation, m.task))  # type: ignore[attr-defined]  # suggestions are duck-typed objects
    return found
