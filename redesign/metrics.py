"""Value-stream metrics of a flow.

The definitions follow Martin & Osterling, *Value Stream Mapping* (McGraw-Hill,
2014): process (touch) time, lead time = process time + wait, percent complete and
accurate (%C&A) and rolled %C&A = the product of %C&A along the flow, and the
activity ratio = total process time / total lead time. Per case figures are minutes
for one unit of work travelling the flow; per period figures multiply by the
volume each step handles in the flow's period (week, month, ...).

A review step corrects what it reviews: the quality of its output is the reviewer's
(its own %C&A), so the edge into it does not multiply the rolled %C&A a second time.
Branches that carry a small share of the cases (below `MINOR_BRANCH_SHARE` of the
cases at the split or of the busiest sibling branch) do not set the case lead time: a
path 5 of 600 cases take is reported apart. A %C&A nobody measured is "unknown" and named, never read as 100 %.

Rework loops are found first (`redesign.graph.back_edges`) and left out of the
critical path, so the analysis terminates on any graph; the loops are reported.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel

from redesign.built import built
from redesign.graph import Acyclic, acyclic, back_edges, rework_loops
from redesign.model import Flow, Step, StepKind

# Enum members as module globals, read in the loops: see `redesign.impact.scenario_view` for why.
_REVIEW, _DECISION = StepKind.REVIEW, StepKind.DECISION

BOTTLENECK_SHARE = 0.15
"""A critical-path step taking at least this share of the lead time is a bottleneck."""
MAX_BOTTLENECKS = 3
MINOR_BRANCH_SHARE = 0.1
"""A step handling less than this share of the busiest step's volume is a minor branch for the lead time."""
CAPACITY_ALERT = 0.85
"""A role whose demanded hours exceed this share of its capacity is a constraint."""


class BreakPoint(BaseModel):
    """Where the %C&A of data falls below the flow's threshold, and who consumes it."""

    kind: Literal["step", "handoff"]
    id: str
    name: str
    pca: float
    note: str
    data: list[str]  # the data items that leave in poor shape
    reach: list[str]  # the steps that read that data (or, with no named data, the next steps)


class Bottleneck(BaseModel):
    kind: Literal["lead_time", "capacity"]
    id: str  # a step id (lead_time) or a role id (capacity)
    value: float  # minutes per case (lead_time) or utilisation 0..n (capacity)
    reason: str


class ReworkLoop(BaseModel):
    source: str
    target: str
    steps: list[str]


class FlowMetrics(BaseModel):
    """Flow-level figures; see the module docstring for definitions and source."""

    period: str
    steps: int
    touch_hours: float  # per period: sum of volume x touch minutes / 60
    critical_path: list[str]
    lead_time_minutes: float  # per case, along the critical path, waits included
    critical_touch_minutes: float
    critical_wait_minutes: float
    activity_ratio: float  # % of critical-path lead time that is touch time
    handoffs: int
    cross_function_handoffs: int
    rolled_pca: float  # %, product of %C&A along the critical path (100 when no %C&A is known)
    pca_unknown_steps: list[str] = []  # steps whose %C&A nobody measured (counted as 100 in the product)
    minor_branch_steps: list[str] = []  # steps left out of the lead time: they carry few of the cases
    dq_threshold: float
    break_points: list[BreakPoint]
    bottlenecks: list[Bottleneck]
    rework_loops: list[ReworkLoop]

    @property
    def lead_time_hours(self) -> float:
        return self.lead_time_minutes / 60


def step_hours(step: Step) -> float:
    """Touch hours per period: volume x touch minutes / 60."""
    return step.volume * step.touch_minutes / 60.0


def touch_hours(flow: Flow) -> float:
    """Total touch hours per period over every step (rework volume is in the volumes)."""
    return sum(step_hours(s) for s in flow.steps)


def _edge_pca(flow: Flow, graph: Acyclic, source: str, target: str, steps: dict[str, Step]) -> float:
    """%C&A of what arrives over an edge: the hand-off's own figure if given, else the source's."""
    figures = [h.pca for h in graph.handoffs[source, target] if h.pca is not None]
    return min(figures) if figures else steps[source].pca


