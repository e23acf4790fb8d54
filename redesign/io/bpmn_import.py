"""Read a BPMN 2.0 XML file (Camunda, Signavio, bpmn.io, Bizagi, Trisotech...) into a flow.

Mapping, and the choices behind it:

- **Lanes become functions.** A node belongs to the innermost lane that lists
  it; the function is named after that lane alone ("Accountant", not
  "Finance / Accountant"), because in a workshop the innermost lane is the team
  at the table. Where two lanes end up with the same name (one "Manager" lane in
  each of two pools), both are qualified with their pool: "Supplier / Manager".
  A pool without lanes becomes one function named after the pool (participant);
  an unnamed lane that is its pool's only lane takes the pool's name. Nodes a
  laned process leaves outside every lane go to a function named after the pool.
- **Activities become steps**: task, userTask, manualTask, serviceTask,
  scriptTask, sendTask, receiveTask, businessRuleTask, callActivity, and
  subProcess / transaction / adHocSubProcess as one step each (what is inside is
  reported as skipped) or, when the import asks for it, their activities as
  steps (`redesign.io.bpmn_subprocesses`). The task type is kept as a hint in the
  description ("BPMN serviceTask: a system does it") and in the rubric: service and script
  tasks score digital input 5, business-rule tasks digital input 5 and rules 5,
  manual tasks digital input 1.
- **Gateways**: an exclusive, inclusive, complex or event-based gateway with a
  name (a question such as "Invoice approved?") becomes a decision step. Unnamed
  gateways, and every parallel gateway (a parallel split decides nothing), are
  collapsed: each step before it is connected to each step after it, with the
  outgoing flow names as the hand-off condition.
- **Events are not steps**: start, end, intermediate and boundary events are
  skipped (and reported), and hand-offs are reconnected through them, so
  A -> timer -> B becomes A -> B. A catching event's name becomes (part of) the
  condition; an intermediate timer with a duration adds its wait to the hand-off.
  A boundary event continues from the activity it is attached to; link events
  connect throw to catch; signal events connect a throw to every catch of the
  same signal (channel "signal").
- **Sequence flows become hand-offs** (condition = flow name), also the ones a
  tool drew between pools (BPMN allows only message flows there; a note says
  so); **message flows** between pools become hand-offs with channel "message".
  Paths that lead from one step to the same next step are merged into one hand-off.
- **Data**: data objects, data object references and data stores become data
  items (a reference becomes the item it refers to; a store's name is the
  item's system); data input/output associations become the step's data in/out.
- **Text annotations** linked to a step by an association go into the step's
  description ("Note: ...") and into `ImportReport.annotations`.
- **Roles**: performers and potential owners that name a resource become roles.
- **Ids**: BPMN ids are kept where they fit the model's id pattern, else cleaned
  deterministically. Elements without a name are called "<type> <id>".
- **Names** lose their line breaks and runs of spaces; text garbled by a double
  UTF-8 / windows-1252 round trip ("klÃƒÂ¤ren") is repaired (`redesign.io.mojibake`).
- **Timings**: BPMN has no volumes or minutes; they are 0 and the report says so.
- **Crossflow's own export** carries ``cf:`` extension elements; when present
  they restore the step, hand-off, function, role, data and scenario details.

Split by concept: this module reads (pools, lanes, nodes, flows, events, paths);
`redesign.io.safe_xml` and `redesign.io.xml_encoding` turn bytes into a tree;
`redesign.io.bpmn_limits` refuses a file over the limits before anything is built;
`redesign.io.bpmn_subprocesses` reads sub-processes (one step each, or their
activities) and event sub-processes; `redesign.io.bpmn_assembly` builds and
validates the flow, restoring Crossflow's own data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath
from typing import Any

from redesign.io.bpmn_assembly import FlowAssembly
from redesign.io.bpmn_extension import (
    BPMNDI_NS,
    CF_NS,
    MODEL_NS,
    bpmn,
    clean_name,
    decode,
    extension,
    local_name,
    namespace,
)
from redesign.io.bpmn_limits import ACTIVITIES, check_limits
from redesign.io.bpmn_subprocesses import BpmnImportOptions, SubProcesses, SubProcessReading, has_activities
from redesign.io.identifiers import IdAllocator
from redesign.io.import_report import Annotation, ImportReport, SkippedElement
from redesign.io.safe_xml import XmlDocument, parse_xml
from redesign.io.safe_xml import XmlElement as Element
from redesign.model import (
    MAX_NAME,
    MAX_TEXT,
    Flow,
    Problem,
)
from redesign.validation import FlowInvalid

TASK_TYPES = frozenset(ACTIVITIES)
CONTAINER_TYPES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
GATEWAY_TYPES = frozenset(
    {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
)
EVENT_TYPES = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "implicitThrowEvent",
    }
)
CATCH_TYPES = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})
THROW_TYPES = frozenset({"endEvent", "intermediateThrowEvent", "implicitThrowEvent"})
FLOW_NODE_TYPES = TASK_TYPES | GATEWAY_TYPES | EVENT_TYPES
_RESOURCE_TAGS = tuple(f"{{{MODEL_NS}}}{t}" for t in ("performer", "humanPerformer", "potentialOwner"))
_DATA_LINK_TAGS = tuple(f"{{{MODEL_NS}}}{t}" for t in ("dataInputAssociation", "dataOutputAssociation"))
FLOW_NODE_TAGS = tuple(f"{{{MODEL_NS}}}{t}" for t in sorted(FLOW_NODE_TYPES))
DATA_TYPES = frozenset({"dataObject", "dataObjectReference", "dataStoreReference"})
ARTIFACT_TYPES = frozenset({"textAnnotation", "association", "group"})
# Children of a process that carry no process content of their own.
QUIET_TYPES = frozenset(
    {
        "documentation",
        "extensionElements",
        "auditing",
        "monitoring",
        "ioSpecification",
        "ioBinding",
        "property",
        "laneSet",
        "supports",
        "correlationSubscription",
        "resourceRole",
        "performer",
        "humanPerformer",
        "potentialOwner",
        "sequenceFlow",
        "dataInputAssociation",
        "dataOutputAssociation",
    }
)

TASK_HINTS: dict[str, str] = {
    "userTask": "a person does it with software",
    "manualTask": "a person does it without software",
    "serviceTask": "a system does it",
    "scriptTask": "a script does it",
    "businessRuleTask": "business rules decide it",
    "sendTask": "sends a message",
    "receiveTask": "waits for a message",
    "callActivity": "calls another process",
    "transaction": "a transaction",
    "adHocSubProcess": "ad-hoc sub-process",
}
# Rubric hints by task type (1-5 scores, see `redesign.model.Rubric`).
RUBRIC_HINTS: dict[str, dict[str, int]] = {
    "serviceTask": {"digital_input": 5},
    "scriptTask": {"digital_input": 5},
    "businessRuleTask": {"digital_input": 5, "rules": 5},
    "manualTask": {"digital_input": 1},
}
MAX_PATH_EXPANSIONS = 20_000  # per start step; guards against pathological gateway meshes

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def duration_minutes(text: str) -> float | None:
    """ISO 8601 duration ("PT15M", "P7D", "P1DT2H") in minutes; None if not one."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    days = parts.get("y", 0) * 365 + parts.get("mo", 0) * 30 + parts.get("w", 0) * 7 + parts.get("d", 0)
    return days * 24 * 60 + parts.get("h", 0) * 60 + parts.get("mi", 0) + parts.get("s", 0) / 60


