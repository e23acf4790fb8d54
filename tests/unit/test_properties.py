"""Properties over random flows, cyclic or not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redesign.graph import Acyclic, acyclic, rework_loops, swimlane_layout
from redesign.io.flow_json import dumps, loads
from redesign.metrics import analyze
from redesign.model import DataItem, Flow, Function, Handoff, Step

FUNCTIONS = ["sales", "it", "hr", "finance", "ops"]


@st.composite
def flows(draw, cyclic: bool = True) -> Flow:
    n = draw(st.integers(min_value=0, max_value=25))
    steps = [
        Step(
            id=f"s{i}",
            name=f"Step {i}",
            function=draw(st.sampled_from(FUNCTIONS)),
            volume=draw(st.floats(0, 1000, allow_nan=False)),
            touch_minutes=draw(st.floats(0, 600, allow_nan=False)),
            wait_minutes=draw(st.floats(0, 6000, allow_nan=False)),
            pca=draw(st.floats(0, 100, allow_nan=False)),
            data_in=draw(st.lists(st.sampled_from(["d0", "d1", "d2"]), max_size=2, unique=True)),
            data_out=draw(st.lists(st.sampled_from(["d0", "d1", "d2"]), max_size=2, unique=True)),
        )
        for i in range(n)
    ]
    pairs = draw(
        st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0))), max_size=3 * n)
        if n
        else st.just([])
    )
    handoffs = []
    for k, (a, b) in enumerate(pairs):
        if not cyclic and a >= b:
            continue
        handoffs.append(
            Handoff(
                id=f"h{k}",
                source=f"s{a}",
                target=f"s{b}",
                rework=(a == b),
                wait_minutes=draw(st.floats(0, 100, allow_nan=False)),
            )
        )
    return Flow(
        id="random",
        name="Random",
        functions=[Function(id=f, name=f.title()) for f in FUNCTIONS],
        data_items=[DataItem(id=d, name=d) for d in ("d0", "d1", "d2")],
        steps=steps,
        handoffs=handoffs,
    )


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(flows())
def test_analysis_terminates_and_touch_hours_are_the_sum(flow: Flow) -> None:
    m = analyze(flow)
    assert m.touch_hours == pytest.approx(sum(s.volume * s.touch_minutes / 60 for s in flow.steps))
    assert m.handoffs == len(flow.handoffs)
    assert 0 <= m.rolled_pca <= 100
    assert m.lead_time_minutes >= m.critical_touch_minutes >= 0


def _digraph(graph: Acyclic) -> Any:
    import networkx as nx

    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from(graph.edges)
    return dag


@SETTINGS
@given(flows())
def test_removing_loops_leaves_an_acyclic_graph(flow: Flow) -> None:
    import networkx as nx

    assert nx.is_directed_acyclic_graph(_digraph(acyclic(flow)))


@SETTINGS
@given(flows())
def test_a_loop_holds_exactly_the_steps_on_a_path_from_its_target_to_its_source(flow: Flow) -> None:
    import networkx as nx

    graph = acyclic(flow)
    dag = _digraph(graph)  # networkx as an independent check of the loops found on the plain lists
    for loop in rework_loops(flow, graph):
        if loop.source == loop.target:
            assert loop.steps == (loop.source,)
            continue
        after_target = nx.descendants(dag, loop.target) | {loop.target}
        on_a_path = after_target & (nx.ancestors(dag, loop.source) | {loop.source})
        assert set(loop.steps) == (on_a_path or {loop.source, loop.target})


@SETTINGS
@given(flows())
def test_every_step_lands_in_its_function_lane(flow: Flow) -> None:
    layout = swimlane_layout(flow)
    lanes = {lane.function: lane for lane in layout.lanes}
    for step in flow.steps:
        _, y = layout.positions[step.id]
        lane = lanes[step.function]
        assert lane.top <= y < lane.top + lane.height
    assert len(set(layout.positions.values())) == len(flow.steps)  # nothing overlaps


@SETTINGS
@given(flows(cyclic=False))
def test_on_a_dag_the_lead_time_is_at_least_every_single_step(flow: Flow) -> None:
    m = analyze(flow)
    for step in flow.steps:
        assert m.lead_time_minutes >= step.touch_minutes + step.wait_minutes - 1e-6


@SETTINGS
@given(flows())
def test_files_round_trip(flow: Flow) -> None:
    text = dumps(flow)
    assert loads(text) == flow
    assert dumps(loads(text)) == text
