"""The executive summary as data: `build_summary(flow, scenario, impact, record) -> Summary`.

Pure: everything here is read from the flow, the scenario, the impact assessment
(`redesign.impact.assess`) and, when there was a live workshop, its record. The
renderers (markdown, html, pdf, pptx) only lay this out and format its figures with
`redesign.report.formatting`; none of them computes a number of its own.

Order of the document: one headline page (goal and scope, the headline numbers
before/after, the flag counts, a few sentences that say what it means), then the
detail sections in `SECTIONS` order.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from redesign.impact.assess import Impact
from redesign.impact.catalog import catalog
from redesign.impact.collector import collector_paused
from redesign.impact.costs import Costs
from redesign.impact.explain import agreeing, hours_each
from redesign.impact.incentives import headline_shared_metric
from redesign.impact.pilot import PilotItem
from redesign.impact.ranges import Ranges, likely_words, ranges
from redesign.impact.scenario_view import UNASSIGNED
from redesign.impact.suggested import is_suggested
from redesign.model import Flow, RoleKind, Scenario, Tag
from redesign.report import formatting as fmt
from redesign.report.money_words import cash_words, payback_words
from redesign.report.notes import NoteRow
from redesign.report.record import DecisionRow, Disagreement, WorkshopRecord, decision_rows

SECTIONS: tuple[tuple[str, str], ...] = (
    ("scope", "Goal and scope"),
    ("participants", "Who took part"),
    ("end_to_end", "End-to-end: before and after"),
    ("flow", "The redesigned flow"),
    ("roles", "Changes per role"),
    ("skills", "Skills and reskilling"),
    ("incentives", "Incentives and metrics"),
    ("governance", "Governance flags and remedies"),
    ("pilot", "Pilot waves"),
    ("disagreements", "Open disagreements"),
    ("notes", "Open comments and flags"),
    ("decisions", "Decision log"),
    ("sources", "Sources and attribution"),
)
"""(key, title) of every detail section, in document order; the renderers use these titles."""

TITLES: dict[str, str] = dict(SECTIONS)
HEADLINE_TITLE = "Headline numbers"
RESKILLING_SHOWN = 12
"""The reskilling list is ranked; the summary keeps the top of it and says how many more there are."""

ATTRIBUTION: tuple[str, ...] = (
    "Task exposure evidence behind tag suggestions: Eloundou, T., Manning, S., Mishkin, P., & Rock, D. (2023). "
    "GPTs are GPTs: An Early Look at the Labor Market Impact Potential of Large Language Models. "
    "arXiv:2303.10130; Science 384 (2024). Data: github.com/openai/GPTs-are-GPTs (MIT licence).",
    "This product includes information from the O*NET Database by the U.S. Department of Labor, Employment and "
    "Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. O*NET® is a trademark of USDOL/ETA. "
    "Crossflow has modified all or some of this information. USDOL/ETA has not approved, endorsed, or tested "
    "these modifications.",
    "Value-stream measures (lead time, %C&A, rolled %C&A, activity ratio): Martin, K. & Osterling, M., "
    "Value Stream Mapping, McGraw-Hill, 2014.",
)


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Headline(_Part):
    """One headline figure before and after."""

    key: str
    label: str
    unit: str  # h | FTE | min | count | %  (see formatting.figure)
    before: float
    after: float
    better: Literal["lower", "higher"]
    low: float | None = None  # P10-P90 of the "after" figure over the Monte Carlo draws
    high: float | None = None
    known: bool = True  # False: not measured (e.g. no %C&A), shown as "unknown"

    @property
    def change(self) -> float:
        return self.after - self.before


class Executive(_Part):
    """The first page, readable in a minute: what changes, for whom, hours with their range, risks, metric, pilot."""

    blocked: bool
    basis: str  # what the summary is based on ("Suggested" tags, a prepared scenario, ...)
    what_changes: str
    for_whom: list[str]
    hours: str
    money: str
    risks: list[str]
    shared_metric: str
    pilot_first: str


class RangeRow(_Part):
    label: str
    unit: str
    point: float
    p10: float
    p50: float
    p90: float


class SwingRow(_Part):
    assumption: str
    low: float
    high: float
    result_low: float  # hours saved per period with the assumption at its low / high
    result_high: float
    swing: float


class FlagCounts(_Part):
    block: int
    warn: int
    info: int


class Scope(_Part):
    flow_name: str
    description: str
    source: str
    period: str
    periods_per_year: float
    fte_hours_per_year: float
    steps: int
    handoffs: int
    functions: list[str]  # names of the functions that have steps
    roles: int
    decided: int
    by_tag: dict[str, int]  # tag value -> decided steps
    undecided: int


class FunctionGroup(_Part):
    function: str
    people: list[str]


class MetricRow(_Part):
    label: str
    unit: str
    before: float
    after: float
    change: float
    better: Literal["lower", "higher"]
    known: bool = True  # False: not measured (rolled %C&A with steps nobody measured), shown as "unknown"


class FlowStepRow(_Part):
    number: int  # 1-based position in the flow, the number on the diagram's boxes
    step_id: str
    name: str
    function: str
    owner: str
    tag: Tag | None  # None: no decision in this scenario (stays as is)
    before_hours: float
    after_hours: float
    saved_hours: float
    pca_before: float
    pca_after: float
    pca_known: bool = True  # False: nobody measured the step's %C&A (counted as 100), shown as "not measured"


class NewStepRow(_Part):
    name: str
    kind: str  # oversight | exceptions
    for_step: str
    owner: str
    function: str
    hours: float


class RoleRow(_Part):
    role_id: str
    name: str
    function: str
    headcount: float
    before_hours: float
    after_hours: float
    change_hours: float
    freed_fte: float
    responsibilities: list[str]  # new duties, one sentence each


class AgentRow(_Part):
    name: str
    accountable: str
    steps: list[str]


class RoleSkills(_Part):
    role: str
    new: list[str]
    grow: list[str]
    decline: list[str]


class ReskillRow(_Part):
    rank: int
    role: str
    skill: str
    change: str
    hours: float
    people: float
    priority: float


class DeskillRow(_Part):
    step: str
    role: str
    hours: float
    remedy: str


class StepMetrics(_Part):
    """Metric changes tied to one decided step."""

    step: str
    owner: str
    retire: list[str]
    add: list[str]
    watch: list[str]  # diagnostics: watched, not targeted


class SharedMetric(_Part):
    action: str  # share | consider | rebalance | ...
    metric: str
    owner: str
    shared_by: list[str]  # function names
    why: str


class FlagRow(_Part):
    severity: str
    rule: str
    step: str  # step name, "" for the whole scenario
    message: str
    remedy: str


class PilotRow(_Part):
    step: str
    tag: Tag
    net_hours: float
    severity: str | None
    why: str


class WaveRow(_Part):
    number: int
    name: str
    net_hours: float
    steps: list[PilotRow]


class SourceRow(_Part):
    source: str
    rules: list[str]


class Summary(_Part):
    title: str
    flow_id: str
    scenario_id: str
    scenario_name: str
    scenario_description: str
    workshop: str | None  # the workshop's name when there was one
    held_on: date | None
    goal: str
    scope: Scope
    headline: list[Headline]
    executive: Executive
    ranges: list[RangeRow]
    sensitivity: list[SwingRow]
    currency: str
    flags: FlagCounts
    highlights: list[str]
    participants: list[FunctionGroup]
    end_to_end: list[MetricRow]
    e2e_notes: list[str]
    flow: Flow  # the as-is flow; the diagrams draw it with `tags`
    tags: dict[str, Tag]
    steps: list[FlowStepRow]
    new_steps: list[NewStepRow]
    roles: list[RoleRow]
    agents: list[AgentRow]
    skills: list[RoleSkills]
    reskilling: list[ReskillRow]
    reskilling_total: int
    deskilling: list[DeskillRow]
    step_metrics: list[StepMetrics]
    shared_metrics: list[SharedMetric]
    governance: list[FlagRow]
    waves: list[WaveRow]
    held: list[PilotRow]
    disagreements: list[Disagreement]
    open_notes: list[NoteRow] = []  # the workshop's unresolved comments and flags (redesign.report.notes)
    decisions: list[DecisionRow]
    notes: list[str]
    sources: list[SourceRow]
    attribution: list[str]

    @property
    def period(self) -> str:
        return self.scope.period

    def chart_roles(self) -> list[RoleRow]:
        """The roles in the hours chart: every human role with hours before or after."""
        return [r for r in self.roles if r.before_hours > 0 or r.after_hours > 0]


# --------------------------------------------------------------------------- builders


def _headline(impact: Impact, rng: Ranges) -> list[Headline]:
    rows = _headline_rows(impact)
    after_ranges = {"hours": "saved_hours", "fte": "saved_fte", "lead_time": "lead_time", "rolled_pca": "pca"}
    before = {h.key: h.before for h in rows}
    out: list[Headline] = []
    for h in rows:
        r = rng.get(after_ranges.get(h.key, ""))
        update: dict[str, object] = {}
        if r is not None and h.key in ("hours", "fte"):  # the range is of the saving: after = before - saved
            update = {"low": before[h.key] - r.p90, "high": before[h.key] - r.p10}
        elif r is not None:
            update = {"low": r.p10, "high": r.p90}
        if h.key == "rolled_pca" and impact.end_to_end.before.pca_unknown_steps:
            update = {"known": False}
        out.append(h.model_copy(update=update))
    return out


def _headline_rows(impact: Impact) -> list[Headline]:
    t, e2e, ppy = impact.totals, impact.end_to_end, impact.periods_per_year
    same = {c.metric: c for c in e2e.changes}  # lead time and %C&A on the same path before and after
    return [
        Headline(
            key="hours",
            label=f"Hours per {impact.period}",
            unit="h",
            before=t.before_hours,
            after=t.after_hours,
            better="lower",
        ),
        Headline(
            key="hours_year",
            label="Hours per year",
            unit="h",
            before=t.before_hours * ppy,
            after=t.after_hours * ppy,
            better="lower",
        ),
        Headline(key="fte", label="Capacity (FTE)", unit="FTE", before=t.before_fte, after=t.after_fte, better="lower"),
        Headline(
            key="lead_time",
            label="Lead time per case",
            unit="min",
            before=same["lead_time_minutes"].before,
            after=same["lead_time_minutes"].after,
            better="lower",
        ),
        Headline(
            key="handoffs",
            label="Hand-offs",
            unit="count",
            before=e2e.before.handoffs,
            after=e2e.after.handoffs,
            better="lower",
        ),
        Headline(
            key="rolled_pca",
            label="Rolled %C&A",
            unit="%",
            before=same["rolled_pca"].before,
            after=same["rolled_pca"].after,
            better="higher",
        ),
    ]


def _flag_counts(impact: Impact) -> FlagCounts:
    severities = [f.severity for f in impact.governance]
    return FlagCounts(block=severities.count("BLOCK"), warn=severities.count("WARN"), info=severities.count("INFO"))


def _highlights(impact: Impact, flags: FlagCounts, roles: list[RoleRow], waves: list[WaveRow]) -> list[str]:
    t, e2e, period = impact.totals, impact.end_to_end, impact.period
    same = {c.metric: c for c in e2e.changes}
    out: list[str] = []
    verb = "would free" if impact.blocked else "frees" if t.saved_fte >= 0 else "adds"
    blocked = "BLOCKED until the BLOCK flags are resolved: " if impact.blocked else ""
    out.append(
        f"{blocked}The redesign {verb} {fmt.fte(abs(t.saved_fte))}: {fmt.hours(t.before_hours)} → "
        f"{fmt.hours(t.after_hours)} per {period} ({fmt.hours(abs(t.saved_hours_per_year))} per year)."
    )
    lead = f"Lead time per case {fmt.minutes_as_hours(same['lead_time_minutes'].before)} → " + fmt.minutes_as_hours(
        same["lead_time_minutes"].after
    )
    off_path = sum(len(n.reason.steps) for n in e2e.notes if n.kind == "off_critical_path")
    if off_path:
        lead += f"; savings on {fmt.counted(off_path, 'step')} off the critical path do not shorten it"
    pca = same["rolled_pca"]
    quality = (
        f"Rolled %C&A {fmt.percent(pca.before)} → {fmt.percent(pca.after)}."
        if pca.known
        else f"Rolled %C&A unknown: {fmt.counted(len(e2e.before.pca_unknown_steps), 'step')} without a %C&A measured."
    )
    out.append(lead + ". " + quality)
    freed = sorted((r for r in roles if r.freed_fte > 0), key=lambda r: -r.freed_fte)[:3]
    if freed:
        out.append("Most capacity freed: " + ", ".join(f"{r.name} ({fmt.fte(r.freed_fte)})" for r in freed) + ".")
    if flags.block:
        stops = agreeing(flags.block, "stops", "stop")
        out.append(
            f"{fmt.counted(flags.block, 'BLOCK flag')} {stops} the affected steps until their remedy is applied."
        )
    else:
        out.append("No BLOCK flag: nothing in this scenario is ruled out as tagged.")
    if flags.warn:
        needs = agreeing(flags.warn, "needs", "need")
        out.append(f"{fmt.counted(flags.warn, 'WARN flag')} {needs} a named remedy before go-live.")
    if waves:
        first = waves[0]
        names = ", ".join(p.step for p in first.steps)
        out.append(f"{first.name} ({fmt.hours(first.net_hours)} per {period}): {names}.")
    if t.cost_saved_per_period is not None:
        word = "saved" if t.cost_saved_per_period >= 0 else "added"
        cur = catalog().effort.currency
        out.append(
            f"Loaded cost {word}: {cur} {fmt.number(abs(t.cost_saved_per_period), 0)} per {period} "
            f"({len(t.costed_roles)} roles with an hourly cost)."
        )
    return out


def _people(n: float) -> str:
    return f"{fmt.number(n, 0)} {'person' if round(n) == 1 else 'people'}"


def _money_line(c: Costs) -> str:
    """Investment, run cost, the capacity's value and its payback, and the cash that can be banked, apart."""
    cur = c.currency
    money = (
        f"Investment {cur} {fmt.number(c.investment, 0)}, run cost {cur} {fmt.number(c.run_cost_per_year, 0)} a year"
    )
    if c.value_per_year is not None:
        # Capacity and cash apart (methodology#costs-and-payback): the payback is on the capacity's value,
        # which is cash only when the freed time is put to work; whole FTE are the cash that can be banked.
        capacity_value = c.value_per_year - c.outcome_gain_per_year
        if c.outcome_gain_per_year > 0:
            money += (
                f"; value {cur} {fmt.number(c.value_per_year, 0)} a year (capacity freed "
                f"{cur} {fmt.number(capacity_value, 0)}, outcome gains {cur} {fmt.number(c.outcome_gain_per_year, 0)})"
            )
        else:
            money += f"; capacity freed worth {cur} {fmt.number(capacity_value, 0)} a year"
        money += f", {payback_words(c)}; {cash_words(c, lambda v: f'{cur} {fmt.number(v, 0)}')}."
    else:
        money += "; no role has an hourly cost, so no payback is computed."
    return money