@dataclass
class _Node:
    element: Element
    tag: str
    bpmn_id: str
    kind: str  # "step", "gateway" (collapsed) or "event"
    name: str
    step_id: str | None = None


@dataclass
class _Edge:
    source: str
    target: str
    label: str
    channel: str
    element_id: str | None
    order: int
    cf: Element | None = None


@dataclass
class _Path:
    source: str  # step id
    target: str  # step id
    labels: tuple[str, ...]
    channel: str
    wait: float
    edges: tuple[_Edge, ...]


@dataclass
class _FunctionDraft:
    id: str
    name: str
    pool: str
    colour: str | None = None
    exact: bool = False  # named by Crossflow's own export: keep the name as written


@dataclass
class _State:
    functions: dict[str, _FunctionDraft] = field(default_factory=dict)  # by function id
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)  # step id -> fields
    step_elements: dict[str, Element] = field(default_factory=dict)
    step_tags: dict[str, str] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)  # data item id -> fields
    data_alias: dict[str, str] = field(default_factory=dict)  # BPMN id -> data item id
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[SkippedElement] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cf_steps: int = 0


class _BpmnReader(SubProcessReading, FlowAssembly):
    def __init__(self, doc: XmlDocument, source: str, options: BpmnImportOptions) -> None:
        self.doc = doc
        self.root = doc.root
        self.source = source
        self.state = _State(notes=list(doc.notes))
        # Only Crossflow's own exports carry cf: elements; other files skip every extension lookup.
        self.has_cf = next(self.root.iter(f"{{{CF_NS}}}*"), None) is not None
        # Likewise performers and data associations: most files have none, so most steps skip the lookups.
        self.has_resources = next(self.root.iter(*_RESOURCE_TAGS), None) is not None
        self.has_data_links = next(self.root.iter(*_DATA_LINK_TAGS), None) is not None
        self.processes = self.root.findall(bpmn("process"))
        self.nodes: dict[str, _Node] = {}
        self.inner_owner: dict[str, str] = {}  # BPMN id inside a sub-process -> the sub-process's BPMN id
        self.options = options
        self.pool_of: dict[str, str] = {}  # node id -> the id of the process (pool) it is drawn in
        self.pool_label: dict[str, str] = {}  # process id -> its pool's name
        self.exit_of: dict[str, str] = {}  # expanded sub-process id -> its exit node id
        self.members: dict[str, list[str]] = defaultdict(list)  # expanded sub-process id -> its steps' node ids
        self.open_containers: list[str] = []  # expanded sub-processes being read, outermost first
        self.event_subprocesses: list[tuple[Element, Element]] = []  # (event sub-process, its scope)
        self.message_targets: set[str] = set()  # ids that a message flow ends at
        self.sequence_flows: list[Element] = []
        self.cross_pool: list[tuple[str, str, str]] = []  # (flow id, from pool, to pool)
        self.edges: list[_Edge] = []
        self.step_ids = IdAllocator()
        self.function_ids = IdAllocator()
        self.handoff_ids = IdAllocator()
        self.data_ids = IdAllocator()
        self.role_ids = IdAllocator()
        self.pool_names: dict[str, str] = {}  # process id -> participant name
        self.pool_ids: dict[str, str] = {}  # process id -> participant id
        self.edge_order = 0
        self.handoffs: list[dict[str, Any]] = []  # hand-off fields, in document order (see _handoffs_from_paths)

    # ------------------------------------------------------------------ helpers
    @cached_property
    def by_id(self) -> dict[str, Element]:
        """Every BPMN element with an id; built only when a lookup needs it (most small files never do)."""
        found: dict[str, Element] = {}
        for element in self.root.iter(f"{{{MODEL_NS}}}*"):  # lxml filters in C: the diagram is never visited
            element_id = element.get("id")
            if element_id:
                found.setdefault(element_id, element)
        return found

    def ext(self, element: Element, local: str) -> list[Element]:
        """The ``cf:<local>`` elements on an element (none at all in a file without Crossflow's namespace)."""
        return extension(element, local) if self.has_cf else []

    def skip(
        self, element: Element | None, reason: str, element_id: str | None = None, kind: str | None = None
    ) -> None:
        self.state.skipped.append(
            SkippedElement(
                element_id=element_id or (element.get("id", "") if element is not None else ""),
                element_type=kind or (local_name(element.tag) if element is not None else ""),
                reason=reason,
                line=self.doc.line(element) if element is not None else None,
            )
        )

    def ref(self, raw: str | None) -> str:
        """An id reference as written; a QName ("tns:Task_1", as some tools write) loses its prefix."""
        value = (raw or "").strip()
        if ":" in value and value not in self.by_id and value.split(":", 1)[1] in self.by_id:
            return value.split(":", 1)[1]
        return value

    def name_of(self, element: Element) -> str:
        return clean_name(element.get("name")) or f"{local_name(element.tag)} {element.get('id', '')}".strip()

    def next_order(self) -> int:
        self.edge_order += 1
        return self.edge_order

    # ------------------------------------------------------------------ run
    def run(self) -> tuple[Flow, ImportReport]:
        if local_name(self.root.tag) != "definitions" or namespace(self.root.tag) != MODEL_NS:
            raise FlowInvalid(
                [
                    Problem(
                        location=f"line {self.doc.line(self.root) or 1}",
                        message=(
                            f"the root element is <{local_name(self.root.tag) or self.root.tag}>"
                            f"{' in namespace ' + namespace(self.root.tag) if namespace(self.root.tag) else ''}; "
                            f"a BPMN 2.0 file starts with <definitions> in namespace {MODEL_NS}"
                        ),
                    )
                ]
            )
        self._participants()
        self._data_stores()
        processes = self.processes
        for process in processes:
            self._process(process)
        for flow in self.sequence_flows:
            self._sequence_flow(flow)
        self._cross_pool_note()
        self._message_flows()
        self._event_links()
        self._event_subprocess_triggers()
        self._handoffs_from_paths()
        self._annotations()
        self._skip_root_extras()
        if not self.root.findall(f"{{{BPMNDI_NS}}}BPMNDiagram") and self.state.steps:
            self.state.notes.append("the file has no diagram layout (BPMNDI); Crossflow lays out the swimlanes itself")
        return self._build(processes)

    # ------------------------------------------------------------------ pools and lanes
    def _participants(self) -> None:
        for collaboration in self.root.findall(bpmn("collaboration")):
            for participant in collaboration.findall(bpmn("participant")):
                process_ref = self.ref(participant.get("processRef"))
                if process_ref:
                    self.pool_names.setdefault(process_ref, clean_name(participant.get("name")))
                    self.pool_ids.setdefault(process_ref, participant.get("id", process_ref))

    def _pool(self, process: Element) -> tuple[str, str]:
        """(raw id, name) of the pool around a process."""
        process_id = process.get("id", "process")
        name = self.pool_names.get(process_id) or clean_name(process.get("name"))
        if not name and len(self.processes) == 1:
            name = clean_name(self.root.get("name")) or clean_name(PurePath(self.source).stem if self.source else "")
        name = name or f"process {process_id}"
        return self.pool_ids.get(process_id, process_id), name

    def _new_function(self, raw_id: str, name: str, pool: str, element: Element | None) -> str:
        cf_function = self.ext(element, "function") if element is not None else []
        wanted = cf_function[0].get("id", raw_id) if cf_function else raw_id
        function_id = self.function_ids.take(wanted, "function")
        colour = cf_function[0].get("colour") if cf_function else None
        self.state.functions[function_id] = _FunctionDraft(
            function_id, name[:MAX_NAME], pool, colour, bool(cf_function)
        )
        return function_id

    def _lanes(self, process: Element, pool_name: str) -> dict[str, str]:
        """BPMN node id -> function id, by the innermost lane that lists the node."""
        lane_sets = process.findall(bpmn("laneSet"))
        for extra in lane_sets[1:]:
            self.skip(extra, "a second lane set in one process; only the first one becomes functions")
        if not lane_sets:
            return {}
        leaves: list[Element] = []
        parents: list[Element] = []
        stack = [(lane, 0) for lane in reversed(lane_sets[0].findall(bpmn("lane")))]
        ordered: list[Element] = []
        while stack:
            lane, depth = stack.pop()
            ordered.append(lane)
            children = [c for ls in lane.findall(bpmn("childLaneSet")) for c in ls.findall(bpmn("lane"))]
            (parents if children else leaves).append(lane)
            stack.extend((c, depth + 1) for c in reversed(children))
        lane_of: dict[str, Element] = {}
        for lane in ordered:  # parents come before their children, so the innermost lane wins
            for ref in lane.findall(bpmn("flowNodeRef")):
                if ref.text and ref.text.strip():
                    lane_of[self.ref(ref.text)] = lane
        used_parents = {id(lane) for lane in lane_of.values() if lane in parents}
        function_of_lane: dict[int, str] = {}
        for lane in ordered:
            if lane in parents and id(lane) not in used_parents:
                continue
            name = (lane.get("name") or "") if self.ext(lane, "function") else clean_name(lane.get("name"))
            if not name:
                name = pool_name if len(leaves) == 1 else f"lane {lane.get('id', '')}".strip()
            function_of_lane[id(lane)] = self._new_function(lane.get("id", "lane"), name, pool_name, lane)
        return {node: function_of_lane[id(lane)] for node, lane in lane_of.items() if id(lane) in function_of_lane}

    # ------------------------------------------------------------------ processes
    def _process(self, process: Element) -> None:
        pool_raw_id, pool_name = self._pool(process)
        lane_of = self._lanes(process, pool_name)
        pool_function: list[str] = []  # created on first use

        def function_for(node_id: str, default: str | None = None) -> str:
            if node_id in lane_of:
                return lane_of[node_id]
            if default is not None:
                return default
            if not pool_function:
                pool_function.append(self._new_function(pool_raw_id, pool_name, pool_name, None))
            return pool_function[0]

        self._data_objects(process)
        self.pool_label[process.get("id", "")] = pool_name
        self._scope(process, process.get("id", ""), function_for, None)
        if not any(local_name(c.tag) in FLOW_NODE_TYPES for c in process):
            self.skip(process, "the process is empty (no tasks, events or gateways)")

    def _scope(self, scope: Element, pool: str, function_for: Any, default: str | None) -> None:
        """The flow nodes directly in a process or an expanded sub-process; its sequence flows for later."""
        for child in scope:
            tag = local_name(child.tag)
            if tag in FLOW_NODE_TYPES:
                self._flow_node(child, tag, pool, function_for, default)
            elif tag == "sequenceFlow":
                self.sequence_flows.append(child)
            elif tag in DATA_TYPES or tag in ARTIFACT_TYPES or tag in QUIET_TYPES or not tag:
                continue
            elif child.get("id"):
                self.skip(child, f"BPMN {tag} has no counterpart in a Crossflow flow")

    def _flow_node(self, element: Element, tag: str, pool: str, function_for: Any, default: str | None) -> None:
        bpmn_id = element.get("id")
        if not bpmn_id:
            self.skip(element, "the element has no id, so nothing can connect to it")
            return
        self.pool_of[bpmn_id] = pool
        if element.get("triggeredByEvent") == "true" and tag == "subProcess":
            self.event_subprocesses.append((element, element.getparent()))
        name = self.name_of(element)
        has_cf = bool(self.ext(element, "step"))
        expand = self.options.sub_processes == SubProcesses.ACTIVITIES
        if tag in CONTAINER_TYPES and expand and not has_cf and has_activities(element):
            self._expanded(element, tag, name, pool, function_for, default)
            return
        if tag in TASK_TYPES:
            if tag in CONTAINER_TYPES and not clean_name(element.get("name")):
                name = self.container_name(element)
            node = _Node(element, tag, bpmn_id, "step", name)
            self._step(node, function_for(bpmn_id, default))
            if tag in CONTAINER_TYPES:
                self._folded(element, node, pool, function_for, default)
        elif tag in GATEWAY_TYPES:
            if has_cf or (tag != "parallelGateway" and clean_name(element.get("name"))):
                node = _Node(element, tag, bpmn_id, "step", name)
                self._step(node, function_for(bpmn_id, default), decision=True)
            else:
                node = _Node(element, tag, bpmn_id, "gateway", name)
                why = "a parallel gateway decides nothing" if tag == "parallelGateway" else "a gateway without a name"
                self.skip(element, f"{why}: collapsed into hand-offs between the steps around it")
        else:
            node = _Node(element, tag, bpmn_id, "event", name)
            self.skip(element, "events are not steps: the hand-offs through it are kept")
        self.nodes[bpmn_id] = node
        if node.kind == "step":
            for container in self.open_containers:
                self.members[container].append(bpmn_id)

    def _step(self, node: _Node, function_id: str, decision: bool = False) -> None:
        element = node.element
        cf_step = self.ext(element, "step")
        wanted = cf_step[0].get("id", node.bpmn_id) if cf_step else node.bpmn_id
        step_id = self.step_ids.take(wanted, "step")
        node.step_id = step_id
        fields: dict[str, Any] = {"id": step_id, "function": function_id}
        documentation = "\n".join((d.text or "") for d in element.findall(bpmn("documentation")))
        if cf_step:
            self.state.cf_steps += 1
            fields["name"] = (element.get("name") or "")[:MAX_NAME] or node.name
            fields["_documentation"] = documentation
            fields["_cf"] = cf_step[0]
        else:
            fields["name"] = node.name
            fields["_documentation"] = documentation.strip()
            if decision:
                fields["kind"] = "decision"
                fields["_hint"] = f"BPMN {node.tag}: a decision"
            elif node.tag in TASK_HINTS:
                fields["_hint"] = f"BPMN {node.tag}: {TASK_HINTS[node.tag]}"
            if node.tag in RUBRIC_HINTS:
                fields["rubric"] = dict(RUBRIC_HINTS[node.tag])
        self.state.steps[step_id] = fields
        self.state.step_elements[step_id] = element
        self.state.step_tags[step_id] = node.tag
        self._data_associations(element, step_id)
        self._resources(element, step_id, function_id)

    # ------------------------------------------------------------------ data
    def _data_stores(self) -> None:
        for store in self.root.findall(bpmn("dataStore")):
            self._data_item(store, system=True)

    def _data_item(self, element: Element, system: bool = False, name: str | None = None) -> str:
        bpmn_id = element.get("id", "data")
        cf_data = self.ext(element, "data")
        wanted = cf_data[0].get("id", bpmn_id) if cf_data else bpmn_id
        item_id = self.data_ids.take(wanted, "data")
        item_name = name or self.name_of(element)
        if cf_data and element.get("name"):
            item_name = (element.get("name") or "")[:MAX_NAME]
        fields: dict[str, Any] = {"id": item_id, "name": item_name}
        if cf_data:
            fields.update({k: v for k, v in decode(cf_data[0]).items() if k not in ("id", "name", "description")})
            documentation = "\n".join((d.text or "") for d in element.findall(bpmn("documentation")))
            if documentation:
                fields["description"] = documentation
        else:
            documentation = "\n".join((d.text or "").strip() for d in element.findall(bpmn("documentation")))
            if documentation:
                fields["description"] = documentation[:MAX_TEXT]
            if system:
                fields["system"] = item_name
        self.state.data[item_id] = fields
        self.state.data_alias[bpmn_id] = item_id
        return item_id

    def _data_objects(self, process: Element) -> None:
        for element in process.iter(bpmn("dataObject")):
            if element.get("id"):
                self._data_item(element)
        for spec in process.findall(bpmn("ioSpecification")):
            for element in [*spec.findall(bpmn("dataInput")), *spec.findall(bpmn("dataOutput"))]:
                if element.get("id"):
                    self._data_item(element)
        for element in process.iter(bpmn("dataObjectReference"), bpmn("dataStoreReference")):
            tag = local_name(element.tag)
            ref_id = element.get("id")
            if not ref_id:
                continue
            target = self.ref(
                element.get("dataObjectRef") if tag == "dataObjectReference" else element.get("dataStoreRef")
            )
            if target and target in self.state.data_alias:
                item_id = self.state.data_alias[target]
                self.state.data_alias[ref_id] = item_id
                if self.state.data[item_id]["name"].startswith(("dataObject ", "dataStore ")) and element.get("name"):
                    self.state.data[item_id]["name"] = clean_name(element.get("name"))
            else:
                self._data_item(element, system=tag == "dataStoreReference")

    def _data_associations(self, task: Element, step_id: str) -> None:
        if not self.has_data_links:
            return
        fields = self.state.steps[step_id]
        for assoc in task.findall(bpmn("dataInputAssociation")):
            for ref in assoc.findall(bpmn("sourceRef")):
                self._data_ref(assoc, self.ref(ref.text), fields.setdefault("data_in", []))
        for assoc in task.findall(bpmn("dataOutputAssociation")):
            for ref in assoc.findall(bpmn("targetRef")):
                self._data_ref(assoc, self.ref(ref.text), fields.setdefault("data_out", []))

    def _data_ref(self, assoc: Element, ref: str, into: list[str]) -> None:
        if ref in self.state.data_alias:
            item = self.state.data_alias[ref]
            if item not in into:
                into.append(item)
        elif ref not in self.by_id:
            self.skip(assoc, f'refers to "{ref}", which is not in the file')
        # Anything else (a task's own dataInput or a placeholder property) is the
        # task side of the association, not a data item.

    # ------------------------------------------------------------------ roles
    def _resources(self, task: Element, step_id: str, function_id: str) -> None:
        if not self.has_resources:
            return
        for tag in ("performer", "humanPerformer", "potentialOwner"):
            for role_element in task.findall(bpmn(tag)):
                ref = role_element.find(bpmn("resourceRef"))
                resource = self.by_id.get(self.ref(ref.text)) if ref is not None else None
                if resource is None or local_name(resource.tag) != "resource":
                    continue
                raw = resource.get("id", "resource")
                role_id = next((rid for rid, r in self.state.roles.items() if r["_bpmn"] == raw), None)
                if role_id is None:
                    role_id = self.role_ids.take(raw, "role")
                    self.state.roles[role_id] = {
                        "id": role_id,
                        "name": self.name_of(resource),
                        "function": function_id,
                        "_bpmn": raw,
                    }
                self.state.steps[step_id].setdefault("owner", role_id)

    # ------------------------------------------------------------------ connections
    def _endpoint(self, ref: str | None) -> str | None:
        if not ref:
            return None
        if ref in self.nodes:
            return ref
        return self.inner_owner.get(ref)

    def _missing(self, missing: str, allowed: str) -> str:
        """What a flow's or boundary event's far end really is, when no hand-off can use it."""
        if not missing:
            return "nothing (the reference is empty)"
        element = self.by_id.get(missing)
        if element is None:
            return f'"{missing}", which is not in the file'
        tag = local_name(element.tag)
        if tag == "participant":
            return f'the pool "{self.name_of(element)}", not one of its steps'
        if tag in FLOW_NODE_TYPES:
            return f'the {tag} "{missing}", which was not read (see its own entry)'
        return f'the {tag} "{missing}", which is not {allowed}'

    def _sequence_flow(self, flow: Element) -> None:
        source, target = self.ref(flow.get("sourceRef")), self.ref(flow.get("targetRef"))
        a, b = self._endpoint(self.exit_of.get(source, source)), self._endpoint(target)
        if a is None or b is None:
            self.skip(flow, "points to " + self._missing(source if a is None else target, "a task, gateway or event"))
            return
        owner = self.inner_owner.get(source)
        if owner is not None and owner == self.inner_owner.get(target):
            self.skip(flow, f'inside the sub-process "{self.nodes[owner].name}", which is imported as one step')
            return
        pools = (self.pool_of.get(source, ""), self.pool_of.get(target, ""))
        if pools[0] != pools[1]:  # by process id: two pools may share a name
            names = (self.pool_label.get(pools[0], pools[0]), self.pool_label.get(pools[1], pools[1]))
            self.cross_pool.append((flow.get("id", ""), *names))
        cf_handoff = self.ext(flow, "handoff")
        self.edges.append(
            _Edge(
                a,
                b,
                (flow.get("name") or "")[:MAX_NAME] if cf_handoff else clean_name(flow.get("name")),
                "",
                flow.get("id"),
                self.next_order(),
                cf_handoff[0] if cf_handoff else None,
            )
        )

    def _message_flows(self) -> None:
        for collaboration in self.root.findall(bpmn("collaboration")):
            for flow in collaboration.findall(bpmn("messageFlow")):
                source, target = self.ref(flow.get("sourceRef")), self.ref(flow.get("targetRef"))
                a, b = self._endpoint(source), self._endpoint(target)
                if a is None or b is None:
                    self.skip(flow, "points to " + self._missing(source if a is None else target, "a task or an event"))
                    continue
                self.message_targets.add(target)
                self.edges.append(
                    _Edge(a, b, clean_name(flow.get("name")), "message", flow.get("id"), self.next_order())
                )

    def _event_links(self) -> None:
        """Boundary events, link events and signals: connections BPMN draws without a flow."""
        link_throws: dict[tuple[Element | None, str], list[str]] = defaultdict(list)
        link_catches: dict[tuple[Element | None, str], list[str]] = defaultdict(list)
        signal_throws: dict[str, list[str]] = defaultdict(list)
        signal_catches: dict[str, list[str]] = defaultdict(list)
        for node in self.nodes.values():
            if node.kind != "event":
                continue
            element = node.element
            attached = self.ref(element.get("attachedToRef"))
            if node.tag == "boundaryEvent":
                if attached in self.exit_of:  # an expanded sub-process: it can fire during any of its steps
                    hosts = list(self.members[attached])
                else:
                    host = self._endpoint(attached)
                    hosts = [host] if host is not None else []
                if not hosts and attached not in self.exit_of:
                    self.skip(element, "is attached to " + self._missing(attached, "an activity"))
                for host in hosts:
                    self.edges.append(_Edge(host, node.bpmn_id, "", "", None, self.next_order()))
            for link in element.findall(bpmn("linkEventDefinition")):
                key = (element.getparent(), link.get("name") or node.name)
                (link_catches if node.tag in CATCH_TYPES else link_throws)[key].append(node.bpmn_id)
            for signal in element.findall(bpmn("signalEventDefinition")):
                ref = self.ref(signal.get("signalRef"))
                if ref:
                    (signal_catches if node.tag in CATCH_TYPES else signal_throws)[ref].append(node.bpmn_id)
        for key, throws in link_throws.items():
            for throw in throws:
                for catch in link_catches.get(key, []):
                    self.edges.append(_Edge(throw, catch, "", "", None, self.next_order()))
        for ref, throws in signal_throws.items():
            for throw in throws:
                for catch in signal_catches.get(ref, []):
                    self.edges.append(_Edge(throw, catch, "", "signal", None, self.next_order()))

    # ------------------------------------------------------------------ hand-offs
    def _paths_from(self, start: _Node, out_edges: dict[str, list[_Edge]]) -> list[_Path]:
        """Every way from a step to the next steps, passing through events and gateways."""
        found: list[_Path] = []
        stack: list[tuple[str, tuple[str, ...], str, float, tuple[_Edge, ...]]] = []
        for edge in reversed(out_edges.get(start.bpmn_id, [])):
            stack.append((edge.target, (edge.label,) if edge.label else (), edge.channel, 0.0, (edge,)))
        seen: set[tuple[str, tuple[str, ...], str]] = set()
        expansions = 0
        while stack:
            node_id, labels, channel, wait, edges = stack.pop()
            node = self.nodes[node_id]
            if node.kind == "step":  # a path ends at the first step it reaches
                found.append(_Path(start.step_id or "", node.step_id or "", labels, channel, wait, edges))
                continue
            key = (node_id, labels, channel)
            if key in seen:
                continue
            seen.add(key)
            expansions += 1
            if expansions > MAX_PATH_EXPANSIONS:
                self.state.notes.append(
                    f'the paths after step "{start.name}" branch too much to follow them all; '
                    "some hand-offs may be missing"
                )
                break
            named_catch = node.tag in CATCH_TYPES and clean_name(node.element.get("name"))
            if named_catch and node.name not in labels:
                labels = (*labels, node.name)
            if node.tag == "intermediateCatchEvent":
                wait += self._timer_wait(node.element)
            for edge in reversed(out_edges.get(node_id, [])):
                new_labels = labels if not edge.label or edge.label in labels else (*labels, edge.label)
                new_channel = _stronger(channel, edge.channel)
                stack.append((edge.target, new_labels, new_channel, wait, (*edges, edge)))
        return found

    def _timer_wait(self, element: Element) -> float:
        total = 0.0
        for timer in element.findall(bpmn("timerEventDefinition")):
            for duration in timer.findall(bpmn("timeDuration")):
                minutes = duration_minutes(duration.text or "")
                if minutes:
                    total += minutes
        return total

    def _handoffs_from_paths(self) -> None:
        out_edges: dict[str, list[_Edge]] = defaultdict(list)
        for edge in self.edges:
            out_edges[edge.source].append(edge)
        groups: dict[tuple[str, str], list[_Path]] = {}
        singles: list[_Path] = []
        for node in self.nodes.values():
            if node.kind != "step":
                continue
            for path in self._paths_from(node, out_edges):
                if len(path.edges) == 1 and path.edges[0].cf is not None:
                    singles.append(path)  # a hand-off Crossflow wrote: keep it as it was
                else:
                    groups.setdefault((path.source, path.target), []).append(path)
        drafts: list[tuple[int, dict[str, Any]]] = []
        for path in singles:
            drafts.append((path.edges[0].order, self._handoff_from_cf(path)))
        for (source, target), paths in groups.items():
            drafts.append((min(p.edges[-1].order for p in paths), self._merged_handoff(source, target, paths)))
        drafts.sort(key=lambda d: d[0])
        self.handoffs = [d for _, d in drafts]

    def _handoff_from_cf(self, path: _Path) -> dict[str, Any]:
        edge = path.edges[0]
        assert edge.cf is not None
        body = decode(edge.cf)
        wanted = body.pop("id", edge.element_id or f"{path.source}_to_{path.target}")
        fields = {
            **body,
            "id": self.handoff_ids.take(wanted, "handoff"),
            "source": path.source,
            "target": path.target,
            "condition": edge.label,
            "_cf_element": edge,
        }
        return fields

    def _merged_handoff(self, source: str, target: str, paths: list[_Path]) -> dict[str, Any]:
        conditions: list[str] = []
        for path in paths:
            text = "; ".join(path.labels)
            if text and text not in conditions:
                conditions.append(text)
        channel = ""
        for path in paths:
            channel = _stronger(channel, path.channel)
        if len(paths) == 1 and len(paths[0].edges) == 1 and paths[0].edges[0].element_id:
            wanted = paths[0].edges[0].element_id or ""
        else:
            wanted = f"{source}_to_{target}"
        condition = "; ".join(conditions)
        if len(condition) > MAX_NAME:
            condition = condition[: MAX_NAME - 1] + "…"
        fields: dict[str, Any] = {
            "id": self.handoff_ids.take(wanted, "handoff"),
            "source": source,
            "target": target,
            "condition": condition,
        }
        if channel:
            fields["channel"] = channel
        wait = max(p.wait for p in paths)
        if wait:
            fields["wait_minutes"] = wait
        if source == target:
            fields["rework"] = True
        shared = [
            d for d in self.state.steps[source].get("data_out", []) if d in self.state.steps[target].get("data_in", [])
        ]
        if shared:
            fields["data"] = shared
        return fields

    # ------------------------------------------------------------------ annotations and leftovers
    def _annotations(self) -> None:
        annotations = {e.get("id", ""): e for e in self.root.iter(bpmn("textAnnotation")) if e.get("id")}
        linked: set[str] = set()
        for assoc in self.root.iter(bpmn("association")):
            ends = [self.ref(assoc.get("sourceRef")), self.ref(assoc.get("targetRef"))]
            note_ids = [e for e in ends if e in annotations]
            others = [e for e in ends if e not in annotations]
            if not note_ids or not others:
                continue
            note = annotations[note_ids[0]]
            linked.add(note_ids[0])
            text = "\n".join((t.text or "").strip() for t in note.findall(bpmn("text"))).strip()
            node = self.nodes.get(others[0])
            if not text:
                self.skip(note, "the text annotation is empty")
            elif node is None or node.step_id is None:
                if others[0] in self.by_id:
                    what = local_name(self.by_id[others[0]].tag)
                    self.skip(note, f'annotates a {what} ("{others[0]}"), which is not a step')
                else:
                    self.skip(note, f'annotates "{others[0]}", which is not in the file')
            else:
                self.state.annotations.append(Annotation(step_id=node.step_id, text=text))
                self.state.steps[node.step_id].setdefault("_notes", []).append(text)
        for note_id, note in annotations.items():
            if note_id not in linked:
                self.skip(note, "the text annotation is not linked to any element")
        for group in self.root.iter(bpmn("group")):
            self.skip(group, "groups are visual only")

    def _skip_root_extras(self) -> None:
        for child in self.root:
            tag = local_name(child.tag)
            if namespace(child.tag) != MODEL_NS:
                continue
            if tag in ("choreography", "globalTask", "globalUserTask", "globalManualTask", "globalScriptTask"):
                self.skip(child, f"BPMN {tag} has no counterpart in a Crossflow flow")


def _stronger(a: str, b: str) -> str:
    """The channel that describes a path: a message beats a signal beats nothing."""
    rank = {"": 0, "signal": 1, "message": 2}
    return a if rank.get(a, 0) >= rank.get(b, 0) else b


def import_bpmn(data: bytes, source: str = "", options: BpmnImportOptions | None = None) -> tuple[Flow, ImportReport]:
    """BPMN 2.0 XML bytes -> (flow, report). Raises `FlowInvalid` with a clear message."""
    doc = parse_xml(data, check=check_limits)
    try:
        return _BpmnReader(doc, source, options or BpmnImportOptions()).run()
    except RecursionError:
        # from None on purpose: the RecursionError's traceback is a thousand frames that say nothing more.
        raise FlowInvalid([Problem(location="", message="the BPMN file is nested too deeply to read")]) from None
