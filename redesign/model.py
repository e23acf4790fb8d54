"""The Crossflow domain model: an end-to-end decision flow and its redesign scenarios.

Pure pydantic v2, no I/O. A `Flow` is the as-is process: the functions at the table
(one swimlane each), the roles that do the work, the data items that move, the steps
and the hand-offs between them. A `Scenario` is one proposed redesign: a tag per step
(human judgment stays, AI augments a person, or the system automates it) with the
parameters and accountability that come with the decision.

Validation has two layers, and both report *all* problems at once:
- field rules (types, ranges, lengths) come from pydantic and are translated into
  plain sentences by `redesign.validation`;
- cross-references (unique ids, hand-offs that point at existing steps, AI agents with
  an accountable human, ...) are checked by `reference_problems()` below, which works
  on the raw document too so a type error elsewhere does not hide them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from redesign.names import hidden_problem, normalise

SCHEMA_VERSION = 1
"""Version of the JSON file format; bump it with a migration in `redesign.io.flow_json`."""

# Size bounds keep one hostile or broken file from exhausting memory; they are far
# above any real process map (the largest sample has 30 steps).
MAX_STEPS = 10_000
MAX_HANDOFFS = 40_000
MAX_NAME = 200
MAX_TEXT = 4_000
MAX_ID = 100

Id = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]*$"),
]


def _clean_name(value: Any) -> Any:
    """Names are NFKC-normalised and may not hide characters (see `redesign.names`)."""
    if not isinstance(value, str):
        return value
    if value.isascii() and value.isprintable() and value == value.strip() and "  " not in value:
        return value  # the common case, cheaply: already normal, nothing hidden
    value = normalise(value)  # first: tabs and line breaks become spaces
    problem = hidden_problem(value, "name")
    if problem:
        raise PydanticCustomError("hidden_character", problem)
    return value


Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME), BeforeValidator(_clean_name)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]


def _finite(value: Any) -> Any:
    """Refuse NaN and infinity (also as text, e.g. "Infinity" or 1e400) before range checks run.

    Without this, infinity passes `ge=0` and shows as `inf` / `nan%` in metrics and
    as non-standard `Infinity` in JSON, and NaN fails with a misleading range message.
    """
    if type(value) is float and value - value == 0:  # the common case, cheaply: x - x is 0 only when finite
        return value
    number = value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf  # an integer beyond the float range, e.g. 10**400
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return value  # not a number at all: the float validator says so
    if isinstance(number, float) and not math.isfinite(number):
        shown = "not a number (NaN)" if math.isnan(number) else "infinite"
        raise PydanticCustomError("finite_number", f"must be a finite number, but it is {shown}")
    return value


_FINITE = BeforeValidator(_finite)  # last in each Annotated, so it runs before the range check
FiniteFloat = Annotated[float, _FINITE]
"""Every float of the model is finite: NaN and infinity get their own message."""
Percent = Annotated[float, Field(ge=0, le=100), _FINITE]
Share = Annotated[float, Field(ge=0, le=1), _FINITE]
NonNegative = Annotated[float, Field(ge=0), _FINITE]
Score = Annotated[int, Field(ge=1, le=5)]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


class Tag(StrEnum):
    """What happens to a step in the redesign."""

    HUMAN = "human"  # human judgment stays; AI may prepare inputs
    AUGMENT = "augment"  # AI assists, a person decides and validates
    AUTOMATE = "automate"  # the system does it, people handle exceptions


class StepKind(StrEnum):
    TASK = "task"
    DECISION = "decision"
    REVIEW = "review"


class Stakes(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RoleKind(StrEnum):
    HUMAN = "human"
    AI_AGENT = "ai_agent"


class ExposureLabel(StrEnum):
    """Eloundou et al. (2023) exposure rubric labels."""

    E0 = "E0"
    E1 = "E1"
    E2 = "E2"


class Period(StrEnum):
    """The period that volumes are counted in."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


