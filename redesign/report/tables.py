"""The summary's tables, as text, once for every renderer.

Each function turns a part of the `Summary` into a `TableData`: headers, rows of
formatted strings, column alignment, relative widths and the colour of cells whose
colour carries meaning (tags, severities, better/worse). Markdown, HTML, PDF and
PPTX lay these out; they never format a figure themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from redesign.report import formatting as fmt
from redesign.report.summary import Headline, MetricRow, Summary

GOOD, BAD = "#2e7d32", "#c62828"


@dataclass(frozen=True)
class TableData:
    header: list[str]
    rows: list[list[str]]
    align: str  # one letter per column: L or R
    widths: list[float]  # relative column widths
    colours: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> "#rrggbb"

    def __bool__(self) -> bool:
        return bool(self.rows)


def _tone(change: float, better: str, unit: str = "") -> str | None:
    if not change or fmt.is_zero_change(change, unit):
        return None  # a change that rounds to nothing is no change: not red, not green
    improved = change < 0 if better == "lower" else change > 0
    return GOOD if improved else BAD


def _lines(items: list[str]) -> str:
    return "\n".join(items) or "—"


def _joined(items: list[str]) -> str:
    return ", ".join(items) or "—"


def _measures(given: list[Headline] | list[MetricRow]) -> TableData:
    items: list[Headline | MetricRow] = list(given)
    # A figure nobody measured (rolled %C&A with steps whose %C&A was never given, counted as 100)
    # reads "unknown", as on the PDF's tile and the HTML card, not as a before and after to act on.
    rows = [
        [
            m.label,
            fmt.figure(m.before, m.unit) if m.known else "unknown",
            fmt.figure(m.after, m.unit) if m.known else "unknown",
            fmt.change(fmt.shown_change(m.before, m.after, m.unit), m.unit) if m.known else "not measured",
        ]
        for m in items
    ]
    colours = {
        (i, 3): c
        for i, m in enumerate(items)
        if m.known and (c := _tone(fmt.shown_change(m.before, m.after, m.unit), m.better, m.unit))
    }
    return TableData(["Measure", "Before", "After", "Change"], rows, "LRRR", [5, 2, 2, 2], colours)


def headline(s: Summary) -> TableData:
    return _measures(s.headline)


def _range_figure(value: float, unit: str, currency: str) -> str:
    return f"{currency} {fmt.number(value, 0)}" if unit == "money" else fmt.figure(value, unit)


def ranges(s: Summary) -> TableData:
    rows = [
        [r.label, *(_range_figure(v, r.unit, s.currency) for v in (r.point, r.p10, r.p50, r.p90))] for r in s.ranges
    ]
    header = ["Figure (after the redesign)", "Typical values", "P10", "P50", "P90"]
    return TableData(header, rows, "LRRRR", [5, 2, 2, 2, 2])


def sensitivity(s: Summary) -> TableData:
    rows = [
        [w.assumption, f"{fmt.number(w.low, 2)} to {fmt.number(w.high, 2)}", fmt.hours(w.result_low),
         fmt.hours(w.result_high), fmt.hours(w.swing)]
        for w in s.sensitivity[:8]
    ]  # fmt: skip
    header = ["Assumption", "Range", f"Saved h/{s.period} at low", "at high", "Swing"]
    return TableData(header, rows, "LRRRR", [6, 2, 2, 2, 1.5])


def participants(s: Summary) -> TableData:
    rows = [[g.function, str(len(g.people)), ", ".join(g.people)] for g in s.participants]
    return TableData(["Function", "People", "Names"], rows, "LRL", [2, 1, 8])


def executive(s: Summary) -> list[tuple[str, list[str]]]:
    """The first page's labelled lines, in reading order."""
    e = s.executive
    return [
        ("What changes", [e.what_changes]),
        ("For whom", e.for_whom or ["No role's hours change."]),
        ("Hours", [e.hours]),
        ("Money", [e.money]),
        ("Risks to clear", e.risks),
        ("Shared metric", [e.shared_metric]),
        ("Pilot first", [e.pilot_first]),
    ]


def end_to_end(s: Summary) -> TableData:
    return _measures(s.end_to_end)


