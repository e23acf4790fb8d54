"""How BPMN constructs map onto a flow, one small hand-written file per rule."""

from __future__ import annotations

from redesign.io.bpmn_import import duration_minutes, import_bpmn
from redesign.model import Flow, StepKind

NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def _read(body: str, name: str = "Purchasing", source: str = "purchasing.bpmn") -> tuple[Flow, object]:
    name_attr = f' name="{name}"' if name else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions {NS} id="defs"{name_attr} targetNamespace="t">'
    xml = f"{head}\n{body}\n</definitions>"
    return import_bpmn(xml.encode("utf-8"), source)


def _names(flow: Flow) -> dict[str, str]:
    return {s.id: s.name for s in flow.steps}


def _edges(flow: Flow) -> list[tuple[str, str, str]]:
    names = _names(flow)
    return [(names[h.source], names[h.target], h.condition) for h in flow.handoffs]


def test_nested_lanes_take_the_innermost_lane() -> None:
    flow, _ = _read(
        """<process id="p">
  <laneSet id="ls">
    <lane id="company" name="Company">
      <flowNodeRef>direct</flowNodeRef>
      <childLaneSet id="cls">
        <lane id="sales" name="Sales"><flowNodeRef>a</flowNodeRef></lane>
        <lane id="fin" name="Finance"><flowNodeRef>b</flowNodeRef></lane>
        <lane id="empty" name="Legal" />
      </childLaneSet>
    </lane>
  </laneSet>
  <task id="a" name="Quote" /><task id="b" name="Invoice" /><task id="direct" name="Sign" />
  <task id="loose" name="Outside every lane" />
</process>"""
    )
    assert [(f.id, f.name) for f in flow.functions] == [
        ("company", "Company"),
        ("sales", "Sales"),
        ("fin", "Finance"),
        ("empty", "Legal"),
        ("p", "Purchasing"),  # the pool's function, for the task outside every lane
    ]
    function_of = {s.name: s.function for s in flow.steps}
    assert function_of == {"Quote": "sales", "Invoice": "fin", "Sign": "company", "Outside every lane": "p"}
    assert flow.functions[1].colour == "#1f77b4"  # Sales keeps its usual colour


def test_pools_lanes_messages_and_duplicate_lane_names() -> None:
    flow, report = _read(
        """<collaboration id="c">
  <participant id="pa" name="Buyer" processRef="p1" />
  <participant id="pb" name="Supplier" processRef="p2" />
  <participant id="pc" name="Customer" processRef="p3" />
  <participant id="pd" name="Bank" />
  <messageFlow id="m1" sourceRef="order" targetRef="confirm" name="PO" />
  <messageFlow id="m2" sourceRef="confirm" targetRef="pd" />
  <messageFlow id="m3" sourceRef="ask" targetRef="msgStart" />
</collaboration>
<process id="p1">
  <laneSet id="l1">
    <lane id="m_a" name="Manager"><flowNodeRef>order</flowNodeRef></lane>
    <lane id="clerk" name="Clerk"><flowNodeRef>book</flowNodeRef></lane>
  </laneSet>
  <task id="order" name="Order" /><task id="book" name="Book" />
  <startEvent id="msgStart" name="Request in" />
  <sequenceFlow id="s0" sourceRef="msgStart" targetRef="order" />
  <sequenceFlow id="s1" sourceRef="order" targetRef="book" />
</process>
<process id="p2">
  <laneSet id="l2"><lane id="m_b" name="Manager"><flowNodeRef>confirm</flowNodeRef></lane></laneSet>
  <task id="confirm" name="Confirm" />
</process>
<process id="p3"><task id="ask" name="Ask for goods" /></process>"""
    )
    assert [f.name for f in flow.functions] == ["Buyer / Manager", "Clerk", "Supplier / Manager", "Customer"]
    assert ("Order", "Confirm", "PO") in _edges(flow)
    assert ("Ask for goods", "Order", "Request in") in _edges(flow)
    channels = {(flow.step(h.source).name, flow.step(h.target).name): h.channel for h in flow.handoffs}
    assert channels == {("Order", "Book"): "", ("Order", "Confirm"): "message", ("Ask for goods", "Order"): "message"}
    skipped = {s.element_id: s.reason for s in report.skipped}
    assert skipped["m2"] == 'points to the pool "Bank", not one of its steps'


