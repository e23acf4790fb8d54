"""Reading an uploaded process file into a flow, with a summary and a clear error.

For a BPMN file the facilitator chooses how sub-processes come in: one step each
(the default: a workshop usually starts from the big picture) or their activities
as steps. `sub_process_choice` shows that choice only for BPMN files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

import streamlit as st

from redesign.io.bpmn_subprocesses import BpmnImportOptions, SubProcesses
from redesign.io.formats import EXTENSIONS, import_file
from redesign.model import Flow
from redesign.validation import FlowInvalid

SUB_PROCESS_LABELS = {
    SubProcesses.ONE_STEP: "One step per sub-process",
    SubProcesses.ACTIVITIES: "Its activities as steps",
}


@dataclass
class UploadResult:
    flow: Flow | None = None
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def is_bpmn(name: str) -> bool:
    return EXTENSIONS.get(PurePath(name).suffix.casefold()) == "bpmn"


def sub_process_choice(name: str, key: str = "upload_sub_processes") -> SubProcesses:
    """The radio for how a BPMN file's sub-processes come in (the default for other files)."""
    if not is_bpmn(name):
        return SubProcesses.ONE_STEP
    choice = st.radio(
        "Sub-processes in this BPMN file",
        list(SUB_PROCESS_LABELS),
        format_func=SUB_PROCESS_LABELS.__getitem__,
        horizontal=True,
        key=key,
        help="One step per sub-process keeps the big picture; its activities as steps brings in every task "
        "inside, with the hand-offs into and out of the sub-process connected to its first and last tasks.",
    )
    return SubProcesses(choice)


def read_upload(name: str, data: bytes, sub_processes: SubProcesses = SubProcesses.ONE_STEP) -> UploadResult:
    """Never raises for bad input: the error names the problem (and the line, for XML)."""
    try:
        flow, report = import_file(name, data, BpmnImportOptions(sub_processes=sub_processes))
    except FlowInvalid as exc:
        problems = [str(p) for p in exc.problems[:8]]
        more = f" (and {len(exc.problems) - 8} more)" if len(exc.problems) > 8 else ""
        return UploadResult(error=f"{name} could not be imported: " + "; ".join(problems) + more)
    except ValueError as exc:
        return UploadResult(error=f"{name} could not be imported: {exc}")
    lanes = len({s.function for s in flow.steps})
    summary = f"Read {name}: {len(flow.steps)} steps in {lanes} lanes, {len(flow.handoffs)} hand-offs."
    notes = [*report.notes, *(f"Skipped {s}" for s in report.skipped)]
    return UploadResult(flow=flow, summary=summary, notes=notes)