def minor_branch_steps(flow: Flow, steps: dict[str, Step] | None = None) -> set[str]:
    """Steps on a branch that carries few of the cases, so it does not set the case lead time.

    At a split (a decision step, or hand-offs with a condition), a successor handling
    less than `MINOR_BRANCH_SHARE` of the split's cases or of its busiest sibling's volume,
    whichever is larger (60 disputes beside 560 awards of 800 decisions), while that sibling
    carries at least half of the cases, starts a minor branch (5 large refunds beside
    600 ordinary ones); steps reached only through minor steps are minor too. A funnel (one successor,
    fewer cases) is no branch; unknown volumes (0) mark nothing.
    """
    steps = steps if steps is not None else flow.steps_by_id()
    succ: dict[str, list[str]] = {}
    preds: dict[str, list[str]] = {}
    edges: set[tuple[str, str]] = set()
    conditional: set[str] = set()
    for h in flow.handoffs:
        source, target = h.source, h.target
        if h.rework or source not in steps or target not in steps or (source, target) in edges:
            continue
        edges.add((source, target))
        succ.setdefault(source, []).append(target)
        preds.setdefault(target, []).append(source)
        if h.condition:
            conditional.add(source)
    minor: set[str] = set()
    decision = _DECISION
    for source, targets in succ.items():
        if len(targets) < 2:
            continue  # one successor: a funnel, no branch
        # Only a real branch (a decision or a conditional hand-off): volumes in different units are not shares.
        if not (source in conditional or steps[source].kind == decision):
            continue
        busiest = max(steps[t].volume for t in targets)
        # ... and one branch must carry most of the source's cases (a batch step downstream is no branch).
        if busiest > 0 and busiest >= 0.5 * steps[source].volume:
            minor.update(
                t for t in targets if steps[t].volume < MINOR_BRANCH_SHARE * max(busiest, steps[source].volume)
            )
    frontier = list(minor)
    while frontier:
        for nxt in succ.get(frontier.pop(), ()):
            if nxt not in minor and all(p in minor for p in preds[nxt]):
                minor.add(nxt)
                frontier.append(nxt)
    return minor


def pca_unknown_steps(flow: Flow) -> list[str]:
    """Steps whose %C&A was never given: left out of the file, or a flow where no %C&A at all was measured."""
    measured = any(s.pca != 100.0 for s in flow.steps) or any(h.pca is not None for h in flow.handoffs)
    if not measured:
        return [s.id for s in flow.steps]
    # The set behind `model_fields_set`, read directly: that property is a Python call per step.
    return [s.id for s in flow.steps if "pca" not in s.__pydantic_fields_set__ and s.kind != _REVIEW]


def path_minutes(flow: Flow, path: list[str], steps: dict[str, Step] | None = None) -> float:
    """Per-case minutes along a given chain of steps (touch + wait of steps, the longest wait of each hand-off)."""
    steps = steps if steps is not None else flow.steps_by_id()
    pairs = set(pairwise(path))
    waits: dict[tuple[str, str], float] = {}
    for h in flow.handoffs:
        key = (h.source, h.target)
        if key in pairs:
            waits[key] = max(waits.get(key, 0.0), h.wait_minutes)
    total = sum(steps[s].touch_minutes + steps[s].wait_minutes for s in path if s in steps)
    return total + sum(waits.get(pair, 0.0) for pair in pairs)


def path_rolled_pca(flow: Flow, path: list[str], steps: dict[str, Step] | None = None) -> float:
    """`rolled_pca` of a given chain without building the graph (the redesigned flow's same-path figure)."""
    steps = steps if steps is not None else flow.steps_by_id()
    pairs = set(pairwise(path))
    given: dict[tuple[str, str], list[float]] = defaultdict(list)
    for h in flow.handoffs:
        if (h.source, h.target) in pairs and h.pca is not None:
            given[(h.source, h.target)].append(h.pca)
    rolled = 1.0
    for here, there in pairwise(path):
        if steps[there].kind == _REVIEW:
            continue
        figures = given.get((here, there))
        rolled *= (min(figures) if figures else steps[here].pca) / 100.0
    if path:
        rolled *= steps[path[-1]].pca / 100.0
    return rolled * 100.0