def steps(s: Summary) -> TableData:
    rows = [
        [
            str(r.number),
            r.name,
            r.function,
            r.owner,
            fmt.tagged(r.tag),
            fmt.hours(r.before_hours),
            fmt.hours(r.after_hours),
            fmt.signed(r.saved_hours),
            f"{fmt.percent(r.pca_before)} → {fmt.percent(r.pca_after)}" if r.pca_known else "not measured",
        ]
        for r in s.steps
    ]
    colours = {(i, 4): fmt.TAG_COLOUR[r.tag] for i, r in enumerate(s.steps)}
    header = ["#", "Step", "Function", "Owner", "Tag", f"h/{s.period} before", "after", "saved", "%C&A"]
    return TableData(header, rows, "RLLLLRRRR", [0.5, 5, 1.6, 2.8, 2.2, 1.4, 1.2, 1.1, 2], colours)


def new_steps(s: Summary) -> TableData:
    rows = [[n.name, n.kind, n.owner, n.function, fmt.hours(n.hours)] for n in s.new_steps]
    return TableData(["Step", "Kind", "Owner", "Function", f"h/{s.period}"], rows, "LLLLR", [6, 1.5, 3, 1.6, 1.2])


def roles(s: Summary) -> TableData:
    rows = [
        [
            r.name,
            r.function,
            fmt.number(r.headcount, 0),
            fmt.hours(r.before_hours),
            fmt.hours(r.after_hours),
            fmt.signed(r.change_hours),
            fmt.number(r.freed_fte, 2),
            _lines(r.responsibilities),
        ]
        for r in s.roles
    ]
    header = ["Role", "Function", "People", f"h/{s.period} before", "after", "change", "FTE freed", "New duties"]
    return TableData(header, rows, "LLRRRRRL", [2.6, 1.3, 0.9, 1.3, 1.1, 1.1, 1.1, 8])


def agents(s: Summary) -> TableData:
    rows = [[a.name, a.accountable, ", ".join(a.steps)] for a in s.agents]
    return TableData(["AI agent", "Accountable human", "Steps"], rows, "LLL", [3, 3, 8])


def skills(s: Summary) -> TableData:
    rows = [[r.role, _joined(r.new), _joined(r.grow), _joined(r.decline)] for r in s.skills]
    return TableData(["Role", "New skills", "Needed more", "Used less"], rows, "LLLL", [2.2, 5, 3, 3])


def reskilling(s: Summary) -> TableData:
    rows = [
        [str(r.rank), r.role, r.skill, r.change, fmt.hours(r.hours), fmt.number(r.people, 0), fmt.number(r.priority, 0)]
        for r in s.reskilling
    ]
    header = ["#", "Role", "Skill", "Change", f"Work h/{s.period}", "People", "Priority"]
    return TableData(header, rows, "RLLLRRR", [0.5, 3, 4, 1, 1.5, 1, 1.2])


def deskilling(s: Summary) -> TableData:
    rows = [[d.step, d.role, fmt.hours(d.hours), d.remedy] for d in s.deskilling]
    return TableData(["Step", "Role", "Practice lost", "Remedy"], rows, "LLRL", [3, 2, 1.3, 7])


def step_metrics(s: Summary) -> TableData:
    rows = [[m.step, m.owner, _lines(m.retire), _lines(m.add), _lines(m.watch)] for m in s.step_metrics]
    header = ["Step", "Accountable", "Retire", "Add", "Watch (diagnostic)"]
    return TableData(header, rows, "LLLLL", [3, 2, 2.5, 3, 3.5])


def shared_metrics(s: Summary) -> TableData:
    rows = [[m.action, m.metric, m.owner, ", ".join(m.shared_by)] for m in s.shared_metrics]
    return TableData(["Action", "Metric", "Accountable", "Shared by"], rows, "LLLL", [1.2, 8, 2.4, 3])


def governance(s: Summary) -> TableData:
    rows = [[f.severity, f.step or "whole scenario", f.message, f.remedy] for f in s.governance]
    colours = {(i, 0): fmt.SEVERITY_COLOUR[f.severity] for i, f in enumerate(s.governance)}
    return TableData(["Severity", "Step", "Flag", "Remedy"], rows, "LLLL", [1, 2.4, 6, 6], colours)


