"""Graph building, loops and the swimlane layout."""

from __future__ import annotations

import gc
import weakref

from redesign.graph import acyclic, back_edges, rework_loops, swimlane_layout
from redesign.metrics import analyze
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