PAGE_NAME = 70
"""Characters of a step or role name on the first page: an imported map's 200-character label, named
three times, would push the page past one (longer names are cut at a word with an ellipsis)."""

PAGE_LIST = 3
"""Names or roles a first-page line lists before it counts the rest ("and 4 more")."""


def _short(name: str) -> str:
    return fmt.truncate(name, PAGE_NAME)


def _and_more(items: list[str], shown: int = PAGE_LIST, sep: str = ", ") -> str:
    """The first ``shown`` items joined, and how many more there are."""
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return sep.join(items[:shown]) + more


def _risk_lines(flow: Flow, impact: Impact) -> list[str]:
    """One line per BLOCK/WARN rule, BLOCK first, most steps first; each step named once."""
    risks: list[str] = []
    by_rule: dict[tuple[str, str], list[str]] = defaultdict(list)
    full = {s.id: s.name for s in flow.steps}
    names = {k: _short(v) for k, v in full.items()}
    for f in impact.governance:
        if f.severity in ("BLOCK", "WARN"):
            by_rule[(f.severity, f.rule)].extend([f.step] if f.step else f.reason.steps)
    for (severity, rule), steps in sorted(by_rule.items(), key=lambda kv: (kv[0][0] != "BLOCK", -len(kv[1]))):
        flag = next(f for f in impact.governance if f.rule == rule and f.severity == severity)
        unique = list(dict.fromkeys(steps))
        if len(unique) > 1 and ": " in flag.message and all(full.get(x, x) in flag.message for x in unique):
            # A consolidated flag ("13 AI steps lack ...: A; B; ...") names its steps itself: keep its
            # head and the first few names (only a name past PAGE_NAME is cut, marked "…"), never a name cut
            # in two by the message's truncation and listed again.
            head = flag.message.split(": ", 1)[0]
            risks.append(f"{severity}: {head}: {_and_more([names.get(x, x) for x in unique], 4, '; ')}.")
        elif len(steps) > 1:
            message = fmt.truncate(flag.message, 170)
            unnamed = [x for x in unique if full.get(x, x) not in message]
            also = f" Also {_and_more([f'“{names.get(x, x)}”' for x in unnamed])}." if unnamed else ""
            risks.append(f"{severity} on {len(steps)} steps: {message}{also}")
        else:
            risks.append(f"{severity}: {fmt.truncate(flag.message, 200)}")
    return risks


