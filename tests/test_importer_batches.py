"""The large-file path of the importer (planning/importer/batches.py `import_large`): a messy export imported in
record batches of a few rows gives the same canonical Parquet (byte for byte) and the same validation report
as the same export read whole, never holds more than one batch in pandas, and writes orders sorted by region
and date in fixed-size row groups."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from planning import importer
from planning.errors import DataError
from planning.importer import batches, reading, transform, writing

COLUMNS = ["Order ID", "Order Date", "Customer", "Region", "Category", "Qty", "Sales", "Status", "Note"]


def _messy_rows(n_orders: int = 120) -> list[list[str]]:
    """~300 lines of a messy export: orders of 1-4 lines, day-first and ISO dates, a few bad or blank dates,
    dates before the window, "$1,234.50" / "(12.00)" / "NA" / "abc" amounts, blank and "NA" customers,
    cancelled orders, unmapped (from order 34 on) and Chinese regions, quantity 0 (no unit price), exact duplicates right after
    their original and far from it (in another batch), and one order whose lines are not adjacent."""
    rng = np.random.default_rng(11)
    rows = []
    for k in range(n_orders):
        day = pd.Timestamp("2020-11-01") + pd.Timedelta(days=int(rng.integers(0, 900)))
        date = day.strftime("%d/%m/%Y") if k % 3 else day.strftime("%Y-%m-%d")
        if k % 41 == 5:
            date = "soon"
        elif k % 53 == 7:
            date = ""
        region = ["East", "West", " east ", "华东", "North Pole" if k > 30 else "West", "West"][k % 6]
        customer = "" if k % 37 == 3 else ("NA" if k % 43 == 4 else f"C{k % 17:03d}")
        status = "Cancelled" if k % 19 == 2 else "Shipped"
        for line in range(int(rng.integers(1, 5))):
            qty = int(rng.integers(0, 6)) if k % 13 == 1 else int(rng.integers(1, 6))
            cents = int(rng.integers(100, 500_000))
            sales = [f"${cents / 100:,.2f}", f"{cents / 100:.2f}", f"({cents / 100:.2f})"][(k + line) % 3]
            if (k + line) % 29 == 0:
                sales = "NA"
            elif (k + line) % 31 == 0:
                sales = "abc"
            cat = ["Office Supplies", "Furniture", "Technology"][(k + line) % 3]
            rows.append([f"SO-{k:04d}", date, customer, region, cat, str(qty), sales, status, f"n{line}"])
        if k % 11 == 0:
            rows.append(list(rows[-1]))  # duplicate right after its original
    rows.insert(150, list(rows[3]))  # duplicates far from their original (another record batch)
    rows.insert(200, list(rows[10]))
    rows.append(["SO-0001", rows[3][1], "C001", "East", "Furniture", "1", "$5.00", "Shipped", "late line"])
    return rows


ORDERS_MAPPING = {
    "columns": {
        "order_id": "Order ID",
        "order_date": "Order Date",
        "customer_id": "Customer",
        "region": "Region",
        "product_line": "Category",
        "quantity": "Qty",
        "amount": "Sales",
        "status_note": "Note",
    },
    "date_format": "%d/%m/%Y",
    "missing": ["NA"],
    "values": {"region": {"East": "east", "West": "west"}},
    "derive": {"unit_price": "amount / quantity"},
    "exclude": [{"column": "Status", "in": ["Cancelled"], "reason": "cancelled order"}],
    "window": {"start": "2021-01-01"},
}


def _export(folder: Path, kind: str) -> Path:
    df = pd.DataFrame(_messy_rows(), columns=COLUMNS)
    if kind == "csv":
        path = folder / "orders.csv"
        df.to_csv(path, index=False, encoding="utf-8")
    elif kind == "gbk":
        path = folder / "orders_gbk.csv"
        df.to_csv(path, index=False, encoding="gbk")
    else:  # Parquet with dictionary-encoded text, a date32 column and numbers, as an ERP would write it
        path = folder / "orders.parquet"
        t = pa.Table.from_pandas(df.replace("", None), preserve_index=False)
        date = pd.to_datetime(df["Order Date"], format="mixed", dayfirst=True, errors="coerce")
        t = t.set_column(1, "Order Date", pa.array(date.dt.date, pa.date32()))
        t = t.set_column(3, "Region", pa.compute.dictionary_encode(t.column("Region")))
        t = t.set_column(5, "Qty", pa.array(pd.to_numeric(df["Qty"]).astype("float64")))
        pq.write_table(t.replace_schema_metadata(None), path)
    return path


def _mapping(folder: Path, path: Path, engine: str, **over) -> Path:
    m = folder / f"mapping-{engine}.yaml"
    tables = {"orders": {"file": path.name, **ORDERS_MAPPING, "engine": engine, **over}}
    m.write_text(yaml.safe_dump({"tables": tables}, allow_unicode=True), encoding="utf-8")
    return m


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record batches of 40 rows, row groups of 50; records the size of every frame `map_rows` maps."""
    monkeypatch.setattr(reading, "CHUNK_ROWS", 40)
    monkeypatch.setattr(writing, "ROW_GROUP_ROWS", 50)
    sizes: list[int] = []
    real = transform.map_rows

    def spy(name, raw, *args):
        sizes.append(len(raw))
        return real(name, raw, *args)

    monkeypatch.setattr(transform, "map_rows", spy)
    return sizes


