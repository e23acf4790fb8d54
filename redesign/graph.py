"""The flow as a graph: rework loops, ranks and the swimlane layout.

Every function here terminates on any graph, cyclic or not, in time linear in
steps + hand-offs: loops are found by one depth-first search and set aside as
back edges, and everything else works on the acyclic rest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from redesign.model import Flow, Handoff


def back_edges(flow: Flow) -> set[tuple[str, str]]:
    """Hand-offs that close a loop (rework), as (source, target) pairs.

    Hand-offs marked ``rework`` are always loops. Of the rest, a depth-first
    search from the flow's start steps (in file order) classifies the edges that
    return to a step still on the search stack. Removing all of them leaves an
    acyclic graph.
    """
    marked = {(h.source, h.target) for h in flow.handoffs if h.rework}
    successors: dict[str, list[str]] = defaultdict(list)
    indegree: dict[str, int] = {s.id: 0 for s in flow.steps}
    for h in flow.handoffs:
        if (h.source, h.target) in marked or h.source not in indegree or h.target not in indegree:
            continue
        if h.target not in successors[h.source]:
            successors[h.source].append(h.target)
            indegree[h.target] += 1
    order = [s.id for s in flow.steps if indegree[s.id] == 0] + [s.id for s in flow.steps]
    found: set[tuple[str, str]] = set(marked)
    state: dict[str, int] = {}  # 1 = on stack, 2 = done
    no_children: list[str] = []
    for root in order:
        if root in state:
            continue
        state[root] = 1
        # Each stack entry keeps an iterator over its children: the same visiting order as an
        # index into the list, without rebuilding a tuple at every edge (5,000-step flows, twice per assessment).
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(successors.get(root, no_children)))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                continue
            seen = state.get(child)
            if seen == 1:
                found.add((node, child))
            elif seen is None:
                state[child] = 1
                stack.append((child, iter(successors.get(child, no_children))))
    return found


@dataclass(frozen=True)
class Acyclic:
    """The flow without its rework loops as plain adjacency lists: the one graph form here.

    Nodes in file order, each neighbour once (in the order its first hand-off appears),
    and the hand-offs of each edge. Plain lists and dicts, no graph library: `analyze`
    walks it twice per assessment, on 5,000-step flows, and a dropped graph is freed by
    reference counting (it holds no cycle).
    """

    nodes: list[str]
    successors: dict[str, list[str]]
    predecessors: dict[str, list[str]]
    handoffs: dict[tuple[str, str], list[Handoff]]

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(source, target) of every edge, in the order its first hand-off appears."""
        return list(self.handoffs)

    @cached_property
    def topological_order(self) -> list[str]:
        """Every node, each after all its predecessors (Kahn's algorithm); computed once per graph."""
        indegree = {n: len(self.predecessors.get(n, ())) for n in self.nodes}
        ready = [n for n in self.nodes if indegree[n] == 0]
        order: list[str] = []
        while ready:
            node = ready.pop()
            order.append(node)
            for nxt in self.successors.get(node, ()):
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(nxt)
        if len(order) != len(self.nodes):
            raise ValueError("the flow still has a cycle after its rework loops were set aside")
        return order


def acyclic(flow: Flow, loops: set[tuple[str, str]] | None = None) -> Acyclic:
    """`Acyclic` of ``flow`` without the hand-offs in ``loops`` (default: its `back_edges`)."""
    loops = back_edges(flow) if loops is None else loops
    nodes = [s.id for s in flow.steps]
    known = set(nodes)
    successors: dict[str, list[str]] = {}
    predecessors: dict[str, list[str]] = {}
    handoffs: dict[tuple[str, str], list[Handoff]] = {}
    for h in flow.handoffs:
        key = (h.source, h.target)
        if h.source not in known or h.target not in known or key in loops:
            continue
        if key in handoffs:
            handoffs[key].append(h)
        else:
            handoffs[key] = [h]
            successors.setdefault(h.source, []).append(h.target)
            predecessors.setdefault(h.target, []).append(h.source)
    return Acyclic(nodes=nodes, successors=successors, predecessors=predecessors, handoffs=handoffs)


