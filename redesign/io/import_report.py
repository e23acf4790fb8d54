"""What an import brought in and what it left out, for the facilitator to check.

Every importer (BPMN, spreadsheet, native JSON) returns the flow together with an
`ImportReport`: counts of what became steps, functions, hand-offs and data items,
the elements it skipped (with the element's id, type and the reason), text
annotations found on steps (the workshop store turns them into comments), and
notes such as "timings need filling in".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from redesign.model import Flow

ImportFormat = Literal["json", "bpmn", "csv", "xlsx"]


class SkippedElement(BaseModel):
    """One element of the source that did not become part of the flow."""

    element_id: str
    element_type: str
    reason: str
    line: int | None = None  # line in the source file, when known

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.element_type} {self.element_id}{where}: {self.reason}"


class Annotation(BaseModel):
    """A text annotation attached to a step in the source."""

    step_id: str
    text: str


class ImportReport(BaseModel):
    source: str = ""  # the file name
    format: ImportFormat
    steps: int = 0
    functions: int = 0
    roles: int = 0
    handoffs: int = 0
    data_items: int = 0
    decisions: int = 0  # steps of kind "decision" (named gateways in BPMN)
    skipped: list[SkippedElement] = Field(default_factory=list)
    annotations: list[Annotation] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def comments(self) -> int:
        return len(self.annotations)

    def summary(self) -> str:
        """One line for a status bar: "11 steps in 4 functions, 15 hand-offs, ..."."""
        parts = [
            f"{self.steps} steps in {self.functions} functions",
            f"{self.handoffs} hand-offs",
            f"{self.data_items} data items",
        ]
        if self.annotations:
            parts.append(f"{len(self.annotations)} annotations")
        if self.skipped:
            parts.append(f"{len(self.skipped)} elements skipped")
        return ", ".join(parts)


def build_report(
    flow: Flow,
    fmt: ImportFormat,
    source: str = "",
    skipped: list[SkippedElement] | None = None,
    annotations: list[Annotation] | None = None,
    notes: list[str] | None = None,
) -> ImportReport:
    """The report for an imported flow, with its counts taken from the flow itself."""
    return ImportReport(
        source=source,
        format=fmt,
        steps=len(flow.steps),
        functions=len(flow.functions),
        roles=len(flow.roles),
        handoffs=len(flow.handoffs),
        data_items=len(flow.data_items),
        decisions=sum(1 for s in flow.steps if s.kind == "decision"),
        skipped=list(skipped or []),
        annotations=list(annotations or []),
        notes=list(notes or []),
    )
