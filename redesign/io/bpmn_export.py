"""Write a flow as BPMN 2.0 XML that bpmn.io, Camunda and Signavio can open.

One collaboration with one pool (the flow), one lane per function, one task per
step (a ``userTask`` when a person owns it, a ``serviceTask`` when an AI agent
does, else a plain ``task``), one ``exclusiveGateway`` per decision step (so
other tools see the decision; its Crossflow data, data items included, rides in
the extension, since BPMN gives a gateway no data associations), one sequence
flow per hand-off (named by its condition), data items as data objects with data
associations, and the diagram (BPMNDI) drawn from our swimlane layout:
x = column, y = row, tasks 100 x 80, gateways 50 x 50 in the middle of their cell.

Everything BPMN has no place for (volume, minutes, %C&A, roles, scenarios and
their per-step decisions) rides in ``cf:`` extension elements
(`redesign.io.bpmn_extension`), so `redesign.io.bpmn_import` restores the flow:
export then import gives the same steps, hand-offs, functions, roles, data items
and scenarios (decisions come back in step order).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, indent, register_namespace, tostring

from redesign import __version__
from redesign.graph import SwimlaneLayout, swimlane_layout
from redesign.io.bpmn_extension import (
    BPMNDI_NS,
    DC_NS,
    DI_NS,
    PREFIXES,
    bpmn,
    encode,
    xml_safe,
)
from redesign.model import Decision, Flow, Handoff, RoleKind, Step, StepKind

for _prefix, _uri in PREFIXES.items():
    register_namespace(_prefix, _uri)

# Diagram geometry in pixels (bpmn.io's defaults: tasks 100 x 80, pool label band 30).
TASK_W, TASK_H = 100, 80
GATEWAY_SIDE = 50
COLUMN_W = 160  # task plus the gap an arrow needs
ROW_H = 120
POOL_BAND = 30  # the pool's vertical name band
LANE_BAND = 30  # each lane's name band
PAD = 40  # room left of the first column for a loop back to turn in
X0, Y0 = 0, 0

_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.\-]")


def _di(local: str) -> str:
    return f"{{{BPMNDI_NS}}}{local}"


def _dc(local: str) -> str:
    return f"{{{DC_NS}}}{local}"


def _ddi(local: str) -> str:
    return f"{{{DI_NS}}}{local}"


class _XmlIds:
    """BPMN ids are XML NCNames, unique across the whole document."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, prefix: str, raw: str) -> str:
        base = prefix + _NOT_NCNAME.sub("_", raw)
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}_{n}", n + 1
        self.taken.add(candidate)
        return candidate


@dataclass
class _Ids:
    steps: dict[str, str]
    handoffs: dict[str, str]
    lanes: dict[str, str]
    data: dict[str, str]
    data_refs: dict[str, str]


def _allocate(flow: Flow, layout: SwimlaneLayout, xml_ids: _XmlIds) -> _Ids:
    return _Ids(
        steps={s.id: xml_ids.take("Step_", s.id) for s in flow.steps},
        handoffs={h.id: xml_ids.take("Flow_", h.id) for h in flow.handoffs},
        lanes={lane.function: xml_ids.take("Lane_", lane.function) for lane in layout.lanes},
        data={d.id: xml_ids.take("Data_", d.id) for d in flow.data_items},
        data_refs={d.id: xml_ids.take("DataRef_", d.id) for d in flow.data_items},
    )


@dataclass
class _Index:
    """Per-step lookups built once, so the export stays linear in the flow's size."""

    tags: dict[str, str]
    decisions: dict[str, list[tuple[str, Decision]]]
    incoming: dict[str, list[str]]
    outgoing: dict[str, list[str]]
    by_function: dict[str, list[Step]]


def _index(flow: Flow, ids: _Ids) -> _Index:
    roles = flow.roles_by_id()
    index = _Index(
        tags={},
        decisions=defaultdict(list),
        incoming=defaultdict(list),
        outgoing=defaultdict(list),
        by_function=defaultdict(list),
    )
    for step in flow.steps:
        owner = roles.get(step.owner) if step.owner else None
        if step.kind == StepKind.DECISION:
            index.tags[step.id] = "exclusiveGateway"
        elif owner is None:
            index.tags[step.id] = "task"
        else:
            index.tags[step.id] = "serviceTask" if owner.kind == RoleKind.AI_AGENT else "userTask"
        index.by_function[step.function].append(step)
    for scenario in flow.scenarios:
        for decision in scenario.decisions:
            index.decisions[decision.step].append((scenario.id, decision))
    for handoff in flow.handoffs:
        if handoff.id in ids.handoffs:
            index.incoming[handoff.target].append(ids.handoffs[handoff.id])
            index.outgoing[handoff.source].append(ids.handoffs[handoff.id])
    return index