def spliced(
    graph: Acyclic,
    loops: set[tuple[str, str]],
    nodes: list[str],
    inserted: Mapping[str, str],
    links: Iterable[Handoff],
    replaced: Mapping[int, Handoff],
) -> tuple[set[tuple[str, str]], Acyclic]:
    """`back_edges` and `acyclic` of a flow made from ``graph``'s by splicing a step after some of its steps.

    The new flow has the steps ``nodes`` (the old ones, each ``inserted[s]`` right after its ``s``),
    every old hand-off in the same place, those out of an ``s`` now leaving ``inserted[s]``, then
    one hand-off ``s -> inserted[s]`` per entry (``links``, in that order); ``replaced``: the new
    hand-off that stands for an old one, by the old one's ``id()``, where they differ. The answer
    equals what `back_edges` and `acyclic` find on the new flow (a depth-first search passes through
    ``inserted[s]`` right after ``s``, so every back edge keeps its place, moved to the new source),
    in time linear in the edges and without a second search: `analyze` measures the redesigned
    flow (review steps after the reviewed ones) this way. The lists of steps that do not change
    are shared with ``graph``: neither is changed after it is built.
    """

    def moved(step: str) -> str:
        return inserted.get(step, step)

    handoffs: dict[tuple[str, str], list[Handoff]] = {}
    for (source, target), edge in graph.handoffs.items():
        handoffs[moved(source), target] = [replaced.get(id(h), h) for h in edge] if replaced else edge
    successors = dict(graph.successors)
    predecessors = dict(graph.predecessors)
    targets: set[str] = set()
    for link in links:
        source, target = link.source, link.target
        handoffs[source, target] = [link]
        if source in successors:
            successors[target] = successors[source]
            targets.update(successors[source])
        successors[source] = [target]
        predecessors[target] = [source]
    for target in targets:
        predecessors[target] = [moved(p) for p in predecessors[target]]
    dag = Acyclic(nodes=nodes, successors=successors, predecessors=predecessors, handoffs=handoffs)
    if "topological_order" in graph.__dict__:  # the old order with each new step right after its source
        order: list[str] = []
        for node in graph.topological_order:
            order.append(node)
            if node in inserted:
                order.append(inserted[node])
        dag.__dict__["topological_order"] = order
    return {(moved(source), target) for source, target in loops}, dag


def ranks(graph: Acyclic) -> dict[str, int]:
    """Column of each step: the length of the longest path from a start step."""
    rank: dict[str, int] = {}
    for node in graph.topological_order:
        preds = [rank[p] for p in graph.predecessors.get(node, ())]
        rank[node] = max(preds) + 1 if preds else 0
    return rank


@dataclass(frozen=True)
class Loop:
    """A rework loop: the hand-off back and the steps it sends work through again."""

    source: str
    target: str
    steps: tuple[str, ...]


def rework_loops(
    flow: Flow,
    graph: Acyclic | None = None,
    loops: set[tuple[str, str]] | None = None,
    order: dict[str, int] | None = None,
) -> list[Loop]:
    """One loop per back edge, with the steps between its target and its source.

    Enumerating every simple cycle can take exponential time; one loop per back
    edge is what a facilitator needs ("work goes back from X to Y"). The search
    is bounded by rank: only steps ranked between the loop's ends can lie on it.
    ``graph``, ``loops`` and ``order`` (step id -> position in the file): the flow's `acyclic` graph,
    `back_edges` and step order, when the caller has them.
    """
    edges = loops if loops is not None else back_edges(flow)
    graph = graph if graph is not None else acyclic(flow, edges)
    order = order if order is not None else {s.id: i for i, s in enumerate(flow.steps)}
    succ, pred = graph.successors, graph.predecessors
    return _loops(order, edges, ranks(graph), lambda n: succ.get(n, ()), lambda n: pred.get(n, ()))