def _overloaded(impact: Impact) -> list[str]:
    """Roles the analysis finds overloaded, before and after (freeing hours there matters most): the
    most loaded few by name, one line counting the rest."""
    name = {r.role: _short(r.name) for r in impact.roles}
    after_load = {b.id: b.value for b in impact.end_to_end.after.bottlenecks if b.kind == "capacity"}
    today = sorted((b for b in impact.end_to_end.before.bottlenecks if b.kind == "capacity"), key=lambda b: -b.value)
    lines: list[str] = []
    for b in today[:PAGE_LIST]:
        still = f"still {after_load[b.id]:.0%} after" if b.id in after_load else "below the alert after the change"
        lines.append(
            f"Overloaded today: {name.get(b.id, b.id)} needs {b.value:.0%} of its capacity for this flow; {still}."
        )
    if len(today) > PAGE_LIST:
        lines.append(f"{len(today) - PAGE_LIST} more roles are overloaded today.")
    new = sorted((r for r in after_load if r not in {b.id for b in today}), key=lambda r: -after_load[r])
    for rid in new[:PAGE_LIST]:
        lines.append(f"Overloaded after the change: {name.get(rid, rid)} needs {after_load[rid]:.0%} of its capacity.")
    if len(new) > PAGE_LIST:
        lines.append(f"{len(new) - PAGE_LIST} more roles are overloaded after the change.")
    return lines


