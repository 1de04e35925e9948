"""Reading one canonical table file and typing frames (planning/data/read.py): kinds, CSV and Parquet alike,
row groups pruned by statistics, column projection, and the errors naming file, column, value and line."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from frames_data import FIXTURE, write_csv, write_parquet

from planning import data
from planning.data import read as data_read


@pytest.fixture
def tiny(tmp_path):
    return write_csv(tmp_path / "tiny")


@pytest.fixture
def tiny_parquet(tmp_path, tiny):
    return write_parquet(tmp_path / "tiny_pq", tiny)


def test_loaded_kinds(tiny):
    t = data.load_tables(tiny)
    for name, df in t.items():
        for col, kind in data.SCHEMA[name].items():
            assert data.kind_of(df[col]) == kind, (name, col)
    assert t.orders["order_date"].dtype == "datetime64[us]"
    assert t.orders["region"].dtype == "str"
    assert t.reps["exit_date"].isna().tolist() == [True, True, False]


def test_csv_and_parquet_load_the_same(tiny, tiny_parquet):
    """The same rows; the Parquet files (`sample.write`) hold one region per row group, so a whole table comes
    grouped by region (each region's rows in their order) and a region's rows come exactly as from the CSV."""
    a, b = data.load_tables(tiny), data.load_tables(tiny_parquet)
    for name in data.TABLES:
        expected = a.get(name)
        if expected is not None and "region" in expected and name != "regions":
            codes, _ = pd.factorize(expected["region"], use_na_sentinel=False)
            expected = expected.iloc[np.argsort(codes, kind="stable")].reset_index(drop=True)
        pd.testing.assert_frame_equal(expected, b.get(name), obj=name)
    east_csv, east_pq = data.load_tables(tiny, region="east"), data.load_tables(tiny_parquet, region="east")
    for name in data.TABLES:
        pd.testing.assert_frame_equal(east_csv.get(name), east_pq.get(name), obj=f"east {name}")


def test_ids_stay_text(tmp_path):
    rows = [dict(r, rep_id="007", customer_id="0042") for r in FIXTURE["orders"]]
    folder = write_csv(tmp_path / "ids", {"orders": rows})
    o = data.load_tables(folder).orders
    assert o["rep_id"].unique().tolist() == ["007"] and o["customer_id"].unique().tolist() == ["0042"]


SORTED_LINES = [("east", "2024-01-01", 1.0), ("east", "2024-02-01", 2.0), ("east", "2025-03-01", 4.0),
                ("north", "2024-01-01", 8.0), ("south", "2024-05-01", 16.0), ("south", "2024-06-01", 32.0)]  # fmt: skip


def _orders_parquet(path, lines=SORTED_LINES, write_statistics: bool = True):
    """Order lines (region, date, amount), two per row group, region written from a pandas categorical (as the
    sample does: the file's Arrow schema says dictionary<string>). With SORTED_LINES, row group 0: east
    2024-01-01, east 2024-02-01; 1: east 2025-03-01, north 2024-01-01; 2: south 2024-05-01, south 2024-06-01."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = FIXTURE["orders"][0]
    df = pd.DataFrame([dict(base, order_id=f"SO{i}", region=r, order_date=d, amount=a) for i, (r, d, a) in
                       enumerate(lines)])  # fmt: skip
    df["region"] = df["region"].astype("category")
    df["order_date"] = pd.to_datetime(df["order_date"]).dt.date
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=2,
                   write_statistics=write_statistics)  # fmt: skip
    return path


def test_parquet_row_groups_pruned_by_region_and_date_statistics(tmp_path):
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    path = _orders_parquet(tmp_path / "orders.parquet")
    assert str(ds.dataset(path).schema.field("region").type).startswith("dictionary")
    meta = pq.ParquetFile(path).metadata
    d = pd.Timestamp
    # (row group, all its rows match): group 0 is east only; group 1 also holds north.
    assert data_read._row_groups(meta, {"region": "east"}) == [(0, True), (1, False)]
    # "north" lies outside the range east..east of group 0 and south..south of group 2.
    assert data_read._row_groups(meta, {"region": "north"}) == [(1, False)]
    assert data_read._row_groups(meta, {"region": "west"}) == []
    assert data_read._row_groups(meta, {"region": "north", "order_date": d("2023-12-31").date()}) == []
    # Group 1 runs to 2025-03-01, group 2 starts 2024-05-01 and ends 2024-06-01.
    assert data_read._row_groups(meta, {"order_date": d("2024-03-01").date()}) == [(0, True), (1, False)]
    assert data_read._row_groups(meta, {"order_date": d("2024-05-01").date()}) == [
        (0, True),
        (1, False),
        (2, False),
    ]
    assert data_read._row_groups(meta, {"order_date": d("2025-12-31").date()}) == [
        (0, True),
        (1, True),
        (2, True),
    ]
    # Only the rows asked for, whatever was pruned: east up to 2024-12-31 = lines of 1 + 2.
    east = data.read_table(path, "orders", region="east", as_of="2024-12-31")
    assert east["amount"].tolist() == [1.0, 2.0] and east["region"].tolist() == ["east", "east"]
    assert east["order_date"].dtype == "datetime64[us]"
    north = data.read_table(path, "orders", region="north", columns=["order_date", "amount"])
    assert north["amount"].tolist() == [8.0] and list(north.columns) == ["order_date", "amount"]
    none = data.read_table(path, "orders", region="west")
    assert len(none) == 0 and list(none.columns) == list(data.SCHEMA["orders"])


def test_parquet_rows_keep_file_order_across_whole_and_filtered_row_groups(tmp_path):
    import pyarrow.parquet as pq

    lines = [("east", "2024-01-01", 1.0), ("north", "2024-01-01", 2.0), ("east", "2024-01-02", 4.0),
             ("east", "2024-01-03", 8.0), ("north", "2024-01-04", 16.0), ("east", "2024-01-04", 32.0)]  # fmt: skip
    path = _orders_parquet(tmp_path / "orders.parquet", lines)
    assert data_read._row_groups(pq.ParquetFile(path).metadata, {"region": "east"}) == [
        (0, False),
        (1, True),
        (2, False),
    ]
    east = data.read_table(path, "orders", region="east")
    assert east["amount"].tolist() == [1.0, 4.0, 8.0, 32.0]  # file order; filtered, whole, filtered group


def test_parquet_without_statistics_reads_every_row_group(tmp_path):
    import pyarrow.parquet as pq

    path = _orders_parquet(tmp_path / "orders.parquet", write_statistics=False)
    meta = pq.ParquetFile(path).metadata
    assert data_read._row_groups(meta, {"region": "north"}) == [(0, False), (1, False), (2, False)]
    south = data.read_table(path, "orders", region="south", as_of="2024-05-31")
    assert south["amount"].tolist() == [16.0]


def test_dates_with_a_time_of_day_become_calendar_dates():
    stamps = pd.Series(
        pd.to_datetime(["2025-01-05 13:45", "2025-01-06 00:00", None])
    )  # exit_date may be empty
    out = data.coerce_table(pd.DataFrame({"exit_date": stamps}), "reps")["exit_date"]
    assert out.tolist()[:2] == [pd.Timestamp("2025-01-05"), pd.Timestamp("2025-01-06")]
    assert pd.isna(out.iloc[2]) and out.dtype == "datetime64[us]"
    # All at midnight already (as read from Parquet dates): the same values, by position (index 1, 2 -> 0, 1).
    midnight = data.coerce_table(pd.DataFrame({"exit_date": stamps.iloc[1:]}), "reps")["exit_date"]
    assert midnight.index.tolist() == [0, 1]
    assert midnight.iloc[0] == pd.Timestamp("2025-01-06") and pd.isna(midnight.iloc[1])


def test_column_projection_keeps_extra_file_columns(tmp_path):
    # An export's orders with one column outside the schema ("industry"): a step reading two schema columns
    # still gets it (segments fall back to it), and nothing else of the schema.
    rows = [dict(r, industry="machinery") for r in FIXTURE["orders"]]
    folder = write_csv(tmp_path / "extra", {"orders": rows})
    t = data.load_tables(folder, columns={"orders": ["order_date", "amount"]})
    assert list(t.orders.columns) == ["order_date", "amount", "industry"]
    assert t.orders["order_date"].dtype == "datetime64[us]"
    full = data.load_tables(folder)
    pd.testing.assert_frame_equal(t.orders, full.orders[["order_date", "amount", "industry"]])
    exact = data.read_table(folder / "orders.csv", "orders", columns=["amount"])
    assert list(exact.columns) == ["amount"]  # without extra=True: exactly the columns asked for


# --- errors ----------------------------------------------------------------------------------------------------
def test_missing_required_column_names_file_and_column(tmp_path):
    bad = pd.DataFrame(FIXTURE["orders"]).drop(columns=["amount"])
    folder = write_csv(tmp_path / "bad", {"orders": FIXTURE["orders"]}, orders=bad)
    with pytest.raises(data.DataError) as err:
        data.load_tables(folder)
    msg = str(err.value)
    assert "orders.csv" in msg and "missing required column 'amount'" in msg and "expected columns" in msg


def test_empty_file(tmp_path):
    folder = write_csv(tmp_path / "empty", {"orders": FIXTURE["orders"]})
    (folder / "reps.csv").write_text("")
    with pytest.raises(
        data.DataError, match=r"reps\.csv: the file is empty; expected a header with columns rep_id"
    ):
        data.load_tables(folder)
    (folder / "reps.csv").unlink()
    header_only = pd.DataFrame(columns=list(data.SCHEMA["orders"]))
    write_csv(folder, {"orders": []}, orders=header_only)
    with pytest.raises(data.DataError, match=r"orders\.csv: the file has no data rows"):
        data.load_tables(folder)


def test_unparseable_date_names_file_column_value_and_line(tmp_path):
    rows = [dict(r) for r in FIXTURE["orders"]]
    rows[1]["order_date"] = "2024-13-45"
    folder = write_csv(tmp_path / "dates", {"orders": rows})
    with pytest.raises(data.DataError) as err:
        data.load_tables(folder)
    msg = str(err.value)
    assert "orders.csv" in msg and "'order_date'" in msg and "line 3" in msg and "'2024-13-45'" in msg
    assert "YYYY-MM-DD" in msg


def test_bad_number_and_bad_integer(tmp_path):
    rows = [dict(r) for r in FIXTURE["orders"]]
    rows[0]["amount"] = "abc"
    folder = write_csv(tmp_path / "num", {"orders": rows})
    with pytest.raises(
        data.DataError, match=r"orders\.csv: column 'amount', line 2: value 'abc' is not a number"
    ):
        data.load_tables(folder)
    rows = [dict(r) for r in FIXTURE["orders"]]
    rows[4]["line_no"] = 1.5
    folder = write_csv(tmp_path / "int", {"orders": rows})
    with pytest.raises(data.DataError, match=r"column 'line_no', line 6: value '1.5' is not a whole number"):
        data.load_tables(folder)


def test_empty_required_value(tmp_path):
    rows = [dict(r) for r in FIXTURE["orders"]]
    rows[2]["region"] = ""
    folder = write_csv(tmp_path / "blank", {"orders": rows})
    with pytest.raises(data.DataError, match=r"column 'region', line 4: .* is not a non-empty text"):
        data.load_tables(folder)


def test_bad_as_of(tiny):
    with pytest.raises(data.DataError, match="as_of 'soon' is not a date"):
        data.load_tables(tiny, as_of="soon")


@pytest.mark.parametrize("kind_col, value", [("quantity", "1E400"), ("amount", "-1e999")])
def test_infinite_numbers_are_data_errors(kind_col: str, value: str):
    frame = pd.DataFrame({"order_id": ["A1"], kind_col: [value]})
    with pytest.raises(data.DataError, match=rf"{kind_col}.*'{value}'.*a finite number"):
        data.coerce_table(frame, "orders", "orders.csv")


# ------------------------------------------------------------------------ issue 18: what a path is
def _not_a_file(kind: str, tmp_path):
    path = tmp_path / "orders.csv"
    if kind == "folder":
        path.mkdir()
    elif kind == "FIFO":
        os.mkfifo(path)
    elif kind == "broken symlink":
        path.symlink_to(tmp_path / "gone.csv")
    else:  # a character device
        path.symlink_to("/dev/null")
    return path


KINDS = {
    "folder": "is a folder, not a file",
    "FIFO": "is a FIFO (named pipe), not a file",
    "character device": "is a character device, not a file",
    "broken symlink": "is a broken symlink (to ",
}


@pytest.mark.adversarial
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_data_file_that_is_not_a_file_is_reported_as_what_it_is(tmp_path, kind: str):
    """A folder, device or FIFO given as a data file was reported as "not found" (issue 18, case 6); reading a
    FIFO would wait for a writer for ever."""
    path = _not_a_file(kind, tmp_path)
    with pytest.raises(data.DataError) as exc:
        data.read_table(path, "orders")
    assert str(exc.value).startswith(f"{path}: {KINDS[kind]}"), exc.value
    assert "expected table 'orders' as a csv file" in str(exc.value)


@pytest.mark.adversarial
def test_a_table_in_a_data_folder_that_is_a_folder_is_not_called_missing(tmp_path, tiny):
    folder = tmp_path / "data"
    folder.mkdir()
    for f in tiny.iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    orders = next(folder.glob("orders.*"))
    orders.unlink()
    orders.mkdir()
    with pytest.raises(data.DataError, match=rf"{orders}: is a folder, not a file") as exc:
        data.load_tables(folder)
    assert "missing" not in str(exc.value)
    with pytest.raises(data.DataError, match=rf"{orders}: is a folder"):
        data.check_regions(folder, ["east"])


@pytest.mark.adversarial
def test_a_data_folder_that_is_a_file_or_device_says_so(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(
        data.DataError, match=rf"{afile}: is a file, not a folder; expected a folder with orders"
    ):
        data.load_tables(afile)
    with pytest.raises(data.DataError, match="/dev/null: is a character device, not a folder"):
        data.load_tables("/dev/null")
    with pytest.raises(data.DataError, match=rf"{tmp_path / 'nope'}: data folder not found"):
        data.load_tables(tmp_path / "nope")


def test_file_kind_of_a_regular_file_and_a_missing_one(tmp_path):
    (tmp_path / "f").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "f")
    assert data.file_kind(tmp_path / "f") is None and data.file_kind(tmp_path / "link") is None
    assert data.file_kind(tmp_path / "nope") == "not found"
    assert data.file_kind(tmp_path / "f" / "below") == "not found"


def test_a_repeated_read_is_a_copy_of_the_first_and_a_changed_file_is_read_again(tmp_path, tiny_parquet):
    """read_table keeps its recent results in the process (five steps of a region read the same rows): a repeat
    equals a fresh read, a caller's edits stay in its own frame, and a rewritten file is read anew."""
    path = tiny_parquet / "orders.parquet"
    first = data_read.read_table(path, "orders", region="east")
    fresh = data_read._read_table(path, "orders", region="east")
    first.loc[first.index[0], "amount"] = -1.0
    first["extra"] = 1
    again = data_read.read_table(path, "orders", region="east")
    assert again.equals(fresh) and "extra" not in again.columns
    assert data_read.read_table(path, "orders", region="east", columns=iter(["order_date"])).shape[1] >= 1
    pd.read_parquet(path).assign(amount=lambda d: d["amount"] * 2).to_parquet(path, index=False)
    assert data_read.read_table(path, "orders", region="east")["amount"].sum() == pytest.approx(
        2 * fresh["amount"].sum()
    )


def test_only_one_regions_reads_are_kept_and_never_a_whole_table(tiny_parquet):
    path = tiny_parquet / "orders.parquet"
    data_read._READ.clear()
    data_read.read_table(path, "orders")  # every region: the data checks' read, not kept
    assert not data_read._READ
    data_read.read_table(path, "orders", region="east")
    data_read.read_table(path, "orders", region="east", columns=["order_date"])
    assert {k[5] for k in data_read._READ} == {"east"} and len(data_read._READ) == 2
    data_read.read_table(path, "orders", region="north")
    assert {k[5] for k in data_read._READ} == {"north"}


def test_reads_kept_stay_within_the_byte_budget(tiny_parquet, monkeypatch):
    """A territory's large tables are not kept (at 10 M order lines keeping them cost 1.4 GB of the 4 GB target):
    no frame larger than the budget is kept, and older frames are forgotten to stay within it."""
    path = tiny_parquet / "orders.parquet"
    data_read._READ.clear()
    whole = data_read._read_table(path, "orders", region="east")
    size = int(whole.memory_usage(index=True, deep=False).sum())
    monkeypatch.setattr(data_read, "_READ_BUDGET", size - 1)
    data_read.read_table(path, "orders", region="east")
    assert not data_read._READ  # larger than the budget: read, not kept
    monkeypatch.setattr(data_read, "_READ_BUDGET", size + 1)
    data_read.read_table(path, "orders", region="east")
    data_read.read_table(path, "orders", region="east", columns=["order_date"])
    assert sum(n for _, n in data_read._READ.values()) <= size + 1
    assert [k[7] for k in data_read._READ] == [("order_date",)]  # the older, whole frame was forgotten


def test_frame_bytes_is_memory_usage_summed(tiny_parquet):
    """The read cache's byte budget counts what `memory_usage(index=True, deep=False).sum()` counts, from the
    frame's blocks: for every dtype a read or an artefact has, 2-D blocks, column selections, categoricals,
    object text, an index of labels, a sliced frame, and no columns or no rows."""
    orders = data_read._read_table(tiny_parquet / "orders.parquet", "orders", region="east")
    frames = [
        orders,
        orders[["amount", "order_date", "margin"]],
        orders.iloc[1:3],
        orders.assign(cat=orders["channel"].astype("category"), obj=orders["channel"].astype(object)),
        orders.assign(flag=orders["amount"] > 0, small=orders["line_no"].astype("int8")).set_index(
            "order_id"
        ),
        pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6.0) * 2}).set_index(pd.Index(list("abcdef"))),
        pd.DataFrame(
            {"t": pd.to_datetime(["2024-01-01", None]).tz_localize("UTC"), "i": pd.array([1, None])}
        ),
        pd.DataFrame(),
        orders.iloc[:0],
    ]
    for df in frames:
        assert data_read.frame_bytes(df) == int(df.memory_usage(index=True, deep=False).sum())


