"""The flow as tables: CSV (one text per table) and XLSX (one sheet per table).

Tables: ``steps``, ``handoffs``, ``decisions``, ``roles``, ``functions``,
``data_items``, and, when an impact assessment is given, its tables. The
impact's shape belongs to `redesign.impact`; it is flattened generically here (a
list of records becomes a table ``impact_<field>``, every scalar a row of
``impact_summary``), so this module does not depend on its exact fields.

The ``steps`` table uses the column names `redesign.io.spreadsheet_import` reads
(step, name, function, owner, next, touch minutes, ...), so an exported sheet
can be edited and imported again.

Text that a spreadsheet would run as a formula (starting with =, +, -, @) is
written as plain text: in XLSX as a string cell, in CSV behind an apostrophe,
which Excel and LibreOffice hide and the importer strips.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from pydantic import BaseModel

from redesign.model import Decision, Flow, Scenario

Row = dict[str, Any]
Table = list[Row]

STEP_COLUMNS: tuple[str, ...] = (
    "step",
    "name",
    "function",
    "owner",
    "kind",
    "next",
    "touch minutes",
    "wait minutes",
    "volume",
    "%C&A",
    "description",
    "data in",
    "data out",
    "stakes",
    "dq note",
    "skills",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_NAME = 31


def _number(value: float) -> float | int:
    """12.0 -> 12 so sheets read like a person typed them."""
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value


def _text_list(values: Iterable[str]) -> str:
    return "; ".join(values)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (Mapping, list)) for v in value):
            return _text_list(str(_cell(v)) for v in value)
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


# --------------------------------------------------------------------------- flow tables


def steps_table(flow: Flow, scenario: Scenario | None = None) -> Table:
    functions = {f.id: f.name for f in flow.functions}
    roles = {r.id: r.name for r in flow.roles}
    data = {d.id: d.name for d in flow.data_items}
    successors: dict[str, list[str]] = {s.id: [] for s in flow.steps}
    for handoff in flow.handoffs:
        if handoff.source in successors and handoff.target not in successors[handoff.source]:
            successors[handoff.source].append(handoff.target)
    rows: Table = []
    # first wins, as decision_for; one pass, not one per step (quadratic on large flows)
    decided = {d.step: d for d in reversed(scenario.decisions)} if scenario is not None else {}
    for step in flow.steps:
        row: Row = {
            "step": step.id,
            "name": step.name,
            "function": functions.get(step.function, step.function),
            "owner": roles.get(step.owner, step.owner) if step.owner else "",
            "kind": step.kind.value,
            "next": _text_list(successors[step.id]),
            "touch minutes": _number(step.touch_minutes),
            "wait minutes": _number(step.wait_minutes),
            "volume": _number(step.volume),
            "%C&A": _number(step.pca),
            "description": step.description,
            "data in": _text_list(data.get(d, d) for d in step.data_in),
            "data out": _text_list(data.get(d, d) for d in step.data_out),
            "stakes": step.stakes.value,
            "dq note": step.dq_note,
            "skills": _text_list(step.skills),
        }
        if scenario is not None:
            decision = decided.get(step.id)
            row["tag"] = decision.tag.value if decision else ""
        rows.append(row)
    return rows


def handoffs_table(flow: Flow) -> Table:
    steps = flow.steps_by_id()
    functions = {f.id: f.name for f in flow.functions}
    data = {d.id: d.name for d in flow.data_items}
    rows: Table = []
    for h in flow.handoffs:
        source, target = steps.get(h.source), steps.get(h.target)
        source_function = source.function if source else ""
        target_function = target.function if target else ""
        rows.append(
            {
                "id": h.id,
                "from": h.source,
                "from name": source.name if source else "",
                "to": h.target,
                "to name": target.name if target else "",
                "from function": functions.get(source_function, source_function),
                "to function": functions.get(target_function, target_function),
                "cross-function": source_function != target_function,
                "condition": h.condition,
                "channel": h.channel,
                "data": _text_list(data.get(d, d) for d in h.data),
                "%C&A": "" if h.pca is None else _number(h.pca),
                "wait minutes": _number(h.wait_minutes),
                "rework": h.rework,
            }
        )
    return rows


def decisions_table(flow: Flow, scenario: Scenario | None = None) -> Table:
    """One row per decision; all scenarios unless one is given."""
    steps = flow.steps_by_id()
    scenarios = [scenario] if scenario is not None else flow.scenarios
    fields = [f for f in Decision.model_fields if f != "step"]
    rows: Table = []
    for sc in scenarios:
        for decision in sc.decisions:
            step = steps.get(decision.step)
            row: Row = {"scenario": sc.name, "step": decision.step, "step name": step.name if step else ""}
            dumped = decision.model_dump(mode="json")
            for name in fields:
                row[name.replace("_", " ")] = _cell(dumped[name])
            rows.append(row)
    return rows


def roles_table(flow: Flow) -> Table:
    functions = {f.id: f.name for f in flow.functions}
    return [
        {
            "id": r.id,
            "name": r.name,
            "function": functions.get(r.function, r.function),
            "kind": r.kind.value,
            "headcount": _number(r.headcount),
            "hourly cost": "" if r.hourly_cost is None else _number(r.hourly_cost),
            "accountable role": r.accountable_role or "",
            "description": r.description,
        }
        for r in flow.roles
    ]


def functions_table(flow: Flow) -> Table:
    return [{"id": f.id, "name": f.name, "colour": f.colour} for f in flow.functions]


def data_items_table(flow: Flow) -> Table:
    return [{"id": d.id, "name": d.name, "system": d.system, "description": d.description} for d in flow.data_items]


# --------------------------------------------------------------------------- impact


def _flatten(record: Mapping[str, Any], prefix: str = "") -> Row:
    row: Row = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            row.update(_flatten(value, f"{name}."))
        else:
            row[name] = _cell(value)
    return row


def impact_tables(impact: BaseModel | Mapping[str, Any]) -> dict[str, Table]:
    """Any impact result as tables: lists of records become tables, scalars a summary."""
    body = impact.model_dump(mode="json") if isinstance(impact, BaseModel) else dict(impact)
    tables: dict[str, Table] = {}
    summary: Table = []

    def walk(value: Mapping[str, Any], prefix: str) -> None:
        for key, item in value.items():
            name = f"{prefix}{key}"
            if isinstance(item, Mapping):
                walk(item, f"{name}.")
            elif isinstance(item, list) and item and all(isinstance(x, Mapping) for x in item):
                tables[f"impact_{name.replace('.', '_')}"] = [_flatten(x) for x in item]
            elif isinstance(item, list) and not item:
                continue
            else:
                summary.append({"field": name, "value": _cell(item)})

    walk(body, "")
    return {"impact_summary": summary, **tables} if summary else tables


def flow_tables(flow: Flow, scenario: Scenario | None = None, impact: BaseModel | None = None) -> dict[str, Table]:
    tables: dict[str, Table] = {
        "steps": steps_table(flow, scenario),
        "handoffs": handoffs_table(flow),
        "decisions": decisions_table(flow, scenario),
        "roles": roles_table(flow),
        "functions": functions_table(flow),
        "data_items": data_items_table(flow),
    }
    if impact is not None:
        tables.update(impact_tables(impact))
    return tables


def _columns(table: Table, preferred: Sequence[str] = ()) -> list[str]:
    columns = list(preferred)
    for row in table:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns


_HEADERS: dict[str, Sequence[str]] = {"steps": STEP_COLUMNS}
_EMPTY_HEADERS: dict[str, Sequence[str]] = {
    "handoffs": ("id", "from", "to", "condition"),
    "decisions": (
        "scenario",
        "step",
        "step name",
        *(f.replace("_", " ") for f in Decision.model_fields if f != "step"),
    ),
    "roles": ("id", "name", "function", "kind", "headcount", "hourly cost", "accountable role", "description"),
    "functions": ("id", "name", "colour"),
    "data_items": ("id", "name", "system", "description"),
    "impact_summary": ("field", "value"),
}


def _header(name: str, table: Table) -> list[str]:
    return _columns(table, _HEADERS.get(name, ()) if table else _HEADERS.get(name, _EMPTY_HEADERS.get(name, ())))


# --------------------------------------------------------------------------- CSV


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_csv(flow: Flow, scenario: Scenario | None = None, impact: BaseModel | None = None) -> dict[str, str]:
    """Table name -> CSV text (comma-separated, header row, UTF-8 text, CRLF rows)."""
    out: dict[str, str] = {}
    for name, table in flow_tables(flow, scenario, impact).items():
        buffer = io.StringIO()
        header = _header(name, table)
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in table:
            writer.writerow([_csv_safe(_cell(row.get(column, ""))) for column in header])
        out[name] = buffer.getvalue()
    return out


# --------------------------------------------------------------------------- XLSX


def _sheet_name(name: str, taken: set[str]) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:MAX_SHEET_NAME] or "sheet"
    candidate, n = cleaned, 2
    while candidate.casefold() in taken:
        suffix = f"_{n}"
        candidate, n = cleaned[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def export_xlsx(flow: Flow, scenario: Scenario | None = None, impact: BaseModel | None = None) -> bytes:
    """One workbook, one sheet per table, header row in bold and frozen."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for name, table in flow_tables(flow, scenario, impact).items():
        sheet = workbook.create_sheet(_sheet_name(name, taken))
        sheet.freeze_panes = "A2"
        header = _header(name, table)
        header_cells = []
        for column in header:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in table:
            cells = []
            for column in header:
                value = _cell(row.get(column, ""))
                cell = WriteOnlyCell(sheet, value=value if value != "" else None)
                if isinstance(value, str) and value:
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