def _documentation(parent: Element, text: str) -> None:
    if text:
        SubElement(parent, bpmn("documentation")).text = xml_safe(text)


def _process_extensions(process: Element, flow: Flow) -> None:
    ext = SubElement(process, bpmn("extensionElements"))
    body = flow.model_dump(
        mode="json",
        exclude_defaults=True,
        exclude={"name", "description", "functions", "roles", "data_items", "steps", "handoffs", "scenarios"},
    )
    encode(ext, "flow", {"id": flow.id, **body})
    for role in flow.roles:
        encode(ext, "role", role.model_dump(mode="json", exclude_defaults=True))
    for scenario in flow.scenarios:
        encode(ext, "scenario", scenario.model_dump(mode="json", exclude_defaults=True, exclude={"decisions"}))


def _lanes(process: Element, flow: Flow, layout: SwimlaneLayout, ids: _Ids, index: _Index) -> None:
    if not layout.lanes:
        return
    lane_set = SubElement(process, bpmn("laneSet"), {"id": "LaneSet_1"})
    colours = {f.id: f.colour for f in flow.functions}
    for lane in layout.lanes:
        element = SubElement(lane_set, bpmn("lane"), {"id": ids.lanes[lane.function], "name": xml_safe(lane.name)})
        ext = SubElement(element, bpmn("extensionElements"))
        encode(ext, "function", {"id": lane.function, "colour": colours.get(lane.function, lane.colour)})
        for step in index.by_function[lane.function]:
            SubElement(element, bpmn("flowNodeRef")).text = ids.steps[step.id]


def _data_objects(process: Element, flow: Flow, ids: _Ids) -> None:
    for item in flow.data_items:
        obj = SubElement(process, bpmn("dataObject"), {"id": ids.data[item.id], "name": xml_safe(item.name)})
        _documentation(obj, item.description)
        ext = SubElement(obj, bpmn("extensionElements"))
        encode(ext, "data", item.model_dump(mode="json", exclude_defaults=True, exclude={"name", "description"}))
        SubElement(
            process,
            bpmn("dataObjectReference"),
            {"id": ids.data_refs[item.id], "name": xml_safe(item.name), "dataObjectRef": ids.data[item.id]},
        )


def _task(process: Element, step: Step, ids: _Ids, xml_ids: _XmlIds, index: _Index) -> None:
    step_xml_id = ids.steps[step.id]
    gateway = index.tags[step.id] == "exclusiveGateway"
    task = SubElement(process, bpmn(index.tags[step.id]), {"id": step_xml_id, "name": xml_safe(step.name)})
    _documentation(task, step.description)
    ext = SubElement(task, bpmn("extensionElements"))
    # A gateway cannot carry data associations in BPMN, so its data items stay in the extension.
    exclude = {"name", "description"} if gateway else {"name", "description", "data_in", "data_out"}
    encode(ext, "step", step.model_dump(mode="json", exclude_defaults=True, exclude=exclude))
    seen_scenarios: set[str] = set()
    for scenario_id, decision in index.decisions.get(step.id, []):
        if scenario_id in seen_scenarios:
            continue  # a step decided twice in one scenario (an invalid flow): keep the first, as decision_for does
        seen_scenarios.add(scenario_id)
        body = decision.model_dump(mode="json", exclude_defaults=True, exclude={"step"})
        encode(ext, "decision", {"scenario": scenario_id, **body})
    for flow_id in index.incoming.get(step.id, []):
        SubElement(task, bpmn("incoming")).text = flow_id
    for flow_id in index.outgoing.get(step.id, []):
        SubElement(task, bpmn("outgoing")).text = flow_id
    if gateway:
        return
    data_in = [d for d in step.data_in if d in ids.data_refs]
    data_out = [d for d in step.data_out if d in ids.data_refs]
    if data_in:
        # bpmn.io's own pattern: an input association needs a target inside the task.
        placeholder = xml_ids.take("Property_", step_xml_id)
        SubElement(task, bpmn("property"), {"id": placeholder, "name": "__targetRef_placeholder"})
        for data_id in data_in:
            assoc = SubElement(task, bpmn("dataInputAssociation"), {"id": xml_ids.take("DataIn_", step_xml_id)})
            SubElement(assoc, bpmn("sourceRef")).text = ids.data_refs[data_id]
            SubElement(assoc, bpmn("targetRef")).text = placeholder
    for data_id in data_out:
        assoc = SubElement(task, bpmn("dataOutputAssociation"), {"id": xml_ids.take("DataOut_", step_xml_id)})
        SubElement(assoc, bpmn("targetRef")).text = ids.data_refs[data_id]


