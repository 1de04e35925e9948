"""The canonical tables of `docs/data.md`: read them from a folder, filter by region / as-of date, validate.

One folder holds one data set, one file per table: `<table>.parquet` or `<table>.csv` (parquet wins when both
exist). `load_tables(data_dir, region=..., as_of=...)` returns a `Tables` with typed columns:

- kind 'str'   -> pandas `str` dtype (also for dictionary-encoded Parquet columns),
- kind 'date'  -> `datetime64[us]` (calendar dates, no time zone), empty -> NaT,
- kind 'float' -> float64, empty -> NaN,
- kind 'int'   -> int64 (no empties allowed).

The region filter is pushed down into the file scan (pyarrow dataset filter), so one region of a 10-million
line orders file is read without loading the rest. Problems with a file raise `DataError` naming the file, the
column, an example value (with its row) and what was expected. `read_table(path, table)` is the single-file
entry point that importers (CSV / Excel mappings) can build on.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from planning.errors import DataError

__all__ = [
    "SCHEMA",
    "REQUIRED_TABLES",
    "OPTIONAL_TABLES",
    "TABLES",
    "KEYS",
    "DATE_COLUMN",
    "NOT_NULL",
    "DataError",
    "Problem",
    "Tables",
    "table_file",
    "read_table",
    "coerce_table",
    "load_tables",
    "check_regions",
    "validate_tables",
    "fingerprint",
    "kind_of",
]

# table -> column -> kind ('str' | 'date' | 'float' | 'int'), in the order of docs/data.md
SCHEMA: dict[str, dict[str, str]] = {
    "regions": {"region": "str", "name_en": "str", "name_zh": "str"},
    "reps": {
        "rep_id": "str",
        "name": "str",
        "region": "str",
        "team": "str",
        "role": "str",
        "hire_date": "date",
        "exit_date": "date",
    },
    "customers": {
        "customer_id": "str",
        "name": "str",
        "region": "str",
        "industry": "str",
        "size_band": "str",
        "acquisition_channel": "str",
        "first_order_date": "date",
        "usage_frequency": "float",
        "satisfaction": "float",
        "renewal_intent": "float",
        "demand_complexity": "int",
        "decision_chain_length": "int",
        "wallet_size": "float",
    },
    "orders": {
        "order_id": "str",
        "line_no": "int",
        "order_date": "date",
        "customer_id": "str",
        "rep_id": "str",
        "region": "str",
        "product_line": "str",
        "channel": "str",
        "quantity": "float",
        "unit_price": "float",
        "amount": "float",
        "margin": "float",
    },
    "opportunities": {
        "opportunity_id": "str",
        "customer_id": "str",
        "rep_id": "str",
        "region": "str",
        "industry": "str",
        "source": "str",
        "product_line": "str",
        "amount": "float",
        "lead_date": "date",
        "discovery_date": "date",
        "proposal_date": "date",
        "negotiation_date": "date",
        "close_date": "date",
        "status": "str",
        "stage": "str",
    },
    "marketing": {"month": "date", "region": "str", "channel": "str", "spend": "float", "leads": "int"},
    "market_size": {"year": "int", "region": "str", "industry": "str", "market_size": "float"},
    "plan_of_record": {"year": "int", "month": "date", "region": "str", "rep_id": "str", "target": "float"},
}
REQUIRED_TABLES: tuple[str, ...] = ("orders",)
OPTIONAL_TABLES: tuple[str, ...] = tuple(t for t in SCHEMA if t not in REQUIRED_TABLES)
TABLES: tuple[str, ...] = tuple(SCHEMA)

# Primary key of each table (used for the duplicate check).
KEYS: dict[str, tuple[str, ...]] = {
    "regions": ("region",),
    "reps": ("rep_id",),
    "customers": ("customer_id",),
    "orders": ("order_id", "line_no"),
    "opportunities": ("opportunity_id",),
    "marketing": ("month", "region", "channel"),
    "market_size": ("year", "region", "industry"),
    "plan_of_record": ("month", "rep_id"),
}
# The date that places a row in time (rows after `as_of` are dropped).
DATE_COLUMN: dict[str, str] = {"orders": "order_date", "opportunities": "lead_date", "marketing": "month"}
# Columns that may not be empty (besides int columns, which never may). Everything else may be blank.
NOT_NULL: dict[str, tuple[str, ...]] = {
    "regions": ("region",),
    "reps": ("rep_id", "region", "hire_date"),
    "customers": ("customer_id", "region"),
    "orders": ("order_id", "order_date", "customer_id", "region", "amount"),
    "opportunities": ("opportunity_id", "region", "lead_date", "status"),
    "marketing": ("month", "region", "channel"),
    "market_size": ("region", "industry", "market_size"),
    "plan_of_record": ("month", "region", "rep_id", "target"),
}
_STAGES = ("discovery_date", "proposal_date", "negotiation_date")
_STAGE_NAMES = ("lead", "discovery", "proposal", "negotiation")


@dataclasses.dataclass(frozen=True)
class Problem:
    """One finding of `validate_tables`: where (table, column, first row position), the offending value, what
    was expected, 'error' or 'warning', and how many rows share the problem."""

    table: str
    column: str
    row: int | None
    value: str
    expected: str
    severity: str = "error"
    count: int = 1

    def __str__(self) -> str:
        where = f"{self.table}.{self.column}" + (f" row {self.row}" if self.row is not None else "")
        more = f" ({self.count} rows)" if self.count > 1 else ""
        return f"{self.severity}: {where}: {self.value!r}{more}; expected {self.expected}"


# --- reading -------------------------------------------------------------------------------------------------
def table_file(data_dir: str | os.PathLike, table: str) -> Path | None:
    """The file holding `table` in `data_dir` (`<table>.parquet`, else `<table>.csv`), or None."""
    for ext in ("parquet", "csv"):
        p = Path(data_dir) / f"{table}.{ext}"
        if p.is_file():
            return p
    return None


def _to_date_scalar(as_of) -> _dt.date | None:
    if as_of is None or as_of == "":
        return None
    try:
        return pd.Timestamp(as_of).date()
    except (ValueError, TypeError) as exc:
        raise DataError(f"as_of {as_of!r} is not a date; expected YYYY-MM-DD") from exc


def _dataset(path: Path, table: str):
    """A pyarrow dataset over one file. CSV columns of the schema are read as strings (types are enforced
    afterwards with messages that point at the bad value)."""
    import pyarrow.csv as pacsv
    import pyarrow.dataset as ds

    if path.suffix == ".parquet":
        return ds.dataset(path, format="parquet")
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in SCHEMA.get(table, {})},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(block_size=16 << 20)
    return ds.dataset(path, format=ds.CsvFileFormat(convert_options=convert, read_options=read))


def read_table(
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
    import pyarrow.dataset as ds

    path = Path(path)
    if table not in SCHEMA:
        raise DataError(f"{path}: unknown table {table!r}; expected one of {', '.join(SCHEMA)}")
    if not path.is_file():
        raise DataError(f"{path}: file not found (table {table!r})")
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
    as_of_d = _to_date_scalar(as_of)
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
    import pyarrow.compute as pc

    cols = []
    for name, col in zip(arrow.column_names, arrow.columns, strict=True):
        kind, t = kinds.get(name), col.type
        if kind == "str" and pa.types.is_dictionary(t) and pa.types.is_string(t.value_type):
            col = pc.cast(col, pa.string())
        elif kind == "date" and pa.types.is_date32(t):
            col = pc.cast(col, pa.timestamp("us"))
        cols.append(col)
    return pa.table(cols, names=arrow.column_names).to_pandas(types_mapper=_types_mapper)


def _types_mapper(t: pa.DataType):
    # Strings straight to pandas' str dtype; everything else default.
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype(na_value=np.nan)
    return None


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


# --- the data set --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Tables:
    """One data set as typed frames; `orders` always present, the optional tables None when not supplied."""

    orders: pd.DataFrame
    regions: pd.DataFrame | None = None
    reps: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    opportunities: pd.DataFrame | None = None
    marketing: pd.DataFrame | None = None
    market_size: pd.DataFrame | None = None
    plan_of_record: pd.DataFrame | None = None

    def get(self, name: str) -> pd.DataFrame | None:
        """The frame of table `name` (None if not supplied)."""
        if name not in SCHEMA:
            raise KeyError(f"unknown table {name!r}; expected one of {', '.join(SCHEMA)}")
        return getattr(self, name)

    def available(self) -> list[str]:
        """Names of the tables present, in schema order."""
        return [t for t in TABLES if getattr(self, t) is not None]

    def missing(self) -> list[str]:
        """Names of the optional tables not supplied (a report can say which file would enable a section)."""
        return [t for t in TABLES if getattr(self, t) is None]

    def items(self):
        """(name, frame) of the tables present."""
        return [(t, getattr(self, t)) for t in self.available()]

    def filter(self, region: str | None = None, as_of=None) -> Tables:
        """A new Tables restricted to one region and/or to what was known on `as_of`.

        Region: rows of other regions dropped from every table with a `region` column except `regions` (a
        lookup kept whole). As of (date or ISO string): orders by order_date, marketing by month and
        opportunities by lead_date after it are dropped; of the remaining opportunities, stage dates after it
        are blanked and a deal closed after it is open again at the furthest stage reached by then; reps hired
        after it are dropped and later exits blanked; customers whose first order is after it are dropped.
        `plan_of_record` and `market_size` are kept whole (they are plans / estimates, not events).
        """
        as_of_d = _to_date_scalar(as_of)
        out = {}
        for name in TABLES:
            df = getattr(self, name)
            if df is not None and region is not None and name != "regions" and "region" in df.columns:
                df = df.loc[df["region"] == region].reset_index(drop=True)
            if df is not None and as_of_d is not None:
                df = _as_of(name, df, pd.Timestamp(as_of_d))
            out[name] = df
        return Tables(**out)


def _as_of(name: str, df: pd.DataFrame, ts: pd.Timestamp) -> pd.DataFrame:
    dcol = DATE_COLUMN.get(name)
    if dcol is not None and dcol in df.columns:
        df = df.loc[df[dcol] <= ts].reset_index(drop=True)
    if name == "reps" and "hire_date" in df.columns:
        df = df.loc[df["hire_date"] <= ts].reset_index(drop=True)
        if "exit_date" in df.columns:
            df = df.assign(exit_date=df["exit_date"].where(df["exit_date"] <= ts))
    elif name == "customers" and "first_order_date" in df.columns:
        df = df.loc[~(df["first_order_date"] > ts)].reset_index(drop=True)
    elif name == "opportunities":
        df = _opportunities_as_of(df, ts)
    return df


def _opportunities_as_of(df: pd.DataFrame, ts: pd.Timestamp) -> pd.DataFrame:
    """Blank what happened after `ts`; deals closed later are open at the furthest stage reached by `ts`."""
    upd = {}
    for c in (*_STAGES, "close_date"):
        if c in df.columns:
            upd[c] = df[c].where(df[c] <= ts)
    if not upd:
        return df
    df = df.assign(**upd)
    if "close_date" in df.columns and "status" in df.columns:
        reopened = df["close_date"].isna().to_numpy() & (df["status"] != "open").to_numpy()
        if reopened.any():
            reached = np.zeros(len(df), dtype=np.int64)
            for k, c in enumerate(_STAGES, start=1):
                if c in df.columns:
                    reached = np.where(df[c].notna().to_numpy(), k, reached)
            status = df["status"].to_numpy(dtype=object, copy=True)
            status[reopened] = "open"
            upd = {"status": pd.array(status, dtype="str")}
            if "stage" in df.columns:
                stage = df["stage"].to_numpy(dtype=object, copy=True)
                stage[reopened] = np.array(_STAGE_NAMES, dtype=object)[reached[reopened]]
                upd["stage"] = pd.array(stage, dtype="str")
            df = df.assign(**upd)
    return df


def load_tables(
    data_dir: str | os.PathLike,
    region: str | None = None,
    as_of=None,
    tables: Iterable[str] | None = None,
    columns: dict[str, Iterable[str]] | None = None,
) -> Tables:
    """Load a data set folder.

    In: the folder; a region key (rows of other regions are not read); an as-of date (date or YYYY-MM-DD:
    later rows dropped and the funnel rewound, see `Tables.filter`); `tables` = optional tables to load
    (default all present; `orders` is always loaded); `columns` = table -> the schema columns to read of it
    (default all; columns of the file outside the schema are read in any case; e.g. `{"orders": ["order_date"]}`
    when the order lines are not needed: a step reads only what it uses of a 10 M-line file). Out: `Tables`,
    optional tables None when their file is absent or not asked for. Raises DataError when the folder or
    `orders` is missing, a file is empty or malformed, or `region` does not occur in the orders.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(
            f"{data_dir}: data folder not found; expected a folder with orders.parquet or orders.csv"
        )
    wanted = set(TABLES if tables is None else tables) | set(REQUIRED_TABLES)
    unknown = wanted - set(SCHEMA)
    if unknown:
        raise DataError(
            f"unknown table(s) {', '.join(sorted(unknown))}; expected some of {', '.join(SCHEMA)}"
        )
    frames: dict[str, pd.DataFrame | None] = {}
    for name in TABLES:
        path = table_file(data_dir, name)
        if path is None:
            if name in REQUIRED_TABLES:
                raise DataError(
                    f"{data_dir}: required table {name!r} is missing; expected {name}.parquet or {name}.csv "
                    f"with columns {', '.join(SCHEMA[name])}"
                )
            frames[name] = None
            continue
        if name not in wanted:
            frames[name] = None
            continue
        frames[name] = read_table(
            path,
            name,
            region=region if name != "regions" else None,
            as_of=as_of,
            columns=(columns or {}).get(name),
            extra=True,
        )
    if region is not None and len(frames["orders"]) == 0:
        check_regions(data_dir, [region])
    return Tables(**frames).filter(as_of=as_of)


