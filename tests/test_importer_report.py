"""planning.importer.report: the import's row accounting (Findings, Accumulated), the ImportReport's JSON and
plain-text lines, and `report_of`, on tiny hand-made findings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frames_importer import CN_EXPORT, CN_MAPPING, write_mapping

from planning import importer
from planning.importer.report import (
    FINDING_COLUMNS,
    REPORT_FILE,
    SUMMARY_COLUMNS,
    Accumulated,
    Findings,
    ImportReport,
    report_of,
)


def _findings(n: int, first_row: int = 1) -> Findings:
    """Findings of an `n`-row frame whose rows are data rows first_row, first_row + 1, ... of the source file."""
    return Findings("orders", n, np.arange(first_row, first_row + n))


# --- Findings: one table (or one record batch) ---------------------------------------------------------------
def test_dropped_rows_are_counted_once_with_their_first_reason():
    f = _findings(5, first_row=11)
    values = pd.Series(["a", None, "c", "d", "e"])
    f.drop([1, 1, 0, 0, 0], "empty", "customer_id", "no customer", values)  # call 1: rows 11, 12
    f.drop([0, 1, 1, 0, 0], "excluded", "status", "cancelled", values)  # call 2: row 12 is gone, row 13 only
    f.note([0, 0, 0, 0, 0], "duplicate", "*", "nothing matches")  # call 3: no record, still a call
    f.fix([1, 0, 0, 1, 1], "number_format", "amount", "commas removed")  # call 4: row 11 is gone: 14, 15
    assert f.alive.tolist() == [False, False, False, True, True]
    assert f.fixed.tolist() == [False, False, False, True, True]
    assert [r["call"] for r in f.records] == [1, 2, 4]
    assert f.items == [
        {"table": "orders", "outcome": "dropped", "check": "empty", "column": "customer_id", "rows": 2,
         "detail": "no customer", "examples": "row 11: 'a'; row 12: ''"},
        {"table": "orders", "outcome": "dropped", "check": "excluded", "column": "status", "rows": 1,
         "detail": "cancelled", "examples": "row 13: 'c'"},
        {"table": "orders", "outcome": "fixed", "check": "number_format", "column": "amount", "rows": 2,
         "detail": "commas removed", "examples": "row 14; row 15"},
    ]  # fmt: skip
    assert list(f.items[0]) == FINDING_COLUMNS


def test_examples_are_the_first_three_rows_cut_to_60_characters():
    f = _findings(5)
    values = pd.Series(["x" * 70, np.nan, "b", "c", "d"])
    f.note(np.ones(5, bool), "unmapped_value", "region", "kept as it is", values)
    (item,) = f.items
    assert item["rows"] == 5 and item["outcome"] == "warning"
    assert item["examples"] == f"row 1: '{'x' * 60}'; row 2: ''; row 3: 'b'"
    assert f.alive.all() and not f.fixed.any()  # a warning keeps the rows as they are


def test_missing_codes_are_listed_sorted_in_the_detail():
    f = _findings(4)
    values = pd.Series(["N/A", "east", "-", "N/A"])
    f.drop([0, 0, 1, 0], "empty", "customer_id", "no customer")  # row 3 is gone before the codes are read
    f.fix_missing(np.array([True, False, True, True]), "region", values)
    item = f.items[-1]
    assert (item["check"], item["rows"], item["detail"]) == ("missing_code", 2, "['N/A'] read as missing")
    assert item["examples"] == "row 1: 'N/A'; row 4: 'N/A'"
    f2 = _findings(2)
    f2.fix_missing(np.array([True, True]), "region", pd.Series(["-", "N/A"]))
    assert f2.items[0]["detail"] == "['-', 'N/A'] read as missing"


def test_info_is_numbered_in_call_order_and_skipped_when_empty():
    f = _findings(3)
    f.info("derived", "amount", 0, "nothing derived")  # call 1: no rows, no record
    f.info("line_no", "line_no", 3, "numbered 1, 2, ...")  # call 2
    assert f.records == [
        {"call": 2, "table": "orders", "outcome": "info", "check": "line_no", "column": "line_no", "rows": 3,
         "detail": "numbered 1, 2, ...", "examples": [], "codes": None}
    ]  # fmt: skip
    assert f.items[0]["examples"] == ""


# --- Accumulated: a table imported in record batches ----------------------------------------------------------
def _batch(n: int, first_row: int, dropped: list[int], missing: list[int], values: list[str]) -> Findings:
    """One record batch: call 1 drops `dropped`, call 2 reads `missing` as missing codes, call 3 fixes row 0."""
    f = _findings(n, first_row)
    s = pd.Series(values)
    f.drop(dropped, "empty", "customer_id", "no customer", s)
    f.fix_missing(np.array(missing, bool), "region", s)
    f.fix([1] + [0] * (n - 1), "number_format", "amount", "commas removed")
    return f


def test_accumulated_sums_rows_per_call_and_keeps_the_files_first_examples():
    a = Accumulated("orders")
    a.add(_batch(3, 1, dropped=[1, 0, 0], missing=[0, 1, 0], values=["", "NA", "c"]))
    a.add(_batch(3, 4, dropped=[1, 1, 1], missing=[0, 0, 0], values=["d", "e", "f"]))
    a.add(_batch(2, 7, dropped=[0, 0], missing=[1, 1], values=["-", "NA"]))
    a.info("line_no", "line_no", 0, "numbered")  # call 4: no rows, no record
    a.info("line_no", "line_no", 4, "numbered")  # call 5
    # 8 rows: batch 1 drops row 1, batch 2 rows 4-6; kept and fixed: rows 2, 7, 8 (missing codes) and 7 (call 3,
    # which found rows 1 and 4 already dropped)
    assert (a.rows_read, a.rows_kept, a.rows_fixed, a.rows_dropped) == (8, 4, 3, 4)
    assert sorted(a.by_call) == [1, 2, 3, 5]
    assert [(i["check"], i["rows"], i["detail"], i["examples"]) for i in a.items] == [
        ("empty", 4, "no customer", "row 1: ''; row 4: 'd'; row 5: 'e'"),
        ("missing_code", 3, "['-', 'NA'] read as missing", "row 2: 'NA'; row 7: '-'; row 8: 'NA'"),
        ("number_format", 1, "commas removed", "row 7"),
        ("line_no", 4, "numbered", ""),
    ]


def test_accumulated_counts_a_row_fixed_then_dropped_as_dropped_only():
    f = _findings(2)
    f.fix([1, 1], "number_format", "amount", "commas removed")
    f.drop([1, 0], "outside_window", "order_date", "dated before 2020-01-01")
    a = Accumulated("orders")
    a.add(f)
    assert (a.rows_read, a.rows_kept, a.rows_fixed, a.rows_dropped) == (2, 1, 1, 1)
    # the finding still says what the fix did when it ran: both rows
    assert [(i["outcome"], i["rows"]) for i in a.items] == [("fixed", 2), ("dropped", 1)]


def test_accumulated_rejects_batches_whose_calls_do_not_line_up():
    a = Accumulated("orders")
    first = _findings(1)
    first.drop([1], "empty", "customer_id", "no customer")
    other = _findings(1, first_row=2)
    other.fix([1], "number_format", "amount", "commas removed")  # call 1 again, another check
    a.add(first)
    with pytest.raises(AssertionError, match="findings of record batches do not line up"):
        a.add(other)


# --- ImportReport -----------------------------------------------------------------------------------------
def _report(**over) -> ImportReport:
    summary = pd.DataFrame(
        [
            {"table": "orders", "file": "/exports/2026/orders.csv", "rows_read": 9, "rows_kept": 4,
             "rows_fixed": 2, "rows_dropped": 5, "amount": 3060.5},
            {"table": "customers", "file": "/exports/2026/customers.xlsx", "rows_read": 3, "rows_kept": 3,
             "rows_fixed": 0, "rows_dropped": 0, "amount": None},
        ],
        columns=SUMMARY_COLUMNS,
    )  # fmt: skip
    findings = pd.DataFrame(
        [
            {"table": "orders", "outcome": "dropped", "check": "excluded", "column": "状态", "rows": 1,
             "detail": "cancelled order", "examples": "row 4: '已取消'"},
            {"table": "orders", "outcome": "fixed", "check": "number_format", "column": "amount", "rows": 2,
             "detail": "commas removed", "examples": ""},
            {"table": "orders", "outcome": "info", "check": "line_no", "column": "line_no", "rows": 4,
             "detail": "numbered", "examples": ""},
        ],
        columns=FINDING_COLUMNS,
    )  # fmt: skip
    fields = {
        "key": "abc123",
        "mapping": "/exports/mapping.yaml",
        "summary": summary,
        "findings": findings,
        "sources": {"orders": {"encoding": "gb18030", "batches": 1}},
        "regions": {"east": {"rows": 3, "amount": 2250.5}, "south": {"rows": 1, "amount": 810.0}},
        "data_dir": "/cache/abc123",
    }
    return ImportReport(**{**fields, **over})


def test_lines_say_rows_regions_and_findings():
    assert _report().lines() == [
        "orders: 9 rows read from orders.csv: 4 kept (2 fixed), 5 dropped, amount 3,060.50",
        "customers: 3 rows read from customers.xlsx: 3 kept (0 fixed), 0 dropped",  # no amount column
        "  orders of region east: 3 rows, amount 2,250.50",
        "  orders of region south: 1 rows, amount 810.00",
        "  dropped  orders.状态: 1 rows: cancelled order [row 4: '已取消']",
        "  fixed    orders.amount: 2 rows: commas removed",  # no examples: no brackets
        "  info     orders.line_no: 4 rows: numbered",
    ]
    f = _report().findings.assign(examples=np.nan)  # a findings table whose examples were read as missing
    assert _report(findings=f).lines()[4] == "  dropped  orders.状态: 1 rows: cancelled order"


def test_json_round_trip_keeps_every_field():
    r = _report()
    d = json.loads(r.to_json())
    assert d["summary"][1]["amount"] is None  # NaN is written as null, not NaN (invalid JSON)
    assert d["summary"][0]["rows_read"] == 9 and d["regions"]["south"] == {"rows": 1, "amount": 810.0}
    assert "已取消" in r.to_json()  # ensure_ascii=False: Chinese stays readable in import.json
    back = ImportReport.from_json(r.to_json())
    assert (back.key, back.mapping, back.data_dir) == ("abc123", "/exports/mapping.yaml", "/cache/abc123")
    pd.testing.assert_frame_equal(back.summary, r.summary)
    assert back.sources == r.sources and back.regions == r.regions
    assert back.findings["examples"].tolist() == ["row 4: '已取消'", "", ""]
    assert back.lines() == r.lines()


def test_from_json_of_an_older_report_without_data_dir():
    d = json.loads(_report().to_json())
    del d["data_dir"]
    assert ImportReport.from_json(json.dumps(d)).data_dir == ""
    del d["summary"]
    with pytest.raises(KeyError, match="summary"):
        ImportReport.from_json(json.dumps(d))


def test_complete_only_when_every_row_is_kept_or_dropped():
    assert _report().complete
    s = _report().summary.copy()
    s.loc[0, "rows_dropped"] = 4  # 9 read, 4 kept + 4 dropped: one row unaccounted for
    assert not _report(summary=s).complete


# --- report_of ----------------------------------------------------------------------------------------------
def test_report_of_a_folder_that_was_not_imported_is_none(tmp_path: Path):
    assert report_of(tmp_path) is None
    assert report_of(tmp_path / "absent") is None


def test_report_of_reads_import_json_back(tmp_path: Path):
    (tmp_path / REPORT_FILE).write_text(_report().to_json(), encoding="utf-8")
    r = report_of(str(tmp_path))
    assert r is not None and r.lines() == _report().lines()
    (tmp_path / REPORT_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        report_of(tmp_path)  # a damaged report is an error, not "not imported"


def test_report_of_a_real_import(tmp_path: Path):
    (tmp_path / "orders.csv").write_bytes(CN_EXPORT.encode("gbk"))
    d, report = importer.materialize(
        write_mapping(tmp_path, {"orders": CN_MAPPING}), cache_dir=tmp_path / "c"
    )
    back = report_of(d)
    assert back is not None and back.complete and back.lines() == report.lines()
    lines = back.lines()
    assert lines[:4] == [
        "orders: 9 rows read from orders.csv: 4 kept (4 fixed), 5 dropped, amount 3,060.50",
        "  orders of region east: 2 rows, amount 2,250.50",
        "  orders of region south: 1 rows, amount 800.00",
        "  orders of region 西北: 1 rows, amount 10.00",
    ]
    assert len(lines) == 4 + len(back.findings)
    assert (
        "  dropped  orders.状态: 1 rows: excluded by the mapping: cancelled order [row 5: '已取消']" in lines
    )
    # the dropped findings account for every dropped row
    assert back.findings.loc[back.findings["outcome"] == "dropped", "rows"].sum() == 5