def _sequence_flow(process: Element, handoff: Handoff, ids: _Ids) -> None:
    attrs = {
        "id": ids.handoffs[handoff.id],
        "sourceRef": ids.steps[handoff.source],
        "targetRef": ids.steps[handoff.target],
    }
    if handoff.condition:
        attrs["name"] = xml_safe(handoff.condition)
    element = SubElement(process, bpmn("sequenceFlow"), attrs)
    ext = SubElement(element, bpmn("extensionElements"))
    encode(
        ext,
        "handoff",
        handoff.model_dump(mode="json", exclude_defaults=True, exclude={"source", "target", "condition"}),
    )


# --------------------------------------------------------------------------- diagram


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float


def _bounds(parent: Element, box: _Box) -> None:
    SubElement(
        parent,
        _dc("Bounds"),
        {"x": _num(box.x), "y": _num(box.y), "width": _num(box.w), "height": _num(box.h)},
    )


def _num(value: float) -> str:
    return str(round(value))


def _task_box(layout: SwimlaneLayout, step_id: str) -> _Box:
    column, y_centre = layout.positions[step_id]
    x = X0 + POOL_BAND + LANE_BAND + PAD + column * COLUMN_W
    y = Y0 + (y_centre - 0.5) * ROW_H + (ROW_H - TASK_H) / 2
    return _Box(x, y, TASK_W, TASK_H)


def _step_box(layout: SwimlaneLayout, step: Step) -> _Box:
    box = _task_box(layout, step.id)
    if step.kind != StepKind.DECISION:
        return box
    return _Box(box.x + (box.w - GATEWAY_SIDE) / 2, box.y + (box.h - GATEWAY_SIDE) / 2, GATEWAY_SIDE, GATEWAY_SIDE)


def _waypoints(source: _Box, target: _Box) -> list[tuple[float, float]]:
    """Orthogonal route: forward edges leave right and enter left; loops back go below."""
    gap = COLUMN_W - TASK_W
    margin = (ROW_H - TASK_H) / 4  # inside the empty band under a row of tasks
    turn_x = target.x - gap / 2  # the gap just before the target's column
    if target.x > source.x:
        start = (source.x + source.w, source.y + source.h / 2)
        end = (target.x, target.y + target.h / 2)
        if target.x - source.x > COLUMN_W * 1.5:
            # Skipping columns: run along the empty band under the source's row,
            # so the line never crosses the tasks in between.
            below = source.y + source.h + margin
            out_x = start[0] + gap / 2
            return [start, (out_x, start[1]), (out_x, below), (turn_x, below), (turn_x, end[1]), end]
        if start[1] == end[1]:
            return [start, end]
        # Vertical legs sit in the gap between columns, never through a task.
        return [start, (turn_x, start[1]), (turn_x, end[1]), end]
    if source == target:  # a self-loop: out of the right side, back in from below
        below = source.y + source.h + margin
        return [
            (source.x + source.w, source.y + source.h / 2),
            (source.x + source.w + PAD / 2, source.y + source.h / 2),
            (source.x + source.w + PAD / 2, below),
            (source.x + source.w / 2, below),
            (source.x + source.w / 2, source.y + source.h),
        ]
    # A loop back: down into the band under the source's row, back along it to
    # the gap before the target's column, then along that gap into the target.
    below = source.y + source.h + margin
    return [
        (source.x + source.w / 2, source.y + source.h),
        (source.x + source.w / 2, below),
        (turn_x, below),
        (turn_x, target.y + target.h / 2),
        (target.x, target.y + target.h / 2),
    ]


