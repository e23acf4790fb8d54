"""Every file of the BPMN interchange corpus (../shared/interop) imports sensibly.

The counts for C.1.0 and C.4.0 were made by hand from the XML (see the comments);
the other files get sanity checks that hold for any correct import, and an
inventory table (artifacts/interop_inventory.md) records what each one gave.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from bpmn_corpus import INTEROP, REPO, interop_files, interop_id, require

from redesign.io.bpmn_extension import MODEL_NS
from redesign.io.bpmn_import import GATEWAY_TYPES, TASK_TYPES, import_bpmn
from redesign.io.bpmn_subprocesses import BpmnImportOptions, SubProcesses
from redesign.io.safe_xml import parse_xml
from redesign.metrics import analyze
from redesign.model import Flow, StepKind

FILES = interop_files()


def _import(path: Path) -> tuple[Flow, object]:
    return import_bpmn(path.read_bytes(), path.name)


def _expected_steps(path: Path) -> int:
    """Count independently: activities not inside a sub-process, plus named non-parallel gateways."""
    root = parse_xml(path.read_bytes()).root
    count = 0
    for process in root.iter(f"{{{MODEL_NS}}}process"):
        for child in process:
            tag = child.tag.rsplit("}", 1)[-1]
            named_gateway = tag in GATEWAY_TYPES and tag != "parallelGateway" and (child.get("name") or "").strip()
            if tag in TASK_TYPES or named_gateway:
                count += 1
    return count


def test_interop_corpus_present() -> None:
    require(INTEROP.is_dir(), f"the interop corpus {INTEROP} is missing")
    assert len(FILES) >= 25, f"expected the 21 reference models and 4 vendor exports, found {len(FILES)}"


@pytest.mark.parametrize("path", FILES, ids=[interop_id(p) for p in FILES])
def test_interop_file_imports_sensibly(path: Path) -> None:
    flow, report = _import(path)
    expected = _expected_steps(path)
    assert len(flow.steps) == expected
    assert report.steps == len(flow.steps) and report.handoffs == len(flow.handoffs)
    if expected:
        assert flow.functions, "steps need at least one function"
        assert flow.handoffs, "every file with steps has hand-offs (C.9.2's come from its event sub-processes)"
    assert not flow.problems()
    for step in flow.steps:
        assert step.volume == 0 and step.touch_minutes == 0, "BPMN carries no timings"
    for item in report.skipped:
        assert item.element_type and item.reason
    assert all(item.line for item in report.skipped if item.element_type not in ("cf:owner",))
    if flow.steps:
        assert "BPMN has no volumes or times" in report.notes[0]
    analyze(flow)  # the analysis runs on whatever an import gives


def _expected_expanded_steps(path: Path) -> int:
    """Activities with no activity inside (a sub-process with some is replaced by them), plus named gateways."""
    root = parse_xml(path.read_bytes()).root
    activities = [f"{{{MODEL_NS}}}{t}" for t in TASK_TYPES]
    count = 0
    for process in root.iter(f"{{{MODEL_NS}}}process"):
        for element in process.iter(*activities, *(f"{{{MODEL_NS}}}{t}" for t in GATEWAY_TYPES)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in GATEWAY_TYPES:
                count += tag != "parallelGateway" and bool((element.get("name") or "").strip())
            else:
                count += not any(e is not element for e in element.iter(*activities))
    return count


@pytest.mark.parametrize("path", FILES, ids=[interop_id(p) for p in FILES])
def test_interop_file_imports_with_sub_process_activities_as_steps(path: Path) -> None:
    options = BpmnImportOptions(sub_processes=SubProcesses.ACTIVITIES)
    flow, report = import_bpmn(path.read_bytes(), path.name, options)
    assert len(flow.steps) == _expected_expanded_steps(path)
    assert not flow.problems()
    if flow.steps:
        assert flow.handoffs
    ids = {e.get("id") for e in parse_xml(path.read_bytes()).root.iter() if e.get("id")}
    for item in report.skipped:  # a reason that says an id is missing must be true
        if "which is not in the file" in item.reason:
            assert item.reason.split('"')[1] not in ids, item


def test_interop_inventory() -> None:
    require(bool(FILES), f"the interop corpus {INTEROP} is missing")
    lines = [
        "# BPMN interop inventory",
        "",
        "What `redesign.io.bpmn_import` makes of each file under `../shared/interop/`.",
        "",
        "| file | steps | decisions | lanes (functions) | hand-offs | data items | annotations | skipped |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path in FILES:
        _, report = _import(path)
        lines.append(
            f"| {interop_id(path)} | {report.steps} | {report.decisions} | {report.functions} | {report.handoffs} "
            f"| {report.data_items} | {len(report.annotations)} | {len(report.skipped)} |"
        )
    table = "\n".join(lines) + "\n"
    out = REPO / "artifacts" / "interop_inventory.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(table, encoding="utf-8")
    print("\n" + table)
    assert len(lines) == 6 + len(FILES)


# --------------------------------------------------------------------------- hand-checked


def _file(name: str) -> Path:
    path = INTEROP / "bpmn-miwg" / name
    require(path.is_file(), f"{path} is missing")
    return path


def _by_name(flow: Flow) -> dict[str, str]:
    return {s.name: s.id for s in flow.steps}


def _pairs(flow: Flow) -> dict[tuple[str, str], list]:
    names = {s.id: s.name for s in flow.steps}
    pairs: dict[tuple[str, str], list] = {}
    for h in flow.handoffs:
        pairs.setdefault((names[h.source], names[h.target]), []).append(h)
    return pairs


def test_c_1_0_by_hand() -> None:
    """C.1.0 (invoice): two pools.

    Pool "Team-Assistant" (one unnamed lane): tasks Scan Invoice, Archive original,
    Assign approver, Review and document result; an unnamed event-based gateway.
    Pool "Process Engine" (lanes Approver, Team Assistant, Accountant): userTasks
    Approve Invoice, Assign Approver, Rechnung klären, Prepare Bank Transfer;
    serviceTask Archive Invoice; named gateways "Invoice approved?" and "Review
    successful?". 9 tasks + 2 decisions = 11 steps, 4 functions.

    Hand-offs (15): in the first pool Scan -> Archive original, Archive original
    -> (catch "Approver to be assigned") -> Assign approver, Assign approver ->
    (gateway, catch "Invoice review needed") -> Review and document result; in the
    second pool Assign Approver -> Approve Invoice -> Invoice approved? -> (yes)
    Prepare Bank Transfer / (no) Rechnung klären -> Review successful? -> (yes)
    Approve Invoice, Prepare Bank Transfer -> Archive Invoice (8); five message
    flows: Scan Invoice -> start event -> Assign Approver, Assign Approver ->
    catch -> Assign approver, Rechnung klären -> catch -> Review and document
    result, Review and document result -> Rechnung klären, Assign approver ->
    Assign Approver.
    """
    flow, report = _import(_file("reference/C.1.0.bpmn"))
    assert len(flow.steps) == 11
    assert [f.name for f in flow.functions] == ["Team-Assistant", "Approver", "Team Assistant", "Accountant"]
    assert len(flow.handoffs) == 15
    assert len(flow.data_items) == 0
    assert report.decisions == 2
    assert sorted(s.name for s in flow.steps if s.kind == StepKind.DECISION) == [
        "Invoice approved?",
        "Review successful?",
    ]
    pairs = _pairs(flow)
    assert pairs[("Invoice approved?", "Prepare Bank Transfer")][0].condition == "yes"
    assert pairs[("Invoice approved?", "Rechnung klären")][0].condition == "no"
    assert pairs[("Archive original", "Assign approver")][0].condition == "Approver to be assigned"
    assert pairs[("Assign approver", "Review and document result")][0].condition == "Invoice review needed"
    message = pairs[("Scan Invoice", "Assign Approver")][0]
    assert message.channel == "message" and message.condition == "Invoice received"
    assert pairs[("Review and document result", "Rechnung klären")][0].channel == "message"
    assert sum(1 for h in flow.handoffs if h.channel == "message") == 5
    functions = {f.id: f.name for f in flow.functions}
    steps = _by_name(flow)
    assert functions[flow.step(steps["Archive Invoice"]).function] == "Accountant"
    assert functions[flow.step(steps["Scan Invoice"]).function] == "Team-Assistant"
    archive = flow.step(steps["Archive Invoice"])
    assert archive.rubric.digital_input == 5 and "BPMN serviceTask" in archive.description
    # roles from potentialOwner resources: Approver, Team Assistant, Accountant
    assert sorted(r.name for r in flow.roles) == ["Accountant", "Approver", "Team Assistant"]
    assert flow.roles_by_id()[flow.step(steps["Approve Invoice"]).owner or ""].name == "Approver"
    # 4 start/end + 3 intermediate events + 1 unnamed gateway (the rest are named)
    assert Counter(s.element_type for s in report.skipped) == Counter(
        {"endEvent": 4, "intermediateCatchEvent": 3, "startEvent": 2, "eventBasedGateway": 1}
    )


def test_c_4_0_by_hand() -> None:
    """C.4.0 (onboarding): four pools, four collaborations, no message flows.

    Money Bank (lanes HR Department, Responsible Department): 12 userTasks and
    the named exclusive gateway "Contract terms accepted ?" (its four parallel
    gateways are named "Non-exclusive Gateway" but decide nothing). IT (no
    lanes): 5 tasks; Payroll: 3 tasks + "All necessary data available?";
    Facilities: 2 tasks. 22 tasks + 2 decisions = 24 steps, 5 functions.

    Hand-offs: Money Bank 14 (the three parallel branches between "Perform
    training for position" and "Compile welcome package" merge into one), the
    signal "New employee hired" from "Request preparations for a new employee"
    to the first task of IT, Payroll and Facilities (3), IT 4, Payroll 4,
    Facilities 1: 26. Data stores: Employee Details, User Management, Payroll
    system. One text annotation ("With PowerShell") on Configure workstation.
    """
    flow, report = _import(_file("reference/C.4.0.bpmn"))
    assert len(flow.steps) == 24
    names = ["HR Department", "Responsible Department", "IT", "Payroll", "Facilities"]
    assert [f.name for f in flow.functions] == names
    assert len(flow.handoffs) == 26
    assert [d.name for d in flow.data_items] == ["Employee Details", "User Management", "Payroll system"]
    assert all(d.system == d.name for d in flow.data_items)
    assert report.decisions == 2
    steps = _by_name(flow)
    signals = [h for h in flow.handoffs if h.channel == "signal"]
    assert len(signals) == 3
    assert {h.source for h in signals} == {steps["Request preparations for a new employee"]}
    assert {flow.step(h.target).name for h in signals} == {
        "Create domain account",
        "Validate provided information",
        "Prepare access card",
    }
    joined = _pairs(flow)[("Perform training for position", "Compile welcome package")]
    assert len(joined) == 1
    assert joined[0].condition == "Input from IT ready; Input from Payroll ready; Input from Facilities ready"
    create = flow.step(steps["Create domain account"])
    data = {d.id: d.name for d in flow.data_items}
    assert [data[d] for d in create.data_in] == ["Employee Details"]
    assert [data[d] for d in create.data_out] == ["User Management"]
    configure = flow.step(steps["Configure workstation"])
    assert [(a.step_id, a.text) for a in report.annotations] == [(configure.id, "With PowerShell")]
    assert "Note: With PowerShell" in configure.description
    assert configure.rubric.digital_input == 5
    assert flow.step(steps["Prepare workstation"]).rubric.digital_input == 1  # manualTask
    assert [h.condition for h in flow.handoffs if h.source == steps["Contract terms accepted ?"]] == ["Yes", "No"]


def test_vendor_exports_match_the_reference() -> None:
    """Signavio and Camunda exports of C.1.0 give the same flow shape as the reference."""
    reference, _ = _import(_file("reference/C.1.0.bpmn"))
    vendors = ("signavio-19.9.0__C.1.0-export.bpmn", "camunda-modeler-18.6.1__C.1.0-export.bpmn")
    for name in (f"vendor-samples/{v}" for v in vendors):
        flow, _ = _import(_file(name))
        assert len(flow.steps) == len(reference.steps)
        assert sorted(f.name for f in flow.functions) == sorted(f.name for f in reference.functions)
        # the vendors re-typed some labels ("Archive Original"): compare case-insensitively
        assert _folded(_pairs(flow)) == _folded(_pairs(reference))


def _folded(pairs: dict[tuple[str, str], list]) -> list[tuple[str, str]]:
    return sorted((a.casefold(), b.casefold()) for a, b in pairs)