def critical_path(
    flow: Flow,
    dag: Acyclic,
    skip: set[str] | None = None,
    steps: dict[str, Step] | None = None,
    order: dict[str, int] | None = None,
) -> tuple[list[str], float]:
    """Longest path by per-case minutes (touch + wait of steps, wait of hand-offs).

    Steps in ``skip`` (minor branches) take no part, unless nothing would be left.
    Ties go to the step earlier in the file, so the answer is deterministic.
    ``steps`` and ``order`` (step id -> position in the file): the caller's, when it has them.
    """
    if not skip or len(skip) >= len(dag.nodes):
        skip = set()  # nothing skipped, or nothing would be left
    steps = steps if steps is not None else flow.steps_by_id()
    order = order if order is not None else {s.id: i for i, s in enumerate(flow.steps)}
    predecessors, handoffs = dag.predecessors, dag.handoffs
    best: dict[str, float] = {}
    previous: dict[str, str | None] = {}
    for node in dag.topological_order:
        if node in skip:
            continue
        step = steps[node]
        best_pred: str | None = None
        best_value = 0.0
        preds = predecessors.get(node, ())
        if skip:
            preds = [p for p in preds if p not in skip]
        if len(preds) > 1:
            preds = sorted(preds, key=order.__getitem__)
        for pred in preds:
            edge = handoffs[pred, node]
            wait = edge[0].wait_minutes if len(edge) == 1 else max(h.wait_minutes for h in edge)
            value = best[pred] + wait
            if best_pred is None or value > best_value:
                best_pred, best_value = pred, value
        best[node] = best_value + (step.touch_minutes + step.wait_minutes)
        previous[node] = best_pred
    if not best:
        return [], 0.0
    end = _longest_end(best, order)
    path = [end]
    while (prev := previous[path[-1]]) is not None:
        path.append(prev)
    path.reverse()
    return path, best[end]


def _longest_end(best: dict[str, float], order: dict[str, int]) -> str:
    """The step where the longest path ends; a tie goes to the step earlier in the file.

    The same answer as ``max(best, key=lambda n: (best[n], -order[n]))``, without a key tuple per step.
    """
    top = max(best.values())
    return min((n for n, v in best.items() if v == top), key=order.__getitem__)


def rolled_pca(flow: Flow, graph: Acyclic, path: list[str], steps: dict[str, Step] | None = None) -> float:
    """Product of the %C&A of each output along the path (Martin & Osterling)."""
    steps = steps if steps is not None else flow.steps_by_id()
    review = _REVIEW
    handoffs = graph.handoffs
    rolled = 1.0
    for here, there in pairwise(path):
        if steps[there].kind == review:
            continue  # the reviewer corrects: the review's own %C&A stands for what leaves it
        # The hand-off's own figure if given (the lowest of several), else the source's (`_edge_pca`).
        figures = [h.pca for h in handoffs[here, there] if h.pca is not None]
        rolled *= (min(figures) if figures else steps[here].pca) / 100.0
    if path:
        rolled *= steps[path[-1]].pca / 100.0
    return rolled * 100.0


def consumers_by_data(flow: Flow) -> dict[str, list[str]]:
    """Data item id -> the steps that read it, in flow order."""
    index: dict[str, list[str]] = defaultdict(list)
    for step in flow.steps:
        for data_id in step.data_in:
            index[data_id].append(step.id)
    return index


def _reach(
    successors: dict[str, list[str]], start: str, bad: list[str], consumers: dict[str, list[str]], order: dict[str, int]
) -> list[str]:
    """Steps that read the bad data, in flow order.

    Data lives in systems (a CRM field, a spreadsheet), so every step that reads a
    bad item is exposed, wherever it sits; with no named data, the bad output goes
    to the direct successors.
    """
    if not bad:
        return sorted(set(successors.get(start, ())), key=order.__getitem__)
    reach = {s for item in bad for s in consumers.get(item, ()) if s != start}
    return sorted(reach, key=order.__getitem__)


def break_points(
    flow: Flow, steps: dict[str, Step] | None = None, order: dict[str, int] | None = None
) -> list[BreakPoint]:
    """Steps and hand-offs whose output %C&A is below ``flow.dq_threshold``.

    ``steps`` and ``order`` (step id -> position in the file): the caller's, when it has them.
    """
    order = order if order is not None else {s.id: i for i, s in enumerate(flow.steps)}
    successors: dict[str, list[str]] = defaultdict(list)
    for h in flow.handoffs:
        if h.target in order:
            successors[h.source].append(h.target)
    steps = steps if steps is not None else flow.steps_by_id()
    consumers = consumers_by_data(flow)
    found: list[BreakPoint] = []
    for step in flow.steps:
        if step.pca < flow.dq_threshold:
            found.append(
                built(  # typed here: no re-validation (hundreds per analysis)
                    BreakPoint,
                    kind="step",
                    id=step.id,
                    name=step.name,
                    pca=step.pca,
                    note=step.dq_note,
                    data=list(step.data_out),
                    reach=_reach(successors, step.id, list(step.data_out), consumers, order),
                )
            )
    for handoff in flow.handoffs:
        if handoff.pca is None or handoff.pca >= flow.dq_threshold or handoff.source not in steps:
            continue
        data = list(handoff.data) or list(steps[handoff.source].data_out)
        reach = [handoff.target] + [
            s for s in _reach(successors, handoff.source, data, consumers, order) if s != handoff.target
        ]
        found.append(
            built(
                BreakPoint,
                kind="handoff",
                id=handoff.id,
                name=f"{steps[handoff.source].name} -> {steps[handoff.target].name}",
                pca=handoff.pca,
                note=handoff.dq_note or handoff.channel,
                data=data,
                reach=reach,
            )
        )
    return found