PERIODS_PER_YEAR: dict[Period, float] = {
    Period.DAY: 230.0,  # working days, after holidays and leave
    Period.WEEK: 52.0,
    Period.MONTH: 12.0,
    Period.QUARTER: 4.0,
    Period.YEAR: 1.0,
}


class _Model(BaseModel):
    # Unknown keys are errors, not silently dropped: a typo such as "touch_minuts"
    # would otherwise lose data on the next save.
    model_config = ConfigDict(extra="forbid", validate_assignment=False, frozen=False)


class Function(_Model):
    """A business function at the table; each one is a swimlane."""

    id: Id
    name: Name
    colour: Colour = "#7f7f7f"


class Role(_Model):
    """Who does the work. An AI agent is a role too, with an accountable human."""

    id: Id
    name: Name
    function: Id
    headcount: NonNegative = 1.0
    hourly_cost: NonNegative | None = None
    kind: RoleKind = RoleKind.HUMAN
    accountable_role: Id | None = None
    description: Text = ""


class DataItem(_Model):
    """A named piece of data and the system of record it lives in."""

    id: Id
    name: Name
    system: Annotated[str, StringConstraints(max_length=MAX_NAME)] = ""
    description: Text = ""


class Rubric(_Model):
    """Facilitator scores (1-5) behind a tag suggestion; None means not yet assessed.

    The attributes follow docs/methodology.md#tag-suggestions-and-evidence (UiPath Automation Hub's
    high-level assessment, Autor-Levy-Murnane, Frey-Osborne bottlenecks, Jarrahi,
    Parasuraman-Sheridan-Wickens). Input quality is not here: it is measured, as the
    %C&A of what arrives at the step.
    """

    rules: Score | None = None  # 5 = completely rule-based
    digital_input: Score | None = None  # 5 = digital and structured
    stability: Score | None = None  # 5 = no change expected in 6 months
    judgment: Score | None = None  # 5 = heavy judgment under uncertainty/equivocality
    interpersonal: Score | None = None  # 5 = persuading, negotiating, caring, coaching
    creativity: Score | None = None  # 5 = novel output every time
    error_cost: Score | None = None  # 5 = costly and irreversible mistakes
    auditability: Score | None = None  # 5 = must be fully explainable and logged
    exposure: ExposureLabel | None = None  # facilitator override of the O*NET prior


class Dismissal(_Model):
    """A workshop's "no" to a regulated-use detection on a step (redesign.impact.regulated), with who and why."""

    key: Annotated[str, StringConstraints(min_length=1, max_length=100)]  # e.g. "annex3_5b", "art22"
    by: Annotated[str, StringConstraints(max_length=MAX_NAME)] = ""
    why: Text = ""


class Step(_Model):
    """One step of the flow, in one function's lane, owned by one role."""

    id: Id
    name: Name
    description: Text = ""
    function: Id
    owner: Id | None = None
    kind: StepKind = StepKind.TASK
    volume: NonNegative = 0.0  # cases per period
    touch_minutes: NonNegative = 0.0  # hands-on minutes per case
    wait_minutes: NonNegative = 0.0  # queue minutes per case before the step completes
    data_in: list[Id] = Field(default_factory=list)
    data_out: list[Id] = Field(default_factory=list)
    pca: Percent = 100.0  # % complete and accurate of this step's output
    dq_note: Text = ""  # where and why data quality breaks down here
    stakes: Stakes = Stakes.MEDIUM
    high_risk_area: Id | None = None  # catalog id, e.g. "annex3_4a" (recruitment)
    decides_for_person: bool = False  # decides an outcome for a natural person
    profiling: bool = False
    emotion_recognition: bool = False
    customer_facing: bool = False  # an AI here would talk to customers (AI Act Art 50)
    learning_step: bool = False  # juniors learn the job by doing this step
    skills: list[Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]] = Field(default_factory=list)
    rubric: Rubric = Field(default_factory=Rubric)
    dismissed: list[Dismissal] = Field(default_factory=list)  # regulated-use detections the workshop said no to


