"""Plain-text renderings of the engine's results, for people at a terminal.

``to_text(result)`` takes a `Suggestions`, an `Impact` or a `ScenarioComparison` and
returns text; JSON output is simply ``result.model_dump_json()``. Every line that
states a result ends with the rule id in brackets, so "where does that come from?"
has an answer on the page.
"""

from __future__ import annotations

from functools import singledispatch

from redesign.impact.assess import Impact
from redesign.impact.compare import ScenarioComparison
from redesign.impact.explain import Reason
from redesign.impact.suggest import Suggestions


def _why(reason: Reason) -> str:
    return f"[{reason.rule}]"


def _h(value: float) -> str:
    return f"{value:,.1f} h"


@singledispatch
def to_text(result: object) -> str:
    raise TypeError(f"no text rendering for {type(result).__name__}")


@to_text.register
def _suggestions(result: Suggestions) -> str:
    lines = [
        f"Tag suggestions for {result.flow_name} ({result.flow_id})",
        f"Exposure evidence: {result.exposure_index}",
        "",
    ]
    for item in result.items:
        head = f"- {item.name} [{item.step}]: {item.tag.value.upper()} (confidence {item.confidence:.0%})"
        lines.append(f"{head} {_why(item.reason)}")
        lines.append(f"    {item.reason.text}")
        for note in item.notes:
            lines.append(f"    note: {note.text} {_why(note)}")
        for match in item.exposure.matches[:3]:
            lines.append(
                f'    O*NET {match.soc} {match.occupation}: "{match.task}" '
                f"(similarity {match.similarity:.2f}, human {match.human_exposure}, GPT-4 {match.gpt4_exposure})"
            )
    return "\n".join(lines) + "\n"


def _impact_header(result: Impact) -> list[str]:
    t = result.totals
    saved = "would be saved once the BLOCK flags are resolved" if result.blocked else "saved"
    return [
        f'Impact of "{result.scenario_name}" on {result.flow_name} (hours per {result.period})',
        f"Hours: {_h(t.before_hours)} before, {_h(t.after_hours)} after, {_h(t.saved_hours)} {saved} "
        f"({t.saved_fte:.2f} FTE; {t.saved_hours_per_year:,.0f} h per year) {_why(t.reason)}",
        f"Capacity and cash: {result.costs.reason.text} {_why(result.costs.reason)}",
    ]


@to_text.register
def _impact(result: Impact) -> str:
    lines = _impact_header(result)
    lines += [f"note: {n.text} {_why(n.reason)}" for n in result.notes]
    if result.blocked:
        lines.append("BLOCKED: at least one governance BLOCK must be resolved first.")
    lines += ["", "Governance"]
    for f in result.governance:
        lines.append(f"  {f.severity:<5} {f.message} {_why(f.reason)}")
        lines.append(f"        remedy: {f.remedy}")
    lines += ["", "End to end"]
    for c in result.end_to_end.changes:
        # Rolled %C&A with steps nobody measured (counted as 100) is unknown, as on the Impact page.
        figures = f"{c.before:,.1f} -> {c.after:,.1f} {c.unit}" if c.known else "unknown (not measured)"
        lines.append(f"  {c.label}: {figures} {_why(c.reason)}")
    for n in result.end_to_end.notes:
        lines.append(f"  note: {n.text} {_why(n.reason)}")
    lines += ["", "Steps"]
    for s in result.steps:
        if s.tag.value != "human" or s.saved_hours:
            lines.append(
                f"  {s.name} [{s.step}] {s.tag.value}: {_h(s.before_hours)} -> {_h(s.after_hours)} {_why(s.reason)}"
            )
    for new in result.new_steps:
        lines.append(f"  + {new.name} ({new.kind}, {new.owner}): {_h(new.hours)} {_why(new.reason)}")
    lines += ["", "Roles"]
    for r in result.roles:
        fte = f", {r.freed_fte:+.2f} FTE freed" if r.freed_fte is not None else ""
        lines.append(f"  {r.name} [{r.role}]: {_h(r.before_hours)} -> {_h(r.after_hours)}{fte} {_why(r.reason)}")
        for d in r.responsibilities:
            lines.append(f"    new duty: {d.reason.text} {_why(d.reason)}")
    lines += ["", "Skills"]
    for skill in result.skills:
        lines.append(f"  {skill.role}: {skill.skill} {skill.change} ({_h(skill.hours)}) {_why(skill.reason)}")
    lines += ["", "Reskilling priorities"]
    for item in result.reskilling[:15]:
        lines.append(f"  {item.rank}. {item.reason.text} {_why(item.reason)}")
    for w in result.deskilling:
        lines.append(f"  deskilling: {w.reason.text} Remedy: {w.remedy} {_why(w.reason)}")
    lines += ["", "Metrics and incentives"]
    for i in result.incentives:
        shared = f", shared by {', '.join(i.shared_by)}" if len(i.shared_by) > 1 else ""
        lines.append(
            f"  {i.action}: {i.metric} ({i.use}; accountable {i.owner or 'unassigned'}{shared}) {_why(i.reason)}"
        )
    lines += ["", "Pilot plan"]
    for wave in result.pilot.waves:
        lines.append(f"  Wave {wave.number}, {wave.name}: {', '.join(i.name for i in wave.items)} {_why(wave.reason)}")
    for held in result.pilot.held:
        lines.append(f"  held: {held.reason.text} {_why(held.reason)}")
    return "\n".join(lines) + "\n"


@to_text.register
def _comparison(result: ScenarioComparison) -> str:
    lines = [f"Scenarios for {result.flow_name} (hours per {result.period})", ""]
    if not result.scenarios:
        lines.append("This flow has no scenarios to compare.")
        return "\n".join(lines) + "\n"
    header = (
        f"  {'scenario':<28} {'auto':>4} {'aug':>4} {'saved h':>9} {'FTE':>6} {'lead min':>10} {'%C&A':>6} {'B/W/I':>8}"
    )
    lines.append(header)
    for s in result.scenarios:
        flags = f"{s.block}/{s.warn}/{s.info}"
        lines.append(
            f"  {s.name[:28]:<28} {s.automate:>4} {s.augment:>4} {s.saved_hours:>9,.1f} {s.saved_fte:>6.2f} "
            f"{s.lead_time_after:>10,.0f} {s.rolled_pca_after:>6.1f} {flags:>8}"
        )
    lines += ["", "Hours per role"]
    ids = [s.scenario for s in result.scenarios]
    for r in result.roles:
        cells = ", ".join(f"{sid} {r.after_hours[sid]:,.1f}" for sid in ids)
        lines.append(f"  {r.name}: as is {r.before_hours:,.1f}; {cells} {_why(r.reason)}")
    if result.evidence:
        lines += ["", f"note: {result.evidence}"]
    return "\n".join(lines) + "\n"


__all__ = ["to_text"]