def bottlenecks(
    flow: Flow, path: list[str], lead_minutes: float, steps: dict[str, Step] | None = None
) -> list[Bottleneck]:
    """Lead-time bottlenecks on the critical path, then over-loaded roles.

    A step is a lead-time bottleneck when its touch + wait is at least
    `BOTTLENECK_SHARE` of the critical path's lead time (the largest three). A role
    is a capacity constraint when this flow alone asks for more than
    `CAPACITY_ALERT` of its hours (headcount x FTE hours per period).
    """
    steps = steps if steps is not None else flow.steps_by_id()
    found: list[Bottleneck] = []
    if lead_minutes > 0:
        # The largest three, ties in path order (nsmallest is sorted(...)[:n], without sorting the whole path).
        ranked = heapq.nsmallest(MAX_BOTTLENECKS, path, key=lambda s: -(steps[s].touch_minutes + steps[s].wait_minutes))
        for step_id in ranked:
            minutes = steps[step_id].touch_minutes + steps[step_id].wait_minutes
            share = minutes / lead_minutes
            if share >= BOTTLENECK_SHARE:
                found.append(
                    Bottleneck(
                        kind="lead_time",
                        id=step_id,
                        value=minutes,
                        reason=(
                            f"{steps[step_id].name} takes {minutes:,.0f} of the {lead_minutes:,.0f} minutes "
                            f"of lead time on the critical path ({share:.0%})"
                        ),
                    )
                )
    demand: dict[str, float] = defaultdict(float)
    for step in flow.steps:
        if step.owner:
            demand[step.owner] += step_hours(step)
    for role in flow.roles:
        capacity = role.headcount * flow.fte_hours_per_period
        if role.kind == "ai_agent" or capacity <= 0 or role.id not in demand:
            continue
        load = demand[role.id] / capacity
        if load > CAPACITY_ALERT:
            found.append(
                Bottleneck(
                    kind="capacity",
                    id=role.id,
                    value=load,
                    reason=(
                        f"{role.name} needs {demand[role.id]:,.0f} h per {flow.period.value} for this flow, "
                        f"{load:.0%} of the {capacity:,.0f} h that {role.headcount:g} people have"
                    ),
                )
            )
    return found


def analyze(flow: Flow, graph: tuple[set[tuple[str, str]], Acyclic] | None = None) -> FlowMetrics:
    """All flow metrics in one pass over the graph.

    ``graph``: the flow's `back_edges` and `acyclic` graph, when the caller has them (the
    redesigned flow's, spliced from the as-is flow's by `redesign.graph.spliced`).
    """
    if graph is None:
        loops = back_edges(flow)
        dag = acyclic(flow, loops)  # the loops are reported apart; everything else is acyclic
    else:
        loops, dag = graph
    steps = flow.steps_by_id()
    minor = minor_branch_steps(flow, steps)
    order = {s.id: i for i, s in enumerate(flow.steps)}
    path, lead = critical_path(flow, dag, minor, steps, order)
    touch_on_path = sum(steps[s].touch_minutes for s in path)
    cross = sum(
        1
        for h in flow.handoffs
        if h.source in steps and h.target in steps and steps[h.source].function != steps[h.target].function
    )
    # Built without re-validating: every figure is computed here, typed (two runs per assessment).
    metrics = FlowMetrics.model_construct(
        period=flow.period.value,
        steps=len(flow.steps),
        touch_hours=touch_hours(flow),
        critical_path=path,
        lead_time_minutes=lead,
        critical_touch_minutes=touch_on_path,
        critical_wait_minutes=lead - touch_on_path,
        activity_ratio=(touch_on_path / lead * 100.0) if lead > 0 else 0.0,
        handoffs=len(flow.handoffs),
        cross_function_handoffs=cross,
        rolled_pca=rolled_pca(flow, dag, path, steps) if path else 100.0,
        pca_unknown_steps=pca_unknown_steps(flow),
        minor_branch_steps=sorted(minor, key=lambda s: order[s]),
        dq_threshold=flow.dq_threshold,
        break_points=break_points(flow, steps, order),
        bottlenecks=bottlenecks(flow, path, lead, steps),
        rework_loops=[
            built(ReworkLoop, source=loop.source, target=loop.target, steps=list(loop.steps))
            for loop in rework_loops(flow, dag, loops, order)
        ],
    )
    return metrics