class Handoff(_Model):
    """Work and data passing from one step to the next; loops back are rework."""

    id: Id
    source: Id
    target: Id
    data: list[Id] = Field(default_factory=list)
    channel: Annotated[str, StringConstraints(max_length=MAX_NAME)] = ""
    pca: Percent | None = None  # %C&A of what arrives; None = the source step's %C&A
    wait_minutes: NonNegative = 0.0
    condition: Annotated[str, StringConstraints(max_length=MAX_NAME)] = ""
    rework: bool = False  # a loop back for correction
    dq_note: Text = ""  # why what arrives here is incomplete or wrong


class Decision(_Model):
    """The redesign decision for one step in one scenario.

    Parameters left as None take their defaults from the impact catalog
    (`redesign/impact/catalog/effort.json`), where each default names its source.
    """

    step: Id
    tag: Tag
    automation_rate: Share | None = None  # share of cases handled straight through
    time_saving: Share | None = None  # share of touch time AI saves (augment)
    exception_rate: Share | None = None  # share of automated cases that fall out
    exception_minutes: NonNegative | None = None  # minutes per exception handled by a person
    validation_minutes: NonNegative | None = None  # minutes per case to check AI output
    monitoring_hours: NonNegative | None = None  # hours per period to run the automation
    ai_agent: Id | None = None  # role id of the AI agent that does the work, if any
    owner: Id | None = None  # accountable human role (RACI "A")
    overseer: Id | None = None  # who reviews / can override (AI Act Art 14)
    rationale: Text = ""
    success_measure: Text = ""
    review_date: date | None = None
    it_signoff: bool = False  # IT security and integration signed off
    details_later: bool = False  # settled with the missing log details left, on purpose, for later
    # Value beyond hours: money per year the decision gains on an outcome (better forecast accuracy,
    # less bad debt, less revenue leakage), in the analysis currency; counted apart from hours.
    outcome_gain_per_year: NonNegative | None = None
    outcome_note: Text = ""  # how the gain was estimated (which outcome, which figures)
    # What does the work: "ai" (an AI system in the AI Act's sense), "rules" (rules written by people:
    # not an AI system, AI Act Art 3(1) and Recital 12), None = not said (treated as AI, and asked).
    system: Literal["ai", "rules"] | None = None


class Scenario(_Model):
    """A named redesign: a set of per-step decisions to compare with the as-is flow."""

    id: Id
    name: Name
    description: Text = ""
    decisions: list[Decision] = Field(default_factory=list)
    outcome_metric: Text = ""  # the flow's outcome metric as the workshop chose it ("" = the catalog's suggestion)

    def decision_for(self, step_id: str) -> Decision | None:
        return next((d for d in self.decisions if d.step == step_id), None)