def _executive(flow: Flow, scenario: Scenario, impact: Impact, rng: Ranges, shared: list[SharedMetric]) -> Executive:
    t, period, c = impact.totals, impact.period, impact.costs
    auto = [e.name for e in impact.steps if e.tag == Tag.AUTOMATE]
    aug = [e.name for e in impact.steps if e.tag == Tag.AUGMENT]
    # The steps the hours come from: tagged steps that save, not undecided ones that save nothing.
    saving = (e for e in impact.steps if e.tag in (Tag.AUTOMATE, Tag.AUGMENT) and e.saved_hours > 0)
    top = sorted(saving, key=lambda e: -e.saved_hours)[:3]
    # A kind no step has is left out ("3 steps automated and 0 AI-assisted" read as a gap to fill).
    if auto and aug:
        changed = f"{fmt.counted(len(auto), 'step')} automated and {len(aug)} AI-assisted, of {len(impact.steps)}"
    else:
        kind = "automated" if auto else "AI-assisted"
        changed = f"{len(auto) or len(aug)} of {fmt.counted(len(impact.steps), 'step')} {kind}"
    most = f"; most hours from {', '.join(f'“{_short(e.name)}”' for e in top)}" if top else ""
    what = f"{changed}{most}." if auto or aug else "No step changes in this scenario."
    capacity = {r.role: r for r in c.roles}
    whom: list[str] = []
    for r in sorted((r for r in impact.roles if r.freed_fte), key=lambda r: r.change_hours)[:3]:
        if r.change_hours >= 0:
            continue
        cap = capacity.get(r.role)
        line = f"{_short(r.name)} ({_people(r.headcount or 1)}): {fmt.hours(-r.change_hours)} per {period} freed"
        if cap is not None and cap.spread:
            line += f", {hours_each(cap.hours_per_person)} each: capacity, not cash"
        whom.append(line + ".")
    added = [r for r in impact.roles if r.change_hours > 0.05 and r.kind == RoleKind.HUMAN]
    if added:
        r = max(added, key=lambda r: r.change_hours)
        whom.append(
            f"{_short(r.name)} takes on {fmt.hours(r.change_hours)} per {period} of review, exceptions or monitoring."
        )
    whom += _overloaded(impact)
    saved = rng.get("saved_hours")
    hours_text = f"{fmt.hours(t.saved_hours)} saved per {period}"
    if saved is not None and abs(saved.p90 - saved.p10) > 0.05:
        hours_text += f" at the catalog's typical values; {likely_words(saved, fmt.number, 'h')}"
    if not (auto or aug):
        pass
    elif c.bankable_fte >= 1:
        hours_text += (
            f"; {fmt.fte(t.saved_fte)}, of which {fmt.number(c.bankable_fte, 0)} whole FTE could be redeployed."
        )
    elif held := [_short(r.name) for r in c.roles if r.held]:
        hours_text += (
            f"; {fmt.fte(t.saved_fte)} of capacity, no whole FTE to redeploy: "
            f"{_and_more(held, PAGE_LIST)} {'is' if len(held) == 1 else 'are'} still over capacity after the change."
        )
    else:
        hours_text += f"; {fmt.fte(t.saved_fte)} of capacity, spread across people: no whole FTE to redeploy."
    if impact.blocked:
        hours_text = "BLOCKED, not a saving yet: " + hours_text
    money = _money_line(c)
    risks = _risk_lines(flow, impact)
    m = headline_shared_metric(impact.incentives)
    if m is not None:
        role_names = {r.id: r.name for r in flow.roles}
        function_names = {f.id: f.name for f in flow.functions}
        shared_text = (
            f"{m.metric}, owned by {role_names.get(m.owner or '', 'no one yet')}, shared by "
            f"{', '.join(function_names.get(x, x) for x in m.shared_by)} ({m.use})."
        )
    else:
        shared_text = "No shared metric in this scenario."
    wave = impact.pilot.waves[0] if impact.pilot.waves else None
    pilot = (
        f"Wave {wave.number}: {_and_more([_short(i.name) for i in wave.items])} "
        f"({fmt.hours(wave.net_hours)} per {period})."
        if wave is not None
        else "Nothing to pilot: no step uses AI."
    )
    if is_suggested(scenario):
        basis = "Based on the suggested tags: the flow has no scenario, nothing here was decided by the workshop."
    elif not scenario.decisions:
        basis = "Based on the flow as it is: nothing is decided yet."
    else:
        basis = f'Based on the scenario "{scenario.name}".'
    if not (auto or aug):
        hours_text = "No hours change: no step is decided."
    return Executive(
        blocked=impact.blocked,
        basis=basis,
        what_changes=what,
        for_whom=whom,
        hours=hours_text,
        money=money,
        risks=risks[:5] or ["No BLOCK or WARN flag."],
        shared_metric=shared_text,
        pilot_first=pilot,
    )