def test_gateways_named_become_decisions_unnamed_collapse() -> None:
    flow, report = _read(
        """<process id="p">
  <task id="a" name="Check order" /><task id="a2" name="Check stock" />
  <exclusiveGateway id="g" />
  <task id="b" name="Ship" /><task id="c" name="Back-order" />
  <exclusiveGateway id="q" name="Credit OK?" />
  <task id="d" name="Bill" /><task id="e" name="Ask for prepayment" />
  <parallelGateway id="split" name="Non-exclusive Gateway" />
  <sequenceFlow id="f1" sourceRef="a" targetRef="g" />
  <sequenceFlow id="f2" sourceRef="a2" targetRef="g" />
  <sequenceFlow id="f3" sourceRef="g" targetRef="b" name="in stock" />
  <sequenceFlow id="f4" sourceRef="g" targetRef="c" name="not in stock" />
  <sequenceFlow id="f5" sourceRef="b" targetRef="q" />
  <sequenceFlow id="f6" sourceRef="q" targetRef="split" name="yes" />
  <sequenceFlow id="f7" sourceRef="q" targetRef="e" name="no" />
  <sequenceFlow id="f8" sourceRef="split" targetRef="d" />
  <sequenceFlow id="f9" sourceRef="split" targetRef="c" />
</process>"""
    )
    decision = next(s for s in flow.steps if s.kind == StepKind.DECISION)
    assert decision.name == "Credit OK?" and decision.description == "BPMN exclusiveGateway: a decision"
    assert len(flow.steps) == 7
    assert sorted(_edges(flow)) == sorted(
        [
            ("Check order", "Ship", "in stock"),  # 2 in x 2 out through the unnamed gateway
            ("Check order", "Back-order", "not in stock"),
            ("Check stock", "Ship", "in stock"),
            ("Check stock", "Back-order", "not in stock"),
            ("Ship", "Credit OK?", ""),
            ("Credit OK?", "Bill", "yes"),  # through the parallel gateway
            ("Credit OK?", "Back-order", "yes"),
            ("Credit OK?", "Ask for prepayment", "no"),
        ]
    )
    reasons = {s.element_id: s.reason for s in report.skipped}
    assert reasons["g"].startswith("a gateway without a name")
    assert reasons["split"].startswith("a parallel gateway decides nothing")


def test_events_are_skipped_and_flows_reconnected() -> None:
    flow, report = _read(
        """<process id="p">
  <startEvent id="s" name="Order in" />
  <task id="a" name="Prepare" />
  <intermediateCatchEvent id="wait" name="2 days">
    <timerEventDefinition id="td"><timeDuration>P2D</timeDuration></timerEventDefinition>
  </intermediateCatchEvent>
  <intermediateThrowEvent id="note" name="Notify" />
  <task id="b" name="Send" />
  <boundaryEvent id="late" name="Too late" attachedToRef="b" />
  <task id="c" name="Escalate" />
  <intermediateThrowEvent id="goto"><linkEventDefinition id="l1" name="L" /></intermediateThrowEvent>
  <intermediateCatchEvent id="land"><linkEventDefinition id="l2" name="L" /></intermediateCatchEvent>
  <task id="d" name="Close" />
  <endEvent id="e" />
  <sequenceFlow id="f0" sourceRef="s" targetRef="a" />
  <sequenceFlow id="f1" sourceRef="a" targetRef="wait" />
  <sequenceFlow id="f2" sourceRef="wait" targetRef="note" />
  <sequenceFlow id="f3" sourceRef="note" targetRef="b" />
  <sequenceFlow id="f4" sourceRef="late" targetRef="c" />
  <sequenceFlow id="f5" sourceRef="c" targetRef="goto" />
  <sequenceFlow id="f6" sourceRef="land" targetRef="d" />
  <sequenceFlow id="f7" sourceRef="d" targetRef="e" />
  <sequenceFlow id="bad" sourceRef="d" targetRef="nowhere" />
</process>"""
    )
    assert [s.name for s in flow.steps] == ["Prepare", "Send", "Escalate", "Close"]
    assert _edges(flow) == [("Prepare", "Send", "2 days"), ("Send", "Escalate", "Too late"), ("Escalate", "Close", "")]
    assert flow.handoffs[0].wait_minutes == 2 * 24 * 60
    assert flow.handoffs[0].id == "a_to_b"  # a path through events gets a composite id
    skipped = {s.element_id: (s.element_type, s.reason) for s in report.skipped}
    assert skipped["s"] == ("startEvent", "events are not steps: the hand-offs through it are kept")
    assert skipped["bad"][1] == 'points to "nowhere", which is not in the file'
    events = {k for k, (kind, _) in skipped.items() if kind.endswith("Event")}
    assert events == {"s", "wait", "note", "late", "goto", "land", "e"}


