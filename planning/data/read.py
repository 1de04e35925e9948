"""Reading one canonical table file (Parquet or CSV) into a typed frame, and typing an already built frame.

- kind 'str'   -> pandas `str` dtype (also for dictionary-encoded Parquet columns),
- kind 'date'  -> `datetime64[us]` (calendar dates, no time zone), empty -> NaT,
- kind 'float' -> float64, empty -> NaN,
- kind 'int'   -> int64 (no empties allowed).

The region filter and the as-of date are pushed down into the file scan (pyarrow dataset filter, Parquet row
groups pruned by their statistics), so one region of a 10-million line orders file is read without loading the
rest. Problems with a file raise `DataError` naming the file, the column, an example value (with its row) and
what was expected. `read_table(path, table)` is the single-file entry point; `coerce_table` types a frame
built elsewhere (the importer's mapped exports).
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import stat
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as ds

from planning.data.schema import DATE_COLUMN, NOT_NULL, REQUIRED_TABLES, SCHEMA
from planning.errors import DataError


def table_file(data_dir: str | os.PathLike, table: str) -> Path | None:
    """The file holding `table` in `data_dir` (`<table>.parquet`, else `<table>.csv`), or None.

    A path of that name that is not a regular file (a folder, a FIFO, a device, a broken symlink) is returned as
    well, so that reading it says what it is (`read_table`) instead of calling the table missing.
    """
    for ext in ("parquet", "csv"):
        p = Path(data_dir) / f"{table}.{ext}"
        if p.exists() or p.is_symlink():
            return p
    return None


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(path: str | os.PathLike) -> str | None:
    """None when `path` is a regular file (or a symlink to one), else what it is, for a message: "not found",
    "a broken symlink (to ...)", "a folder", "a FIFO (named pipe)", "a character device", "a block device",
    "a socket". Never opens the path (opening a FIFO would wait for a writer)."""
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        if p.is_symlink():
            return f"a broken symlink (to {os.readlink(p)})"
        return "not found"
    except OSError as exc:  # a loop of symlinks, a path too long, no permission on a parent folder
        return f"not readable ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def require_file(path: str | os.PathLike, expected: str) -> Path:
    """`path` itself when it is a regular file; else DataError naming the path, what it is and `expected`."""
    kind = file_kind(path)
    if kind is None:
        return Path(path)
    if kind == "not found":
        raise DataError(f"{path}: file not found; expected {expected}")
    raise DataError(f"{path}: is {kind}, not a file; expected {expected}")


def as_of_date(as_of) -> _dt.date | None:
    if as_of is None or as_of == "":
        return None
    try:
        return pd.Timestamp(as_of).date()
    except (ValueError, TypeError) as exc:
        raise DataError(f"as_of {as_of!r} is not a date; expected YYYY-MM-DD") from exc


@functools.lru_cache(maxsize=32)
def _parquet_dataset(path: str, size: int, mtime_ns: int):
    """One dataset per Parquet file version and process: its footer (every row group's statistics, ~200 of them
    in a company of 200 territories, one region per row group) is parsed once, not at each of a kernel's reads
    of that table in every notebook; a rewritten file (size, modification time) is a new dataset."""
    return ds.dataset(path, format="parquet")


def _dataset(path: Path, table: str):
    """A pyarrow dataset over one file. CSV columns of the schema are read as strings (types are enforced
    afterwards with messages that point at the bad value)."""
    if path.suffix == ".parquet":
        st = path.stat()
        return _parquet_dataset(str(path), st.st_size, st.st_mtime_ns)
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in SCHEMA.get(table, {})},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(block_size=16 << 20)
    return ds.dataset(path, format=ds.CsvFileFormat(convert_options=convert, read_options=read))


_READ: OrderedDict[tuple, tuple[pd.DataFrame, int]] = OrderedDict()  # `read_table`'s recent results, with sizes
# Bytes of frames kept: a region of the sample (~17k order lines) fits many times over; a territory of 1.7 M order
# lines does not, and is read each time as before (keeping it cost 1.4 GB and a third more time on 10 M lines).
_READ_BUDGET = 64 << 20


def read_table(
    path: str | os.PathLike,
    table: str,
    region: str | None = None,
    as_of=None,
    columns: Iterable[str] | None = None,
    extra: bool = False,
) -> pd.DataFrame:
    """Read one table file (parquet or csv) into a typed data frame (`_read_table`), or return what this process
    read last time for the same file (by size and modification time) and arguments.

    A worker runs a region's five step notebooks in turn in one process (the shell engine), and each step reads
    the region's tables again: the same rows, decoded and typed five times (~0.15 s of a region's ~2 s of notebook
    code). A repeat is a shallow copy of the frame read first; pandas' copy-on-write keeps a caller's changes to
    it (new columns, edited values) from reaching the kept frame. Only one region's reads are kept (a read of
    another region forgets them), never a read of every region (the data checks before a run read whole tables,
    which must not stay in memory), and no more than `_READ_BUDGET` bytes of frames. A read of columns that
    frames kept for the same rows hold (each step reads other columns of the order lines) takes them from there
    and reads only the others (`_read_columns`).
    """
    columns = None if columns is None else list(columns)
    if region is None:
        return _read_table(path, table, region, as_of, columns, extra)
    try:
        st = os.stat(path)
        as_of_d = as_of_date(as_of)
    except (OSError, ValueError, TypeError):  # let the reader say what is wrong
        return _read_table(path, table, region, as_of, columns, extra)
    key = (os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ino, table, region, as_of_d,
           None if columns is None else tuple(columns), extra)  # fmt: skip
    return remembered(
        _READ,
        key,
        lambda k: k[5],
        lambda: _read_columns(path, table, region, as_of, columns, extra, key),
        _READ_BUDGET,
    )


def _read_columns(
    path: str | os.PathLike,
    table: str,
    region: str,
    as_of,
    columns: list[str] | None,
    extra: bool,
    key: tuple,
) -> pd.DataFrame:
    """`_read_table(path, table, region, as_of, columns, extra)`, the columns that frames in `_READ` of the same
    file, region, as-of date and `extra` hold taken from them, only the others read from the file.

    The same frame: the rows a read returns do not depend on its columns (the region and the date are filtered in
    the scan, which is why a CSV, or a Parquet file whose dates are not date32, read as of a date is read whole:
    there the date filter needs the date column), each column is typed on its own, and the columns come in the
    order asked, then the file's columns outside the schema (`extra`), as `_read_table` puts them.
    """
    wanted = columns or []
    if (
        columns is None
        or Path(path).suffix != ".parquet"
        or len(set(wanted)) != len(wanted)
        or not set(wanted) <= set(SCHEMA.get(table, ()))
    ):
        return _read_table(path, table, region, as_of, columns, extra)
    dcol = DATE_COLUMN.get(table)
    if key[6] is not None and dcol is not None:
        try:
            schema = _dataset(Path(path), table).schema
        except (pa.ArrowInvalid, OSError):
            return _read_table(path, table, region, as_of, columns, extra)
        if dcol in schema.names and not pa.types.is_date32(schema.field(dcol).type):
            return _read_table(path, table, region, as_of, columns, extra)
    have: dict[str, pd.Series] = {}
    tail: pd.DataFrame | None = None  # the file's columns outside the schema, as a kept read has them
    for k, (df, _) in reversed(_READ.items()):  # newest first
        if k[:7] == key[:7] and k[8] == extra and k[7] is not None:
            for c in k[7]:
                if c in wanted and c not in have:
                    have[c] = df[c]
            tail = df.iloc[:, len(k[7]) :]
    if not have:
        return _read_table(path, table, region, as_of, columns, extra)
    rest = [c for c in wanted if c not in have]
    if rest:
        read = _read_table(path, table, region, as_of, rest, False)
        if len(read) != len(tail):  # the file changed since it was stat-ed: read it all
            return _read_table(path, table, region, as_of, columns, extra)
        have.update((c, read[c]) for c in rest)
    out = {c: have[c] for c in wanted}
    out.update((c, tail[c]) for c in tail.columns)
    return pd.DataFrame(out, copy=False)


def remembered(
    kept: OrderedDict[tuple, tuple[pd.DataFrame, int]],
    key: tuple,
    group: Callable[[tuple], Any],
    read: Callable[[], pd.DataFrame],
    budget: int,
) -> pd.DataFrame:
    """A shallow copy of the frame kept in `kept` under `key`, else of what `read()` returns, kept for the next
    caller (`read_table`, `store.read_artifact`). A key of another `group` (region) than the last one kept
    empties `kept` first; the oldest frames are forgotten beyond `budget` bytes (the frames' buffers,
    `memory_usage` not deep), and a frame larger than the budget is not kept at all."""
    if key in kept:
        kept.move_to_end(key)
        return kept[key][0].copy(deep=False)
    if kept and group(next(reversed(kept))) != group(key):  # another region's: not read again by this one
        kept.clear()
    df = read()
    size = frame_bytes(df)
    if size <= budget:
        kept[key] = (df, size)
        total = sum(n for _, n in kept.values())
        while total > budget:
            total -= kept.popitem(last=False)[1][1]
    return df.copy(deep=False)


def frame_bytes(df: pd.DataFrame) -> int:
    """`int(df.memory_usage(index=True, deep=False).sum())` without building a Series per column and one of the
    sizes: the index's size plus each block's buffers (a 2-D block of k columns holds exactly the k columns'
    bytes; an array with its own `memory_usage`, a categorical, counts it as `Series.memory_usage` does)."""
    size = df.index.memory_usage(deep=False)
    for block in df._mgr.blocks:
        values = block.values
        size += values.memory_usage(deep=False) if hasattr(values, "memory_usage") else values.nbytes
    return int(size)


def _read_table(
    path: str | os.PathLike,
    table: str,
    region: str | None = None,
    as_of=None,
    columns: Iterable[str] | None = None,
    extra: bool = False,
) -> pd.DataFrame:
    """Read one table file (parquet or csv) into a typed data frame.

    In: the file, the table name (a key of `SCHEMA`), optionally a region key and an as-of date that are pushed
    into the scan (rows of other regions / dated after `as_of` by `DATE_COLUMN` are not read), and a subset of
    columns (with `extra`, the file's columns outside the schema are read as well: an export's additional
    segment column, say). Out: DataFrame with every schema column typed by its kind, plus any extra columns of
    the file.
    Raises DataError for an empty file, a missing column or a value that cannot be converted.
    """
    path = Path(path)
    if table not in SCHEMA:
        raise DataError(f"{path}: unknown table {table!r}; expected one of {', '.join(SCHEMA)}")
    require_file(path, f"table {table!r} as a {path.suffix[1:] or 'Parquet or CSV'} file")
    if path.stat().st_size == 0:
        raise DataError(
            f"{path}: the file is empty; expected a header with columns {', '.join(SCHEMA[table])}"
        )
    try:
        dset = _dataset(path, table)
        names = dset.schema.names
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{path}: cannot be read as {path.suffix[1:]} ({exc})") from exc
    wanted = list(SCHEMA[table]) if columns is None else list(columns)
    missing = [c for c in wanted if c not in names]
    if missing:
        raise DataError(
            f"{path}: missing required column {missing[0]!r}"
            + (f" (and {', '.join(map(repr, missing[1:]))})" if len(missing) > 1 else "")
            + f"; expected columns {', '.join(SCHEMA[table])}; found {', '.join(names) or 'none'}"
        )
    filt = None
    if region is not None and "region" in names:
        filt = ds.field("region") == region
    as_of_d = as_of_date(as_of)
    dcol = DATE_COLUMN.get(table)
    dated_in_scan = as_of_d is not None and dcol in names and pa.types.is_date32(dset.schema.field(dcol).type)
    if dated_in_scan:
        f2 = ds.field(dcol) <= pa.scalar(as_of_d, pa.date32())
        filt = f2 if filt is None else filt & f2
    cols = None if columns is None else wanted + [c for c in names if extra and c not in SCHEMA[table]]
    try:
        if path.suffix == ".parquet" and filt is not None:
            bounds = {"region": region} if region is not None and "region" in names else {}
            if as_of_d is not None and dcol in names:
                bounds[dcol] = as_of_d
            # Arrow prunes row groups by their statistics only for plain columns; a column written from a pandas
            # categorical (the sample's region) is dictionary-typed in the file's Arrow schema, so without this
            # every row group of a region-sorted 10 M-line file would be decoded to keep a sixth of it.
            # Row groups whose statistics show that all their rows match are read without the row filter
            # (it costs ~20% of the scan); runs of row groups are read in file order, keeping the row order.
            frag = next(iter(dset.get_fragments()))
            runs: list[tuple[list[int], bool]] = []
            for rg, whole in _row_groups(frag.metadata, bounds):
                if runs and runs[-1][1] == whole:
                    runs[-1][0].append(rg)
                else:
                    runs.append(([rg], whole))
            parts = [
                frag.subset(row_group_ids=ids).to_table(
                    schema=dset.schema, filter=None if whole else filt, columns=cols
                )
                for ids, whole in runs or [([], False)]
            ]
            arrow = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        else:
            arrow = dset.to_table(filter=filt, columns=cols)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from exc
    if table in REQUIRED_TABLES and arrow.num_rows == 0 and region is None and as_of_d is None:
        raise DataError(f"{path}: the file has no data rows; table {table!r} is required")
    df = _arrow_to_pandas(arrow, SCHEMA[table])
    return coerce_table(df, table, source=str(path), date_filter=None if dated_in_scan else as_of_d)


def _row_groups(meta, bounds: dict) -> list[tuple[int, bool]]:
    """(row group, whether all its rows match) for the row groups of a Parquet file that may hold rows with
    `column == value` (for `region`) and `column <= value` (for the date column) for each item of `bounds`,
    judged by the row groups' min / max statistics. A row group without usable statistics for a column (none
    written, all nulls, another type) is kept, as not known to match entirely: the scan's row filter decides."""
    index = {meta.schema.column(i).path: i for i in range(meta.num_columns)}
    keep = []
    for rg in range(meta.num_row_groups):
        group = meta.row_group(rg)
        whole = True
        for col, value in bounds.items():
            stats = group.column(index[col]).statistics if col in index else None
            if stats is None or not stats.has_min_max:
                whole = False
                continue
            lo, hi = stats.min, stats.max
            if type(lo) is not type(value) or type(hi) is not type(value):
                whole = False
                continue
            if lo > value or (col == "region" and hi < value):
                break
            exact = getattr(stats, "is_max_value_exact", True) and getattr(stats, "is_min_value_exact", True)
            nulls = stats.null_count if stats.has_null_count else None
            if not (exact and nulls == 0 and hi <= value and (col != "region" or lo == value)):
                whole = False
        else:
            keep.append((rg, whole))
    return keep


