"""Pools, sub-processes and event sub-processes: nothing lost, and every skip says why truly.

Each case is a small file written for the test, shaped like the exports that lost
hand-offs: Signavio's sequence flows between pools, Visual Paradigm's boundary
events drawn inside the sub-process they are attached to, Camunda's event
sub-processes (MIWG C.9.2), and unnamed sub-processes.
"""

from __future__ import annotations

from redesign.io.bpmn_import import import_bpmn
from redesign.io.bpmn_subprocesses import BpmnImportOptions, SubProcesses
from redesign.io.import_report import ImportReport
from redesign.model import Flow

NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
ACTIVITIES = BpmnImportOptions(sub_processes=SubProcesses.ACTIVITIES)


def _read(body: str, options: BpmnImportOptions | None = None) -> tuple[Flow, ImportReport]:
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions {NS} id="defs" targetNamespace="t">'
    xml = f"{head}\n{body}\n</definitions>"
    return import_bpmn(xml.encode("utf-8"), "test.bpmn", options)


def _edges(flow: Flow) -> set[tuple[str, str, str]]:
    names = {s.id: s.name for s in flow.steps}
    return {(names[h.source], names[h.target], h.condition) for h in flow.handoffs}


def _skipped(report: ImportReport) -> dict[str, str]:
    return {s.element_id: s.reason for s in report.skipped}


CROSS_POOL = """<collaboration id="c">
  <participant id="pa" name="Sales" processRef="pa_p" /><participant id="pb" name="Warehouse" processRef="pb_p" />
</collaboration>
<process id="pa_p">
  <task id="take" name="Take order" />
  <sequenceFlow id="across" sourceRef="take" targetRef="pick" name="order" />
</process>
<process id="pb_p">
  <task id="pick" name="Pick goods" /><task id="ship" name="Ship" />
  <sequenceFlow id="inside" sourceRef="pick" targetRef="ship" />
  <sequenceFlow id="back" sourceRef="ship" targetRef="take" />
</process>"""


def test_sequence_flows_between_pools_become_hand_offs_with_a_note() -> None:
    flow, report = _read(CROSS_POOL)
    assert _edges(flow) == {
        ("Take order", "Pick goods", "order"),
        ("Pick goods", "Ship", ""),
        ("Ship", "Take order", ""),
    }
    assert "across" not in _skipped(report) and "back" not in _skipped(report)
    note = next(n for n in report.notes if "from one pool to another" in n)
    assert note.startswith('2 sequence flows ("across", "back") run from one pool to another')
    assert '"Sales" to "Warehouse"' in note
    assert "BPMN allows only message flows between pools" in note


VP_BOUNDARY = """<process id="p">
  <task id="a" name="Receive claim" />
  <subProcess id="sp" name="Assess claim">
    <startEvent id="s" /><task id="x" name="Check policy" /><task id="y" name="Estimate damage" /><endEvent id="e" />
    <sequenceFlow id="i1" sourceRef="s" targetRef="x" />
    <sequenceFlow id="i2" sourceRef="x" targetRef="y" />
    <sequenceFlow id="i3" sourceRef="y" targetRef="e" />
    <boundaryEvent id="late" name="Two weeks passed" attachedToRef="sp">
      <timerEventDefinition><timeDuration>P14D</timeDuration></timerEventDefinition>
    </boundaryEvent>
    <sequenceFlow id="esc" sourceRef="late" targetRef="boss" />
  </subProcess>
  <task id="pay" name="Pay claim" /><task id="boss" name="Escalate to manager" />
  <sequenceFlow id="f1" sourceRef="a" targetRef="sp" />
  <sequenceFlow id="f2" sourceRef="sp" targetRef="pay" />
</process>"""


def test_boundary_event_inside_its_own_sub_process_belongs_to_the_outer_level() -> None:
    flow, report = _read(VP_BOUNDARY)
    assert _edges(flow) == {
        ("Receive claim", "Assess claim", ""),
        ("Assess claim", "Pay claim", ""),
        ("Assess claim", "Escalate to manager", "Two weeks passed"),
    }
    skipped = _skipped(report)
    assert skipped["late"] == "events are not steps: the hand-offs through it are kept"
    assert "esc" not in skipped
    assert skipped["x"] == 'inside the sub-process "Assess claim", which is imported as one step'
    assert skipped["i1"] == 'inside the sub-process "Assess claim", which is imported as one step'