def test_task_types_give_hints_and_unnamed_elements_get_a_name() -> None:
    flow, _ = _read(
        """<process id="p">
  <serviceTask id="t1" name="Post invoice" />
  <scriptTask id="t2" name="Compute" />
  <businessRuleTask id="t3" name="Score" />
  <manualTask id="t4" name="Sign paper" />
  <userTask id="t5" name="Review"><documentation>Four-eyes check.</documentation></userTask>
  <task id="t6" />
  <callActivity id="t7" name="Credit check" />
  <sendTask id="t8" name="Send" /><receiveTask id="t9" name="Receive" />
  <task id="dup1" name="Check" /><task id="dup2" name="Check" />
</process>"""
    )
    steps = {s.id: s for s in flow.steps}
    assert steps["t1"].rubric.digital_input == 5 and steps["t1"].description == "BPMN serviceTask: a system does it"
    assert steps["t2"].rubric.digital_input == 5
    assert (steps["t3"].rubric.digital_input, steps["t3"].rubric.rules) == (5, 5)
    assert steps["t4"].rubric.digital_input == 1
    assert steps["t5"].rubric.digital_input is None
    assert steps["t5"].description == "Four-eyes check.\nBPMN userTask: a person does it with software"
    assert steps["t6"].name == "task t6" and steps["t6"].description == ""
    assert steps["t7"].description == "BPMN callActivity: calls another process"
    assert [steps["dup1"].name, steps["dup2"].name] == ["Check", "Check"]  # duplicate names are fine


def test_ids_are_kept_or_cleaned_deterministically() -> None:
    long_id = "x" * 150
    body = f"""<process id="p">
  <task id="Prüfung_1" name="A" /><task id="{long_id}" name="B" /><task id="sid-9F3A.b" name="C" />
  <sequenceFlow id="Flüsse" sourceRef="Prüfung_1" targetRef="{long_id}" />
</process>"""
    flow, _ = _read(body)
    again, _ = _read(body)
    ids = [s.id for s in flow.steps]
    assert ids[0] == "Prufung_1"
    assert len(ids[1]) == 100 and ids[1].startswith("x" * 90)
    assert ids[2] == "sid-9F3A.b"  # valid ids are kept as they are
    assert flow.handoffs[0].id == "Flusse"
    assert ids == [s.id for s in again.steps]


def test_sub_process_is_one_step_and_message_to_inside_lands_on_it() -> None:
    flow, report = _read(
        """<collaboration id="c">
  <participant id="pp" name="Main" processRef="p" /><participant id="pq" name="Partner" processRef="q" />
  <messageFlow id="m" sourceRef="ping" targetRef="inner2" />
</collaboration>
<process id="p">
  <task id="a" name="Start work" />
  <subProcess id="sp" name="Handle claim">
    <startEvent id="inner0" /><task id="inner1" name="Check" /><task id="inner2" name="Pay" />
    <sequenceFlow id="i1" sourceRef="inner0" targetRef="inner1" />
    <sequenceFlow id="i2" sourceRef="inner1" targetRef="inner2" />
  </subProcess>
  <sequenceFlow id="f1" sourceRef="a" targetRef="sp" />
</process>
<process id="q"><task id="ping" name="Ping" /></process>"""
    )
    assert [s.name for s in flow.steps] == ["Start work", "Handle claim", "Ping"]
    assert flow.step("sp").description == "BPMN subProcess with 3 elements inside, imported as one step"
    assert _edges(flow) == [("Start work", "Handle claim", ""), ("Ping", "Handle claim", "")]
    inside = [s.element_id for s in report.skipped if "inside the sub-process" in s.reason]
    assert inside == ["inner0", "inner1", "inner2", "i1", "i2"]  # the flows inside are reported too


