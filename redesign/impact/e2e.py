"""End-to-end versus local: the flow's metrics before and after the redesign.

The redesigned flow is the as-is flow with every decision applied, then measured
with the same `redesign.metrics.analyze`, so before and after are comparable by
construction (Martin & Osterling, *Value Stream Mapping*, 2014):

* automated step: per-case touch minutes shrink to the people's share (cases not
  handled straight through, plus exceptions); its queue and the waits of the
  hand-offs out of it shrink to the share of cases a person still touches
  (``effort_automated_wait_factor``); its %C&A rises for straight-through cases;
* augmented step: touch x (1 - g) + validation minutes; waits unchanged;
* governance review steps are inserted right after the step they review.

Hours saved on a step off the critical path do not shorten the lead time: a note
says so for each such step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from redesign.built import copied
from redesign.graph import Acyclic, acyclic, back_edges, spliced
from redesign.impact.catalog import catalog
from redesign.impact.economics import StepEconomics, automated_pca, effort_values, human_share, reviewed_pca
from redesign.impact.explain import Reason, agreeing, because, counted, hours
from redesign.impact.oversight import NewStep, fitted_id
from redesign.impact.scenario_view import UNASSIGNED, ScenarioView
from redesign.metrics import FlowMetrics, analyze, path_minutes, path_rolled_pca
from redesign.model import Flow, Handoff, Step, StepKind, Tag

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_HUMAN, _AUTOMATE, _REVIEW = Tag.HUMAN, Tag.AUTOMATE, StepKind.REVIEW


class MetricChange(BaseModel):
    metric: str  # FlowMetrics field name
    label: str
    unit: str
    before: float
    after: float
    change: float  # after - before
    better: Literal["lower", "higher"]
    known: bool = True  # False: the inputs were never measured (e.g. no %C&A), so the figure means nothing
    reason: Reason


class Note(BaseModel):
    kind: str
    text: str
    reason: Reason


class EndToEnd(BaseModel):
    before: FlowMetrics
    after: FlowMetrics
    changes: list[MetricChange]
    notes: list[Note]


def _wait_share(econ: StepEconomics) -> float:
    factor = effort_values()["effort_automated_wait_factor"]
    share = human_share(econ.parameters["automation_rate"], econ.parameters["exception_rate"])
    return min(1.0, share * factor)


def _review_step(view: ScenarioView, review: NewStep, reviewed: Step, pca: float) -> Step:
    return Step(
        id=review.id,
        name=review.name,
        description=f"Added by {review.rule}: a person reviews the AI output before it takes effect.",
        function=review.function if review.function in view.flow.functions_by_id() else reviewed.function,
        owner=None if review.owner == UNASSIGNED else review.owner,
        kind=_REVIEW,
        volume=review.volume,
        touch_minutes=review.minutes_per_case,
        data_in=list(reviewed.data_out),
        data_out=list(reviewed.data_out),
        pca=pca,
    )


def redesigned_flow(view: ScenarioView, steps: list[StepEconomics], oversight: list[NewStep]) -> Flow:
    """The flow with the scenario applied (pure: the input flow is not changed)."""
    return _redesigned(view, steps, oversight).flow


@dataclass(frozen=True)
class _Redesigned:
    """The redesigned flow, and what `graph.spliced` needs to derive its graph from the as-is flow's."""

    flow: Flow
    inserted: dict[str, str]  # reviewed step -> its review step, right after it
    links: list[Handoff]  # reviewed step -> review step, one per review, in that order
    replaced: dict[int, Handoff]  # id() of an as-is hand-off -> the redesigned one, where they differ


def _redesigned(view: ScenarioView, steps: list[StepEconomics], oversight: list[NewStep]) -> _Redesigned:
    econ = {s.step: s for s in steps}
    review_of = {o.for_step: o for o in oversight}
    catch = catalog().effort.value("effort_review_catch_rate")
    share: dict[str, float] = {}  # automated step -> its wait share, for its own wait and its hand-offs'
    new_steps: list[Step] = []
    for step in view.flow.steps:
        e = econ[step.id]
        if e.tag == _HUMAN:
            new_steps.append(step)
        else:
            wait = step.wait_minutes
            if e.tag == _AUTOMATE:
                share[step.id] = _wait_share(e)
                wait *= share[step.id]
            new_steps.append(
                copied(step, {"touch_minutes": e.after_touch_minutes, "wait_minutes": wait, "pca": e.pca_after})
            )
        if step.id in review_of:
            new_steps.append(_review_step(view, review_of[step.id], step, reviewed_pca(e.pca_after, catch)))
    handoffs: list[Handoff] = []
    replaced: dict[int, Handoff] = {}
    taken = {h.id for h in view.flow.handoffs}
    for h in view.flow.handoffs:
        source = econ.get(h.source)
        update: dict[str, object] = {}
        if source is not None and source.tag == _AUTOMATE:
            update["wait_minutes"] = h.wait_minutes * share[h.source]
            if h.pca is not None:
                rates = source.parameters
                update["pca"] = automated_pca(h.pca, rates["automation_rate"], rates["exception_rate"])
        if h.source in review_of:
            update["source"] = review_of[h.source].id
        if update:
            replaced[id(h)] = copied(h, update)
            handoffs.append(replaced[id(h)])
        else:
            handoffs.append(h)
    links: list[Handoff] = []
    for review in oversight:
        hid = fitted_id(review.for_step, "__review_in", taken.__contains__)
        taken.add(hid)
        data = list(view.steps[review.for_step].data_out)
        links.append(Handoff(id=hid, source=review.for_step, target=review.id, data=data))
    flow = view.flow.model_copy(update={"steps": new_steps, "handoffs": [*handoffs, *links]})
    inserted = {o.for_step: o.id for o in oversight}
    return _Redesigned(flow=flow, inserted=inserted, links=links, replaced=replaced)