def _loops(
    order: dict[str, int],
    edges: set[tuple[str, str]],
    rank: dict[str, int],
    successors: Callable[[str], Iterable[str]],
    predecessors: Callable[[str], Iterable[str]],
) -> list[Loop]:
    found: list[Loop] = []
    for source, target in sorted(edges, key=lambda e: (order.get(e[0], 0), order.get(e[1], 0))):
        if source == target or source not in rank or target not in rank:
            found.append(Loop(source=source, target=target, steps=(source,) if source == target else ()))
            continue
        # Ranks grow along every edge, so steps reached forward from the target are already
        # above its rank and steps reached back from the source below its own: one band bounds both.
        band = (rank[target], rank[source])
        downstream = _bounded(successors, target, rank, band)
        upstream = _bounded(predecessors, source, rank, band)
        inside = (downstream & upstream) or {source, target}
        found.append(Loop(source=source, target=target, steps=tuple(sorted(inside, key=order.__getitem__))))
    return found


def _bounded(
    neighbours: Callable[[str], Iterable[str]], start: str, rank: dict[str, int], band: tuple[int, int]
) -> set[str]:
    """Steps reachable from ``start`` through steps ranked within ``band`` (low, high)."""
    low, high = band
    seen = {start}
    stack = [start]
    while stack:
        for nxt in neighbours(stack.pop()):
            if nxt not in seen and low <= rank[nxt] <= high:
                seen.add(nxt)
                stack.append(nxt)
    return seen


@dataclass(frozen=True)
class Lane:
    function: str
    name: str
    colour: str
    top: float  # y of the lane's upper edge (lanes grow downwards)
    height: float


@dataclass
class SwimlaneLayout:
    """Positions for a swimlane diagram: x = column (rank), y = row (lanes stacked).

    Lane ``i`` spans ``[top, top + height)`` in y; a step sits at the centre of
    a row of its lane. Several steps of one lane in one column take extra rows, so
    nothing overlaps.
    """

    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    lanes: list[Lane] = field(default_factory=list)
    columns: int = 0
    loops: set[tuple[str, str]] = field(default_factory=set)

    @property
    def height(self) -> float:
        return sum(lane.height for lane in self.lanes)


def swimlane_layout(flow: Flow) -> SwimlaneLayout:
    """One lane per function (in the flow's order), columns by rank.

    Rework loops are left out of the ranking, so a loop back never drags a step
    to a later column.
    """
    loops = back_edges(flow)
    rank = ranks(acyclic(flow, loops))
    by_cell: dict[tuple[str, int], list[str]] = defaultdict(list)
    for step in flow.steps:
        by_cell[(step.function, rank[step.id])].append(step.id)
    rows_in_lane: dict[str, int] = defaultdict(lambda: 1)
    for (function, _), cell in by_cell.items():
        rows_in_lane[function] = max(rows_in_lane[function], len(cell))
    layout = SwimlaneLayout(columns=(max(rank.values()) + 1) if rank else 0, loops=loops)
    top = 0.0
    lane_top: dict[str, float] = {}
    lane_functions = [f for f in flow.functions]
    known = {f.id for f in lane_functions}
    extra = sorted({s.function for s in flow.steps} - known)
    for lane_fn in lane_functions:  # own name: `function` is a str further down
        height = float(rows_in_lane[lane_fn.id])
        layout.lanes.append(Lane(lane_fn.id, lane_fn.name, lane_fn.colour, top, height))
        lane_top[lane_fn.id] = top
        top += height
    for function_id in extra:  # only in invalid flows; keep them drawable
        height = float(rows_in_lane[function_id])
        layout.lanes.append(Lane(function_id, function_id, "#7f7f7f", top, height))
        lane_top[function_id] = top
        top += height
    for (function, column), cell in by_cell.items():
        for row, step_id in enumerate(cell):
            layout.positions[step_id] = (float(column), lane_top[function] + row + 0.5)
    return layout


def handoff_is_cross_function(flow_steps: dict[str, str], handoff: Handoff) -> bool:
    """Whether a hand-off crosses from one function's lane into another's."""
    return flow_steps.get(handoff.source) != flow_steps.get(handoff.target)