def test_data_objects_stores_and_associations() -> None:
    flow, _ = _read(
        """<dataStore id="crm" name="CRM" />
<process id="p">
  <dataObject id="do1" name="Quote" />
  <dataObjectReference id="ref1" dataObjectRef="do1" name="Quote [draft]" />
  <dataObjectReference id="ref2" dataObjectRef="do1" name="Quote [final]" />
  <dataStoreReference id="sref" dataStoreRef="crm" />
  <dataObjectReference id="orphan" name="Price list" />
  <task id="a" name="Draft quote">
    <dataInputAssociation id="di1"><sourceRef>sref</sourceRef><targetRef>a_in</targetRef></dataInputAssociation>
    <dataInputAssociation id="di2"><sourceRef>orphan</sourceRef></dataInputAssociation>
    <dataOutputAssociation id="do_a"><targetRef>ref1</targetRef></dataOutputAssociation>
  </task>
  <task id="b" name="Send quote">
    <dataInputAssociation id="di3"><sourceRef>ref2</sourceRef></dataInputAssociation>
    <dataInputAssociation id="di4"><sourceRef>ghost</sourceRef></dataInputAssociation>
  </task>
  <sequenceFlow id="f" sourceRef="a" targetRef="b" />
</process>"""
    )
    assert [(d.id, d.name, d.system) for d in flow.data_items] == [
        ("crm", "CRM", "CRM"),
        ("do1", "Quote", ""),
        ("orphan", "Price list", ""),
    ]
    a, b = flow.steps
    assert (a.data_in, a.data_out) == (["crm", "orphan"], ["do1"])
    assert b.data_in == ["do1"]
    assert flow.handoffs[0].data == ["do1"]  # what the one step makes and the next reads


def test_annotations_go_to_the_step_and_the_report() -> None:
    flow, report = _read(
        """<process id="p">
  <task id="a" name="Approve" /><startEvent id="s" />
  <textAnnotation id="n1"><text>Needs two signatures</text></textAnnotation>
  <textAnnotation id="n2"><text>On the start</text></textAnnotation>
  <textAnnotation id="n3"><text>Floating</text></textAnnotation>
  <association id="as1" sourceRef="a" targetRef="n1" />
  <association id="as2" sourceRef="n2" targetRef="s" />
</process>"""
    )
    assert [(a.step_id, a.text) for a in report.annotations] == [("a", "Needs two signatures")]
    assert flow.step("a").description == "Note: Needs two signatures"
    reasons = {s.element_id: s.reason for s in report.skipped if s.element_type == "textAnnotation"}
    assert reasons == {
        "n2": 'annotates a startEvent ("s"), which is not a step',
        "n3": "the text annotation is not linked to any element",
    }


def test_empty_process_missing_layout_and_names_from_the_file() -> None:
    flow, report = _read('<process id="p" />', name="", source="uploads/Onboarding v2.bpmn")
    assert flow.steps == [] and flow.name == "Onboarding v2" and flow.id == "onboarding_v2"
    assert report.notes == ["the file has no tasks, so the flow has no steps"]
    assert [(s.element_id, s.reason) for s in report.skipped] == [
        ("p", "the process is empty (no tasks, events or gateways)")
    ]
    flow, report = _read('<process id="p" name="Hire"><task id="a" name="Interview" /></process>', name="")
    assert flow.name == "Hire" and [f.name for f in flow.functions] == ["Hire"]
    assert report.notes == [
        "BPMN has no volumes or times: volume, touch minutes and wait minutes are 0 for 1 steps; "
        "fill them in before reading the metrics",
        "the file has no diagram layout (BPMNDI); Crossflow lays out the swimlanes itself",
    ]
    assert "Imported from purchasing.bpmn" in flow.source


def test_self_loop_through_an_event_is_rework() -> None:
    flow, _ = _read(
        """<process id="p">
  <task id="a" name="Fix" /><intermediateCatchEvent id="e" name="Retry" />
  <sequenceFlow id="f1" sourceRef="a" targetRef="e" /><sequenceFlow id="f2" sourceRef="e" targetRef="a" />
</process>"""
    )
    assert [(h.source, h.target, h.rework, h.condition) for h in flow.handoffs] == [("a", "a", True, "Retry")]


def test_iso_durations() -> None:
    assert duration_minutes("PT15M") == 15
    assert duration_minutes("P1DT2H") == 26 * 60
    assert duration_minutes("P1W") == 7 * 24 * 60
    assert duration_minutes("PT30S") == 0.5
    assert duration_minutes("R3/PT10M") is None
    assert duration_minutes("P") is None


def test_qualified_references_lose_their_prefix() -> None:
    flow, report = _read(
        """<collaboration id="c"><participant id="pp" name="Shop" processRef="tns:p" /></collaboration>
<process id="p">
  <task id="a" name="Pack" /><task id="b" name="Ship" />
  <sequenceFlow id="f" sourceRef="tns:a" targetRef="tns:b" />
</process>"""
    )
    assert _edges(flow) == [("Pack", "Ship", "")]
    assert [f.name for f in flow.functions] == ["Shop"]
    assert report.skipped == []