def _after_graph(
    before: tuple[set[tuple[str, str]], Acyclic], redesigned: _Redesigned
) -> tuple[set[tuple[str, str]], Acyclic] | None:
    """The redesigned flow's graph, spliced from the as-is flow's; None (compute it afresh) when unsure."""
    if len(redesigned.inserted) != len(redesigned.links):
        return None  # two reviews of one step: not a plain splice
    loops, dag = before
    nodes = [s.id for s in redesigned.flow.steps]
    return spliced(dag, loops, nodes, redesigned.inserted, redesigned.links, redesigned.replaced)


_METRICS: tuple[tuple[str, str, str, str, Literal["lower", "higher"]], ...] = (
    ("lead_time_minutes", "Lead time per case (critical path)", "min", "e2e_lead_time", "lower"),
    ("touch_hours", "Touch hours per period", "h", "e2e_touch_hours", "lower"),
    ("handoffs", "Hand-offs", "count", "e2e_handoffs", "lower"),
    ("cross_function_handoffs", "Cross-function hand-offs", "count", "e2e_cross_function_handoffs", "lower"),
    ("rolled_pca", "Rolled %C&A (critical path)", "%", "e2e_rolled_pca", "higher"),
    ("activity_ratio", "Activity ratio (critical path)", "%", "e2e_activity_ratio", "higher"),
)


def same_path(before_path: list[str], reviews: Mapping[str, str]) -> list[str]:
    """The as-is critical path in the redesigned flow: the same steps, each followed by its review step
    (``reviews``: reviewed step -> the review step inserted right after it)."""
    path: list[str] = []
    for step in before_path:
        path.append(step)
        if step in reviews:
            path.append(reviews[step])
    return path


def _on_same_path(before: FlowMetrics, after_flow: Flow, reviews: Mapping[str, str]) -> dict[str, float]:
    path = same_path(before.critical_path, reviews)
    steps = after_flow.steps_by_id()  # once for the three figures
    lead = path_minutes(after_flow, path, steps)
    touch = sum(steps[s].touch_minutes for s in path if s in steps)
    return {
        "lead_time_minutes": lead,
        "rolled_pca": path_rolled_pca(after_flow, path, steps) if path else 100.0,
        "activity_ratio": touch / lead * 100.0 if lead > 0 else 0.0,
    }


def _changes(
    view: ScenarioView, before: FlowMetrics, after: FlowMetrics, after_flow: Flow, reviews: Mapping[str, str]
) -> list[MetricChange]:
    # Lead time, rolled %C&A and activity ratio compare the same chain of steps before and after;
    # when another chain becomes the longest, a note names it (`_notes`).
    path_steps = list(before.critical_path)
    on_path = _on_same_path(before, after_flow, reviews)
    changed = [s for s in view.decisions if view.uses_ai(s)]
    changes: list[MetricChange] = []
    for field, label, unit, rule, better in _METRICS:
        b = float(getattr(before, field))
        a = on_path.get(field, float(getattr(after, field)))
        known = not (field == "rolled_pca" and before.pca_unknown_steps)
        steps = path_steps if field in on_path else changed or path_steps
        text = f"{label}: {b:,.1f} {unit} before, {a:,.1f} {unit} after ({a - b:+,.1f})."
        if not known:
            n = len(before.pca_unknown_steps)
            text = f"{label}: unknown, {counted(n, 'step')} {agreeing(n, 'has', 'have')} no %C&A measured."
        changes.append(
            MetricChange(
                metric=field,
                label=label,
                unit=unit,
                before=b,
                after=a,
                change=a - b,
                better=better,
                known=known,
                reason=because(rule, steps, text, {"before": b, "after": a}),
            )
        )
    return changes


OFF_PATH_NAMED = 3
"""Steps the off-critical-path note names (those that save most); it counts the others."""


