"""Writing a canonical table as Parquet in fixed row groups, and reading its totals back for the report.

`ParquetSink` writes row groups of exactly ROW_GROUP_ROWS rows however the rows arrive (the same rows give the
same bytes, at once or batch by batch); `totals` sums `amount` (correctly rounded, whatever the batching) and,
for orders, rows and amount per region.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from planning.data import types_mapper

# Rows per Parquet row group of a canonical table: a region filter skips the row groups of other regions
# (orders are written sorted by region, then order_date), as in `planning.sample.write`.
ROW_GROUP_ROWS = 256 * 1024


def to_arrow(df: pd.DataFrame) -> Any:
    """A canonical frame as Arrow: text as `string`, no pandas metadata (the file's types are the contract,
    docs/data.md)."""
    t = pa.Table.from_pandas(df, preserve_index=False)
    fields = [pa.field(f.name, pa.string() if pa.types.is_large_string(f.type) else f.type) for f in t.schema]
    return t.cast(pa.schema(fields))


class ParquetSink:
    """Writes a canonical table in row groups of exactly ROW_GROUP_ROWS rows (the last one shorter), however
    the rows arrive: the same rows give the same bytes, whether written at once or batch by batch."""

    def __init__(self, path: Path, schema: Any):
        # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
        import pyarrow.parquet as pq

        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.buffer: list[Any] = []
        self.n = 0

    def write(self, table: Any) -> None:
        self.buffer.append(table.cast(self.schema))
        self.n += table.num_rows
        while self.n >= ROW_GROUP_ROWS:
            self._flush(ROW_GROUP_ROWS)

    def _flush(self, k: int) -> None:
        t = pa.concat_tables(self.buffer).combine_chunks()
        self.writer.write_table(t.slice(0, k), row_group_size=k)
        rest = t.slice(k)
        self.buffer, self.n = [rest], rest.num_rows

    def close(self) -> None:
        if self.n:
            self._flush(self.n)
        self.writer.close()


def _fsum(values: np.ndarray) -> float:
    """Correctly rounded sum of the non-missing values (math.fsum): the same total whatever the order or the
    batching of the rows."""
    values = values[~np.isnan(values)]
    step = 1 << 20
    return math.fsum(
        itertools.chain.from_iterable(values[i : i + step].tolist() for i in range(0, len(values), step))
    )


def totals(table_file: Path, by_region: bool) -> tuple[float | None, dict[str, dict[str, float]]]:
    """Of a written canonical table: the total `amount` (None without that column) and, with `by_region`,
    rows and amount per region, read back from the file (two columns)."""
    # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
    import pyarrow.parquet as pq

    names = pq.read_schema(table_file).names
    if "amount" not in names:
        return None, {}
    cols = ["amount", "region"] if by_region and "region" in names else ["amount"]
    t = pq.read_table(table_file, columns=cols)
    amount = t.column("amount").to_numpy(zero_copy_only=False).astype("float64")
    total = round(_fsum(amount), 2)
    if len(cols) == 1:
        return total, {}
    codes, uniques = pd.factorize(t.column("region").to_pandas(types_mapper=types_mapper), sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    regions = {}
    for k, region in enumerate(uniques):
        part = order[bounds[k] : bounds[k + 1]]
        regions[str(region)] = {"rows": int(len(part)), "amount": round(_fsum(amount[part]), 2)}
    return total, regions


SOURCE_ROWS_DIR = (
    "source_rows"  # <data dir>/source_rows/<table>.parquet: the export's row of each canonical row
)


def write_source_rows(out_dir: Path, table: str, rows: Any) -> None:
    """Store, for each row of `<table>.parquet` in its order, the row number the user finds it at in the export
    (see `transform.first_row`): messages about the imported data name that row, not a position."""
    # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
    import pyarrow.parquet as pq

    folder = out_dir / SOURCE_ROWS_DIR
    folder.mkdir(exist_ok=True)
    arr = rows if isinstance(rows, pa.ChunkedArray | pa.Array) else pa.array(np.asarray(rows, "int64"))
    pq.write_table(pa.table({"row": arr}), folder / f"{table}.parquet", compression="zstd")
