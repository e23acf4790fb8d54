"""BPMN export: valid for bpmn.io's own parser, drawn from our layout, and export -> import
gives the flow back (steps, hand-offs, lanes and every Crossflow attribute)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bpmn_corpus import (
    decisions_in_step_order,
    interop_files,
    interop_id,
    moddle_available,
    moddle_check,
    require,
    sample_flows,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redesign.graph import swimlane_layout
from redesign.io.bpmn_export import COLUMN_W, GATEWAY_SIDE, TASK_H, TASK_W, export_bpmn
from redesign.io.bpmn_extension import BPMNDI_NS, CF_NS, DC_NS, MODEL_NS
from redesign.io.bpmn_import import import_bpmn
from redesign.io.safe_xml import parse_xml
from redesign.model import (
    DataItem,
    Decision,
    Flow,
    Function,
    Handoff,
    Role,
    RoleKind,
    Scenario,
    Step,
    StepKind,
    Tag,
)
from redesign.names import hidden_character, normalise

SAMPLES = sample_flows()
INTEROP = interop_files()


def _round_trip(flow: Flow) -> Flow:
    again, report = import_bpmn(export_bpmn(flow).encode("utf-8"), "export.bpmn")
    lost = [s for s in report.skipped if not (s.element_type == "process" and "empty" in s.reason)]
    assert lost == [], lost
    return again


@pytest.mark.parametrize(("name", "flow"), SAMPLES, ids=[n for n, _ in SAMPLES])
def test_export_then_import_gives_the_flow_back(name: str, flow: Flow) -> None:
    assert _round_trip(flow) == decisions_in_step_order(flow)


@pytest.mark.parametrize("path", INTEROP, ids=[interop_id(p) for p in INTEROP])
def test_imported_interop_files_survive_export_and_import(path: Path) -> None:
    flow, _ = import_bpmn(path.read_bytes(), path.name)
    again = _round_trip(flow)
    assert [(s.id, s.name, s.function, s.kind) for s in again.steps] == [
        (s.id, s.name, s.function, s.kind) for s in flow.steps
    ]
    assert [(h.source, h.target, h.condition) for h in again.handoffs] == [
        (h.source, h.target, h.condition) for h in flow.handoffs
    ]
    assert again == flow


def test_export_structure_and_layout() -> None:
    flow = dict(SAMPLES)["built:invoice_approval"]
    doc = parse_xml(export_bpmn(flow).encode())
    m, di, dc = f"{{{MODEL_NS}}}", f"{{{BPMNDI_NS}}}", f"{{{DC_NS}}}"
    root = doc.root
    assert len(root.findall(f"{m}collaboration/{m}participant")) == 1
    lanes = root.findall(f"{m}process/{m}laneSet/{m}lane")
    assert [lane.get("name") for lane in lanes] == [f.name for f in flow.functions]
    tasks = {e.get("id"): e.tag.split("}")[1] for e in root.find(f"{m}process") if e.tag.endswith("ask")}
    assert tasks == {
        "Step_receive": "userTask",  # owned by a person
        "Step_read-data": "serviceTask",  # owned by an AI agent
        "Step_approve": "userTask",
        "Step_pay": "task",  # no owner
    }
    gateway = root.find(f"{m}process/{m}exclusiveGateway")
    assert gateway is not None and gateway.get("id") == "Step_match"  # a decision is a gateway other tools see
    assert gateway.find(f"{m}extensionElements/{{{CF_NS}}}step").get("kind") == "decision"
    flows = root.findall(f"{m}process/{m}sequenceFlow")
    assert [f.get("name") or "" for f in flows] == [h.condition for h in flow.handoffs]
    bounds = {}
    for shape in root.iter(f"{di}BPMNShape"):
        b = shape.find(f"{dc}Bounds")
        bounds[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
    layout = swimlane_layout(flow)
    for step in flow.steps:
        x, y, w, h = bounds[f"Step_{step.id}"]
        if step.kind == StepKind.DECISION:  # a 50 x 50 diamond in the middle of the task's cell
            assert (w, h) == (GATEWAY_SIDE, GATEWAY_SIDE)
            x, y, w, h = x - (TASK_W - w) / 2, y - (TASK_H - h) / 2, TASK_W, TASK_H
        assert (w, h) == (TASK_W, TASK_H)
        column, _ = layout.positions[step.id]
        assert x == bounds[f"Step_{flow.steps[0].id}"][0] + column * COLUMN_W  # x = column
        lane = next(lane for lane in layout.lanes if lane.function == step.function)
        lx, ly, lw, lh = bounds[f"Lane_{lane.function}"]
        assert ly <= y and y + h <= ly + lh and lx < x and x + w <= lx + lw  # inside its lane
    edges = list(root.iter(f"{di}BPMNEdge"))
    assert len(edges) == len(flow.handoffs)
    assert all(len(e.findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) >= 2 for e in edges)


def test_empty_flow_exports_and_comes_back() -> None:
    flow = Flow(id="empty", name="Nothing yet")
    again, report = import_bpmn(export_bpmn(flow).encode("utf-8"))
    assert again == flow
    assert [s.reason for s in report.skipped] == ["the process is empty (no tasks, events or gateways)"]


def test_text_xml_cannot_carry_is_dropped_not_fatal() -> None:
    flow = Flow(
        id="f",
        name="Bell and NUL",
        functions=[Function(id="a", name="A")],
        steps=[Step(id="s", name="Tab\there", function="a", description="form\x0cfeed")],
    )
    # names refuse control characters (redesign.names); a flow built without validation may still carry them
    flow = flow.model_copy(update={"name": "Bell\x07 and NUL\x00"})
    again = _round_trip(flow)
    assert again.name == "Bell and NUL"
    assert again.steps[0].description == "formfeed" and again.steps[0].name == "Tab here"


# --------------------------------------------------------------------------- bpmn-moddle


def _moddle_ok(tmp_path: Path, name: str, xml: str) -> None:
    path = tmp_path / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.bpmn"
    path.write_text(xml, encoding="utf-8")
    result = moddle_check(path)
    assert result.get("error") is None, result
    assert result["rootElement"] == "bpmn:Definitions"
    assert result["warnings"] == []


@pytest.mark.parametrize(("name", "flow"), SAMPLES, ids=[n for n, _ in SAMPLES])
def test_bpmn_moddle_reads_our_export_without_warnings(tmp_path: Path, name: str, flow: Flow) -> None:
    require(moddle_available(), "node or bpmn-moddle is missing (run: npm ci --prefix tests/node)")
    _moddle_ok(tmp_path, name, export_bpmn(flow))


def test_bpmn_moddle_reads_reexported_interop_files(tmp_path: Path) -> None:
    require(moddle_available(), "node or bpmn-moddle is missing (run: npm ci --prefix tests/node)")
    require(bool(INTEROP), "the interop corpus is missing")
    for path in INTEROP:
        flow, _ = import_bpmn(path.read_bytes(), path.name)
        _moddle_ok(tmp_path, path.name, export_bpmn(flow))


def test_bpmn_moddle_check_reports_warnings(tmp_path: Path) -> None:
    """The checker itself can fail: an element BPMN does not define is a warning."""
    require(moddle_available(), "node or bpmn-moddle is missing (run: npm ci --prefix tests/node)")
    xml = export_bpmn(Flow(id="f", name="F")).replace(
        "<bpmn:extensionElements>", '<bpmn:nonsense id="z" /><bpmn:extensionElements>', 1
    )
    path = tmp_path / "bad.bpmn"
    path.write_text(xml, encoding="utf-8")
    warnings = moddle_check(path)["warnings"]
    assert len(warnings) == 1 and "unknown type <bpmn:Nonsense>" in warnings[0]["message"]


# --------------------------------------------------------------------------- property


_ids = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,12}", fullmatch=True)
_chars = st.characters(exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n\t\r<>&\"' ")
_text = st.text(_chars, max_size=40)
# names are NFKC with nothing invisible (redesign.names): draw only what a name can be
_names = (
    st.text(_chars, min_size=1, max_size=40).map(normalise).filter(lambda n: n != "" and hidden_character(n) is None)
)
_amount = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def flows(draw: st.DrawFn) -> Flow:
    function_ids = draw(st.lists(_ids, min_size=1, max_size=4, unique=True))
    functions = [Function(id=f, name=draw(_names)) for f in function_ids]
    roles = [Role(id=f"r_{f}", name=draw(_names), function=f) for f in function_ids[:2]]
    roles.append(
        Role(
            id="bot",
            name="Bot",
            function=function_ids[0],
            kind=RoleKind.AI_AGENT,
            accountable_role="r_" + function_ids[0],
        )
    )
    data_ids = draw(st.lists(_ids, max_size=4, unique=True))
    data = [DataItem(id=d, name=draw(_names), system=draw(_text)) for d in data_ids]
    step_ids = draw(st.lists(_ids, max_size=10, unique=True))
    steps = [
        Step(
            id=s,
            name=draw(_names),
            description=draw(_text),
            function=draw(st.sampled_from(function_ids)),
            owner=draw(st.none() | st.sampled_from([r.id for r in roles])),
            kind=draw(st.sampled_from(list(StepKind))),
            volume=draw(_amount),
            touch_minutes=draw(_amount),
            wait_minutes=draw(_amount),
            pca=draw(st.floats(min_value=0, max_value=100)),
            data_in=draw(st.lists(st.sampled_from(data_ids), unique=True)) if data_ids else [],
            data_out=draw(st.lists(st.sampled_from(data_ids), unique=True)) if data_ids else [],
            skills=draw(st.lists(_names, max_size=2)),
        )
        for s in step_ids
    ]
    handoffs = []
    if step_ids:
        pairs = draw(st.lists(st.tuples(st.sampled_from(step_ids), st.sampled_from(step_ids)), max_size=15))
        for i, (a, b) in enumerate(pairs):
            handoffs.append(
                Handoff(
                    id=f"h{i}",
                    source=a,
                    target=b,
                    condition=draw(_text),
                    channel=draw(_text),
                    rework=a == b or draw(st.booleans()),
                    data=draw(st.lists(st.sampled_from(data_ids), unique=True)) if data_ids else [],
                )
            )
    decisions = [
        Decision(step=s, tag=draw(st.sampled_from(list(Tag))), rationale=draw(_text))
        for s in step_ids
        if draw(st.booleans())
    ]
    return Flow(
        id="generated",
        name=draw(_names),
        description=draw(_text),
        functions=functions,
        roles=roles,
        data_items=data,
        steps=steps,
        handoffs=handoffs,
        scenarios=[Scenario(id="sc", name=draw(_names), decisions=decisions)],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_round_trip_property(flow: Flow) -> None:
    assert not flow.problems()
    again = _round_trip(flow)
    assert [s.id for s in again.steps] == [s.id for s in flow.steps]
    assert [(h.id, h.source, h.target) for h in again.handoffs] == [(h.id, h.source, h.target) for h in flow.handoffs]
    assert [(f.id, f.name) for f in again.functions] == [(f.id, f.name) for f in flow.functions]
    assert again == decisions_in_step_order(flow)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(flows())
def test_bpmn_moddle_reads_generated_flows(tmp_path: Path, flow: Flow) -> None:
    require(moddle_available(), "node or bpmn-moddle is missing (run: npm ci --prefix tests/node)")
    _moddle_ok(tmp_path, "generated", export_bpmn(flow))


def test_a_decision_with_data_is_an_exclusive_gateway_and_comes_back_exactly(tmp_path: Path) -> None:
    flow = dict(SAMPLES)["built:invoice_approval"]
    item = flow.data_items[0].id
    steps = [
        s.model_copy(update={"data_in": [item], "data_out": [item]}) if s.kind == StepKind.DECISION else s
        for s in flow.steps
    ]
    flow = flow.model_copy(update={"steps": steps})
    xml = export_bpmn(flow)
    root = parse_xml(xml.encode()).root
    m = f"{{{MODEL_NS}}}"
    gateways = root.findall(f"{m}process/{m}exclusiveGateway")
    assert [g.get("name") for g in gateways] == [s.name for s in flow.steps if s.kind == StepKind.DECISION]
    assert all(g.find(f"{m}dataInputAssociation") is None for g in gateways)  # BPMN gives gateways none
    assert _round_trip(flow) == decisions_in_step_order(flow)
    require(moddle_available(), "node or bpmn-moddle is missing (run: npm ci --prefix tests/node)")
    _moddle_ok(tmp_path, "decision-with-data", xml)