def _scope(flow: Flow, scenario: Scenario) -> Scope:
    used = {s.function for s in flow.steps}
    by_tag = {t.value: 0 for t in Tag}
    steps = {s.id for s in flow.steps}
    decided = [d for d in scenario.decisions if d.step in steps]
    for d in decided:
        by_tag[d.tag.value] += 1
    return Scope(
        flow_name=flow.name,
        description=flow.description,
        source=flow.source,
        period=flow.period.value,
        periods_per_year=flow.periods_per_year,
        fte_hours_per_year=flow.fte_hours_per_year,
        steps=len(flow.steps),
        handoffs=len(flow.handoffs),
        functions=[f.name for f in flow.functions if f.id in used],
        roles=len(flow.roles),
        decided=len(decided),
        by_tag=by_tag,
        undecided=len(flow.steps) - len(decided),
    )


def _participants(record: WorkshopRecord | None) -> list[FunctionGroup]:
    if record is None:
        return []
    groups: dict[str, list[str]] = defaultdict(list)
    for person in record.participants:
        groups[person.function].append(person.name)
    return [FunctionGroup(function=f, people=names) for f, names in groups.items()]


class _Names:
    """Ids to the names people read."""

    def __init__(self, flow: Flow) -> None:
        self.roles = {r.id: r.name for r in flow.roles}
        self.functions = {f.id: f.name for f in flow.functions}
        self.steps = {s.id: s.name for s in flow.steps}

    def role(self, role_id: str | None) -> str:
        if role_id is None or role_id == UNASSIGNED:
            return "no owner"
        return self.roles.get(role_id, role_id)

    def function(self, function_id: str | None) -> str:
        return self.functions.get(function_id or "", function_id or "")

    def step(self, step_id: str | None) -> str:
        return self.steps.get(step_id or "", step_id or "")