class Flow(_Model):
    """An end-to-end process: lanes, roles, data, steps, hand-offs and scenarios."""

    schema_version: int = SCHEMA_VERSION
    id: Id
    name: Name
    description: Text = ""
    source: Text = ""  # where the realism comes from, e.g. the APQC PCF category
    period: Period = Period.WEEK
    fte_hours_per_year: Annotated[float, Field(gt=0), _FINITE] = 1680.0
    dq_threshold: Percent = 80.0  # %C&A below this is a data-quality break point
    functions: list[Function] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    data_items: list[DataItem] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list, max_length=MAX_STEPS)
    handoffs: list[Handoff] = Field(default_factory=list, max_length=MAX_HANDOFFS)
    scenarios: list[Scenario] = Field(default_factory=list)

    # --- lookups (cheap enough to rebuild; flows are small and models immutable in use)
    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f'unknown step "{step_id}"')

    def steps_by_id(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}

    def roles_by_id(self) -> dict[str, Role]:
        return {r.id: r for r in self.roles}

    def functions_by_id(self) -> dict[str, Function]:
        return {f.id: f for f in self.functions}

    def data_by_id(self) -> dict[str, DataItem]:
        return {d.id: d for d in self.data_items}

    def scenario(self, key: str) -> Scenario:
        """A scenario by id or (case-insensitive) name."""
        for sc in self.scenarios:
            if sc.id == key or sc.name.casefold() == key.casefold():
                return sc
        names = ", ".join(f'"{s.name}"' for s in self.scenarios) or "none"
        raise KeyError(f'unknown scenario "{key}" (this flow has: {names})')

    @property
    def periods_per_year(self) -> float:
        return PERIODS_PER_YEAR[self.period]

    @property
    def fte_hours_per_period(self) -> float:
        return self.fte_hours_per_year / self.periods_per_year

    def problems(self) -> list[Problem]:
        """Cross-reference problems of this (already type-valid) flow."""
        return reference_problems(self.model_dump(mode="json"))


DEFAULT_FUNCTIONS: tuple[tuple[str, str, str], ...] = (
    ("sales", "Sales", "#1f77b4"),
    ("it", "IT", "#9467bd"),
    ("hr", "HR", "#2ca02c"),
    ("finance", "Finance", "#d62728"),
    ("ops", "Ops", "#ff7f0e"),
)


def default_functions() -> list[Function]:
    """Sales, IT, HR, Finance and Ops: the usual table; any other may be added."""
    return [Function(id=i, name=n, colour=c) for i, n, c in DEFAULT_FUNCTIONS]


def blank_flow(name: str = "New process", flow_id: str = "new_process") -> Flow:
    return Flow(id=flow_id, name=name, functions=default_functions())


# --------------------------------------------------------------------------- problems


class Problem(_Model):
    """One thing wrong with a flow, where it is and what to do about it."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


def reference_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Cross-reference rules on a flow document (a dict as loaded from JSON).

    Works on raw, possibly partly invalid input: anything of the wrong shape is
    skipped here because the field validation reports it already.
    """
    checker = _ReferenceChecker(doc)
    return list(checker.run())