def test_boundary_event_on_an_expanded_sub_process_fires_from_each_of_its_steps() -> None:
    flow, _ = _read(VP_BOUNDARY, ACTIVITIES)
    assert _edges(flow) == {
        ("Receive claim", "Check policy", ""),
        ("Check policy", "Estimate damage", ""),
        ("Estimate damage", "Pay claim", ""),
        ("Check policy", "Escalate to manager", "Two weeks passed"),
        ("Estimate damage", "Escalate to manager", "Two weeks passed"),
    }


def test_every_skip_reason_names_what_the_far_end_really_is() -> None:
    _, report = _read(
        """<process id="p">
  <task id="a" name="Write" /><dataObject id="doc" name="Letter" />
  <sequenceFlow id="to_data" sourceRef="a" targetRef="doc" />
  <sequenceFlow id="to_nothing" sourceRef="a" targetRef="ghost" />
  <boundaryEvent id="b1" attachedToRef="doc" />
  <boundaryEvent id="b2" attachedToRef="ghost" />
</process>"""
    )
    skipped = _skipped(report)
    assert skipped["to_data"] == 'points to the dataObject "doc", which is not a task, gateway or event'
    assert skipped["to_nothing"] == 'points to "ghost", which is not in the file'
    reasons = [s.reason for s in report.skipped if s.element_id in ("b1", "b2")]
    assert 'is attached to the dataObject "doc", which is not an activity' in reasons
    assert 'is attached to "ghost", which is not in the file' in reasons


UNNAMED = """<process id="p">
  <task id="a" name="Take order" />
  <subProcess id="_e5d3943b-1c2f">
    <startEvent id="s" /><task id="x" name="Check stock" /><userTask id="y" name="Pack goods" />
    <sequenceFlow id="i1" sourceRef="s" targetRef="x" /><sequenceFlow id="i2" sourceRef="x" targetRef="y" />
  </subProcess>
  <task id="b" name="Invoice" />
  <sequenceFlow id="f1" sourceRef="a" targetRef="_e5d3943b-1c2f" />
  <sequenceFlow id="f2" sourceRef="_e5d3943b-1c2f" targetRef="b" />
</process>"""


def test_an_unnamed_sub_process_is_named_after_its_contents() -> None:
    flow, _ = _read(UNNAMED)
    assert [s.name for s in flow.steps] == ["Take order", "Check stock and Pack goods", "Invoice"]
    assert not any("_e5d3943b" in s.name for s in flow.steps)


def test_sub_process_activities_as_steps() -> None:
    flow, report = _read(
        """<process id="p">
  <laneSet id="ls">
    <lane id="sales" name="Sales"><flowNodeRef>a</flowNodeRef></lane>
    <lane id="store" name="Store"><flowNodeRef>_e5d3943b-1c2f</flowNodeRef><flowNodeRef>b</flowNodeRef></lane>
  </laneSet>"""
        + UNNAMED.split('<process id="p">', 1)[1],
        ACTIVITIES,
    )
    assert [s.name for s in flow.steps] == ["Take order", "Check stock", "Pack goods", "Invoice"]
    assert _edges(flow) == {
        ("Take order", "Check stock", ""),
        ("Check stock", "Pack goods", ""),
        ("Pack goods", "Invoice", ""),
    }
    lanes = {f.id: f.name for f in flow.functions}
    assert {s.name: lanes[s.function] for s in flow.steps}["Pack goods"] == "Store"  # the sub-process's lane
    assert "a sub-process: its activities became steps" in _skipped(report)["_e5d3943b-1c2f"]


