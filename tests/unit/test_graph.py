"""Graph building, loops and the swimlane layout."""

from __future__ import annotations

import gc
import weakref

from hypothesis import given, settings
from hypothesis import strategies as st

from redesign.graph import acyclic, back_edges, rework_loops, spliced, swimlane_layout
from redesign.metrics import analyze
from redesign.model import Flow, Function, Handoff, Step
from tests.unit.flows import three_step_flow


def test_steps_are_nodes_and_hand_offs_edges() -> None:
    graph = acyclic(three_step_flow(), loops=set())  # every hand-off kept
    assert sorted(graph.nodes) == ["a", "b", "c"]
    assert sorted(graph.edges) == [("a", "b"), ("b", "c"), ("c", "a")]


def test_the_loop_back_is_the_back_edge() -> None:
    assert back_edges(three_step_flow()) == {("c", "a")}


def test_marked_rework_is_a_back_edge_even_forwards() -> None:
    flow = three_step_flow()
    flow.handoffs[2].rework = True
    assert ("c", "a") in back_edges(flow)


def test_layout_puts_each_step_in_its_lane_and_column() -> None:
    layout = swimlane_layout(three_step_flow())
    assert [lane.function for lane in layout.lanes] == ["sales", "finance"]
    assert layout.positions == {"a": (0.0, 0.5), "b": (1.0, 1.5), "c": (2.0, 1.5)}
    assert layout.columns == 3


def test_steps_sharing_a_cell_get_their_own_rows() -> None:
    flow = three_step_flow()
    flow.handoffs[1].source = "a"  # a -> b and a -> c: b and c both in column 1 of Finance
    layout = swimlane_layout(flow)
    finance = layout.lanes[1]
    assert finance.height == 2
    assert {layout.positions["b"], layout.positions["c"]} == {(1.0, 1.5), (1.0, 2.5)}


def _freed_without_the_collector() -> bool:
    """Whether a graph that computed its topological order is gone as soon as its last reference is."""
    graph = acyclic(three_step_flow())
    assert graph.topological_order and graph.edges and graph.successors["a"]  # what analyze and the layout use
    gone = weakref.ref(graph)
    gc.disable()
    try:
        del graph
        return gone() is None
    finally:
        gc.enable()


def test_a_graph_is_freed_by_reference_counting() -> None:
    assert _freed_without_the_collector()  # plain lists and dicts: no cycle waits for the collector


def test_the_loop_free_graph_drops_only_the_loops() -> None:
    graph = acyclic(three_step_flow())
    assert graph.edges == [("a", "b"), ("b", "c")]
    assert graph.topological_order == ["a", "b", "c"]


def test_analysis_and_layout_leave_no_reference_cycles() -> None:
    flow = three_step_flow()
    analyze(flow)  # first calls fill module-level caches
    gc.collect()
    gc.disable()
    try:
        analyze(flow)
        swimlane_layout(flow)
        rework_loops(flow)
        assert gc.collect() == 0  # nothing left for the cyclic collector: all freed by reference counting
    finally:
        gc.enable()


@st.composite
def _splices(draw: st.DrawFn) -> tuple[Flow, Flow, dict[str, str]]:
    """A random flow (loops of every kind, repeated hand-offs) and the same flow with steps spliced in."""
    n = draw(st.integers(min_value=1, max_value=12))
    steps = [Step(id=f"s{i}", name=f"Step {i}", function="sales") for i in range(n)]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.booleans()), max_size=3 * n))
    handoffs = [Handoff(id=f"h{k}", source=f"s{a}", target=f"s{b}", rework=r) for k, (a, b, r) in enumerate(pairs)]
    reviewed = draw(st.lists(st.sampled_from([s.id for s in steps]), unique=True))
    inserted = {s: f"{s}__review" for s in reviewed}
    after_steps: list[Step] = []
    for step in steps:
        after_steps.append(step)
        if step.id in inserted:
            after_steps.append(Step(id=inserted[step.id], name="Review", function="sales"))
    moved = [h.model_copy(update={"source": inserted[h.source]}) if h.source in inserted else h for h in handoffs]
    links = [Handoff(id=f"{s}__in", source=s, target=inserted[s]) for s in reviewed]
    before = Flow(id="f", name="F", functions=[Function(id="sales", name="Sales")], steps=steps, handoffs=handoffs)
    after = before.model_copy(update={"steps": after_steps, "handoffs": [*moved, *links]})
    return before, after, inserted


@settings(max_examples=300, deadline=None)
@given(_splices())
def test_a_spliced_graph_is_the_graph_of_the_spliced_flow(case: tuple[Flow, Flow, dict[str, str]]) -> None:
    before, after, inserted = case
    loops = back_edges(before)
    graph = acyclic(before, loops)
    assert graph.topological_order  # computed, so the spliced graph derives its own from it
    links = after.handoffs[len(before.handoffs) :]
    replaced = {id(b): a for b, a in zip(before.handoffs, after.handoffs, strict=False) if b is not a}
    nodes = [s.id for s in after.steps]
    spliced_loops, dag = spliced(graph, loops, nodes, inserted, links, replaced)
    assert spliced_loops == back_edges(after)
    fresh = acyclic(after, spliced_loops)
    assert dag == fresh and list(dag.handoffs) == list(fresh.handoffs)  # same edges, in the same order
    position = {node: i for i, node in enumerate(dag.topological_order)}
    assert sorted(position) == sorted(nodes)
    assert all(position[s] < position[t] for s, t in dag.edges)
    assert analyze(after, (spliced_loops, dag)) == analyze(after)