def _steps(flow: Flow, scenario: Scenario, impact: Impact, names: _Names) -> list[FlowStepRow]:
    econ = {e.step: e for e in impact.steps}
    decided = {
        d.step: d for d in reversed(scenario.decisions)
    }  # first wins, as decision_for; one pass, not one per step
    unmeasured = set(impact.end_to_end.before.pca_unknown_steps)
    rows = []
    for i, step in enumerate(flow.steps):
        e = econ[step.id]
        decision = decided.get(step.id)
        rows.append(
            FlowStepRow(
                number=i + 1,
                step_id=step.id,
                name=step.name,
                function=names.function(step.function),
                owner=names.role(step.owner),
                tag=decision.tag if decision else None,
                before_hours=e.before_hours,
                after_hours=e.after_hours,
                saved_hours=e.saved_hours,
                pca_before=e.pca_before,
                pca_after=e.pca_after,
                pca_known=step.id not in unmeasured,
            )
        )
    return rows


def _roles(impact: Impact, names: _Names) -> tuple[list[RoleRow], list[AgentRow]]:
    humans, agents = [], []
    for r in impact.roles:
        if r.kind == RoleKind.AI_AGENT:
            steps = [names.step(s) for s in r.steps]
            agents.append(AgentRow(name=r.name, accountable=names.role(r.accountable_role), steps=steps))
            continue
        humans.append(
            RoleRow(
                role_id=r.role,
                name=r.name,
                function=names.function(r.function),
                headcount=r.headcount,
                before_hours=r.before_hours,
                after_hours=r.after_hours,
                change_hours=r.change_hours,
                freed_fte=r.freed_fte or 0.0,
                responsibilities=[duty.reason.text for duty in r.responsibilities],
            )
        )
    return humans, agents