def pilot(s: Summary) -> TableData:
    rows: list[list[str]] = []
    colours: dict[tuple[int, int], str] = {}
    for wave in s.waves:
        for p in wave.steps:
            rows.append(
                [f"{wave.number}. {wave.name}", p.step, fmt.tagged(p.tag), fmt.hours(p.net_hours), p.severity or "—"]
            )
            colours[(len(rows) - 1, 2)] = fmt.TAG_COLOUR[p.tag]
    for p in s.held:
        rows.append(["Held", p.step, fmt.tagged(p.tag), fmt.hours(p.net_hours), p.severity or "—"])
        colours[(len(rows) - 1, 0)] = BAD
        colours[(len(rows) - 1, 2)] = fmt.TAG_COLOUR[p.tag]
    header = ["Wave", "Step", "Tag", f"Saved h/{s.period}", "Worst flag"]
    return TableData(header, rows, "LLLRL", [2.4, 5, 2, 1.5, 1.2], colours)


def wave_totals(s: Summary) -> list[str]:
    return [f"{w.number}. {w.name}: {fmt.hours(w.net_hours)} per {s.period} saved" for w in s.waves]


def disagreements(s: Summary) -> TableData:
    rows = [
        [
            d.step,
            fmt.tag(d.leading_tag),
            fmt.share(d.agreement),
            str(d.votes),
            "; ".join(f"{lean.function}: {fmt.tag(lean.tag)}" for lean in d.leanings),
            fmt.tag(d.settled_tag) if d.settled_tag else "open",
        ]
        for d in s.disagreements
    ]
    header = ["Step", "Leading tag", "Agreement", "Votes", "Each function leans to", "Settled as"]
    return TableData(header, rows, "LLRRLL", [3.5, 1.6, 1.2, 0.8, 6, 1.6])


def decisions(s: Summary) -> TableData:
    rows = [
        [
            d.step,
            fmt.tagged(d.tag),
            d.owner or "—",
            d.success_measure or "—",
            fmt.day(d.review_date),
            fmt.yes_no(d.it_signoff),
            d.rationale or "—",
        ]
        for d in s.decisions
    ]
    colours = {(i, 1): fmt.TAG_COLOUR[d.tag] for i, d in enumerate(s.decisions)}
    header = ["Step", "Tag", "Owner", "Success measure", "Review", "IT sign-off", "Rationale"]
    return TableData(header, rows, "LLLLLLL", [3, 1.8, 2.2, 3.5, 1.4, 1.1, 4.5], colours)


def sources(s: Summary) -> TableData:
    rows = [[src.source, ", ".join(src.rules)] for src in s.sources]
    return TableData(["Source", "Rules that cite it"], rows, "LL", [7, 3])


# --------------------------------------------------------------------------- sentences shared by the renderers


def subtitle(s: Summary) -> str:
    bits = ["Executive summary", f"scenario {s.scenario_name}"]
    if s.workshop:
        bits.append(f"workshop {s.workshop}")
    if s.held_on:
        bits.append(f"held on {fmt.day(s.held_on)}")
    return " · ".join(bits)


def scope_line(s: Summary) -> str:
    sc = s.scope
    tags = ", ".join(f"{sc.by_tag.get(t.value, 0)} {fmt.tag(t)}" for t in fmt.TAGS if sc.by_tag.get(t.value, 0))
    decided = f"{sc.decided} decided ({tags})" if sc.decided else "none decided"
    stay = "stays as it is" if sc.undecided == 1 else "stay as they are"
    return (
        f"{sc.flow_name}: {sc.steps} steps in {len(sc.functions)} functions ({', '.join(sc.functions)}), "
        f"{sc.handoffs} hand-offs; {decided}; {sc.undecided} {stay}. Volumes per {sc.period}, "
        f"{fmt.number(sc.fte_hours_per_year, 0)} h per FTE per year."
    )


def flag_line(s: Summary) -> str:
    return f"{s.flags.block} BLOCK · {s.flags.warn} WARN · {s.flags.info} INFO"


NO_RECORD = "No workshop record: this summary was exported from a flow file, so no participants are listed."


def no_disagreements(s: Summary) -> str:
    return "No workshop votes recorded." if s.workshop is None else "The room agreed on every step it voted on."


NO_METRICS = "No metric or incentive changes in this scenario."
NO_FLAGS = "No governance flags."
NO_PILOT = "No step uses AI in this scenario, so there is nothing to pilot."
NO_DECISIONS = "No decisions yet."
NO_SKILLS = "No skill changes in this scenario."
