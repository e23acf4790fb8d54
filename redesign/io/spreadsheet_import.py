"""Read a step list from CSV or XLSX into a flow.

One row per step. Columns are matched case-insensitively, ignoring spaces,
underscores and a unit in brackets ("Touch time (min)"), with common synonyms:

    step (id), name, function, owner, next (step ids or names, separated by
    "," ";" or new lines), touch minutes, wait minutes, volume, %C&A,
    description, data in, data out, kind, stakes, dq note, skills

Only a name (or a step column) is required. Functions, roles and data items the
sheet names are created; a function called Sales, IT, HR, Finance or Ops gets
its usual colour. Every bad row is reported at once, one sentence each
("row 7: touch minutes 'abc' is not a number"); the row number is the one a
spreadsheet program shows (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

from redesign.io.identifiers import IdAllocator, slug
from redesign.io.import_report import ImportReport, SkippedElement, build_report
from redesign.io.tables import FORMULA_START
from redesign.model import DEFAULT_FUNCTIONS, MAX_NAME, MAX_STEPS, MAX_TEXT, Flow, Problem, StepKind
from redesign.validation import FlowInvalid, parse_flow

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # an .xlsx is a zip: refuse one that inflates past this
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "step": ("step", "id", "step id", "stepid", "no", "nr", "number", "#", "key", "ref"),
    "name": ("name", "step name", "activity", "task", "title", "what"),
    "function": ("function", "lane", "swimlane", "department", "team", "area", "business function"),
    "owner": ("owner", "role", "performer", "responsible", "who", "done by"),
    "next": ("next", "next step", "next steps", "successor", "successors", "goes to", "then", "to"),
    "touch minutes": (
        "touch minutes",
        "touch time",
        "touch",
        "processing time",
        "process time",
        "work time",
        "work minutes",
        "effort",
        "minutes",
        "duration",
    ),
    "wait minutes": ("wait minutes", "wait time", "wait", "waiting time", "queue time", "delay", "lag"),
    "volume": ("volume", "cases", "cases per period", "count", "frequency", "quantity"),
    "pca": (
        "%c&a",
        "% c&a",
        "c&a",
        "pca",
        "%ca",
        "percent complete and accurate",
        "complete and accurate",
        "% complete and accurate",
    ),
    "description": ("description", "details", "notes", "note", "comment", "comments"),
    "data in": ("data in", "input", "inputs", "input data", "consumes"),
    "data out": ("data out", "output", "outputs", "output data", "produces"),
    "kind": ("kind", "type", "step type"),
    "stakes": ("stakes", "judgment stakes"),
    "dq note": ("dq note", "data quality note", "data quality"),
    "skills": ("skills", "skill"),
}
# Columns our own export writes that the importer does not need: ignored quietly.
EXPORT_ONLY = frozenset({"tag"})
LABELS = {"pca": "%C&A"}
_LIST_SPLIT = re.compile(r"[;,\n]+")
_UNIT = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def normalise_header(text: str) -> str:
    """ "Touch_Time (min)" -> "touch time"."""
    cleaned = _UNIT.sub("", str(text)).replace("_", " ").replace("-", " ").casefold()
    return re.sub(r"\s+", " ", cleaned).strip()


_LOOKUP = {normalise_header(s): key for key, synonyms in SYNONYMS.items() for s in synonyms}


@dataclass
class _Sheet:
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells); header first
    fmt: Literal["csv", "xlsx"]


@dataclass
class _Build:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[SkippedElement] = field(default_factory=list)
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)  # casefold name or id -> function
    function_list: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    role_list: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_list: list[dict[str, Any]] = field(default_factory=list)
    function_ids: IdAllocator = field(default_factory=IdAllocator)
    role_ids: IdAllocator = field(default_factory=IdAllocator)
    data_ids: IdAllocator = field(default_factory=IdAllocator)
    fraction_pca: bool = False

    def problem(self, row: int, message: str) -> None:
        self.problems.append(Problem(location=f"row {row}", message=message))


# --------------------------------------------------------------------------- reading cells


def _fail(message: str, location: str = "") -> FlowInvalid:
    return FlowInvalid([Problem(location=location, message=message)])


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows saves in the ANSI code page, usually windows-1252.
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes) -> _Sheet:
    text = _decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(i, row) for i, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise _fail(f"cannot read the CSV: {exc}") from exc
    return _Sheet(rows=rows, fmt="csv")


def read_xlsx(data: bytes) -> _Sheet:
    from openpyxl import load_workbook  # imported here: only XLSX uploads pay for it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _fail("not a valid .xlsx file (it is not a zip archive); save it again as .xlsx or CSV") from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        raise _fail(f"the workbook unpacks to {unzipped / 1e6:.0f} MB; the limit is {MAX_UNZIPPED_BYTES / 1e6:.0f} MB")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise _fail(f"cannot read the workbook: {exc}") from exc
    try:
        sheet = next((ws for ws in workbook.worksheets if ws.title.casefold() == "steps"), None)
        sheet = sheet or workbook.worksheets[0]
        rows = [(i, list(row)) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()
    return _Sheet(rows=rows, fmt="xlsx")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]  # the apostrophe our CSV export puts before formula-like text
    return text


def _number(build: _Build, row: int, label: str, value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        build.problem(row, f"{label} {value!r} is not a number")
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        text = text.removesuffix("%")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")  # a decimal comma, as European sheets write it
        try:
            number = float(text)
        except ValueError:
            build.problem(row, f"{label} '{_text(value)}' is not a number")
            return None
    if number != number or number in (float("inf"), float("-inf")):
        build.problem(row, f"{label} '{_text(value)}' is not a number")
        return None
    if number < 0:
        build.problem(row, f"{label} {_text(value)} is negative")
        return None
    return number


def _split(value: Any) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(_text(value)) if part.strip()]


# --------------------------------------------------------------------------- building


def _function(build: _Build, name: str) -> str:
    key = name.casefold()
    if key in build.functions:
        return build.functions[key]["id"]
    defaults = {n.casefold(): (i, c) for i, n, c in DEFAULT_FUNCTIONS}
    if key in defaults:
        function_id = build.function_ids.take(defaults[key][0])
        colour = defaults[key][1]
    else:
        function_id = build.function_ids.take(slug(name, "function"))
        colour = PALETTE[len(build.function_list) % len(PALETTE)]
    body = {"id": function_id, "name": name[:MAX_NAME], "colour": colour}
    build.functions[key] = body
    build.functions.setdefault(function_id.casefold(), body)
    build.function_list.append(body)
    return function_id


def _role(build: _Build, name: str, function_id: str) -> str:
    key = name.casefold()
    if key not in build.roles:
        body = {"id": build.role_ids.take(slug(name, "role")), "name": name[:MAX_NAME], "function": function_id}
        build.roles[key] = body
        build.roles.setdefault(body["id"].casefold(), body)
        build.role_list.append(body)
    return build.roles[key]["id"]


def _data(build: _Build, name: str) -> str:
    key = name.casefold()
    if key not in build.data:
        body = {"id": build.data_ids.take(slug(name, "data")), "name": name[:MAX_NAME]}
        build.data[key] = body
        build.data_list.append(body)
    return build.data[key]["id"]


def _columns(build: _Build, header: list[Any], header_row: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        title = _text(cell)
        if not title:
            continue
        key = _LOOKUP.get(normalise_header(title))
        if key is None:
            if normalise_header(title) not in EXPORT_ONLY:
                build.skipped.append(
                    SkippedElement(
                        element_id=title,
                        element_type="column",
                        reason="not a column Crossflow reads; ignored",
                        line=header_row,
                    )
                )
        elif key in columns:
            build.skipped.append(
                SkippedElement(
                    element_id=title,
                    element_type="column",
                    reason=f'a second "{LABELS.get(key, key)}" column; the first one is used',
                    line=header_row,
                )
            )
        else:
            columns[key] = index
    return columns


def _rows(sheet: _Sheet) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in sheet.rows:
        if any(_text(c) for c in cells):
            yield number, cells


def _step(build: _Build, row: int, get: Any, number: int, step_ids: IdAllocator) -> dict[str, Any] | None:
    raw_id, name = _text(get("step")), _text(get("name"))
    if not name:
        name = raw_id
    if not name:
        build.problem(row, "the step has no name")
        return None
    step_id = step_ids.take(raw_id or f"s{number}", "step")
    function_name = _text(get("function"))
    if not function_name:
        function_name = "Unassigned"
        if "Unassigned" not in " ".join(build.notes):
            build.notes.append('steps without a function were put in a function called "Unassigned"')
    fields: dict[str, Any] = {"id": step_id, "name": name[:MAX_NAME], "function": _function(build, function_name)}
    owner = _text(get("owner"))
    if owner:
        fields["owner"] = _role(build, owner, fields["function"])
    for key, target in (("touch minutes", "touch_minutes"), ("wait minutes", "wait_minutes"), ("volume", "volume")):
        value = _number(build, row, key, get(key))
        if value is not None:
            fields[target] = value
    pca = _number(build, row, "%C&A", get("pca"))
    if pca is not None:
        if 0 < pca < 1 and not str(get("pca")).strip().endswith("%"):
            pca *= 100  # a sheet formatted as percent stores 0.85 for 85 %
            build.fraction_pca = True
        if pca > 100:
            build.problem(row, f"%C&A {_text(get('pca'))} is more than 100")
        else:
            fields["pca"] = pca
    kind = _text(get("kind")).casefold()
    if kind:
        if kind in {k.value for k in StepKind}:
            fields["kind"] = kind
        else:
            build.problem(row, f"kind '{_text(get('kind'))}' is not one of task, decision, review")
    stakes = _text(get("stakes")).casefold()
    if stakes:
        if stakes in ("low", "medium", "high"):
            fields["stakes"] = stakes
        else:
            build.problem(row, f"stakes '{_text(get('stakes'))}' is not one of low, medium, high")
    for key, target in (("description", "description"), ("dq note", "dq_note")):
        text = _text(get(key))
        if text:
            fields[target] = text[:MAX_TEXT]
    skills = [s[:MAX_NAME] for s in _split(get("skills"))]
    if skills:
        fields["skills"] = skills
    for key, target in (("data in", "data_in"), ("data out", "data_out")):
        items = [_data(build, d) for d in _split(get(key))]
        if items:
            fields[target] = list(dict.fromkeys(items))
    return fields


def _handoffs(
    build: _Build, pending: list[tuple[int, str, list[str]]], by_ref: dict[str, str], by_name: dict[str, list[str]]
) -> list[dict[str, Any]]:
    handoffs: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for row, source, targets in pending:
        for ref in targets:
            target = by_ref.get(ref) or by_ref.get(ref.casefold())
            if target is None:
                named = by_name.get(ref.casefold(), [])
                if len(named) == 1:
                    target = named[0]
                elif len(named) > 1:
                    build.problem(row, f"next step '{ref}' matches {len(named)} steps by name; use the step id")
                    continue
            if target is None:
                build.problem(row, f"next step '{ref}' is neither a step id nor a step name in this sheet")
                continue
            if (source, target) in seen:
                continue
            seen.add((source, target))
            body: dict[str, Any] = {"id": f"h{len(handoffs) + 1}", "source": source, "target": target}
            if source == target:
                body["rework"] = True
            handoffs.append(body)
    return handoffs


def _flow_from_sheet(sheet: _Sheet, source: str) -> tuple[dict[str, Any], _Build]:
    build = _Build()
    rows = list(_rows(sheet))
    if not rows:
        raise _fail("the sheet is empty: expected a header row and one row per step")
    header_row, header = rows[0]
    columns = _columns(build, header, header_row)
    if "name" not in columns and "step" not in columns:
        found = ", ".join(f'"{_text(c)}"' for c in header if _text(c)) or "none"
        raise _fail(
            f'no "name" column: the header row needs a column called name (or step, activity, task); found {found}',
            f"row {header_row}",
        )
    body = rows[1:]
    if len(body) > MAX_STEPS:
        raise _fail(f"the sheet has {len(body)} step rows; the limit is {MAX_STEPS}")

    step_ids = IdAllocator()
    steps: list[dict[str, Any]] = []
    by_ref: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    first_row: dict[str, int] = {}
    pending: list[tuple[int, str, list[str]]] = []
    for row, cells in body:

        def get(key: str, cells: list[Any] = cells) -> Any:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        raw_id = _text(get("step"))
        if raw_id and raw_id in first_row:
            build.problem(row, f"step id '{raw_id}' is used again (first on row {first_row[raw_id]})")
            continue
        fields = _step(build, row, get, len(steps) + 1, step_ids)
        if fields is None:
            continue
        if raw_id:
            first_row[raw_id] = row
            by_ref[raw_id] = fields["id"]
            by_ref.setdefault(raw_id.casefold(), fields["id"])
        by_ref.setdefault(fields["id"], fields["id"])
        by_name.setdefault(fields["name"].casefold(), []).append(fields["id"])
        steps.append(fields)
        targets = _split(get("next"))
        if targets:
            pending.append((row, fields["id"], targets))
    handoffs = _handoffs(build, pending, by_ref, by_name)
    if build.problems:
        raise FlowInvalid(sorted(build.problems, key=lambda p: int(p.location.removeprefix("row "))))
    if build.fraction_pca:
        build.notes.append("%C&A values between 0 and 1 were read as fractions (0.85 = 85 %)")
    if "touch minutes" not in columns and "wait minutes" not in columns and steps:
        build.notes.append("the sheet has no touch or wait minutes: fill them in before reading the metrics")
    name = PurePath(source).stem if source else "Imported process"
    doc = {
        "schema_version": 1,
        "id": slug(name, "imported_process"),
        "name": name[:MAX_NAME] or "Imported process",
        "source": f"Imported from {source or 'a spreadsheet'}",
        "functions": build.function_list,
        "roles": build.role_list,
        "data_items": build.data_list,
        "steps": steps,
        "handoffs": handoffs,
    }
    return doc, build


def _import(sheet: _Sheet, source: str) -> tuple[Flow, ImportReport]:
    doc, build = _flow_from_sheet(sheet, source)
    flow = parse_flow(doc)
    return flow, build_report(flow, sheet.fmt, source, build.skipped, [], build.notes)


def import_csv(data: bytes, source: str = "") -> tuple[Flow, ImportReport]:
    """CSV bytes (comma, semicolon or tab separated) -> (flow, report)."""
    return _import(read_csv(data), source)


def import_xlsx(data: bytes, source: str = "") -> tuple[Flow, ImportReport]:
    """XLSX bytes (the sheet called "steps", else the first) -> (flow, report)."""
    return _import(read_xlsx(data), source)
