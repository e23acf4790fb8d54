"""Step lists from CSV and XLSX: synonyms, good rows, and every bad row reported at once."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from redesign.io import spreadsheet_import
from redesign.io.spreadsheet_import import import_csv, import_xlsx, normalise_header
from redesign.validation import FlowInvalid

GOOD = """Step;Activity;Department;Role;Next steps;Touch time (min);Wait;Cases;%C&A;Notes;Inputs;Outputs;Colour
1;Take order;Sales;Account exec;2;12,5;60;40;85%;Phone or email;;Order
2;Check credit;Finance;Credit analyst;3, Ship;8;120;40;0.9;;Order;Credit decision
3;Pick;Ops;;Ship;20;;40;;;;
4;Ship;Ops;Dispatcher;;5;30;40;99;;Order, Credit decision;
"""


def _error(data: bytes, kind: str = "csv") -> list[str]:
    with pytest.raises(FlowInvalid) as info:
        (import_csv if kind == "csv" else import_xlsx)(data, "sheet")
    return str(info.value).splitlines()


def test_good_csv_with_synonyms_semicolons_and_decimal_commas() -> None:
    flow, report = import_csv(GOOD.encode("utf-8"), "Order to cash.csv")
    assert (flow.id, flow.name) == ("order_to_cash", "Order to cash")
    assert [(s.id, s.name) for s in flow.steps] == [
        ("1", "Take order"),
        ("2", "Check credit"),
        ("3", "Pick"),
        ("4", "Ship"),
    ]
    assert [(f.id, f.name, f.colour) for f in flow.functions] == [
        ("sales", "Sales", "#1f77b4"),
        ("finance", "Finance", "#d62728"),
        ("ops", "Ops", "#ff7f0e"),
    ]
    assert [(r.id, r.name, r.function) for r in flow.roles] == [
        ("account_exec", "Account exec", "sales"),
        ("credit_analyst", "Credit analyst", "finance"),
        ("dispatcher", "Dispatcher", "ops"),
    ]
    first, second, pick, ship = flow.steps
    assert (first.touch_minutes, first.wait_minutes, first.volume, first.pca) == (12.5, 60, 40, 85)
    assert second.pca == 90  # 0.9 read as a fraction
    assert pick.owner is None and pick.pca == 100 and pick.wait_minutes == 0
    assert first.description == "Phone or email"
    assert [(h.source, h.target) for h in flow.handoffs] == [("1", "2"), ("2", "3"), ("2", "4"), ("3", "4")]
    assert [d.name for d in flow.data_items] == ["Order", "Credit decision"]
    assert ship.data_in == ["order", "credit_decision"] and second.data_out == ["credit_decision"]
    assert [(s.element_id, s.reason) for s in report.skipped] == [("Colour", "not a column Crossflow reads; ignored")]
    assert report.notes == ["%C&A values between 0 and 1 were read as fractions (0.85 = 85 %)"]
    assert (report.format, report.steps, report.handoffs, report.functions) == ("csv", 4, 4, 3)


def test_every_bad_row_at_once() -> None:
    bad = (
        "step,name,function,touch minutes,wait minutes,volume,%C&A,next,kind\n"
        "a,Take order,Sales,abc,,,,b,task\n"  # row 2
        "b,Check,Finance,-5,,,120,zz,\n"  # row 3
        "a,Again,Sales,1,,,,,\n"  # row 4
        ",,,,,,,,\n"  # row 5: blank, ignored
        "c,,Ops,1,x1,,,,loop\n"  # row 6: the name falls back to the id "c"
        "d,Dup,Ops,,,,,Check; Dup,\n"  # row 7
        "e,Dup,Ops,,,true,,,\n"  # row 8
    )
    assert _error(bad.encode()) == [
        "row 2: touch minutes 'abc' is not a number",
        "row 3: touch minutes -5 is negative",
        "row 3: %C&A 120 is more than 100",
        "row 3: next step 'zz' is neither a step id nor a step name in this sheet",
        "row 4: step id 'a' is used again (first on row 2)",
        "row 6: wait minutes 'x1' is not a number",
        "row 6: kind 'loop' is not one of task, decision, review",
        "row 7: next step 'Dup' matches 2 steps by name; use the step id",
        "row 8: volume 'true' is not a number",
    ]


def test_missing_name_column_lists_what_was_found() -> None:
    assert _error(b"Department,Minutes\nSales,5\n") == [
        'row 1: no "name" column: the header row needs a column called name (or step, activity, task); '
        'found "Department", "Minutes"'
    ]


def test_empty_and_header_only() -> None:
    assert _error(b"\n\n") == ["the sheet is empty: expected a header row and one row per step"]
    flow, report = import_csv(b"name,function\n")
    assert flow.steps == [] and report.steps == 0


def test_blank_function_and_self_loop_and_no_minutes() -> None:
    flow, report = import_csv(b"name,function,next\nFix,,Fix\nShip,IT,\n")
    assert [f.name for f in flow.functions] == ["Unassigned", "IT"]
    assert flow.functions[1].id == "it" and flow.functions[1].colour == "#9467bd"
    assert [(h.source, h.target, h.rework) for h in flow.handoffs] == [("s1", "s1", True)]
    assert report.notes == [
        'steps without a function were put in a function called "Unassigned"',
        "the sheet has no touch or wait minutes: fill them in before reading the metrics",
    ]


def test_windows_1252_csv_and_ids_that_need_cleaning() -> None:
    data = "Step,Name,Function,Next\nPrüfung 1,Prüfung,Finance,Café 2\nCafé 2,Café,Ops,\n".encode("cp1252")
    flow, _ = import_csv(data)
    assert [(s.id, s.name) for s in flow.steps] == [("Prufung_1", "Prüfung"), ("Cafe_2", "Café")]
    assert [(h.source, h.target) for h in flow.handoffs] == [("Prufung_1", "Cafe_2")]


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_reads_the_steps_sheet_with_numbers_and_percentages() -> None:
    data = _xlsx(
        {
            "Read me": [["This workbook lists the steps on the next sheet"]],
            "Steps": [
                ["Name", "Function", "Touch minutes", "PCA", "Next"],
                ["Qualify lead", "Sales", 15, 0.8, "Forecast"],
                ["Forecast", "Sales", 30.5, 95, None],
                [None, None, None, None, None],
            ],
        }
    )
    flow, report = import_xlsx(data, "pipeline.xlsx")
    assert [(s.name, s.touch_minutes, s.pca) for s in flow.steps] == [("Qualify lead", 15, 80), ("Forecast", 30.5, 95)]
    assert [(h.source, h.target) for h in flow.handoffs] == [("s1", "s2")]
    assert report.format == "xlsx"


def test_xlsx_bad_rows_use_spreadsheet_row_numbers() -> None:
    data = _xlsx({"Sheet1": [["name", "touch minutes"], ["A", "ten"], ["B", -1]]})
    assert _error(data, "xlsx") == ["row 2: touch minutes 'ten' is not a number", "row 3: touch minutes -1 is negative"]


def test_broken_and_oversized_workbooks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _error(b"PK\x03\x04 not really a zip", "xlsx") == [
        "not a valid .xlsx file (it is not a zip archive); save it again as .xlsx or CSV"
    ]
    monkeypatch.setattr(spreadsheet_import, "MAX_UNZIPPED_BYTES", 1000)
    message = _error(_xlsx({"s": [["name"], ["x"]]}), "xlsx")[0]
    assert message.startswith("the workbook unpacks to") and "the limit is" in message


def test_header_normalisation() -> None:
    assert normalise_header("  Touch_Time (min) ") == "touch time"
    assert normalise_header("%C&A [%]") == "%c&a"
    assert normalise_header("Wait-Time") == "wait time"
