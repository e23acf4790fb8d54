"""Graph building, loops and the swimlane layout."""

from __future__ import annotations

from redesign.graph import back_edges, swimlane_layout, to_digraph
from tests.unit.flows import three_step_flow


def test_steps_are_nodes_and_hand_offs_edges() -> None:
    graph = to_digraph(three_step_flow())
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