def check_regions(data_dir: str | os.PathLike, regions: Iterable[str]) -> None:
    """Fail early (before any notebook runs) when a region key has no orders in the data set.

    In: the data folder and the region keys to be planned. Reads only the `region` column of the orders file.
    Raises DataError naming the file, the missing region(s) and the regions present.
    """
    path = table_file(data_dir, "orders")
    if path is None:
        raise DataError(
            f"{data_dir}: required table 'orders' is missing; expected orders.parquet or orders.csv"
        )
    present = set(read_table(path, "orders", columns=["region"])["region"].dropna().unique().tolist())
    missing = [r for r in regions if r not in present]
    if missing:
        raise DataError(
            f"{path}: column 'region' has no rows for region {', '.join(map(repr, missing))}; "
            f"regions present: {', '.join(sorted(present))}"
        )


# --- validation ----------------------------------------------------------------------------------------------
def kind_of(s: pd.Series) -> str:
    """The schema kind of a column: 'str', 'date', 'float', 'int' or 'other'."""
    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        return kind_of(pd.Series(dt.categories))
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "date"
    if pd.api.types.is_bool_dtype(dt):
        return "other"
    if pd.api.types.is_integer_dtype(dt):
        return "int"
    if pd.api.types.is_float_dtype(dt):
        return "float"
    if pd.api.types.is_string_dtype(dt):
        return "str"
    return "other"