EVENT_SUBPROCESS = """<process id="p">
  <startEvent id="s" /><userTask id="decide" name="Decide on application" /><endEvent id="e" />
  <sequenceFlow id="f1" sourceRef="s" targetRef="decide" /><sequenceFlow id="f2" sourceRef="decide" targetRef="e" />
  <subProcess id="es" triggeredByEvent="true">
    <startEvent id="req" name="Document requested" isInterrupting="false"><messageEventDefinition /></startEvent>
    <callActivity id="ask" name="Request document" /><endEvent id="got" />
    <sequenceFlow id="i1" sourceRef="req" targetRef="ask" /><sequenceFlow id="i2" sourceRef="ask" targetRef="got" />
  </subProcess>
</process>"""


def test_event_sub_process_is_connected_from_the_steps_it_can_interrupt() -> None:
    flow, report = _read(EVENT_SUBPROCESS)
    assert _edges(flow) == {("Decide on application", "Request document", "Document requested")}
    assert flow.handoffs[0].channel == "message"
    note = next(n for n in report.notes if "event sub-process" in n)
    assert note == (
        'the event sub-process "Request document" starts on a message (Document requested): '
        "it is connected from the steps that run while it can start (Decide on application)"
    )
    expanded, _ = _read(EVENT_SUBPROCESS, ACTIVITIES)
    assert _edges(expanded) == {("Decide on application", "Request document", "Document requested")}


def test_error_event_sub_process_is_connected_from_where_the_error_is_thrown() -> None:
    body = """<error id="E1" errorCode="late" /><error id="E2" errorCode="other" />
<process id="p">
  <task id="a" name="Check" /><task id="b" name="Approve" />
  <endEvent id="fail"><errorEventDefinition errorRef="E1" /></endEvent>
  <endEvent id="fail2"><errorEventDefinition errorRef="E2" /></endEvent>
  <sequenceFlow id="f1" sourceRef="a" targetRef="fail" /><sequenceFlow id="f0" sourceRef="b" targetRef="fail2" />
  <subProcess id="es" name="Handle late check" triggeredByEvent="true">
    <startEvent id="caught"><errorEventDefinition errorRef="E1" /></startEvent>
    <task id="fix" name="Recover" />
    <sequenceFlow id="i1" sourceRef="caught" targetRef="fix" />
  </subProcess>
</process>"""
    folded, report = _read(body)
    assert _edges(folded) == {("Check", "Handle late check", "")}
    assert any("connected from where the error is thrown (endEvent fail)" in n for n in report.notes)
    expanded, _ = _read(body, ACTIVITIES)
    assert _edges(expanded) == {("Check", "Recover", "")}


def test_a_sub_process_without_activities_stays_one_step_when_expanding() -> None:
    flow, _ = _read(
        """<process id="p">
  <task id="a" name="Task 1" /><subProcess id="sp" name="Collapsed" /><task id="b" name="Task 2" />
  <boundaryEvent id="x" name="Escalated" attachedToRef="sp"><escalationEventDefinition /></boundaryEvent>
  <task id="c" name="Task 3" />
  <sequenceFlow id="f1" sourceRef="a" targetRef="sp" /><sequenceFlow id="f2" sourceRef="sp" targetRef="b" />
  <sequenceFlow id="f3" sourceRef="x" targetRef="c" />
</process>""",
        ACTIVITIES,
    )
    assert _edges(flow) == {
        ("Task 1", "Collapsed", ""),
        ("Collapsed", "Task 2", ""),
        ("Collapsed", "Task 3", "Escalated"),
    }


def test_an_annotation_on_a_missing_element_says_so() -> None:
    _, report = _read(
        """<process id="p">
  <task id="a" name="Write" />
  <textAnnotation id="n1"><text>Check this</text></textAnnotation>
  <association id="as1" sourceRef="n1" targetRef="ghost" />
</process>"""
    )
    assert _skipped(report)["n1"] == 'annotates "ghost", which is not in the file'


def test_pools_with_the_same_name_are_still_told_apart() -> None:
    _, report = _read(CROSS_POOL.replace('name="Warehouse"', 'name="Sales"'))
    note = next(n for n in report.notes if "from one pool to another" in n)
    assert note.startswith('2 sequence flows ("across", "back") run from one pool to another')