@pytest.mark.parametrize("kind", ["csv", "parquet", "gbk"])
def test_large_path_equals_whole_file_path(tmp_path: Path, small_batches: list[int], kind: str) -> None:
    path = _export(tmp_path, kind)
    n_rows = len(_messy_rows())
    whole_dir, whole = importer.materialize(_mapping(tmp_path, path, "pandas"), cache_dir=tmp_path / "c")
    assert small_batches == [n_rows]
    small_batches.clear()
    large_dir, large = importer.materialize(_mapping(tmp_path, path, "duckdb"), cache_dir=tmp_path / "c")
    # every batch held at most 40 rows, and together they are the file
    assert max(small_batches) == 40 and sum(small_batches) == n_rows
    assert large.sources["orders"]["batches"] == len(small_batches) == -(-n_rows // 40)
    assert large.sources["orders"]["engine"] == {"csv": "duckdb", "gbk": "pandas", "parquet": "pyarrow"}[kind]

    # the same canonical file, byte for byte, and the same report
    assert (whole_dir / "orders.parquet").read_bytes() == (large_dir / "orders.parquet").read_bytes()
    pd.testing.assert_frame_equal(whole.summary, large.summary)
    pd.testing.assert_frame_equal(whole.findings, large.findings)
    assert whole.regions == large.regions
    assert large.complete

    # the fixture is messy enough to exercise every cross-batch merge
    checks = set(zip(large.findings["outcome"], large.findings["check"], strict=True))
    expected = {
        ("dropped", "excluded"),
        ("dropped", "duplicate"),
        ("dropped", "empty"),
        ("dropped", "outside_window"),
        ("dropped", "not_a_number"),
        ("fixed", "missing_code"),
        ("fixed", "number_format"),
        ("fixed", "not_derived"),
        ("warning", "unmapped_value"),
        ("warning", "non_ascii_key"),
        ("info", "line_no"),
    }
    if kind != "parquet":  # the Parquet export stores calendar dates: nothing to parse
        expected |= {("dropped", "not_a_date"), ("info", "date_format")}
    assert expected <= checks
    # duplicates found across batches: the copies right after their original and the two far ones (rows 151
    # and 201, in batches 4 and 6, repeat rows 4 and 11 of batch 1), those of cancelled orders counted as excluded
    src = pd.DataFrame(_messy_rows(), columns=COLUMNS)
    n_dup = int((src.duplicated() & (src["Status"] != "Cancelled")).sum())
    assert src.duplicated().iloc[[150, 200]].all() and n_dup > 2
    dup = large.findings[large.findings["check"] == "duplicate"].iloc[0]
    first = (
        "row 2: 'same as row 1'" if kind == "parquet" else "row 3: 'same as row 2'"
    )  # data row / file line
    assert dup["rows"] == n_dup and dup["examples"].startswith(first)


def test_large_orders_sorted_numbered_in_row_groups_and_deterministic(
    tmp_path: Path, small_batches: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def whole(*a, **k):
        raise AssertionError("read_source reads a file whole")

    monkeypatch.setattr(reading, "read_source", whole)  # the large path never does
    path = _export(tmp_path, "csv")
    m = _mapping(tmp_path, path, "duckdb")
    d, report = importer.materialize(m, cache_dir=tmp_path / "c1")
    assert report.complete and max(small_batches) == 40
    pf = pq.ParquetFile(d / "orders.parquet")
    kept = report.summary.loc[0, "rows_kept"]
    sizes = [pf.metadata.row_group(i).num_rows for i in range(pf.metadata.num_row_groups)]
    o = pf.read().to_pandas()
    # each region's rows in row groups of their own (a territory reads only its rows), 50 rows at most
    runs = o["region"].astype(str).groupby(o["region"].astype(str), sort=False).size().tolist()
    assert sum(runs) == kept and len(runs) > 1
    assert sizes == [n for run in runs for n in [50] * (run // 50) + ([run % 50] if run % 50 else [])]
    for i in range(pf.metadata.num_row_groups):
        stats = pf.metadata.row_group(i).column(pf.schema_arrow.get_field_index("region")).statistics
        assert stats.min == stats.max  # one region per row group
    key = list(zip(o["region"], o["order_date"], strict=True))
    assert key == sorted(key)
    # SO-0001's lines are numbered 1..m in file order: its late line (the last line of the file) is m
    so1 = o[o["order_id"] == "SO-0001"]
    assert so1.loc[so1["status_note"] == "late line", "line_no"].tolist() == [len(so1)]
    assert sorted(so1["line_no"]) == list(range(1, len(so1) + 1))
    assert (o.groupby("order_id")["line_no"].max() == o.groupby("order_id").size()).all()
    # the report's totals are the exact sums of the kept lines, rounded to the cent
    assert report.summary.loc[0, "amount"] == round(math.fsum(o["amount"]), 2)
    assert report.regions == {
        r: {"rows": len(g), "amount": round(math.fsum(g["amount"]), 2)} for r, g in o.groupby("region")
    }
    # same input, same bytes
    d2, _ = importer.materialize(m, cache_dir=tmp_path / "c2")
    for f in ("orders.parquet", "validation.csv"):
        assert (d / f).read_bytes() == (d2 / f).read_bytes(), f
    j1, j2 = (json.loads((x / "import.json").read_text(encoding="utf-8")) for x in (d, d2))
    assert {**j1, "data_dir": ""} == {**j2, "data_dir": ""}


def test_large_path_hard_errors_name_file_and_row(tmp_path: Path, small_batches: list[int]) -> None:
    path = _export(tmp_path, "csv")
    # a value outside the value map with `unmapped: error`: the first one in the file, in a later batch
    m = _mapping(
        tmp_path,
        path,
        "duckdb",
        values={"region": {"East": "east", "West": "west", "华东": "east"}},
        unmapped={"region": "error"},
    )
    src = pd.DataFrame(_messy_rows(), columns=COLUMNS)
    row = int(np.flatnonzero(src["Region"] == "North Pole")[0]) + 2  # the file line (header: line 1)
    assert row > 40
    with pytest.raises(
        DataError,
        match=rf"orders\.csv: column 'Region' \(-> region\), row {row}: value 'North Pole' is not in",
    ):
        importer.materialize(m, cache_dir=tmp_path / "c")
    # no date in any batch
    (tmp_path / "nodate.csv").write_text(
        "Order ID,Order Date,Customer,Region,Sales\n" + "".join(f"S{i},soon,C,East,1\n" for i in range(20)),
        encoding="utf-8",
    )
    cols = {"order_id": "Order ID", "order_date": "Order Date", "customer_id": "Customer", "region": "Region"}
    m = tmp_path / "nodate.yaml"
    m.write_text(
        yaml.safe_dump(
            {
                "tables": {
                    "orders": {
                        "file": "nodate.csv",
                        "engine": "duckdb",
                        "columns": {**cols, "amount": "Sales"},
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"no value is a date, e.g. row 2: 'soon'"):
        importer.materialize(m, cache_dir=tmp_path / "c")
    assert not any((tmp_path / "c").glob(".*tmp*"))  # nothing half-written left behind


def test_seen_rows_across_batches() -> None:
    seen = batches.SeenRows()
    # keys (h1, h2): row 3 repeats row 1; row 4 shares h1 with row 1 but not h2 (a first-hash collision)
    dup, first = seen.check(np.array([5, 9], np.uint64), np.array([1, 2], np.uint64), np.array([1, 2]))
    assert dup.tolist() == [False, False] and first.tolist() == [1, 2]
    dup, first = seen.check(
        np.array([5, 5, 5], np.uint64), np.array([1, 7, 7], np.uint64), np.array([3, 4, 5])
    )
    assert dup.tolist() == [True, False, True] and first.tolist() == [1, 4, 4]
    dup, first = seen.check(np.array([5, 9], np.uint64), np.array([7, 3], np.uint64), np.array([6, 7]))
    assert dup.tolist() == [True, False] and first.tolist() == [4, 7]


# --- issue 17 case 2 in record batches: one date convention for the whole file -------------------------
def _dated_export(tmp_path: Path, dates: list[str]) -> Path:
    mapping = tmp_path / "m.yaml"
    cols = {"order_id": "id", "order_date": "d", "customer_id": "c", "region": "r", "amount": "a"}
    tables = {"orders": {"file": "x.csv", "engine": "duckdb", "columns": cols}}
    mapping.write_text(yaml.safe_dump({"tables": tables}), encoding="utf-8")
    text = "id,d,c,r,a\n" + "".join(f"{i},{d},c,e,1\n" for i, d in enumerate(dates, 1))
    (tmp_path / "x.csv").write_text(text, encoding="utf-8")
    return mapping


def test_batches_keep_the_date_convention_decided_by_an_earlier_batch(
    tmp_path: Path, small_batches: list[int]
) -> None:
    # batch 1 holds 13/01/2019 (day-first); batch 2 only ambiguous dates: read day-first as well
    mapping = _dated_export(tmp_path, ["13/01/2019"] * 40 + ["03/02/2019"] * 5)
    out, _ = importer.materialize(mapping, tmp_path / "cache")
    dates = pd.read_parquet(out / "orders.parquet")["order_date"].dt.strftime("%Y-%m-%d")
    assert set(dates) == {"2019-01-13", "2019-02-03"} and len(small_batches) == 2


def test_batches_refuse_a_later_batch_contradicting_the_default(
    tmp_path: Path, small_batches: list[int]
) -> None:
    mapping = _dated_export(tmp_path, ["03/02/2019"] * 40 + ["13/01/2019"])
    with pytest.raises(DataError, match=r"the dates up to row 41 were read month-first \(no value told day from "
                       r"month\), but row 42 '13/01/2019' is day-first; set tables.orders.date_format: "
                       r"'%d/%m/%Y'"):  # fmt: skip
        importer.materialize(mapping, tmp_path / "cache")
    mapping = _dated_export(tmp_path, ["13/01/2019"] * 40 + ["01/13/2019"])
    with pytest.raises(DataError, match=r"mixes day-first dates \(row 2 '13/01/2019'\) and month-first dates "
                       r"\(row 42 '01/13/2019'\)"):  # fmt: skip
        importer.materialize(mapping, tmp_path / "cache")


def test_source_rows_name_the_export_line_of_each_canonical_row_on_both_paths(
    tmp_path: Path, small_batches: list[int]
) -> None:
    # orders sorted by region and date: the stored rows say where each canonical row is in the export
    dates = [f"2019-{1 + (i * 7) % 12:02d}-01" for i in range(90)]
    mapping = _dated_export(tmp_path, dates)
    text = (tmp_path / "x.csv").read_text(encoding="utf-8").splitlines()
    got = {}
    for engine in ("duckdb", "pandas"):
        m = tmp_path / f"m-{engine}.yaml"
        m.write_text(mapping.read_text(encoding="utf-8").replace("engine: duckdb", f"engine: {engine}"))
        out, _ = importer.materialize(m, tmp_path / f"cache-{engine}")
        rows = pd.read_parquet(out / "source_rows" / "orders.parquet")["row"].tolist()
        orders = pd.read_parquet(out / "orders.parquet")
        assert [text[r - 1].split(",")[0] for r in rows] == orders["order_id"].tolist()
        got[engine] = rows
    assert got["duckdb"] == got["pandas"] and len(small_batches) >= 3