def test_columns_kept_for_the_same_rows_are_not_read_again(tmp_path, tiny_parquet, monkeypatch):
    """Each step reads other columns of a region's order lines: those a kept read of the same rows holds are
    taken from it and only the others read, and the frame is the one a read of all of them returns (columns in
    the order asked, then the file's columns outside the schema; the same rows, dtypes and index). A CSV, or a
    read whose columns are not all of the schema, is read as asked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "orders.parquet"
    t = pq.read_table(tiny_parquet / "orders.parquet")
    pq.write_table(t.append_column("segment", pa.array([f"s{i % 3}" for i in range(t.num_rows)])), path)
    reads = []
    real = data_read._read_table
    monkeypatch.setattr(data_read, "_read_table", lambda *a: reads.append(a[4]) or real(*a))
    data_read._READ.clear()
    for as_of in (None, "2024-05-31"):
        for region in ("east", "south"):
            for cols in (
                ["order_date", "amount"],
                ["rep_id", "amount", "order_date"],
                ["amount"],
                ["region", "line_no"],
            ):
                for extra in (True, False):
                    reads.clear()
                    got = data_read.read_table(path, "orders", region, as_of, cols, extra)
                    want = real(path, "orders", region, as_of, cols, extra)
                    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True)
                    assert list(got.columns) == cols + (["segment"] if extra else [])
                    assert all(r is None or set(r) <= set(cols) for r in reads)
    data_read._READ.clear()
    data_read.read_table(path, "orders", "east", None, ["order_date", "amount"], True)
    reads.clear()
    data_read.read_table(path, "orders", "east", None, ["rep_id", "amount", "order_date"], True)
    assert reads == [["rep_id"]]  # only the column not kept
    reads.clear()
    data_read.read_table(path, "orders", "east", None, ["amount", "rep_id"], True)
    assert reads == []  # every column kept: nothing read
    reads.clear()
    data_read.read_table(path, "orders", "east", None, ["amount", "segment"], False)
    assert reads == [["amount", "segment"]]  # a column outside the schema: read as asked
    data_read._READ.clear()