def _arrow_to_pandas(arrow: pa.Table, kinds: dict[str, str]) -> pd.DataFrame:
    """Arrow table -> pandas with the cheap conversions done in Arrow: dictionary-encoded text of a 'str' column
    decoded to plain strings (pandas' categorical -> str costs ~0.5 s per million rows) and date32 columns as
    timestamp[us] (instead of Python date objects), so that `coerce_table` has nothing left to convert."""
    cols = []
    for name, col in zip(arrow.column_names, arrow.columns, strict=True):
        kind, t = kinds.get(name), col.type
        if kind == "str" and pa.types.is_dictionary(t) and pa.types.is_string(t.value_type):
            col = pc.cast(col, pa.string())
        elif kind == "date" and pa.types.is_date32(t):
            col = pc.cast(col, pa.timestamp("us"))
        cols.append(col)
    return pa.table(cols, names=arrow.column_names).to_pandas(types_mapper=types_mapper)


def types_mapper(t: pa.DataType):
    """`to_pandas(types_mapper=...)` of every canonical read: Arrow strings straight to pandas' `str` dtype,
    everything else the default (also used by the importer, so that its frames have the same dtypes)."""
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype(na_value=np.nan)
    return None


# --- typing a frame -----------------------------------------------------------------------------------
def _bad(source: str, column: str, series: pd.Series, mask: np.ndarray, expected: str) -> DataError:
    pos = int(np.flatnonzero(mask)[0])
    n = int(mask.sum())
    # CSV row numbers count the header as line 1, so data row i is on line i + 2.
    where = f"line {pos + 2}" if source.endswith(".csv") else f"row {pos}"
    return DataError(
        f"{source}: column {column!r}, {where}: value {series.iloc[pos]!r} is not {expected}"
        + (f" ({n} such values)" if n > 1 else "")
    )