def _diagram(definitions: Element, flow: Flow, layout: SwimlaneLayout, ids: _Ids) -> None:
    diagram = SubElement(definitions, _di("BPMNDiagram"), {"id": "BPMNDiagram_1", "name": xml_safe(flow.name)})
    plane = SubElement(diagram, _di("BPMNPlane"), {"id": "BPMNPlane_1", "bpmnElement": "Collaboration_1"})
    width = POOL_BAND + LANE_BAND + PAD + max(layout.columns, 1) * COLUMN_W
    height = max(layout.height, 1.0) * ROW_H
    pool = SubElement(
        plane, _di("BPMNShape"), {"id": "Participant_1_di", "bpmnElement": "Participant_1", "isHorizontal": "true"}
    )
    _bounds(pool, _Box(X0, Y0, width, height))
    for lane in layout.lanes:
        lane_id = ids.lanes[lane.function]
        shape = SubElement(
            plane, _di("BPMNShape"), {"id": f"{lane_id}_di", "bpmnElement": lane_id, "isHorizontal": "true"}
        )
        _bounds(shape, _Box(X0 + POOL_BAND, Y0 + lane.top * ROW_H, width - POOL_BAND, lane.height * ROW_H))
    boxes = {step.id: _step_box(layout, step) for step in flow.steps if step.id in layout.positions}
    for step in flow.steps:
        if step.id in boxes:
            xml_id = ids.steps[step.id]
            shape = SubElement(plane, _di("BPMNShape"), {"id": f"{xml_id}_di", "bpmnElement": xml_id})
            _bounds(shape, boxes[step.id])
    for handoff in flow.handoffs:
        if handoff.id not in ids.handoffs or handoff.source not in boxes or handoff.target not in boxes:
            continue
        xml_id = ids.handoffs[handoff.id]
        edge = SubElement(plane, _di("BPMNEdge"), {"id": f"{xml_id}_di", "bpmnElement": xml_id})
        for x, y in _waypoints(boxes[handoff.source], boxes[handoff.target]):
            SubElement(edge, _ddi("waypoint"), {"x": _num(x), "y": _num(y)})


# --------------------------------------------------------------------------- public


def export_bpmn(flow: Flow) -> str:
    """The flow as a BPMN 2.0 XML document (UTF-8 text with an XML declaration)."""
    layout = swimlane_layout(flow)
    xml_ids = _XmlIds()
    for fixed in ("Definitions_1", "Collaboration_1", "Participant_1", "Process_1", "LaneSet_1"):
        xml_ids.taken.add(fixed)
    ids = _allocate(flow, layout, xml_ids)
    definitions = Element(
        bpmn("definitions"),
        {
            "id": "Definitions_1",
            "name": xml_safe(flow.name),
            "targetNamespace": "https://crossflow.dev/flows",
            "exporter": "Crossflow",
            "exporterVersion": __version__,
        },
    )
    collaboration = SubElement(definitions, bpmn("collaboration"), {"id": "Collaboration_1"})
    SubElement(
        collaboration,
        bpmn("participant"),
        {"id": "Participant_1", "name": xml_safe(flow.name), "processRef": "Process_1"},
    )
    process = SubElement(
        definitions, bpmn("process"), {"id": "Process_1", "name": xml_safe(flow.name), "isExecutable": "false"}
    )
    _documentation(process, flow.description)
    _process_extensions(process, flow)
    index = _index(flow, ids)
    _lanes(process, flow, layout, ids, index)
    _data_objects(process, flow, ids)
    for step in flow.steps:
        _task(process, step, ids, xml_ids, index)
    known = set(ids.steps)
    for handoff in flow.handoffs:
        if handoff.source in known and handoff.target in known:
            _sequence_flow(process, handoff, ids)
    _diagram(definitions, flow, layout, ids)
    indent(definitions, space="  ")
    body = tostring(definitions, encoding="unicode")
    # ElementTree escapes carriage returns in attributes but not in text, where an
    # XML parser would turn them into line feeds: escape them so text round-trips.
    body = body.replace("\r", "&#13;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