def _skills(impact: Impact, names: _Names) -> list[RoleSkills]:
    grouped: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"new": [], "grow": [], "decline": []})
    for c in impact.skills:
        grouped[c.role][c.change].append(c.skill)
    return [RoleSkills(role=names.role(role), **lists) for role, lists in grouped.items()]


def _reskilling(impact: Impact, names: _Names) -> list[ReskillRow]:
    return [
        ReskillRow(
            rank=r.rank,
            role=names.role(r.role),
            skill=r.skill,
            change=r.change,
            hours=r.hours,
            people=r.people,
            priority=r.priority,
        )
        for r in impact.reskilling[:RESKILLING_SHOWN]
    ]


_STEP_ACTIONS = {"retire": "retire", "add": "add", "diagnostic": "watch"}


def _metrics(impact: Impact, names: _Names) -> tuple[list[StepMetrics], list[SharedMetric]]:
    """Per-step metric changes grouped into one row per step; everything else is shared."""
    per_step: dict[str, dict[str, list[str]]] = {}
    owners: dict[str, str] = {}
    shared: list[SharedMetric] = []
    for item in impact.incentives:
        if item.action in _STEP_ACTIONS and len(item.steps) == 1:
            step_id = item.steps[0]
            lists = per_step.setdefault(step_id, {"retire": [], "add": [], "watch": []})
            prefix = f"{names.step(step_id)}: "
            metric = item.metric[len(prefix) :] if item.metric.startswith(prefix) else item.metric
            lists[_STEP_ACTIONS[item.action]].append(metric)
            owners.setdefault(step_id, names.role(item.owner))
        else:
            shared.append(
                SharedMetric(
                    action=item.action,
                    metric=item.metric,
                    owner=names.role(item.owner),
                    shared_by=[names.function(f) for f in item.shared_by],
                    why=item.reason.text,
                )
            )
    steps = [StepMetrics(step=names.step(s), owner=owners[s], **lists) for s, lists in per_step.items()]
    return steps, shared


def _pilot_row(item: PilotItem) -> PilotRow:
    return PilotRow(
        step=item.name, tag=item.tag, net_hours=item.net_hours, severity=item.severity, why=item.reason.text
    )


def _sources(impact: Impact, rng: Ranges) -> list[SourceRow]:
    rules: dict[str, set[str]] = defaultdict(set)
    for item in [*impact.items(), rng]:
        rules[item.reason.source].add(item.reason.rule)
    taxonomies = {c.taxonomy for c in impact.skills}
    for tax in catalog().skills.taxonomies:
        if tax.id in taxonomies:
            rules[tax.source].add(f"skills:{tax.id}")
    return [SourceRow(source=source, rules=sorted(ids)) for source, ids in sorted(rules.items())]


def _goal(flow: Flow, scenario: Scenario, record: WorkshopRecord | None) -> str:
    if record is not None and record.goal.strip():
        return record.goal.strip()
    return scenario.description.strip() or flow.description.strip()


