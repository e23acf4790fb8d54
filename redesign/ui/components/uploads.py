"""Reading an uploaded process file into a flow, with a summary and a clear error."""

from __future__ import annotations

from dataclasses import dataclass, field

from redesign.io.formats import import_file
from redesign.model import Flow
from redesign.validation import FlowInvalid


@dataclass
class UploadResult:
    flow: Flow | None = None
    summary: str = ""
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def read_upload(name: str, data: bytes) -> UploadResult:
    """Never raises for bad input: the error names the problem (and the line, for XML)."""
    try:
        flow, report = import_file(name, data)
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
