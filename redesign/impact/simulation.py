"""Discrete-event simulation of a flow's cases (docs/methodology.md#flow-simulation).

The value-stream figures add up average minutes along a path; they cannot show that
cases queue for the people who do the work. This module runs the cases through the
flow one event at a time (a hand-written event loop on a binary heap, the classic
next-event method of Law, *Simulation Modeling and Analysis*, 5th ed., 2015):

* **arrivals**: units of work enter at the flow's first steps (no predecessor) as a
  Poisson stream at the step's volume per period; the clock is working minutes (the
  flow's productive hours per FTE in the period x 60);
* **routing**: each hand-off carries on average ``volume(target) / sum of volume of
  the target's predecessors`` units, so every step sees its stated volume; at a
  decision (or conditional hand-offs) whose branches carry no more than the source,
  a unit takes one branch with probability volume(branch) / volume(source) and the
  rest end there; a rework loop sends units back the same way;
* **wait**: a step's own wait minutes are a delay that needs nobody (exponential
  around the stated mean);
* **touch**: a person of the owner role works the unit: gamma-distributed minutes
  with the stated mean and coefficient of variation ``cv``; each role has
  ``ceil(headcount x availability)`` people, first come first served; steps with
  no owner or an AI agent owner need no person;
* a unit's lead time runs from its arrival to the end of the last piece of work it
  caused.

The answers agree with queueing formulas where those exist (M/M/1, M/M/c, tandem
queues; tests/unit/impact/test_simulation.py). A flow in which some step cannot
reach an end is refused with that step named.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict, deque
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from pydantic import BaseModel

from redesign.model import Flow, RoleKind, StepKind

CASES = 10_000
SEED = 7
TOUCH_CV = 0.5
"""Coefficient of variation of touch times: office work varies by about half its mean (Hopp & Spearman,
*Factory Physics*, 3rd ed., 2008, ch. 8: 'moderate variability' is 0.75 > cv >= 0.5; we take the low end)."""
WORK_BUDGET = 60_000
"""Pieces of work one run simulates at most: a flow where each unit causes hundreds (a requisition and its
600 applications) runs fewer units, so a page stays responsive; the result says how many ran."""
MAX_WORK_PER_CASE = 10_000
"""A unit that causes more pieces of work than this is caught in a loop with no way out."""


class SimulationRefused(ValueError):
    """The flow cannot be simulated; the message names the step."""


class RoleLoad(BaseModel):
    role: str
    name: str
    people: int
    utilisation: float  # busy time / (people x simulated time); can exceed 1 only when overloaded
    overloaded: bool  # demand at or above capacity: its queue grows for as long as work arrives


class StepQueue(BaseModel):
    step: str
    name: str
    mean_queue_minutes: float  # waiting for a person of the owner role (not the stated wait)
    visits: int


class SimResult(BaseModel):
    cases: int
    lead_p50_minutes: float
    lead_p90_minutes: float
    lead_mean_minutes: float
    roles: list[RoleLoad]
    queues: list[StepQueue]  # longest queue first
    busiest_queue: str | None  # the step whose units wait longest for a person


@dataclass
class _Pool:
    people: int  # 0 = nobody needed (infinite capacity)
    free: int
    waiting: deque = field(default_factory=deque)
    busy_minutes: float = 0.0


def _entries(flow: Flow) -> list[str]:
    has_pred = {h.target for h in flow.handoffs if not h.rework and h.source != h.target}
    return [s.id for s in flow.steps if s.id not in has_pred]


def check_reaches_an_end(flow: Flow) -> None:
    """Refuse a flow in which a step can never reach an end (a step with nothing after it)."""
    succ: dict[str, set[str]] = defaultdict(set)
    pred: dict[str, set[str]] = defaultdict(set)
    ids = {s.id for s in flow.steps}
    for h in flow.handoffs:
        if h.source in ids and h.target in ids:
            succ[h.source].add(h.target)
            pred[h.target].add(h.source)
    ends = [s for s in ids if not succ[s]]
    reach = set(ends)
    frontier = list(ends)
    while frontier:
        for p in pred[frontier.pop()]:
            if p not in reach:
                reach.add(p)
                frontier.append(p)
    stuck = [s for s in flow.steps if s.id not in reach]
    if stuck:
        # Name a step of the trap itself (a loop with no way out), not one that merely leads into it.
        trapped = {sid for comp in nx.strongly_connected_components(nx.DiGraph(
            [(a, b) for a in succ for b in succ[a] if a not in reach and b not in reach])) if len(comp) > 1
            for sid in comp}  # fmt: skip
        stuck = [s for s in stuck if s.id in trapped] or stuck
        raise SimulationRefused(
            f'the flow cannot be simulated: "{stuck[0].name}" never reaches an end of the flow '
            "(every path from it loops back); add a hand-off out of the loop"
        )
    if not flow.steps:
        raise SimulationRefused("the flow cannot be simulated: it has no steps")


def _routes(flow: Flow) -> dict[str, tuple[bool, list[tuple[str, float]]]]:
    """Per step: (choose one branch?, [(target, mean units or probability)])."""
    steps = flow.steps_by_id()
    out_edges: dict[str, list[str]] = defaultdict(list)
    preds: dict[str, list[str]] = defaultdict(list)
    conditional: set[str] = set()
    rework: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for h in flow.handoffs:
        if h.source not in steps or h.target not in steps:
            continue
        if h.rework:
            # A unit goes back when what leaves is wrong: the share 1 - %C&A of the source's output.
            share = 1.0 - (h.pca if h.pca is not None else steps[h.source].pca) / 100.0
            rework[h.source].append((h.target, min(max(share, 0.0), 0.95)))
        elif h.target not in out_edges[h.source]:
            out_edges[h.source].append(h.target)
            preds[h.target].append(h.source)
            if h.condition:
                conditional.add(h.source)
    routes: dict[str, tuple[bool, list[tuple[str, float]]]] = {}
    for sid in set(out_edges) | set(rework):
        targets = out_edges[sid]
        vol = steps[sid].volume
        branch = steps[sid].kind == StepKind.DECISION or sid in conditional
        total = sum(steps[t].volume for t in targets)
        if branch and vol > 0 and total <= vol * 1.0001 and not rework[sid]:
            routes[sid] = (True, [(t, steps[t].volume / vol) for t in targets])
            continue
        found: list[tuple[str, float]] = []
        for t in targets:
            into = sum(steps[p].volume for p in preds[t])
            found.append((t, steps[t].volume / into if into > 0 else 1.0 / len(preds[t])))
        routes[sid] = (False, found + rework[sid])
    return routes


def simulate(
    flow: Flow,
    cases: int = CASES,
    seed: int = SEED,
    cv: float = TOUCH_CV,
    availability: dict[str, float] | None = None,
) -> SimResult:
    """Run ``cases`` units of work through the flow; see the module docstring for the model."""
    check_reaches_an_end(flow)
    rng = np.random.default_rng(seed)
    steps = flow.steps_by_id()
    roles = flow.roles_by_id()
    minutes_per_period = flow.fte_hours_per_period * 60.0
    entries = [e for e in _entries(flow) if steps[e].volume > 0] or _entries(flow)
    entry_volume = sum(steps[e].volume for e in entries)
    work_per_case = sum(s.volume for s in flow.steps) / entry_volume if entry_volume > 0 else len(flow.steps)
    cases = max(1, min(cases, int(WORK_BUDGET / max(work_per_case, 1.0))))
    rates = np.array([max(steps[e].volume, 0.0) for e in entries])
    if rates.sum() <= 0:
        rates = np.ones(len(entries))
    total_rate = rates.sum() / minutes_per_period  # units per working minute
    if total_rate <= 0 or not math.isfinite(total_rate):
        total_rate = 1.0 / 60.0
    arrival_gaps = rng.exponential(1.0 / total_rate, cases)
    arrival_at = np.cumsum(arrival_gaps)
    arrival_step = rng.choice(len(entries), size=cases, p=rates / rates.sum())
    routes = _routes(flow)

    avail = availability or {}
    pools: dict[str, _Pool] = {}
    pool_of: dict[str, _Pool | None] = {}
    for s in flow.steps:
        role = roles.get(s.owner or "")
        if role is None or role.kind == RoleKind.AI_AGENT:
            pool_of[s.id] = None
            continue
        if role.id not in pools:
            people = max(1, math.ceil(role.headcount * avail.get(role.id, 1.0) - 1e-9))
            pools[role.id] = _Pool(people=people, free=people)
        pool_of[s.id] = pools[role.id]

    # Random draws in blocks: numpy per draw would cost more than the event itself.
    shape = 1.0 / (cv * cv) if cv > 0 else 0.0
    block = 4096
    gamma_buf = rng.gamma(shape, 1.0 / shape, block) if shape else np.ones(block)
    expo_buf = rng.exponential(1.0, block)
    unif_buf = rng.random(block)
    gi = ei = ui = 0

    def gamma1() -> float:
        nonlocal gi, gamma_buf
        if gi == block:
            gamma_buf, gi = (rng.gamma(shape, 1.0 / shape, block) if shape else np.ones(block)), 0
        gi += 1
        return float(gamma_buf[gi - 1])

    def expo1() -> float:
        nonlocal ei, expo_buf
        if ei == block:
            expo_buf, ei = rng.exponential(1.0, block), 0
        ei += 1
        return float(expo_buf[ei - 1])

    def unif1() -> float:
        nonlocal ui, unif_buf
        if ui == block:
            unif_buf, ui = rng.random(block), 0
        ui += 1
        return float(unif_buf[ui - 1])

    touch = {s.id: s.touch_minutes for s in flow.steps}
    wait = {s.id: s.wait_minutes for s in flow.steps}
    open_work = [0] * cases
    work_done = [0] * cases
    last_end = [0.0] * cases
    queue_minutes: dict[str, float] = defaultdict(float)
    visits: dict[str, int] = defaultdict(int)
    heap: list[tuple[float, int, int, int, str]] = []  # (time, seq, kind, case, step)
    seq = 0
    READY, DONE = 0, 1
    for c in range(cases):
        heap.append((float(arrival_at[c] + wait[entries[arrival_step[c]]] * expo1()), c, READY, c,
                     entries[arrival_step[c]]))  # fmt: skip
        open_work[c] = 1
    seq = cases
    heapq.heapify(heap)
    push, pop = heapq.heappush, heapq.heappop

    def start(now: float, c: int, sid: str, pool: _Pool | None) -> None:
        nonlocal seq
        minutes = touch[sid] * gamma1() if touch[sid] > 0 else 0.0
        if pool is not None:
            pool.busy_minutes += minutes
        seq += 1
        push(heap, (now + minutes, seq, DONE, c, sid))

    def route(now: float, c: int, sid: str) -> None:
        nonlocal seq
        rule = routes.get(sid)
        if rule is None:
            return
        choose, targets = rule
        sent: list[str] = []
        if choose:
            u = unif1()
            for t, p in targets:
                if u < p:
                    sent.append(t)
                    break
                u -= p
        else:
            for t, mean in targets:
                n = int(mean)
                if unif1() < mean - n:
                    n += 1
                sent.extend([t] * n)
        for t in sent:
            work_done[c] += 1
            if work_done[c] > MAX_WORK_PER_CASE:
                raise SimulationRefused(
                    f'the flow cannot be simulated: work keeps looping through "{steps[t].name}" '
                    f"(more than {MAX_WORK_PER_CASE:,} pieces of work for one unit); check the rework volumes"
                )
            open_work[c] += 1
            seq += 1
            push(heap, (now + (wait[t] * expo1() if wait[t] > 0 else 0.0), seq, READY, c, t))

    while heap:
        now, _, kind, c, sid = pop(heap)
        pool = pool_of[sid]
        if kind == READY:
            visits[sid] += 1
            if pool is None or pool.free > 0:
                if pool is not None:
                    pool.free -= 1
                start(now, c, sid, pool)
            else:
                pool.waiting.append((now, c, sid))
            continue
        # DONE: the person takes the next unit waiting for this role, if any
        if pool is not None:
            if pool.waiting:
                since, c2, sid2 = pool.waiting.popleft()
                queue_minutes[sid2] += now - since
                start(now, c2, sid2, pool)
            else:
                pool.free += 1
        last_end[c] = now
        open_work[c] -= 1
        route(now, c, sid)

    lead = np.array(last_end) - arrival_at
    warm = cases // 10  # the first tenth fills an empty flow: left out of the figures
    measured = lead[warm:] if cases - warm > 0 else lead
    horizon = float(max(last_end) - 0.0) if cases else 0.0
    loads: list[RoleLoad] = []
    for rid, pool in pools.items():
        role = roles[rid]
        demand = sum(s.volume * s.touch_minutes for s in flow.steps if s.owner == rid) / minutes_per_period
        loads.append(
            RoleLoad(
                role=rid,
                name=role.name,
                people=pool.people,
                utilisation=pool.busy_minutes / (pool.people * horizon) if horizon > 0 else 0.0,
                overloaded=demand >= pool.people,
            )
        )
    queues = sorted(
        (
            StepQueue(step=s, name=steps[s].name, mean_queue_minutes=queue_minutes[s] / visits[s], visits=visits[s])
            for s in visits
            if visits[s] > 0
        ),
        key=lambda q: -q.mean_queue_minutes,
    )
    busiest = queues[0].step if queues and queues[0].mean_queue_minutes > 0 else None
    return SimResult(
        cases=cases,
        lead_p50_minutes=float(np.percentile(measured, 50)),
        lead_p90_minutes=float(np.percentile(measured, 90)),
        lead_mean_minutes=float(measured.mean()),
        roles=sorted(loads, key=lambda r: -r.utilisation),
        queues=queues,
        busiest_queue=busiest,
    )


__all__ = ["CASES", "RoleLoad", "SimResult", "SimulationRefused", "StepQueue", "check_reaches_an_end", "simulate"]


class FlowSimulation(BaseModel):
    """The flow simulated before and after a scenario, with what the comparison shows."""

    before: SimResult
    after: SimResult
    notes: list[str]
    source: str = "docs/methodology.md#flow-simulation"


def compare_runs(flow: Flow, after_flow: Flow, changed: list[str], cases: int = CASES) -> FlowSimulation:
    """Before vs after on the same random numbers: lead time, utilisation, where the queue is."""
    before, after = simulate(flow, cases), simulate(after_flow, cases)
    names = {s.id: s.name for s in after_flow.steps}
    notes: list[str] = []
    if before.busiest_queue and after.busiest_queue and before.busiest_queue != after.busiest_queue:
        notes.append(
            f'The longest queue moves from "{names.get(before.busiest_queue, before.busiest_queue)}" to '
            f'"{names.get(after.busiest_queue, after.busiest_queue)}".'
        )
    moved = (
        (before.lead_p50_minutes - after.lead_p50_minutes) / before.lead_p50_minutes if before.lead_p50_minutes else 0
    )
    if changed and abs(moved) < 0.05:
        where = names.get(before.busiest_queue or "", "")
        text = (
            f"Lead time per case barely moves in the simulation (P50 {before.lead_p50_minutes / 60:,.1f} h -> "
            f"{after.lead_p50_minutes / 60:,.1f} h): the changed steps are not where cases wait"
        )
        notes.append(text + (f'; the longest queue is at "{where}".' if where else "."))
    for load in after.roles:
        if load.overloaded:
            notes.append(f"{load.name} is overloaded after the change: their queue grows for as long as work arrives.")
    return FlowSimulation(before=before, after=after, notes=notes)


__all__ += ["FlowSimulation", "compare_runs"]


def simulate_impact(flow: Flow, impact, cases: int = CASES) -> FlowSimulation:  # impact: assess.Impact
    """The flow before and after the assessed scenario (raises `SimulationRefused` with the step named)."""
    after_flow = impact.after_flow
    if after_flow is None:
        raise SimulationRefused("the simulation needs the assessed flow; assess the scenario again")
    changed = [e.step for e in impact.steps if e.tag != "human"]
    return compare_runs(flow, after_flow, changed, cases)


__all__ += ["simulate_impact"]