def _off_path_note(view: ScenarioView, off_path: list[StepEconomics], before: FlowMetrics) -> Note:
    """One note for every step that saves hours off the critical path: a finding, not a sentence per step."""
    period = view.period
    total = sum(e.saved_hours for e in off_path)
    if len(off_path) == 1:
        e = off_path[0]
        text = (
            f'"{e.name}" saves {hours(e.saved_hours)} per {period}, but it is not on the critical path: '
            "the lead time does not move because of it."
        )
    else:
        ranked = sorted(off_path, key=lambda e: -e.saved_hours)
        named = ", ".join(f'"{e.name}" {hours(e.saved_hours)}' for e in ranked[:OFF_PATH_NAMED])
        more = f" and {len(off_path) - OFF_PATH_NAMED} more" if len(off_path) > OFF_PATH_NAMED else ""
        text = (
            f"{len(off_path)} steps save {hours(total)} per {period} off the critical path ({named}{more}): "
            "the lead time does not move because of them."
        )
    numbers: dict[str, float | int | str] = {
        "saved_hours": total,
        "steps": len(off_path),
        "lead_time_minutes": before.lead_time_minutes,
    }
    reason = because("e2e_off_critical_path", [e.step for e in off_path], text, numbers)
    return Note(kind="off_critical_path", text=text, reason=reason)


def _notes(view: ScenarioView, steps: list[StepEconomics], before: FlowMetrics, after: FlowMetrics) -> list[Note]:
    period = view.period
    on_path = set(before.critical_path)
    notes: list[Note] = []
    off_path = [e for e in steps if e.saved_hours > 0 and e.step not in on_path]
    if off_path:
        notes.append(_off_path_note(view, off_path, before))
    if [s for s in after.critical_path if s in view.steps] != before.critical_path:
        names = [view.steps[s].name for s in after.critical_path if s in view.steps]
        new = [
            n
            for s, n in zip([s for s in after.critical_path if s in view.steps], names, strict=True)
            if s not in on_path
        ]
        through = ", ".join(f'"{n}"' for n in new[:3]) or "the same steps in another order"
        text = (
            f"Another chain of steps becomes the longest after the redesign ({after.lead_time_minutes / 60:,.1f} h "
            f"per case, through {through}); the lead time above compares the as-is critical path before and after."
        )
        moved = [s for s in dict.fromkeys([*before.critical_path, *after.critical_path]) if s in view.steps]
        notes.append(
            Note(kind="critical_path_moved", text=text, reason=because("e2e_critical_path_moved", moved, text))
        )
    if before.pca_unknown_steps:
        unknown = before.pca_unknown_steps
        text = (
            f"Rolled %C&A is unknown: no %C&A was measured for {len(unknown)} of {len(view.flow.steps)} steps "
            f"({', '.join(view.steps[s].name for s in unknown[:3])}{', ...' if len(unknown) > 3 else ''}). "
            "Ask the people downstream what share of what arrives is complete and accurate."
        )
        notes.append(Note(kind="pca_unknown", text=text, reason=because("e2e_pca_unknown", unknown, text)))
    if before.minor_branch_steps:
        minor = before.minor_branch_steps
        text = (
            f"{counted(len(minor), 'step')} on branches that carry few of the cases "
            f"({', '.join(view.steps[s].name for s in minor[:3])}) {agreeing(len(minor), 'does', 'do')} not set "
            "the case lead time."
        )
        notes.append(Note(kind="minor_branch", text=text, reason=because("e2e_minor_branch", minor, text)))
    monitoring = [(e.step, e.parameters["monitoring_hours"]) for e in steps if e.tag == _AUTOMATE]
    if monitoring:
        total = sum(h for _, h in monitoring)
        text = (
            f"{hours(total)} per {period} of monitoring automations count in the roles' hours, "
            "not in the flow's per-case touch hours."
        )
        notes.append(
            Note(
                kind="monitoring_outside",
                text=text,
                reason=because("e2e_monitoring_outside", [s for s, _ in monitoring], text, {"monitoring_hours": total}),
            )
        )
    return notes


def end_to_end(view: ScenarioView, steps: list[StepEconomics], oversight: list[NewStep]) -> tuple[EndToEnd, Flow]:
    loops = back_edges(view.flow)
    graph = (loops, acyclic(view.flow, loops))
    before = analyze(view.flow, graph)
    redesigned = _redesigned(view, steps, oversight)
    # The redesigned flow has the same graph with review steps spliced in: derived, not searched again.
    after_flow = redesigned.flow
    after = analyze(after_flow, _after_graph(graph, redesigned))
    return EndToEnd(
        before=before,
        after=after,
        changes=_changes(view, before, after, after_flow, redesigned.inserted),
        notes=_notes(view, steps, before, after),
    ), after_flow