def coerce_table(df: pd.DataFrame, table: str, source: str = "<frame>", date_filter=None) -> pd.DataFrame:
    """Enforce the kinds of `SCHEMA[table]` on the columns present in `df` (others are left untouched).

    In: a frame (e.g. read from a file or mapped from an import), the table name, `source` for messages and an
    optional as-of date applied by `DATE_COLUMN` after the dates are parsed. Out: a new frame. Raises DataError
    naming the source, the column and the first bad value.
    """
    out = {}
    not_null = set(NOT_NULL.get(table, ()))
    for col in df.columns:
        s = df[col]
        kind = SCHEMA.get(table, {}).get(col)
        if kind == "str":
            if isinstance(s.dtype, pd.CategoricalDtype):
                s = s.astype("str")
            elif s.dtype != "str":
                s = s.astype("str").where(s.notna())  # numeric ids (e.g. from Excel) become text
            s = s.astype("str")
            if col in not_null:
                s_empty = s.isna().to_numpy() | (s == "").to_numpy()
                if s_empty.any():
                    raise _bad(source, col, s, s_empty, "a non-empty text")
        elif kind == "date":
            s = _parse_dates(s, source, col)
            if col in not_null and s.isna().any():
                raise _bad(
                    source, col, s, s.isna().to_numpy(), "a date (YYYY-MM-DD); the column may not be empty"
                )
        elif kind in ("float", "int"):
            raw = s
            if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == "str" or s.dtype == object:
                s = pd.to_numeric(
                    s.astype("str").str.strip().str.replace(",", "", regex=False), errors="coerce"
                )
                bad = (
                    s.isna().to_numpy()
                    & raw.notna().to_numpy()
                    & (raw.astype("str").str.strip() != "").to_numpy()
                )
                if bad.any():
                    raise _bad(source, col, raw, bad, "a number")
            s = s.astype("float64")
            infinite = np.isinf(s.to_numpy())  # "1E400" parses, as infinity: no amount or count is infinite
            if infinite.any():
                raise _bad(source, col, raw, infinite, "a finite number")
            if kind == "int":
                frac = s.notna().to_numpy() & (s.to_numpy() != np.round(s.to_numpy()))
                if frac.any():
                    raise _bad(source, col, raw, frac, "a whole number")
                if s.isna().any():
                    raise _bad(
                        source, col, raw, s.isna().to_numpy(), "a whole number; the column may not be empty"
                    )
                s = s.astype("int64")
            elif col in not_null and s.isna().any():
                raise _bad(source, col, raw, s.isna().to_numpy(), "a number; the column may not be empty")
        out[col] = s
    # Rows by position (a frame with a filtered index is not re-aligned); copy-on-write keeps `df` intact.
    res = pd.DataFrame(out, index=df.index, copy=False).set_axis(pd.RangeIndex(len(df)))
    dcol = DATE_COLUMN.get(table)
    if date_filter is not None and dcol in res.columns:
        keep = (res[dcol] <= pd.Timestamp(date_filter)).to_numpy()
        if not keep.all():  # usually the scan has filtered already: no copy of millions of lines for nothing
            res = res.loc[keep].reset_index(drop=True)
    return res


def _parse_dates(s: pd.Series, source: str, col: str) -> pd.Series:
    """Any date-like column -> datetime64[us] (time zone and time of day dropped); strings must be ISO."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = s.astype("datetime64[us]")
        # Calendar dates read from Parquet are at midnight already; normalising 3 M of them costs ~0.1 s.
        ticks = s.to_numpy().view("int64")
        at_midnight = (ticks % 86_400_000_000 == 0) | np.isnat(s.to_numpy())
        return s if at_midnight.all() else s.dt.normalize()
    if s.dtype == object and len(s) and all(isinstance(v, _dt.date) for v in s.dropna().iloc[:100]):
        return pd.to_datetime(s, errors="coerce").astype("datetime64[us]")
    txt = s.astype("str").str.strip()
    txt = txt.where(txt != "")
    parsed = pd.to_datetime(txt, errors="coerce", format="ISO8601")
    bad = parsed.isna().to_numpy() & txt.notna().to_numpy()
    if bad.any():
        raise _bad(source, col, s, bad, "a date in ISO format YYYY-MM-DD")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed.astype("datetime64[us]").dt.normalize()
