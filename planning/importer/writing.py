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
    the rows arrive: the same rows give the same bytes, whether written at once or batch by batch.

    With `by_region` (a table written sorted by region: the orders) a row group also ends where the region
    changes, so a territory's read decodes only its own rows (the row groups' statistics name one region each;
    `data.read_table`), as the sample's files do: with hundreds of small territories, a group of 262,144 rows
    held dozens of regions, all decoded to keep one.
    """

    def __init__(self, path: Path, schema: Any, by_region: bool = False):
        # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
        import pyarrow.parquet as pq

        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.buffer: list[Any] = []
        self.n = 0
        self.by_region = by_region and "region" in schema.names

    def write(self, table: Any) -> None:
        self.buffer.append(table.cast(self.schema))
        self.n += table.num_rows
        if self.by_region or self.n >= ROW_GROUP_ROWS:
            self._drain(final=False)

    def _drain(self, final: bool) -> None:
        """Write every finished row group of the buffer: runs of one region (or the whole buffer) cut into
        ROW_GROUP_ROWS; the last run stays buffered until more rows or the end say it is finished."""
        t = pa.concat_tables(self.buffer).combine_chunks()
        ends = [t.num_rows]
        if self.by_region and t.num_rows:
            region = t.column("region").to_numpy(zero_copy_only=False)
            ends = [*(np.flatnonzero(region[1:] != region[:-1]) + 1).tolist(), t.num_rows]
        start = 0
        for k, end in enumerate(ends):
            last = k == len(ends) - 1
            while end - start >= ROW_GROUP_ROWS or (end > start and (final or not last)):
                size = min(ROW_GROUP_ROWS, end - start)
                if last and not final and size < ROW_GROUP_ROWS:
                    break
                self.writer.write_table(t.slice(start, size), row_group_size=size)
                start += size
        rest = t.slice(start)
        self.buffer, self.n = [rest], rest.num_rows

    def close(self) -> None:
        if self.n:
            self._drain(final=True)
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