def _first(
    table: str, column: str, df: pd.DataFrame, mask, expected: str, severity: str = "error"
) -> Problem | None:
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    if n == 0:
        return None
    pos = int(np.flatnonzero(mask)[0])
    return Problem(table, column, pos, str(df[column].iloc[pos]), expected, severity, n)


ABSURD_FACTOR = 1000  # an order line this many times the 99th percentile of line amounts is rejected
ABSURD_MIN_LINES = 20  # below this many lines a percentile says nothing


def validate_tables(tables: Tables) -> list[Problem]:
    """Basic, vectorised consistency checks of a loaded data set.

    In: `Tables`. Out: list of `Problem` (empty when clean): schema kinds, empty required values, duplicate keys,
    orders.rep_id / opportunities.rep_id not in reps, orders.customer_id not in customers, regions not in the
    regions table (warning), negative unit prices, absurd amounts (over ABSURD_FACTOR x the 99th percentile),
    amount != quantity * unit_price (warning), an order booked
    by a rep not employed on its date (warning).
    """
    probs: list[Problem | None] = []
    for name, df in tables.items():
        for col, kind in SCHEMA[name].items():
            if col not in df.columns:
                probs.append(Problem(name, col, None, "<missing>", f"a column of kind {kind}"))
                continue
            k = kind_of(df[col])
            if k != kind and not (kind == "float" and k == "int"):
                probs.append(Problem(name, col, None, str(df[col].dtype), f"kind {kind}"))
            elif kind == "date" and col in NOT_NULL.get(name, ()):
                probs.append(_first(name, col, df, df[col].isna(), "a date"))
        key = [c for c in KEYS[name] if c in df.columns]
        if key and len(key) == len(KEYS[name]):
            dup = df.duplicated(key, keep="first").to_numpy()
            probs.append(_first(name, key[0], df, dup, f"unique {' + '.join(key)}"))
    o, reps, cust = tables.orders, tables.reps, tables.customers
    if "unit_price" in o.columns:
        probs.append(_first("orders", "unit_price", o, o["unit_price"] < 0, "a unit price >= 0"))
    if {"amount", "quantity", "unit_price"} <= set(o.columns):
        diff = (o["amount"] - o["quantity"] * o["unit_price"]).abs()
        probs.append(
            _first(
                "orders",
                "amount",
                o,
                diff > 0.01 + 1e-9 * o["amount"].abs(),
                "quantity * unit_price",
                "warning",
            )
        )
    if "amount" in o.columns and len(o) >= ABSURD_MIN_LINES:
        # Relative to the data's own scale, so it holds for any currency: a line a thousand times larger
        # than the 99th percentile is a typo or a unit error (cents as yuan), not a sale.
        size = o["amount"].abs()
        bound = ABSURD_FACTOR * max(float(size.quantile(0.99)), 1.0)
        probs.append(
            _first(
                "orders",
                "amount",
                o,
                size > bound,
                f"an amount within {ABSURD_FACTOR:,}x the 99th percentile "
                f"of line amounts (|amount| <= {bound:,.2f})",
            )
        )
    if reps is not None and "rep_id" in reps.columns:
        known = reps["rep_id"]
        for name in ("orders", "opportunities", "plan_of_record"):
            df = tables.get(name)
            if df is not None and "rep_id" in df.columns:
                sev = "error" if name == "orders" else "warning"
                probs.append(_first(name, "rep_id", df, ~df["rep_id"].isin(known), "a rep_id of reps", sev))
        if {"rep_id", "order_date"} <= set(o.columns) and {"hire_date", "exit_date"} <= set(reps.columns):
            r = reps.drop_duplicates("rep_id").set_index("rep_id")
            hire = o["rep_id"].map(r["hire_date"])
            ex = o["rep_id"].map(r["exit_date"])
            off = (o["order_date"] < hire) | (ex.notna() & (o["order_date"] > ex))
            probs.append(_first("orders", "rep_id", o, off, "a rep employed on the order date", "warning"))
    if cust is not None and "customer_id" in cust.columns and "customer_id" in o.columns:
        probs.append(
            _first(
                "orders",
                "customer_id",
                o,
                ~o["customer_id"].isin(cust["customer_id"]),
                "a customer_id of customers",
            )
        )
    if tables.regions is not None and "region" in tables.regions.columns:
        known_r = tables.regions["region"]
        for name, df in tables.items():
            if name != "regions" and "region" in df.columns:
                probs.append(
                    _first(name, "region", df, ~df["region"].isin(known_r), "a region of regions", "warning")
                )
    return [p for p in probs if p is not None]


# --- provenance ----------------------------------------------------------------------------------------------
def fingerprint(data_dir: str | os.PathLike) -> dict[str, str]:
    """sha256 of every table file (and `sample.json`) in `data_dir`: file name -> hex digest, sorted by name.
    For the run manifest: two runs on the same data have the same fingerprint."""
    data_dir = Path(data_dir)
    out: dict[str, str] = {}
    names = [f"{t}.{ext}" for t in TABLES for ext in ("parquet", "csv")] + ["sample.json"]
    for fname in sorted(names):
        p = data_dir / fname
        if not p.is_file():
            continue
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(chunk)
        out[fname] = h.hexdigest()
    return out
