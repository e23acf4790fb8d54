"""Sub-processes in a BPMN import: one step each, or their activities as steps.

The facilitator chooses (`BpmnImportOptions.sub_processes`):

- **one step per sub-process** (the default, `SubProcesses.ONE_STEP`): the
  sub-process becomes a step; what is inside is reported as skipped. A
  sub-process without a name is named after the activities inside it ("Check
  order, Ship goods and 2 more"), never after its generated id.
- **its activities as steps** (`SubProcesses.ACTIVITIES`): every activity
  inside becomes a step in the sub-process's lane (a sub-process with no
  activity inside, as a collapsed one is often saved, stays one step); hand-offs into the
  sub-process go to its first steps, hand-offs out of it leave from its last
  ones, and a boundary event on it can fire during any of its steps.

In both, a boundary event that a tool drew inside the sub-process it is attached
to (Visual Paradigm does) belongs to the outer level, with its outgoing flows;
and an **event sub-process** is connected to what triggers it: the error,
escalation or signal thrown in its scope when there is one, a message flow
when one ends at it, else the steps of its scope (it can start while any of
them runs), the hand-off named after its start event.

The mixin's methods run on `redesign.io.bpmn_import._BpmnReader`, typed as `redesign.io.bpmn_reading.BpmnReading`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from redesign.io.bpmn_extension import MODEL_NS, bpmn, local_name
from redesign.io.bpmn_limits import ACTIVITIES
from redesign.model import MAX_NAME

if TYPE_CHECKING:
    from redesign.io.bpmn_reading import BpmnReading

ACTIVITY_TAGS = tuple(f"{{{MODEL_NS}}}{t}" for t in ACTIVITIES)
_TRIGGERS = ("message", "timer", "error", "escalation", "signal", "conditional", "compensate")
_THROWN = ("error", "escalation", "signal")  # triggers a throw event in the same scope can raise


class SubProcesses(StrEnum):
    ONE_STEP = "one-step"  # one step per sub-process, named after its contents when it has no name
    ACTIVITIES = "activities"  # its activities become steps


class BpmnImportOptions(BaseModel):
    """Choices a person makes when importing a BPMN file."""

    sub_processes: SubProcesses = SubProcesses.ONE_STEP


def _names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) <= 3:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return f"{names[0]}, {names[1]} and {len(names) - 2} more"


def has_activities(element: Any) -> bool:
    """Whether a sub-process holds any activity (a collapsed one drawn without contents does not)."""
    return any(e is not element for e in element.iter(*ACTIVITY_TAGS))


def _trigger(reader: BpmnReading, start: Any) -> tuple[str, str]:
    """(kind, referenced id) of a start event's trigger: ("error", "Error_1"), ("timer", ""), ("none", "")."""
    for kind in _TRIGGERS:
        definition = start.find(bpmn(f"{kind}EventDefinition"))
        if definition is not None:
            return kind, reader.ref(definition.get(f"{kind}Ref"))
    return "none", ""


