"""One door in and one door out for flow files, chosen by extension or content.

`import_file` is what ``python -m redesign import FILE`` and the app's upload
call: native JSON, BPMN 2.0 XML (.bpmn/.xml), CSV and XLSX step lists, with a
size limit and a clear message for anything else. `export_data` writes the data
formats (json, csv as a zip of tables, xlsx, bpmn, mermaid); the executive
summaries (pdf, pptx, html, md) are rendered by `redesign.report`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePath

from pydantic import BaseModel

from redesign.io import flow_json
from redesign.io.bpmn_export import export_bpmn
from redesign.io.bpmn_import import import_bpmn
from redesign.io.bpmn_subprocesses import BpmnImportOptions
from redesign.io.import_report import ImportFormat, ImportReport, build_report
from redesign.io.mermaid import to_mermaid
from redesign.io.sizes import size_text
from redesign.io.spreadsheet_import import import_csv, import_xlsx
from redesign.io.tables import export_csv, export_xlsx
from redesign.model import Flow, Problem, Scenario
from redesign.validation import FlowInvalid

MAX_IMPORT_BYTES = 20 * 1024 * 1024
"""Largest file imported; real process maps are a few hundred kB."""

EXTENSIONS: dict[str, ImportFormat] = {
    ".json": "json",
    ".bpmn": "bpmn",
    ".bpmn2": "bpmn",
    ".xml": "bpmn",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
ACCEPTED = "a Crossflow .json flow, a BPMN 2.0 .bpmn/.xml file, or a .csv/.xlsx step list"

EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    # format -> (file extension, MIME type)
    "json": (".json", "application/json"),
    "csv": (".zip", "application/zip"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "bpmn": (".bpmn", "application/xml"),
    "mermaid": (".mmd", "text/plain"),
}


def _fail(message: str) -> FlowInvalid:
    return FlowInvalid([Problem(location="", message=message)])


def detect_format(name: str, data: bytes) -> ImportFormat:
    """The format by extension, else by the first bytes."""
    suffix = PurePath(name).suffix.casefold()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if suffix == ".xls":
        raise _fail("old Excel .xls files are not read: save the sheet as .xlsx or CSV")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "json"
    if head.startswith(b"<"):
        return "bpmn"
    raise _fail(f'cannot tell what kind of file "{name}" is; expected {ACCEPTED}')


def import_file(name: str, data: bytes, bpmn_options: BpmnImportOptions | None = None) -> tuple[Flow, ImportReport]:
    """Any supported file -> (flow, report); raises `FlowInvalid` with clear messages.

    ``bpmn_options`` are the choices for a BPMN file (sub-processes as one step or as
    their activities); other formats ignore them.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise _fail(f"the file is {size_text(len(data))}; the limit is {size_text(MAX_IMPORT_BYTES)}")
    if not data.strip():
        raise _fail("the file is empty")
    fmt = detect_format(name, data)
    if fmt == "json":
        flow = flow_json.loads(data)
        return flow, build_report(flow, "json", name)
    if fmt == "bpmn":
        return import_bpmn(data, name, bpmn_options)
    if fmt == "xlsx":
        return import_xlsx(data, name)
    return import_csv(data, name)


def read_import(path: str | Path, bpmn_options: BpmnImportOptions | None = None) -> tuple[Flow, ImportReport]:
    """`import_file` on a file on disk (refusing one over the size limit unread)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise _fail(f"the file is {size_text(size)}; the limit is {size_text(MAX_IMPORT_BYTES)}")
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read the file: {exc.strerror or exc}") from exc
    return import_file(path.name, data, bpmn_options)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            # A fixed timestamp keeps the archive byte-for-byte reproducible.
            info = zipfile.ZipInfo(f"{name}.csv", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def export_data(flow: Flow, fmt: str, scenario: Scenario | None = None, impact: BaseModel | None = None) -> bytes:
    """The flow in a data format: json, csv (a zip of one CSV per table), xlsx, bpmn, mermaid."""
    if fmt == "json":
        return flow_json.dumps(flow).encode("utf-8")
    if fmt == "csv":
        return _zip(export_csv(flow, scenario, impact))
    if fmt == "xlsx":
        return export_xlsx(flow, scenario, impact)
    if fmt == "bpmn":
        return export_bpmn(flow).encode("utf-8")
    if fmt == "mermaid":
        return to_mermaid(flow, scenario).encode("utf-8")
    raise ValueError(f'unknown data format "{fmt}"; expected one of {", ".join(EXPORT_FORMATS)}')