def build_summary(flow: Flow, scenario: Scenario, impact: Impact, record: WorkshopRecord | None = None) -> Summary:
    """The summary of ``impact`` (= ``assess(flow, scenario)``), with the workshop record when there is one.

    Without a record (a flow file exported from the command line) there are no
    participants or disagreements, and the decision log is the scenario's decisions.
    Built with the cyclic collector paused, as `assess` is: the rows hold no reference
    cycles (reference counting frees them), and a full pass set off by their number walks
    every live object, the flow's and the impact's included.
    """
    with collector_paused():
        return _build_summary(flow, scenario, impact, record)


def _build_summary(flow: Flow, scenario: Scenario, impact: Impact, record: WorkshopRecord | None) -> Summary:
    if impact.flow_id != flow.id or impact.scenario_id != scenario.id:
        raise ValueError(
            f'the impact is of "{impact.flow_name}" / "{impact.scenario_name}", '
            f'not of "{flow.name}" / "{scenario.name}": assess this flow and scenario first'
        )
    names = _Names(flow)
    roles, agents = _roles(impact, names)
    waves = [
        WaveRow(number=w.number, name=w.name, net_hours=w.net_hours, steps=[_pilot_row(i) for i in w.items])
        for w in impact.pilot.waves
    ]
    flags = _flag_counts(impact)
    step_metrics, shared_metrics = _metrics(impact, names)
    rng = ranges(flow, impact)
    severity_rank = {"BLOCK": 0, "WARN": 1, "INFO": 2}
    governance = sorted(impact.governance, key=lambda f: severity_rank[f.severity])
    return Summary(
        title=f"{flow.name}: {scenario.name}",
        flow_id=flow.id,
        scenario_id=scenario.id,
        scenario_name=scenario.name,
        scenario_description=scenario.description,
        workshop=record.name if record else None,
        held_on=record.held_on if record else None,
        goal=_goal(flow, scenario, record),
        scope=_scope(flow, scenario),
        headline=_headline(impact, rng),
        executive=_executive(flow, scenario, impact, rng, shared_metrics),
        ranges=[
            RangeRow(label=r.label, unit=r.unit, point=r.point, p10=r.p10, p50=r.p50, p90=r.p90) for r in rng.ranges
        ],
        sensitivity=[
            SwingRow(
                assumption=w.label,
                low=w.low,
                high=w.high,
                result_low=w.result_low,
                result_high=w.result_high,
                swing=w.swing,
            )
            for w in rng.sensitivity
        ],
        currency=impact.costs.currency,
        flags=flags,
        highlights=_highlights(impact, flags, roles, waves),
        participants=_participants(record),
        end_to_end=[
            MetricRow(
                label=c.label,
                unit=c.unit,
                before=c.before,
                after=c.after,
                change=c.change,
                better=c.better,
                known=c.known,
            )
            for c in impact.end_to_end.changes
        ],
        e2e_notes=[n.text for n in impact.end_to_end.notes],
        flow=flow,
        tags={d.step: d.tag for d in scenario.decisions},
        steps=_steps(flow, scenario, impact, names),
        new_steps=[
            NewStepRow(
                name=n.name,
                kind=n.kind,
                for_step=names.step(n.for_step),
                owner=names.role(n.owner),
                function=names.function(n.function),
                hours=n.hours,
            )
            for n in impact.new_steps
        ],
        roles=roles,
        agents=agents,
        skills=_skills(impact, names),
        reskilling=_reskilling(impact, names),
        reskilling_total=len(impact.reskilling),
        deskilling=[
            DeskillRow(step=names.step(d.step), role=names.role(d.role), hours=d.hours, remedy=d.remedy)
            for d in impact.deskilling
        ],
        step_metrics=step_metrics,
        shared_metrics=shared_metrics,
        governance=[
            FlagRow(severity=f.severity, rule=f.rule, step=names.step(f.step), message=f.message, remedy=f.remedy)
            for f in governance
        ],
        waves=waves,
        held=[_pilot_row(i) for i in impact.pilot.held],
        disagreements=list(record.disagreements) if record else [],
        open_notes=list(record.open_notes) if record else [],
        decisions=list(record.decisions) if record else decision_rows(flow, scenario.decisions),
        notes=[n.text for n in impact.notes] + [impact.costs.reason.text],
        sources=_sources(impact, rng),
        attribution=list(ATTRIBUTION),
    )


__all__ = ["SECTIONS", "TITLES", "Executive", "Headline", "RangeRow", "Summary", "SwingRow", "build_summary"]