class SubProcessReading:
    """Reading sub-processes, folded or expanded; mixed into the BPMN reader."""

    def container_name(self: BpmnReading, element: Any) -> str:
        """A name for an unnamed sub-process, from the activities (else the start events) inside it."""
        from redesign.io.bpmn_import import clean_name

        names = [clean_name(e.get("name")) for e in element.iter(*ACTIVITY_TAGS) if e is not element]
        names = [n for n in names if n]
        if not names:
            names = [clean_name(e.get("name")) for e in element.iter(bpmn("startEvent"))]
            names = [n for n in names if n]
        kind = "Event sub-process" if element.get("triggeredByEvent") == "true" else "Sub-process"
        if not names:
            return f"{kind} without named activities"
        return _names(names)[:MAX_NAME]

    def _folded(self: BpmnReading, element: Any, node: Any, pool: str, function_for: Any, default: str | None) -> None:
        from redesign.io.bpmn_import import FLOW_NODE_TAGS, TASK_TYPES

        inner = [e for e in element.iter(*FLOW_NODE_TAGS) if e is not element]
        lifted = []
        for item in inner:
            item_id = item.get("id")
            if not item_id:
                continue
            if local_name(item.tag) == "boundaryEvent" and self.ref(item.get("attachedToRef")) == node.bpmn_id:
                lifted.append(item)  # drawn inside the sub-process it is attached to: it belongs outside
                continue
            self.inner_owner[item_id] = node.bpmn_id
            self.pool_of[item_id] = pool
            self.skip(item, f'inside the sub-process "{node.name}", which is imported as one step')
        # Every flow inside is looked at: a lifted boundary event's flows become hand-offs, the
        # others are reported as inside the sub-process.
        self.sequence_flows.extend(element.iter(bpmn("sequenceFlow")))
        for item in lifted:
            self._flow_node(item, "boundaryEvent", pool, function_for, default)
        hint = f"BPMN {node.tag} with {len(inner)} elements inside, imported as one step"
        self.state.steps[node.step_id or ""]["_hint"] = hint
        for task in inner:
            if local_name(task.tag) in TASK_TYPES:
                self._data_associations(task, node.step_id or "")

    def _expanded(
        self: BpmnReading, element: Any, tag: str, name: str, pool: str, function_for: Any, default: str | None
    ) -> None:
        from redesign.io.bpmn_import import FLOW_NODE_TYPES, _Edge, _Node

        bpmn_id = element.get("id", "")
        exit_id = f"{bpmn_id}#exit"  # "#" cannot occur in an XML id, so this never meets a real one
        self.nodes[bpmn_id] = _Node(element, tag, bpmn_id, "gateway", name)
        self.nodes[exit_id] = _Node(element, tag, exit_id, "gateway", name)
        self.exit_of[bpmn_id] = exit_id
        self.pool_of[exit_id] = pool
        self.skip(
            element,
            "a sub-process: its activities became steps; hand-offs into it go to its first steps "
            "and hand-offs out of it leave from its last ones",
        )
        for tag_name in (
            "dataInputAssociation",
            "dataOutputAssociation",
            "performer",
            "humanPerformer",
            "potentialOwner",
        ):
            for item in element.findall(bpmn(tag_name)):
                self.skip(
                    item, f'belongs to the sub-process "{name}", whose activities became steps: it names no one step'
                )
        self.open_containers.append(bpmn_id)
        self._scope(element, pool, function_for, function_for(bpmn_id, default))
        self.open_containers.pop()
        if element.get("triggeredByEvent") == "true":
            return  # nothing flows into an event sub-process: its trigger does (see below)
        children = [c for c in element if local_name(c.tag) in FLOW_NODE_TYPES and c.get("id")]
        flows = [c for c in element if local_name(c.tag) == "sequenceFlow"]
        has_in = {self.ref(f.get("targetRef")) for f in flows}
        has_out = {self.ref(f.get("sourceRef")) for f in flows}

        def regular(c: Any) -> bool:
            return local_name(c.tag) != "boundaryEvent" and c.get("triggeredByEvent") != "true"

        starts = [c for c in children if local_name(c.tag) == "startEvent" and regular(c)]
        starts = starts or [c for c in children if regular(c) and c.get("id") not in has_in]
        ends = [c for c in children if regular(c) and c.get("id") not in has_out]
        for child in starts:
            self.edges.append(_Edge(bpmn_id, child.get("id"), "", "", None, self.next_order()))
        for child in ends:
            source = self.exit_of.get(child.get("id"), child.get("id"))
            self.edges.append(_Edge(source, exit_id, "", "", None, self.next_order()))
        if not starts:  # an empty sub-process passes straight through
            self.edges.append(_Edge(bpmn_id, exit_id, "", "", None, self.next_order()))

    # ------------------------------------------------------------------ event sub-processes
    def _scope_steps(self: BpmnReading, scope: Any) -> list[str]:
        """The steps directly in a scope (an expanded sub-process counts with its steps)."""
        found: list[str] = []
        for child in scope.iter(*ACTIVITY_TAGS):
            if child.getparent() is not scope or child.get("triggeredByEvent") == "true":
                continue
            child_id = child.get("id", "")
            if child_id in self.exit_of:
                found.extend(self.members[child_id])
            elif child_id in self.nodes and self.nodes[child_id].kind == "step":
                found.append(child_id)
        return found

    def _throws(self: BpmnReading, scope: Any, own: Any, kind: str, ref: str) -> list[str]:
        """Where a matching error, escalation or signal is thrown in the scope (outside the event sub-process)."""
        found: list[str] = []
        for throw in scope.iter(bpmn("endEvent"), bpmn("intermediateThrowEvent")):
            if any(a is own for a in throw.iterancestors()):
                continue
            for definition in throw.findall(bpmn(f"{kind}EventDefinition")):
                if not ref or self.ref(definition.get(f"{kind}Ref")) == ref:
                    source = self._endpoint(throw.get("id"))
                    if source is not None and source not in found:
                        found.append(source)
        return found

    def _event_subprocess_triggers(self: BpmnReading) -> None:
        from redesign.io.bpmn_import import _Edge, clean_name

        for element, scope in self.event_subprocesses:
            es_id = element.get("id", "")
            es_name = self.nodes[es_id].name if es_id in self.nodes else es_id
            for start in element.findall(bpmn("startEvent")):
                start_id = start.get("id", "")
                target = start_id if start_id in self.nodes else self._endpoint(es_id)
                if not start_id or target is None:
                    continue
                kind, ref = _trigger(self, start)
                if kind == "signal" and start_id in self.nodes:
                    continue  # the signal links (see _event_links) connect it already
                if start_id in self.message_targets or es_id in self.message_targets:
                    continue  # a message flow brings it
                sources = self._throws(scope, element, kind, ref) if kind in _THROWN else []
                how = f"where the {kind} is thrown"
                if not sources:
                    sources = [s for s in self._scope_steps(scope) if s != target]
                    how = "the steps that run while it can start"
                label = clean_name(start.get("name"))
                channel = {"message": "message", "signal": "signal"}.get(kind, "")
                for source in sources:
                    self.edges.append(_Edge(source, target, label, channel, None, self.next_order()))
                if sources:
                    names = _names([self.nodes[s].name for s in sources][:5] + (["…"] if len(sources) > 5 else []))
                    trigger = "no trigger" if kind == "none" else f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
                    self.state.notes.append(
                        f'the event sub-process "{es_name}" starts on {trigger}'
                        f"{' (' + label + ')' if label else ''}: it is connected from {how} ({names})"
                    )

    def _cross_pool_note(self: BpmnReading) -> None:
        if not self.cross_pool:
            return
        count = len(self.cross_pool)
        ids = ", ".join(f'"{flow_id}"' for flow_id, _, _ in self.cross_pool[:5])
        more = f" and {count - 5} more" if count > 5 else ""
        _, source_pool, target_pool = self.cross_pool[0]
        self.state.notes.append(
            f"{count} sequence flow{'s' if count != 1 else ''} ({ids}{more}) run{'s' if count == 1 else ''} "
            f'from one pool to another (first: "{source_pool}" to "{target_pool}"); BPMN allows only message '
            "flows between pools, so each was read as a hand-off between the steps it connects"
        )
