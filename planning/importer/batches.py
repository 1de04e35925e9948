"""Large exports in record batches: never held in memory whole (docs/import.md, "Large files").

Each batch of `reading.CHUNK_ROWS` rows is mapped by the same `transform.map_rows` as a small file;
duplicates are found across batches by 128-bit row keys (`SeenRows`); the kept rows go to Parquet
incrementally; orders are then numbered (`line_no`) and sorted by region and date in DuckDB with a memory limit
(it spills to disk). The output and the report are the same as for the file read whole (tests/test_importer_batches.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from planning.errors import DataError
from planning.importer import reading, transform, writing
from planning.importer.mapping import TableMapping
from planning.importer.report import Accumulated, Findings, TableResult


class SeenRows:
    """The rows of a large file seen so far, as 128-bit content keys (two 64-bit hashes) with the file row of
    their first occurrence, kept in runs sorted by the first hash (merged as they grow; keys sharing a first
    hash are compared one by one): answers, batch by batch, "is this row identical to an earlier row of the
    file, and to which?" in ~24 bytes per distinct row."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def check(self, h1: np.ndarray, h2: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """In: the keys and file rows of one batch (rows increasing). Out: (duplicate mask, first row with the
        same key) per row; the batch's new keys are remembered."""
        n = len(h1)
        order = np.argsort(h1, kind="stable")  # equal keys stay in row order
        a, b = h1[order], h2[order]
        if ((a[1:] == a[:-1]) & (b[1:] != b[:-1])).any():  # equal first hashes: order by both
            order = np.lexsort((h2, h1))
            a, b = h1[order], h2[order]
        r = rows[order]
        start = np.ones(n, bool)
        start[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        ka, kb, first = a[start], b[start], r[start].copy()
        found = np.zeros(len(ka), bool)
        for ra, rb, rr in self.runs:
            lo = np.searchsorted(ra, ka, "left")
            hi = np.searchsorted(ra, ka, "right")
            one = np.flatnonzero(hi - lo == 1)
            hit = one[rb[lo[one]] == kb[one]]
            first[hit], found[hit] = rr[lo[hit]], True
            for i in np.flatnonzero(hi - lo > 1):  # equal first hashes: rare
                j = np.flatnonzero(rb[lo[i] : hi[i]] == kb[i])
                if len(j):
                    first[i], found[i] = rr[lo[i] + j[0]], True
        first_sorted = first[np.cumsum(start) - 1]
        dup, first_row = np.empty(n, bool), np.empty(n, np.int64)
        dup[order] = r != first_sorted
        first_row[order] = first_sorted
        new = ~found
        self.runs.append((ka[new], kb[new], r[start][new]))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (a2, b2, r2), (a1, b1, r1) = self.runs.pop(), self.runs.pop()
            a, b, r = np.concatenate([a1, a2]), np.concatenate([b1, b2]), np.concatenate([r1, r2])
            o = np.argsort(a, kind="stable")  # two sorted runs: a merge
            self.runs.append((a[o], b[o], r[o]))
        return dup, first_row


def _batch_duplicates(
    src: pd.DataFrame, rows: np.ndarray, seen: SeenRows, con: Any
) -> tuple[np.ndarray, pd.Series | None]:
    """`_frame_duplicates` for one record batch of a large file: identical to any earlier row of the file,
    by the two 64-bit DuckDB hashes of the row (columns in file order and reversed)."""
    t = pa.Table.from_pandas(src, preserve_index=False)
    names = [f"c{i}" for i in range(t.num_columns)]
    con.register("batch_rows", t.rename_columns(names))
    try:
        keys = con.sql(
            f"SELECT hash({', '.join(names)}) AS h1, hash({', '.join(reversed(names))}, 'row') AS h2 "
            "FROM batch_rows"
        ).fetchnumpy()
    finally:
        con.unregister("batch_rows")
    dup, first = seen.check(np.asarray(keys["h1"]), np.asarray(keys["h2"]), np.asarray(rows, np.int64))
    if not dup.any():
        return dup, None
    first_of = np.full(len(src), None, dtype=object)
    first_of[dup] = [f"same as row {r}" for r in first[dup].tolist()]
    return dup, pd.Series(first_of, index=src.index)


def import_large(
    name: str,
    path: Path,
    tm: TableMapping,
    out_file: Path,
    work_dir: Path,
    lookups: dict[str, dict[str, str]] | None = None,
) -> TableResult:
    """`import_table` + writing, for a file too large to hold: each record batch (`reading.CHUNK_ROWS` rows) is
    mapped by `transform.map_rows` and its kept rows appended to Parquet; duplicates are found across batches
    (`SeenRows`).
    Orders are staged with their file row, then numbered (`line_no` within order_id in file order, when
    not mapped) and sorted by region, order_date and file row in DuckDB, which spills to `work_dir` beyond
    DUCKDB_MEMORY. Same output and findings as reading the file whole."""
    # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
    import pyarrow.parquet as pq

    source = str(path)
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    work_dir.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {"file": source, "format": reading.format_of(path, tm)}
    acc = Accumulated(name)
    dates = transform.DateCheck(name, tm, source, whole=False)
    seen = SeenRows()
    number = name == "orders" and "line_no" not in {*tm.columns, *tm.constants, *tm.derive}
    staged = work_dir / f"{name}.staged.parquet" if name == "orders" else None
    con = reading.connect(work_dir)
    writer: Any = None
    offset = batches = 0
    kept_rows: list[np.ndarray] = []  # the export's rows of the kept rows (tables other than orders)
    try:
        for raw in reading.source_batches(path, tm, info):
            if batches == 0:
                transform.check_columns(name, list(raw.columns), tm, source)
            rows = np.arange(offset, offset + len(raw)) + transform.first_row(source, tm)
            f = Findings(name, len(raw), rows)
            df = transform.map_rows(
                name, raw, tm, source, f, lambda s, r: _batch_duplicates(s, r, seen, con), dates, lookups
            )
            kept = df.loc[f.alive].reset_index(drop=True)
            if number:
                kept["line_no"] = 0  # numbered below, over the whole file
            table = writing.to_arrow(transform.complete(kept, name, tm, source))
            if staged is not None:
                table = table.append_column("_file_row", pa.array(rows[f.alive], pa.int64()))
            if writer is None:
                writer = (
                    pq.ParquetWriter(staged, table.schema, compression="none")
                    if staged is not None
                    else writing.ParquetSink(out_file, table.schema)
                )
            if staged is not None:
                writer.write_table(table)
            else:
                writer.write(table)
                kept_rows.append(rows[f.alive])
            acc.add(f)
            offset += len(raw)
            batches += 1
        writer.close()
        writer = None
        dates.raise_if_no_date()
        if staged is not None:
            if number:
                acc.info("line_no", "line_no", acc.rows_kept, transform.LINE_NO_DETAIL)
            _sort_orders(con, staged, out_file, number)
            staged.unlink()
        else:
            writing.write_source_rows(
                out_file.parent, name, np.concatenate([np.zeros(0, "int64"), *kept_rows])
            )
    finally:
        if writer is not None:
            writer.close()
        con.close()
    info["batches"] = batches
    return TableResult(
        acc.rows_read, acc.rows_kept, acc.rows_fixed, acc.rows_dropped, acc.items, info, acc.labels
    )


def _sort_orders(con: Any, staged: Path, out_file: Path, number: bool) -> None:
    """Staged orders (canonical columns + _file_row) -> `out_file` sorted by region, order_date, file row,
    with `line_no` numbered 1, 2, ... within order_id in file order when `number`."""
    # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
    import pyarrow.parquet as pq

    schema = pq.read_schema(staged)
    schema = schema.remove(schema.get_field_index("_file_row"))
    cols = []
    for c in schema.names:
        if c == "line_no" and number:
            cols.append(
                'CAST(row_number() OVER (PARTITION BY "order_id" ORDER BY _file_row) AS BIGINT) AS line_no'
            )
        else:
            cols.append(reading.sql_name(c))
    cols.append("_file_row")
    rel = con.sql(
        f"SELECT {', '.join(cols)} FROM read_parquet({reading.sql_str(staged)}) "
        "ORDER BY region, order_date, _file_row"
    )
    sink = writing.ParquetSink(out_file, schema, by_region=True)  # ORDER BY region above
    file_rows = []  # the export's row of each sorted row: 8 bytes a row
    try:
        for batch in rel.to_arrow_reader(reading.CHUNK_ROWS):
            t = _table_of(batch)
            file_rows.append(t.column("_file_row"))
            sink.write(t.drop_columns(["_file_row"]))
    finally:
        sink.close()
    rows = pa.chunked_array([c for part in file_rows for c in part.chunks], pa.int64())
    writing.write_source_rows(out_file.parent, "orders", rows)


def _table_of(batch: Any) -> Any:
    return pa.Table.from_batches([batch])
