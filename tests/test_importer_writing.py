"""planning.importer.writing: canonical frames as Arrow, Parquet in fixed row groups however the rows arrive
(row groups of 3 rows here), and the totals read back for the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from planning.importer import writing


@pytest.fixture
def groups_of_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writing, "ROW_GROUP_ROWS", 3)


def _orders() -> pd.DataFrame:
    """Seven order lines: east 1.0 + 2.5 + 0.25, south 4.0 (and one without an amount), north 10.0, west 5.0."""
    return pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(1, 8)],
            "region": ["east", "east", "south", "south", "west", "east", "north"],
            "amount": [1.0, 2.5, np.nan, 4.0, 5.0, 0.25, 10.0],
        }
    )


def _write(path: Path, table: pa.Table, pieces: list[tuple[int, int]] | None = None) -> Path:
    """`table` through a ParquetSink, whole or as the slices [a, b) of `pieces`."""
    sink = writing.ParquetSink(path, table.schema)
    for a, b in pieces or [(0, table.num_rows)]:
        sink.write(table.slice(a, b - a))
    sink.close()
    return path


def _group_sizes(path: Path) -> list[int]:
    meta = pq.ParquetFile(path).metadata
    return [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]


def test_the_default_row_group_is_256k_rows():
    assert writing.ROW_GROUP_ROWS == 262_144


def test_to_arrow_writes_text_as_string_without_pandas_metadata():
    t = writing.to_arrow(_orders())
    assert t.schema.types == [pa.string(), pa.string(), pa.float64()]
    assert t.schema.names == ["order_id", "region", "amount"]
    assert t.schema.metadata is None  # the file's types are the contract, not pandas' own record
    assert t.column("region").to_pylist()[:3] == ["east", "east", "south"]
    assert t.column("amount").null_count == 1


def test_row_groups_are_fixed_whatever_the_batches(tmp_path: Path, groups_of_3):
    t = writing.to_arrow(_orders())
    whole = _write(tmp_path / "whole.parquet", t)
    pieces = _write(tmp_path / "pieces.parquet", t, [(0, 2), (2, 6), (6, 7)])
    ones = _write(tmp_path / "ones.parquet", t, [(i, i + 1) for i in range(7)])
    assert _group_sizes(whole) == _group_sizes(pieces) == _group_sizes(ones) == [3, 3, 1]
    assert whole.read_bytes() == pieces.read_bytes() == ones.read_bytes()
    assert pq.read_table(pieces).equals(t)  # the rows in their order
    assert pq.ParquetFile(whole).metadata.row_group(0).column(0).compression == "ZSTD"


def test_a_batch_of_exactly_one_row_group_is_flushed_at_once(tmp_path: Path, groups_of_3):
    t = writing.to_arrow(_orders())
    sink = writing.ParquetSink(tmp_path / "o.parquet", t.schema)
    sink.write(t.slice(0, 2))
    assert sink.n == 2  # buffered, nothing written yet
    sink.write(t.slice(2, 1))
    assert sink.n == 0 and sink.buffer[0].num_rows == 0
    sink.write(t.slice(3, 4))  # 4 rows: one group of 3 written, 1 buffered
    assert sink.n == 1
    sink.close()
    assert _group_sizes(tmp_path / "o.parquet") == [3, 3, 1]


def test_batches_are_cast_to_the_sinks_schema(tmp_path: Path, groups_of_3):
    schema = pa.schema([("order_id", pa.string()), ("amount", pa.float64())])
    sink = writing.ParquetSink(tmp_path / "o.parquet", schema)
    sink.write(
        pa.table({"order_id": pa.array(["A"], pa.large_string()), "amount": pa.array([3], pa.int32())})
    )
    sink.close()
    back = pq.read_table(tmp_path / "o.parquet")
    assert back.schema.types == [pa.string(), pa.float64()] and back.column("amount").to_pylist() == [3.0]


def test_a_batch_that_does_not_fit_the_schema_is_rejected(tmp_path: Path):
    schema = pa.schema([("order_id", pa.string()), ("amount", pa.float64())])
    sink = writing.ParquetSink(tmp_path / "o.parquet", schema)
    with pytest.raises(pa.ArrowInvalid, match="'lots'"):
        sink.write(pa.table({"order_id": ["A"], "amount": ["lots"]}))
    with pytest.raises(ValueError, match="field names are not matching"):
        sink.write(pa.table({"order_id": ["A"]}))
    assert sink.n == 0 and sink.buffer == []  # nothing of the rejected batches is kept
    sink.close()


def test_an_empty_table_has_no_row_group_and_zero_totals(tmp_path: Path):
    t = writing.to_arrow(_orders().iloc[0:0])
    sink = writing.ParquetSink(tmp_path / "o.parquet", t.schema)
    sink.close()
    assert _group_sizes(tmp_path / "o.parquet") == []
    assert writing.totals(tmp_path / "o.parquet", by_region=True) == (0.0, {})


def test_totals_by_region_sorted_missing_amounts_skipped(tmp_path: Path, groups_of_3):
    path = _write(tmp_path / "o.parquet", writing.to_arrow(_orders()), [(0, 4), (4, 7)])
    total, regions = writing.totals(path, by_region=True)
    assert total == 22.75  # 1 + 2.5 + 4 + 5 + 0.25 + 10, the empty amount skipped
    assert regions == {
        "east": {"rows": 3, "amount": 3.75},
        "north": {"rows": 1, "amount": 10.0},
        "south": {"rows": 2, "amount": 4.0},  # two lines, one without an amount
        "west": {"rows": 1, "amount": 5.0},
    }
    assert list(regions) == sorted(regions)
    assert writing.totals(path, by_region=False) == (22.75, {})


def test_totals_without_amount_or_region(tmp_path: Path):
    no_amount = writing.to_arrow(_orders().drop(columns="amount"))
    assert writing.totals(_write(tmp_path / "a.parquet", no_amount), by_region=True) == (None, {})
    no_region = writing.to_arrow(_orders().drop(columns="region"))
    assert writing.totals(_write(tmp_path / "b.parquet", no_region), by_region=True) == (22.75, {})


def test_totals_are_exact_sums_rounded_to_the_cent(tmp_path: Path):
    # a float sum in file order gives 0.0 (1e16 + 1 rounds back to 1e16); the correctly rounded sum is 1.0
    df = pd.DataFrame({"region": ["east", "east", "east", "south"], "amount": [1e16, 1.0, -1e16, 0.005]})
    assert sum(df["amount"]) == 0.005
    total, regions = writing.totals(_write(tmp_path / "o.parquet", writing.to_arrow(df)), by_region=True)
    assert total == 1.0  # 1.005 rounded to the cent (1.005 is stored just below it)
    assert regions == {"east": {"rows": 3, "amount": 1.0}, "south": {"rows": 1, "amount": 0.01}}
    assert writing._fsum(np.array([0.1] * 10)) == 1.0 and sum([0.1] * 10) != 1.0


@pytest.mark.parametrize("batches", [[21], [1] * 21, [4, 7, 10], [16, 5]])
def test_orders_sink_ends_a_row_group_at_each_region_the_same_however_rows_arrive(tmp_path, monkeypatch, batches):
    monkeypatch.setattr(writing, "ROW_GROUP_ROWS", 5)
    regions = ["a"] * 3 + ["b"] * 12 + ["c"] + ["d"] * 5
    table = pa.table({"region": regions, "x": list(range(len(regions)))})
    sink = writing.ParquetSink(tmp_path / "orders.parquet", table.schema, by_region=True)
    start = 0
    for n in batches:
        sink.write(table.slice(start, n))
        start += n
    sink.close()
    pf = pq.ParquetFile(tmp_path / "orders.parquet")
    assert [pf.metadata.row_group(i).num_rows for i in range(pf.metadata.num_row_groups)] == [3, 5, 5, 2, 1, 5]
    assert pf.read().equals(table)
    plain = writing.ParquetSink(tmp_path / "plain.parquet", table.schema)  # other tables: fixed-size groups
    plain.write(table)
    plain.close()
    meta = pq.ParquetFile(tmp_path / "plain.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [5, 5, 5, 5, 1]