def _items(doc: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = doc.get(key)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _ids(items: Iterable[tuple[int, Mapping[str, Any]]]) -> set[str]:
    return {item["id"] for _, item in items if isinstance(item.get("id"), str)}


def _str_list(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]


class _ReferenceChecker:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.functions = _items(doc, "functions")
        self.roles = _items(doc, "roles")
        self.data_items = _items(doc, "data_items")
        self.steps = _items(doc, "steps")
        self.handoffs = _items(doc, "handoffs")
        self.scenarios = _items(doc, "scenarios")
        self.function_ids = _ids(self.functions)
        self.role_ids = _ids(self.roles)
        self.data_ids = _ids(self.data_items)
        self.step_ids = _ids(self.steps)
        self.role_kind = {
            r["id"]: r.get("kind", RoleKind.HUMAN.value) for _, r in self.roles if isinstance(r.get("id"), str)
        }

    def run(self) -> Iterator[Problem]:
        for key, items in (
            ("functions", self.functions),
            ("roles", self.roles),
            ("data_items", self.data_items),
            ("steps", self.steps),
            ("handoffs", self.handoffs),
            ("scenarios", self.scenarios),
        ):
            yield from self._unique_ids(key, items)
        yield from self._roles()
        yield from self._steps()
        yield from self._handoffs()
        yield from self._scenarios()

    def _unique_ids(self, key: str, items: list[tuple[int, Mapping[str, Any]]]) -> Iterator[Problem]:
        counts = Counter(item.get("id") for _, item in items if isinstance(item.get("id"), str))
        seen: set[str] = set()
        for i, item in items:
            item_id = item.get("id")
            if isinstance(item_id, str) and counts[item_id] > 1:
                if item_id in seen:
                    yield Problem(location=f"{key}[{i}].id", message=f'duplicate id "{item_id}"')
                seen.add(item_id)

    def _ref(self, location: str, value: Any, known: set[str], what: str) -> Iterator[Problem]:
        if isinstance(value, str) and value not in known:
            yield Problem(location=location, message=f'unknown {what} "{value}"')

    def _roles(self) -> Iterator[Problem]:
        for i, role in self.roles:
            loc = f"roles[{i}]"
            yield from self._ref(f"{loc}.function", role.get("function"), self.function_ids, "function")
            acc = role.get("accountable_role")
            if role.get("kind") == RoleKind.AI_AGENT.value:
                if not acc:
                    yield Problem(
                        location=f"{loc}.accountable_role",
                        message="an AI agent must name the human role accountable for it",
                    )
                elif isinstance(acc, str) and acc in self.role_ids and self.role_kind.get(acc) != RoleKind.HUMAN.value:
                    yield Problem(
                        location=f"{loc}.accountable_role",
                        message=f'"{acc}" is an AI agent; the accountable role must be a human role',
                    )
            if acc == role.get("id") and acc is not None:
                yield Problem(location=f"{loc}.accountable_role", message="a role cannot be accountable for itself")
            else:
                yield from self._ref(f"{loc}.accountable_role", acc, self.role_ids, "role")

    def _steps(self) -> Iterator[Problem]:
        for i, step in self.steps:
            loc = f"steps[{i}]"
            yield from self._ref(f"{loc}.function", step.get("function"), self.function_ids, "function")
            yield from self._ref(f"{loc}.owner", step.get("owner"), self.role_ids, "role")
            for field in ("data_in", "data_out"):
                for j, data_id in _str_list(step.get(field)):
                    yield from self._ref(f"{loc}.{field}[{j}]", data_id, self.data_ids, "data item")

    def _handoffs(self) -> Iterator[Problem]:
        for i, handoff in self.handoffs:
            loc = f"handoffs[{i}]"
            yield from self._ref(f"{loc}.source", handoff.get("source"), self.step_ids, "step")
            yield from self._ref(f"{loc}.target", handoff.get("target"), self.step_ids, "step")
            source = handoff.get("source")
            if source is not None and source == handoff.get("target") and not handoff.get("rework"):
                yield Problem(
                    location=loc,
                    message="a hand-off from a step to itself must be marked as rework",
                )
            for j, data_id in _str_list(handoff.get("data")):
                yield from self._ref(f"{loc}.data[{j}]", data_id, self.data_ids, "data item")

    def _scenarios(self) -> Iterator[Problem]:
        for i, scenario in self.scenarios:
            decisions = (
                [(j, d) for j, d in enumerate(scenario.get("decisions") or []) if isinstance(d, Mapping)]
                if isinstance(scenario.get("decisions"), list)
                else []
            )
            seen: set[str] = set()
            for j, decision in decisions:
                loc = f"scenarios[{i}].decisions[{j}]"
                step_id = decision.get("step")
                yield from self._ref(f"{loc}.step", step_id, self.step_ids, "step")
                if isinstance(step_id, str):
                    if step_id in seen:
                        yield Problem(location=f"{loc}.step", message=f'step "{step_id}" is decided twice')
                    seen.add(step_id)
                for field in ("owner", "overseer"):
                    yield from self._ref(f"{loc}.{field}", decision.get(field), self.role_ids, "role")
                agent = decision.get("ai_agent")
                yield from self._ref(f"{loc}.ai_agent", agent, self.role_ids, "role")
                if (
                    isinstance(agent, str)
                    and agent in self.role_ids
                    and self.role_kind.get(agent) != RoleKind.AI_AGENT.value
                ):
                    yield Problem(location=f"{loc}.ai_agent", message=f'"{agent}" is not an AI agent role')
