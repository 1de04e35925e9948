"""Import a CRM / ERP export into the canonical tables of docs/data.md (docs/import.md).

The import is an ETL step in front of the workbook: `materialize(mapping_file)` reads the user's files as they
are (CSV in any common encoding and number / date style, Excel .xlsx / .xls, Parquet), applies the mapping
(column renames, constants, value maps, derived columns, filters), writes the canonical tables as Parquet into a
cache folder keyed by the content hash of the inputs and the mapping (`data/imported/<hash>/`), and returns a
validation report that accounts for every input row: kept, fixed (how) or dropped (why), with counts per problem
and example rows. The runner and `notebook.setup` call it when `data.mapping` is set in params.

Hard errors (unreadable file, a mapped column that is not in the file, a required column without a mapping, no
parseable date at all) raise `planning.data.DataError` naming the file, the column and an example value.

Large files (CSV / Parquet over 64 MB, or `engine: duckdb`) are never held in memory whole: they are read in
record batches of `CHUNK_ROWS` rows (CSV through DuckDB's multi-threaded parser, Parquet through pyarrow), each
batch is mapped and validated by the same code as a small file, duplicates are found across batches by 128-bit
row keys, and the canonical rows go to Parquet incrementally; orders are then numbered (`line_no`) and sorted by
region and date in DuckDB with a memory limit (it spills to disk). The output and the report are the same as for
a small file read whole (tests/test_importer_large.py).
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as _dt
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from planning import config
from planning.data import DATE_COLUMN, NOT_NULL, SCHEMA, DataError, coerce_table

__all__ = [
    "Mapping",
    "TableMapping",
    "ImportReport",
    "load_mapping",
    "materialize",
    "import_table",
    "read_source",
    "parse_numbers",
    "parse_dates",
    "report_of",
    "show_validation",
    "CACHE_DIR",
]

CACHE_DIR: Path = config.PROJECT_ROOT / "data" / "imported"
REPORT_FILE = "import.json"  # summary + findings, next to the canonical tables
FINDINGS_FILE = "validation.csv"  # the findings as a table
# Above this size a CSV / Parquet file is imported in record batches (engine: auto).
DUCKDB_MIN_BYTES = 64 << 20
# Rows per record batch on the large path (memory per batch ~ rows x source columns).
CHUNK_ROWS = 256 * 1024
# Rows per Parquet row group of a canonical table: a region filter skips the row groups of other regions
# (orders are written sorted by region, then order_date), as in `planning.sample.write`.
ROW_GROUP_ROWS = 256 * 1024
# DuckDB's memory limit on the large path (sorting orders spills to a temporary folder beyond it).
DUCKDB_MEMORY = "1GB"
# Columns holding category keys: value maps apply, then (normalize_keys) `Office Supplies` -> `office_supplies`.
KEY_COLUMNS = frozenset(
    {
        "region",
        "product_line",
        "channel",
        "industry",
        "size_band",
        "acquisition_channel",
        "source",
        "status",
        "stage",
        "role",
    }
)
DEFAULT_CURRENCY = ["$", "¥", "￥", "€", "£", "RMB", "CNY", "USD", "元"]
# Day-first formats tried (vectorised) before the slow per-value parser when `dayfirst` is set.
_DAYFIRST_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")
_EXAMPLES = 3


# --------------------------------------------------------------------------------------------- the mapping
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Rule(_Model):
    """Rows to exclude, matched on a source column's text (after trimming)."""

    column: str  # source column name
    in_: list[str] = Field(default=[], alias="in")  # exact values, e.g. [Cancelled, 已取消]
    startswith: list[str] = []  # prefixes, e.g. [C] for cancelled invoice numbers C536379
    contains: list[str] = []  # substrings
    empty: bool = False  # the cell is empty (or one of `missing`)
    reason: str = ""  # what the report says, e.g. "cancelled order"

    @field_validator("in_", "startswith", "contains", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str | int | float) else v

    def describe(self) -> str:
        if self.reason:
            return self.reason
        parts = [f"{self.column} in {self.in_}" if self.in_ else ""]
        parts += [f"{self.column} starts with {self.startswith}" if self.startswith else ""]
        parts += [f"{self.column} contains {self.contains}" if self.contains else ""]
        parts += [f"{self.column} is empty" if self.empty else ""]
        return " or ".join(p for p in parts if p)


class Window(_Model):
    start: _dt.date | None = None  # rows dated before are dropped (reported)
    end: _dt.date | None = None  # rows dated after are dropped (reported)


class TableMapping(_Model):
    """How one canonical table is read from one file (all keys documented in docs/import.md)."""

    file: str  # path, relative to the mapping file; ${VAR} is expanded from the environment
    format: Literal["auto", "csv", "excel", "parquet"] = "auto"  # auto = by the file suffix
    sheet: str | int = 0  # Excel sheet name or 0-based position
    encoding: str = "auto"  # auto = BOM / UTF-8 / GB18030 (GBK) / latin-1, in that order
    delimiter: str = "auto"  # auto = sniffed from the header line (, ; tab |)
    skip_rows: int = Field(default=0, ge=0)  # lines above the header
    decimal: str = "."  # decimal separator of numbers
    thousands: str = ","  # thousands separator of numbers ("" = none)
    currency: list[str] = DEFAULT_CURRENCY  # symbols / codes removed from numbers ("$1,001.18", "¥1,234")
    missing: list[str] = [""]  # cell values read as missing; "NA", "N/A", "-" stay text unless listed
    date_format: list[str] = []  # strftime formats tried in order (e.g. "%d/%m/%y"); then ISO
    dayfirst: bool = False  # 03/01/19 is 3 January (when no date_format matches)
    columns: dict[str, str] = {}  # canonical column <- source column
    constants: dict[str, str | int | float] = {}  # canonical column <- one value for every row
    values: dict[str, dict[str, str]] = {}  # canonical column -> {source value: canonical value}
    unmapped: dict[str, Literal["keep", "drop", "error"]] = {}  # per column: a value missing from `values`
    normalize_keys: bool = True  # key columns (region, channel ...) lower-case with '_' for spaces
    derive: dict[str, str] = {}  # canonical column <- arithmetic of canonical columns ("amount / quantity")
    fill: dict[str, str | int | float] = {}  # canonical column <- value for empty cells (reported as fixed)
    exclude: list[Rule] = []  # rows dropped before mapping (reported with the rule's reason)
    duplicates: Literal["drop", "keep"] = "drop"  # rows identical in every source column
    window: Window = Window()  # date range of the table's date column (orders: order_date)
    engine: Literal["auto", "pandas", "duckdb"] = "auto"  # auto = DuckDB for files over 64 MB

    @field_validator("date_format", "missing", "currency", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Mapping(_Model):
    """A mapping file: one `TableMapping` per canonical table (orders required)."""

    tables: dict[str, TableMapping]
    cache_dir: str = ""  # where imported data sets are kept; empty = data/imported/ of the project

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, v: dict[str, TableMapping]) -> dict[str, TableMapping]:
        unknown = [t for t in v if t not in SCHEMA]
        if unknown:
            raise ValueError(f"unknown table {unknown[0]!r}; expected some of {', '.join(SCHEMA)}")
        if "orders" not in v:
            raise ValueError("the mapping has no 'orders' table; orders (order lines) are required")
        for name, tm in v.items():
            for kind, cols in (("columns", tm.columns), ("constants", tm.constants), ("derive", tm.derive)):
                for col in cols:
                    if col == "line_no" and name != "orders":
                        continue
                    if not re.fullmatch(r"[a-z][a-z0-9_]*", col):
                        raise ValueError(
                            f"tables.{name}.{kind}: {col!r} is not a canonical column name "
                            f"(lower-case, e.g. {', '.join(list(SCHEMA[name])[:4])})"
                        )
        return v


def _expand(text: str, where: str) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1)
        if name not in os.environ:
            raise DataError(f"{where}: environment variable {name} is not set (used as ${{{name}}})")
        return os.environ[name]

    return os.path.expanduser(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", repl, text))


def load_mapping(path: str | os.PathLike) -> tuple[Mapping, dict[str, Path]]:
    """Parse and validate a mapping YAML; resolve each table's file.

    In: the mapping file. Out: (Mapping, {table: absolute input path}). Raises DataError naming the file and
    the key for malformed YAML, unknown keys or tables, and input files that do not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: mapping file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: malformed mapping YAML ({exc})") from None
    try:
        mapping = Mapping.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            lines.append(f"{path}: key '{key}' = {err.get('input')!r}: {err['msg']}")
        raise DataError("\n".join(lines)) from None
    files = {}
    for name, tm in mapping.tables.items():
        f = Path(_expand(tm.file, f"{path}: tables.{name}.file"))
        f = f if f.is_absolute() else (path.parent / f)
        if not f.is_file():
            raise DataError(f"{path}: tables.{name}.file: {f} not found")
        files[name] = f.resolve()
    return mapping, files


# --------------------------------------------------------------------------------------------- reading
def _detect_encoding(path: Path, sample_bytes: int = 4 << 20) -> str:
    """BOM -> utf-8-sig / utf-16; else the first codec that decodes a sample: utf-8, gb18030, latin-1."""
    with open(path, "rb") as fh:
        head = fh.read(sample_bytes)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(head) == sample_bytes:  # cut at a character boundary: drop a possibly split last line
        head = head[: head.rfind(b"\n") + 1] or head
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _sniff_delimiter(path: Path, encoding: str, skip_rows: int) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        lines = [fh.readline() for _ in range(skip_rows + 1)]
    header = lines[-1]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _format_of(path: Path, tm: TableMapping) -> str:
    if tm.format != "auto":
        return tm.format
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return "excel"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    return "csv"


def _is_large(path: Path, tm: TableMapping, fmt: str) -> bool:
    """Whether `materialize` imports the file in record batches (CSV / Parquet over DUCKDB_MIN_BYTES, or
    `engine: duckdb`); Excel files are always read whole."""
    if fmt not in ("csv", "parquet") or tm.engine == "pandas":
        return False
    return tm.engine == "duckdb" or path.stat().st_size >= DUCKDB_MIN_BYTES


def _csv_options(path: Path, tm: TableMapping, info: dict[str, Any]) -> tuple[str, str]:
    enc = _detect_encoding(path) if tm.encoding == "auto" else tm.encoding
    delim = _sniff_delimiter(path, enc, tm.skip_rows) if tm.delimiter == "auto" else tm.delimiter
    info.update(encoding=enc, delimiter=delim)
    return enc, delim


def _duckdb_csv_sql(path: Path, tm: TableMapping, enc: str, delim: str) -> str | None:
    """DuckDB `read_csv` of the file with every cell as text and empty cells missing (as pandas reads it),
    or None for an encoding DuckDB does not decode (then pandas reads the file)."""
    duck_enc = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "latin-1": "latin-1"}.get(enc.lower())
    if duck_enc is None:
        return None
    return (
        f"SELECT * FROM read_csv({_sql_str(path)}, all_varchar=true, header=true, "
        f"delim={_sql_str(delim)}, quote='\"', escape='\"', skip={tm.skip_rows}, "
        f"encoding={_sql_str(duck_enc)}, nullstr='', null_padding=false, strict_mode=true)"
    )


def _pandas_csv_args(tm: TableMapping, enc: str, delim: str) -> dict[str, Any]:
    return dict(
        sep=delim,
        encoding=enc,
        dtype=str,
        keep_default_na=False,
        na_values=[],
        skiprows=tm.skip_rows,
        skipinitialspace=False,
    )


def read_source(path: Path, tm: TableMapping) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read one input file whole, as it is: CSV cells as text (nothing turned into NaN except empty cells),
    Excel and Parquet cells with their stored types (Parquet dictionary text as plain text, dates as
    datetime64).

    In: the file and its table mapping (format, sheet, encoding, delimiter, skip_rows, engine). Out: (frame with
    the file's columns in file order, info {format, encoding, delimiter, engine}). Raises DataError when the file
    cannot be read. `materialize` reads large files in record batches instead (`_source_batches`).
    """
    fmt = _format_of(path, tm)
    info: dict[str, Any] = {"file": str(path), "format": fmt}
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    duck = tm.engine == "duckdb" or (tm.engine == "auto" and path.stat().st_size >= DUCKDB_MIN_BYTES)
    try:
        if fmt == "excel":
            engine = "xlrd" if path.suffix.lower() == ".xls" else "openpyxl"
            info["engine"] = engine
            df = pd.read_excel(
                path, sheet_name=tm.sheet, dtype=object, skiprows=tm.skip_rows, engine=engine, na_filter=False
            )
            df = df.replace("", None)  # an empty cell is missing; text "NA" stays text
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            info["engine"] = "pyarrow"
            df = _arrow_frame(pq.read_table(path))
        else:
            enc, delim = _csv_options(path, tm, info)
            sql = _duckdb_csv_sql(path, tm, enc, delim) if duck else None
            if sql is not None:
                info["engine"] = "duckdb"
                con = _duckdb()
                try:
                    df = _arrow_frame(con.sql(sql).to_arrow_table())
                finally:
                    con.close()
            else:
                info["engine"] = "pandas"
                df = pd.read_csv(path, **_pandas_csv_args(tm, enc, delim)).replace("", None)
    except DataError:
        raise
    except Exception as exc:  # pandas / pyarrow / duckdb / xlrd / openpyxl raise their own types
        raise DataError(f"{path}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    df.columns = _clean_names(df.columns)
    return df.reset_index(drop=True), info


def _source_batches(path: Path, tm: TableMapping, info: dict[str, Any]) -> Iterator[pd.DataFrame]:
    """The file in record batches of at most CHUNK_ROWS rows, in file order, each as `read_source` would
    read it (same column names, types and missing cells). CSV through DuckDB (pandas' chunked reader for
    encodings DuckDB does not decode, e.g. GB18030), Parquet through pyarrow. Yields at least one (possibly
    empty) frame. Raises DataError when the file cannot be read."""
    fmt = info["format"]
    con = None
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            info["engine"] = "pyarrow"
            pf = pq.ParquetFile(path)
            batches: Iterator[Any] = pf.iter_batches(batch_size=CHUNK_ROWS)
            schema = pf.schema_arrow
        else:
            enc, delim = _csv_options(path, tm, info)
            sql = _duckdb_csv_sql(path, tm, enc, delim)
            if sql is None:
                info["engine"] = "pandas"
                reader = pd.read_csv(path, chunksize=CHUNK_ROWS, **_pandas_csv_args(tm, enc, delim))
                n = 0
                for chunk in reader:
                    chunk.columns = _clean_names(chunk.columns)
                    n += 1
                    yield chunk.replace("", None).reset_index(drop=True)
                if n == 0:
                    head = pd.read_csv(path, nrows=0, **_pandas_csv_args(tm, enc, delim))
                    yield pd.DataFrame(columns=_clean_names(head.columns), dtype="str")
                return
            info["engine"] = "duckdb"
            con = _duckdb()
            schema = None
            batches = con.sql(sql).to_arrow_reader(CHUNK_ROWS)
        n = 0
        for table in _rebatch(batches):
            n += 1
            df = _arrow_frame(table)
            df.columns = _clean_names(df.columns)
            yield df
        if n == 0:
            empty = schema.empty_table() if schema is not None else batches.schema.empty_table()
            df = _arrow_frame(empty)
            df.columns = _clean_names(df.columns)
            yield df
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{path}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    finally:
        if con is not None:
            con.close()


def _rebatch(batches: Iterator[Any]) -> Iterator[Any]:
    """Arrow record batches of any size (DuckDB's follow its threads) -> tables of exactly CHUNK_ROWS rows,
    the last one shorter."""
    import pyarrow as pa

    buffer, n = [], 0
    for batch in batches:
        buffer.append(batch)
        n += batch.num_rows
        while n >= CHUNK_ROWS:
            t = pa.Table.from_batches(buffer).combine_chunks()
            yield t.slice(0, CHUNK_ROWS)
            rest = t.slice(CHUNK_ROWS)
            buffer, n = rest.to_batches(), rest.num_rows
    if n:
        yield pa.Table.from_batches(buffer)


def _table_of(batch: Any) -> Any:
    import pyarrow as pa

    return pa.Table.from_batches([batch])


def _clean_names(columns: Any) -> list[str]:
    return [str(c).strip().lstrip("\ufeff") for c in columns]


def _sql_str(x: Any) -> str:
    return "'" + str(x).replace("'", "''") + "'"


def _sql_name(x: str) -> str:
    return '"' + x.replace('"', '""') + '"'


def _duckdb(work_dir: Path | None = None) -> Any:
    """An in-memory DuckDB connection that keeps the file order and stays within DUCKDB_MEMORY (spilling
    to `work_dir`)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"SET memory_limit = {_sql_str(DUCKDB_MEMORY)}")
    if work_dir is not None:
        con.execute(f"SET temp_directory = {_sql_str(work_dir)}")
    return con


def _arrow_frame(table: Any) -> pd.DataFrame:
    """Arrow -> pandas as an export is read: dictionary-encoded text decoded to plain text (a column is text
    whether or not the writer dictionary-encoded it), calendar dates as datetime64[us], text as `str`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = []
    for col in table.columns:
        t = col.type
        if pa.types.is_dictionary(t) and (
            pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
        ):
            col = pc.cast(col, pa.string())
        elif pa.types.is_date32(t) or pa.types.is_date64(t):
            col = pc.cast(col, pa.timestamp("us"))
        cols.append(col)
    from planning.data import types_mapper

    return pa.table(cols, names=table.column_names).to_pandas(types_mapper=types_mapper)


# --------------------------------------------------------------------------------------------- parsing
def _is_text(s: pd.Series) -> bool:
    return s.dtype == "str" or s.dtype == object or isinstance(s.dtype, pd.StringDtype)


def _as_text(s: pd.Series) -> pd.Series:
    """Any column -> trimmed text with missing kept missing (Excel numbers as their shortest repr)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d %H:%M:%S").astype("str")
    if s.dtype == object:
        s = s.map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v) else _text_of(v))
    return s.astype("str").str.strip()


def _text_of(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, _dt.datetime | pd.Timestamp):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return str(v)


_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"  # '12', '-0.5', '1.5e3': nothing to clean
_PLAIN_CHARS = set("0123456789.+-eE")


def _plain_numbers(txt: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of a text column are plain decimal numbers, and their values (NaN elsewhere), parsed in
    Arrow: the same doubles as `pd.to_numeric` (correctly rounded), without a Python object per cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(txt.astype("str"), type=pa.large_string())
    is_plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_NUMBER), False)
    mask = is_plain.to_numpy(zero_copy_only=False)
    vals = np.full(len(txt), np.nan)
    if mask.any():
        vals[mask] = pc.cast(pc.filter(arr, is_plain), pa.float64()).to_numpy(zero_copy_only=False)
    return mask, vals


def _to_numeric(txt: pd.Series) -> np.ndarray:
    """`pd.to_numeric(txt, errors="coerce")` as float64: plain numbers parsed in Arrow, the rest by pandas."""
    mask, vals = _plain_numbers(txt)
    rest = ~mask & txt.notna().to_numpy()
    if rest.any():
        vals[rest] = pd.to_numeric(txt[rest], errors="coerce").astype("float64").to_numpy()
    return vals


def parse_numbers(
    s: pd.Series, decimal: str = ".", thousands: str = ",", currency: list[str] | None = None
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Text amounts -> float64.

    Removes currency symbols / codes, spaces and the thousands separator, reads `decimal` as the decimal point
    and "(12.50)" as -12.50. In: a column (text or already numeric). Out: (values, fixed = parsed only after
    cleaning, bad = non-empty but not a number); missing stays NaN.
    """
    n = len(s)
    if not _is_text(s) and pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64"), np.zeros(n, bool), np.zeros(n, bool)
    txt = _as_text(s)
    present = txt.notna().to_numpy()
    symbols = currency if currency is not None else DEFAULT_CURRENCY
    if decimal == "." and not (set(thousands) | set("".join(symbols))) & _PLAIN_CHARS:
        mask, vals = _plain_numbers(txt)
        if (mask | ~present).all():  # every cell a plain number: the cleaning below would change nothing
            return pd.Series(vals, index=s.index, dtype="float64"), np.zeros(n, bool), np.zeros(n, bool)
    plain = _to_numeric(txt)
    t = txt
    paren = t.str.match(r"^\(.*\)$").fillna(False).to_numpy(dtype=bool)
    t = t.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    for sym in sorted(symbols, key=len, reverse=True):
        t = t.str.replace(sym, "", regex=False)
    t = t.str.replace(r"\s+", "", regex=True)
    if thousands:
        t = t.str.replace(thousands, "", regex=False)
    if decimal != ".":
        t = t.str.replace(decimal, ".", regex=False)
    t = t.str.replace(r"^(\d[\d.]*)-$", r"-\1", regex=True)  # trailing minus of some ERP exports
    vals = _to_numeric(t)
    vals = np.where(paren, -vals, vals)
    fixed = present & ~np.isnan(vals) & np.isnan(plain)
    # "1,234" with "," as thousands must not be read as plain 1.234 when the decimal is ","
    if decimal != ".":
        fixed = present & ~np.isnan(vals) & (plain != vals)
    bad = present & np.isnan(vals)
    return pd.Series(vals, index=s.index, dtype="float64"), fixed, bad


def parse_dates(
    s: pd.Series, formats: list[str] | None = None, dayfirst: bool = False
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Date text in the export's style -> datetime64[us] at midnight.

    Tries each of `formats` (strftime) in order, then ISO 8601, then (dayfirst) common day-first formats and
    finally a per-value parser with `dayfirst`. Excel / Parquet dates are taken as they are. Out: (dates, fixed =
    in none of `formats` nor ISO but still read, bad = non-empty but no date).
    """
    n = len(s)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.astype("datetime64[us]").dt.normalize(), np.zeros(n, bool), np.zeros(n, bool)
    if s.dtype == object and len(s.dropna()) and all(isinstance(v, _dt.date) for v in s.dropna().iloc[:100]):
        out = pd.to_datetime(s, errors="coerce").astype("datetime64[us]").dt.normalize()
        return out, np.zeros(n, bool), (out.isna() & s.notna()).to_numpy()
    txt = _as_text(s)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    iso = np.zeros(n, bool)  # read by a listed format or as ISO: as expected, not a fix
    tries = [(f, True) for f in formats or []] + [("ISO8601", True)]
    if dayfirst:
        tries += [(f, False) for f in _DAYFIRST_FORMATS]
    for fmt, is_iso in tries:
        todo = out.isna().to_numpy() & txt.notna().to_numpy()
        if not todo.any():
            break
        got = pd.to_datetime(txt[todo], format=fmt, errors="coerce")
        if isinstance(got.dtype, pd.DatetimeTZDtype):
            got = got.dt.tz_localize(None)
        out.loc[todo] = got.astype("datetime64[us]")
        if is_iso:
            iso[todo] = got.notna().to_numpy()
    todo = out.isna().to_numpy() & txt.notna().to_numpy()
    if todo.any():
        got = pd.to_datetime(txt[todo], format="mixed", dayfirst=dayfirst, errors="coerce")
        if isinstance(got.dtype, pd.DatetimeTZDtype):
            got = got.dt.tz_localize(None)
        out.loc[todo] = got.astype("datetime64[us]")
    out = out.dt.normalize()
    present = txt.notna().to_numpy()
    bad = present & out.isna().to_numpy()
    fixed = present & ~bad & ~iso
    return out, fixed, bad


_ALLOWED_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def _derive(expr: str, df: pd.DataFrame, where: str) -> pd.Series:
    """Evaluate `a * b`, `amount / quantity`, `(x - y) * 0.13` over the numeric canonical columns of `df`."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise DataError(f"{where}: {expr!r} is not an arithmetic expression of column names") from None

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _ALLOWED_OPS:
            a, b = ev(node.left), ev(node.right)
            op = _ALLOWED_OPS[type(node.op)]
            return {"+": a + b, "-": a - b, "*": a * b}[op] if op != "/" else a / b
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in df.columns:
                raise DataError(
                    f"{where}: {expr!r} uses column {node.id!r}, which is not mapped; "
                    f"mapped columns: {', '.join(df.columns)}"
                )
            col = df[node.id]
            if not pd.api.types.is_numeric_dtype(col.dtype):
                raise DataError(f"{where}: {expr!r} uses {node.id!r}, which is not a number column")
            return col.astype("float64")
        raise DataError(f"{where}: {expr!r}: only + - * / ( ) numbers and column names are allowed")

    res = ev(tree)
    if not isinstance(res, pd.Series):
        res = pd.Series(float(res), index=df.index)
    return res.replace([np.inf, -np.inf], np.nan)


def _snake(s: pd.Series) -> pd.Series:
    """Key text lower-case with '_' for spaces, '/' and '&'; worked out once per distinct value (a key column
    holds a handful of values in millions of rows)."""
    codes, uniques = pd.factorize(s)
    u = pd.Series(uniques, dtype="str")
    u = (
        u.str.strip()
        .str.lower()
        .str.replace(r"[\s/&]+", "_", regex=True)
        .str.replace(r"_+", "_", regex=True)
        .str.strip("_")
    )
    return pd.Series(np.append(u.to_numpy(dtype=object), None)[codes], index=s.index, dtype="str")


def _non_ascii(s: pd.Series) -> np.ndarray:
    """Text with a character outside ASCII (missing is not), per distinct value."""
    codes, uniques = pd.factorize(s)
    return ~np.array([str(u).isascii() for u in uniques] + [True], bool)[codes]


# --------------------------------------------------------------------------------------------- the report
def _info_record(call: int, table: str, check: str, column: str, rows: int, detail: str) -> dict[str, Any]:
    """A report record saying how a column was built (an "info" outcome: no example rows, no codes)."""
    return {
        "call": call,
        "table": table,
        "outcome": "info",
        "check": check,
        "column": column,
        "rows": rows,
        "detail": detail,
        "examples": [],
        "codes": None,
    }


class _Findings:
    """Collects what happened to the rows of one table (or one record batch of it); every dropped row is
    counted once (first reason).

    Each call of drop / fix / note / info is numbered in call order whether or not it matched a row, so the
    findings of the record batches of a large file line up call by call (`_Accumulated`).
    """

    def __init__(self, table: str, n: int, rows: np.ndarray):
        self.table = table
        self.alive = np.ones(n, bool)
        self.fixed = np.zeros(n, bool)
        self.rows = rows  # 1-based data row of each frame row in the source file
        self.records: list[dict[str, Any]] = []  # items with their call number, example list and codes
        self._calls = 0

    @property
    def items(self) -> list[dict[str, Any]]:
        """The findings as FINDING_COLUMNS records, in call order."""
        return [_public(r) for r in self.records]

    def _examples(self, mask: np.ndarray, values: pd.Series | None) -> list[str]:
        pos = np.flatnonzero(mask)[:_EXAMPLES]
        parts = []
        for p in pos:
            v = "" if values is None else values.iloc[p]
            v = "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
            parts.append(
                f"row {int(self.rows[p])}: {v[:60]!r}" if values is not None else f"row {self.rows[p]}"
            )
        return parts

    def _record(self, outcome, check, column, mask, detail, values, codes=None) -> np.ndarray:
        self._calls += 1
        mask = np.asarray(mask, bool) & self.alive
        n = int(mask.sum())
        if n:
            self.records.append(
                {
                    "call": self._calls,
                    "table": self.table,
                    "outcome": outcome,
                    "check": check,
                    "column": column,
                    "rows": n,
                    "detail": detail,
                    "examples": self._examples(mask, values),
                    "codes": codes,
                }
            )
        return mask

    def drop(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        self.alive &= ~self._record("dropped", check, column, mask, detail, values)

    def fix(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        self.fixed |= self._record("fixed", check, column, mask, detail, values)

    def fix_missing(self, mask, column: str, values: pd.Series) -> None:
        """Missing codes read as missing; the detail lists the codes found (merged over record batches)."""
        codes = set(values[np.asarray(mask, bool) & self.alive].tolist())
        self.fixed |= self._record("fixed", "missing_code", column, mask, "", values, codes)

    def note(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        """Kept as it is, but worth a look (e.g. values not in a value map, duplicates kept)."""
        self._record("warning", check, column, mask, detail, values)

    def info(self, check: str, column: str, n: int, detail: str) -> None:
        """How a column was built (derived, numbered): every kept row, not a problem."""
        self._calls += 1
        if n:
            self.records.append(_info_record(self._calls, self.table, check, column, n, detail))


def _public(r: dict[str, Any]) -> dict[str, Any]:
    detail = f"{sorted(r['codes'])} read as missing" if r["codes"] is not None else r["detail"]
    return {
        "table": r["table"],
        "outcome": r["outcome"],
        "check": r["check"],
        "column": r["column"],
        "rows": r["rows"],
        "detail": detail,
        "examples": "; ".join(r["examples"][:_EXAMPLES]),
    }


class _Accumulated:
    """The findings of a table imported in record batches: per call (see `_Findings`) the rows summed, the
    first three example rows of the file and the union of missing codes, plus the row accounting."""

    def __init__(self, table: str):
        self.table = table
        self.by_call: dict[int, dict[str, Any]] = {}
        self.rows_read = self.rows_kept = self.rows_fixed = self.rows_dropped = 0
        self._last_call = 0

    def add(self, f: _Findings) -> None:
        self.rows_read += len(f.alive)
        self.rows_kept += int(f.alive.sum())
        self.rows_fixed += int((f.fixed & f.alive).sum())
        self.rows_dropped += int((~f.alive).sum())
        self._last_call = max(self._last_call, f._calls)
        for r in f.records:
            have = self.by_call.get(r["call"])
            if have is None:
                self.by_call[r["call"]] = {**r, "examples": list(r["examples"])}
                continue
            if (have["outcome"], have["check"], have["column"]) != (r["outcome"], r["check"], r["column"]):
                raise AssertionError(f"findings of record batches do not line up: {have} / {r}")
            have["rows"] += r["rows"]
            have["examples"] = (have["examples"] + r["examples"])[:_EXAMPLES]
            if r["codes"] is not None:
                have["codes"] = have["codes"] | r["codes"]

    def info(self, check: str, column: str, n: int, detail: str) -> None:
        """A finding about the whole table, after the last record batch (e.g. line numbers)."""
        self._last_call += 1
        if n:
            self.by_call[self._last_call] = _info_record(
                self._last_call, self.table, check, column, n, detail
            )

    @property
    def items(self) -> list[dict[str, Any]]:
        return [_public(self.by_call[k]) for k in sorted(self.by_call)]


FINDING_COLUMNS = ["table", "outcome", "check", "column", "rows", "detail", "examples"]
SUMMARY_COLUMNS = ["table", "file", "rows_read", "rows_kept", "rows_fixed", "rows_dropped", "amount"]


@dataclasses.dataclass
class ImportReport:
    """What an import did: per table rows read / kept / fixed / dropped, and every finding.

    `summary` has SUMMARY_COLUMNS (rows_read == rows_kept + rows_dropped per table; `amount` = sum of the
    kept rows' amount where the table has one); `findings` has FINDING_COLUMNS, one row per problem with
    `outcome` dropped | fixed | warning, the number of rows, what was done and up to three example rows.
    """

    key: str
    mapping: str
    summary: pd.DataFrame
    findings: pd.DataFrame
    sources: dict[str, dict[str, Any]]
    regions: dict[str, dict[str, float]]  # region -> {rows, amount} of the kept orders
    data_dir: str = ""

    @property
    def complete(self) -> bool:
        """Every input row accounted for (kept or dropped with a reason)."""
        s = self.summary
        return bool((s["rows_read"] == s["rows_kept"] + s["rows_dropped"]).all())

    def to_json(self) -> str:
        return json.dumps(
            {
                "key": self.key,
                "mapping": self.mapping,
                "data_dir": self.data_dir,
                "summary": self.summary.astype(object).where(self.summary.notna(), None).to_dict("records"),
                "findings": self.findings.to_dict("records"),
                "sources": self.sources,
                "regions": self.regions,
            },
            indent=2,
            ensure_ascii=False,
            default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> ImportReport:
        d = json.loads(text)
        return cls(
            key=d["key"],
            mapping=d["mapping"],
            summary=pd.DataFrame(d["summary"], columns=SUMMARY_COLUMNS),
            findings=pd.DataFrame(d["findings"], columns=FINDING_COLUMNS),
            sources=d["sources"],
            regions=d["regions"],
            data_dir=d.get("data_dir", ""),
        )

    def lines(self) -> list[str]:
        """Plain-text report for `planning check`."""
        out = []
        for r in self.summary.itertuples():
            total = (
                f", amount {r.amount:,.2f}" if isinstance(r.amount, float) and r.amount == r.amount else ""
            )
            out.append(
                f"{r.table}: {r.rows_read} rows read from {Path(r.file).name}: {r.rows_kept} kept "
                f"({r.rows_fixed} fixed), {r.rows_dropped} dropped{total}"
            )
        for region, v in self.regions.items():
            out.append(f"  orders of region {region}: {v['rows']} rows, amount {v['amount']:,.2f}")
        for f in self.findings.itertuples():
            ex = f" [{f.examples}]" if isinstance(f.examples, str) and f.examples else ""
            out.append(f"  {f.outcome:<8} {f.table}.{f.column}: {f.rows} rows: {f.detail}{ex}")
        return out


# --------------------------------------------------------------------------------------------- one table
def import_table(
    name: str, raw: pd.DataFrame, tm: TableMapping, source: str = "<frame>"
) -> tuple[pd.DataFrame, _Findings]:
    """Map one source frame to canonical table `name` and account for every row.

    In: the table name, the frame as read (`read_source`), its mapping, the file name for messages. Order of
    work: missing codes -> exclude rules -> duplicates -> renames, constants -> value maps -> key normalisation ->
    types (numbers, dates) -> derived columns -> fill -> required values -> date window -> line numbers. Out:
    (canonical frame typed by `data.coerce_table`, orders sorted by region, then order_date, then file order;
    findings). Raises DataError for a mapped column missing from the file, a required column with no mapping,
    a table with no parseable date, a value map violation with `unmapped: error`.
    """
    _check_columns(name, list(raw.columns), tm, source)
    f = _Findings(name, len(raw), np.arange(1, len(raw) + 1) + tm.skip_rows)
    dates = _DateCheck(name, tm, source, whole=True)
    df = _map_rows(name, raw, tm, source, f, _frame_duplicates, dates)
    kept = df.loc[f.alive].reset_index(drop=True)
    # 11. line numbers of orders: 1, 2, ... within an order in file order
    if name == "orders" and "line_no" not in kept.columns:
        kept["line_no"] = kept.groupby(kept["order_id"].astype("str"), sort=False).cumcount() + 1
        f.info("line_no", "line_no", len(kept), LINE_NO_DETAIL)
    kept = _complete(kept, name, tm, source)
    if name == "orders":
        region = pd.factorize(kept["region"], sort=True)[0]
        order = np.lexsort((np.arange(len(kept)), kept["order_date"].to_numpy().view("int64"), region))
        kept = kept.take(order).reset_index(drop=True)
    return kept, f


LINE_NO_DETAIL = "numbered 1, 2, ... within order_id in file order"


def _check_columns(name: str, columns: list[str], tm: TableMapping, source: str) -> None:
    """Hard errors of the mapping against the file's header: a mapped or rule column not in the file, a
    required column without a mapping."""
    schema = SCHEMA[name]
    used = _used_columns(tm)
    missing_cols = [c for c in used if c not in columns]
    if missing_cols:
        import difflib

        hint = difflib.get_close_matches(missing_cols[0], columns, n=1)
        raise DataError(
            f"{source}: column {missing_cols[0]!r} (mapped in tables.{name}) is not in the file"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f"; columns found: {', '.join(map(str, columns))}"
        )
    provided = set(tm.columns) | set(tm.constants) | set(tm.derive)
    needed = [c for c in NOT_NULL.get(name, ()) if c not in provided]
    needed += [
        c
        for c, k in schema.items()
        if k == "int" and c not in provided and (name, c) != ("orders", "line_no")
    ]
    if needed:
        raise DataError(
            f"{source}: table {name!r} needs column {needed[0]!r}, which the mapping does not provide; map a "
            f"source column to it (tables.{name}.columns), set a constant or derive it"
        )


def _used_columns(tm: TableMapping) -> list[str]:
    return list(dict.fromkeys([*tm.columns.values(), *(r.column for r in tm.exclude)]))


def _frame_duplicates(src: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, pd.Series | None]:
    """Rows identical in every column to an earlier row of the frame, and 'same as row N' for them."""
    dup = src.duplicated(keep="first").to_numpy()
    return dup, (_first_rows(src, dup, rows) if dup.any() else None)


class _DateCheck:
    """The hard error "no value is a date" of a required date column: raised at once for a frame read whole,
    after the last record batch for a large file (the first batches may hold no date while later ones do)."""

    def __init__(self, name: str, tm: TableMapping, source: str, whole: bool):
        self.name, self.tm, self.source, self.whole = name, tm, source, whole
        self.seen: dict[
            str, list[Any]
        ] = {}  # column -> [any live value, any live date, (row, value) example]

    def __call__(self, col: str, live_present: np.ndarray, bad: np.ndarray, shown: pd.Series, rows) -> None:
        st = self.seen.setdefault(col, [False, False, None])
        if live_present.any():
            if st[2] is None:
                pos = int(np.flatnonzero(live_present)[0])
                st[2] = (rows[pos], shown.iloc[pos])
            st[0] = True
        st[1] = st[1] or bool((live_present & ~bad).any())
        if self.whole:
            self.raise_if_no_date()

    def raise_if_no_date(self) -> None:
        for col, (present, good, example) in self.seen.items():
            if present and not good:
                raise DataError(
                    f"{self.source}: column {self.tm.columns.get(col, col)!r} (-> {col}): no value is a date, "
                    f"e.g. row {example[0]}: {example[1]!r}; set tables.{self.name}.date_format "
                    "(e.g. '%d/%m/%Y') or dayfirst: true"
                )


def _map_rows(
    name: str,
    raw: pd.DataFrame,
    tm: TableMapping,
    source: str,
    f: _Findings,
    duplicates: Callable[[pd.DataFrame, np.ndarray], tuple[np.ndarray, pd.Series | None]],
    dates: _DateCheck,
) -> pd.DataFrame:
    """Steps 1-10 of `import_table` on a frame (a whole file or one record batch of it): the mapped frame
    with every source row (`f.alive` marks the ones kept). `duplicates(src, rows)` finds the rows identical
    to an earlier one. Every call into `f` happens whatever the data (see `_Findings`)."""
    schema = SCHEMA[name]
    used = _used_columns(tm)

    # 1. missing codes: only the listed values are missing ("NA" stays text unless listed)
    missing_vals = [m for m in tm.missing if m != ""]
    src = raw
    if missing_vals:
        src = raw.copy()
        for c in used:
            if _is_text(raw[c]):
                txt = _as_text(raw[c])
                hit = txt.isin(missing_vals).to_numpy()
                f.fix_missing(hit, c, txt)
                if hit.any():
                    src[c] = raw[c].where(~hit)

    # 2. exclusion rules (on the source text)
    for rule in tm.exclude:
        txt = _as_text(src[rule.column])
        m = np.zeros(len(src), bool)
        if rule.in_:
            m |= txt.isin([str(v) for v in rule.in_]).to_numpy()
        for p in rule.startswith:
            m |= txt.str.startswith(str(p)).fillna(False).to_numpy(dtype=bool)
        for p in rule.contains:
            m |= txt.str.contains(str(p), regex=False).fillna(False).to_numpy(dtype=bool)
        if rule.empty:
            m |= txt.isna().to_numpy()
        f.drop(m, "excluded", rule.column, f"excluded by the mapping: {rule.describe()}", txt)

    # 3. duplicate rows (identical in every column of the file)
    dup, first_of = duplicates(src, f.rows)
    if tm.duplicates == "drop":
        f.drop(dup, "duplicate", "*", "identical to an earlier row of the file: dropped", first_of)
    else:
        f.note(dup, "duplicate", "*", "identical to an earlier row of the file: kept", first_of)

    # 4. renames and constants
    out: dict[str, pd.Series] = {}
    for col, s_col in tm.columns.items():
        out[col] = src[s_col]
    for col, v in tm.constants.items():
        out[col] = pd.Series([v] * len(src), index=src.index, dtype=object)
    df = pd.DataFrame(out, index=src.index)

    # 5. value maps and key normalisation (text columns)
    for col in df.columns:
        kind = schema.get(col, "str")
        if kind != "str" and col not in tm.values:
            continue
        txt = _as_text(df[col])
        if col in tm.values:
            vmap = {str(k).strip(): str(v) for k, v in tm.values[col].items()}
            hit = txt.isin(list(vmap)).to_numpy()
            mapped = txt.map(vmap).where(hit, txt)
            other = txt.notna().to_numpy() & ~hit & ~txt.isin(list(vmap.values())).to_numpy()
            policy = tm.unmapped.get(col, "keep")
            if policy == "error" and other.any():
                pos = int(np.flatnonzero(other)[0])
                raise DataError(
                    f"{source}: column {tm.columns.get(col, col)!r} (-> {col}), row {f.rows[pos]}: value "
                    f"{txt.iloc[pos]!r} is not in tables.{name}.values.{col}; expected one of "
                    f"{', '.join(map(repr, vmap))}"
                )
            if policy == "drop":
                f.drop(other, "unmapped_value", col, f"value not in values.{col}: dropped", txt)
            else:
                f.note(other, "unmapped_value", col, f"value not in values.{col}: kept as it is", txt)
            f.info("value_map", col, int((hit & f.alive).sum()), f"values mapped with values.{col}")
            txt = mapped
        if tm.normalize_keys and col in KEY_COLUMNS:
            norm = _snake(txt)
            changed = (norm != txt).fillna(False).to_numpy(dtype=bool)
            f.fix(
                changed,
                "key_format",
                col,
                "key written lower-case with '_' (e.g. 'Office Supplies' -> 'office_supplies')",
                txt,
            )
            txt = norm
            non_ascii = _non_ascii(txt)
            f.note(non_ascii, "non_ascii_key", col, f"key is not ASCII; add it to values.{col}", txt)
        df[col] = txt

    # 6. types
    for col in list(df.columns):
        kind = schema.get(col)
        if kind in ("float", "int"):
            raw_col = df[col]
            vals, fixed, bad = parse_numbers(raw_col, tm.decimal, tm.thousands, tm.currency)
            shown = _as_text(raw_col) if _is_text(raw_col) else raw_col
            f.fix(fixed, "number_format", col, "number read after removing currency / separators", shown)
            if col in NOT_NULL.get(name, ()) or kind == "int":
                f.drop(bad, "not_a_number", col, "not a number (required): dropped", shown)
            else:
                f.fix(bad, "not_a_number", col, "not a number: left empty", shown)
            if kind == "int":
                frac = f.alive & ~np.isnan(vals.to_numpy()) & (vals.to_numpy() != np.round(vals.to_numpy()))
                f.drop(frac, "not_whole", col, "not a whole number: dropped", shown)
            df[col] = vals.where(~bad)
        elif kind == "date":
            raw_col = df[col]
            vals, fixed, bad = parse_dates(raw_col, tm.date_format, tm.dayfirst)
            shown = _as_text(raw_col) if not pd.api.types.is_datetime64_any_dtype(raw_col.dtype) else raw_col
            if col in NOT_NULL.get(name, ()):
                dates(col, f.alive & raw_col.notna().to_numpy(), bad, shown, f.rows)
            f.fix(fixed, "date_format", col, _date_detail(tm), shown)
            if tm.date_format:
                f.info(
                    "date_format",
                    col,
                    int((f.alive & ~fixed & ~bad & raw_col.notna().to_numpy()).sum()),
                    f"read with {', '.join(tm.date_format)}",
                )
            if col in NOT_NULL.get(name, ()):
                f.drop(bad, "not_a_date", col, "not a date (required): dropped", shown)
            else:
                f.fix(bad, "not_a_date", col, "not a date: left empty", shown)
            df[col] = vals

    # 7. derived columns
    for col, expr in tm.derive.items():
        where = f"{source}: tables.{name}.derive.{col}"
        vals = _derive(expr, df, where)
        f.info("derived", col, int(f.alive.sum()), f"{col} = {expr}")
        if col not in NOT_NULL.get(name, ()):  # a required one is dropped as empty below
            f.fix(
                vals.isna().to_numpy(),
                "not_derived",
                col,
                f"no value for {expr} (e.g. a division by 0): left empty",
            )
        df[col] = vals

    # 8. fill empties
    for col, v in tm.fill.items():
        if col not in df.columns:
            df[col] = pd.Series([None] * len(df), index=df.index, dtype=object)
        empty = _empty(df[col])
        f.fix(empty, "filled", col, f"empty: set to {v!r} (tables.{name}.fill)")
        df[col] = (
            df[col].where(~empty, v)
            if _is_text(df[col])
            else df[col].mask(pd.Series(empty, index=df.index), v)
        )

    # 9. required values
    for col in NOT_NULL.get(name, ()):
        if col in df.columns:
            empty = _empty(df[col])
            f.drop(
                empty, "empty", col, f"{col} is empty (required): dropped; or set tables.{name}.fill.{col}"
            )

    # 10. date window
    dcol = DATE_COLUMN.get(name)
    if dcol in df.columns and (tm.window.start or tm.window.end):
        d = df[dcol]
        if tm.window.start:
            f.drop(
                d < pd.Timestamp(tm.window.start),
                "outside_window",
                dcol,
                f"dated before {tm.window.start}",
                d.dt.strftime("%Y-%m-%d"),
            )
        if tm.window.end:
            f.drop(
                d > pd.Timestamp(tm.window.end),
                "outside_window",
                dcol,
                f"dated after {tm.window.end}",
                d.dt.strftime("%Y-%m-%d"),
            )
    return df


def _complete(kept: pd.DataFrame, name: str, tm: TableMapping, source: str) -> pd.DataFrame:
    """Step 12: every schema column present (unmapped optional ones empty), schema order first, extras
    after (derived ones as numbers, the others as text), typed by `coerce_table`."""
    schema = SCHEMA[name]
    for col, kind in schema.items():
        if col not in kept.columns:
            kept[col] = pd.Series(
                np.full(len(kept), np.nan) if kind == "float" else [None] * len(kept),
                dtype={"float": "float64", "date": "datetime64[us]", "str": "str"}.get(kind, "float64"),
            )
    extras = [c for c in kept.columns if c not in schema]
    for col in extras:
        kept[col] = kept[col].astype("float64") if col in tm.derive else _as_text(kept[col])
    kept = kept[[*schema, *extras]]
    return coerce_table(kept, name, source=f"{source} (mapped)")


def _empty(s: pd.Series) -> np.ndarray:
    """Missing or blank text."""
    empty = np.array(s.isna().to_numpy(), dtype=bool)
    if _is_text(s):
        empty |= (s.astype("str").str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return empty


def _first_rows(src: pd.DataFrame, dup: np.ndarray, rows: np.ndarray) -> pd.Series:
    """For each duplicate row: 'same as row N' (N = the first row with identical content)."""
    key = pd.util.hash_pandas_object(src, index=False).to_numpy()
    first: dict[int, int] = {}
    out = np.empty(len(src), dtype=object)
    for i, k in enumerate(key):
        if k not in first:
            first[k] = int(rows[i])
        if dup[i]:
            out[i] = f"same as row {first[k]}"
    return pd.Series(out, index=src.index)


def _date_detail(tm: TableMapping) -> str:
    if tm.date_format:
        return f"date in none of {', '.join(tm.date_format)}: read " + (
            "day-first" if tm.dayfirst else "month-first"
        )
    return "date not ISO: read " + ("day-first" if tm.dayfirst else "month-first")


# --------------------------------------------------------------------------------------------- large files
class _SeenRows:
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
    src: pd.DataFrame, rows: np.ndarray, seen: _SeenRows, con: Any
) -> tuple[np.ndarray, pd.Series | None]:
    """`_frame_duplicates` for one record batch of a large file: identical to any earlier row of the file,
    by the two 64-bit DuckDB hashes of the row (columns in file order and reversed)."""
    import pyarrow as pa

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


def _to_arrow(df: pd.DataFrame) -> Any:
    """A canonical frame as Arrow: text as `string`, no pandas metadata (the file's types are the contract,
    docs/data.md)."""
    import pyarrow as pa

    t = pa.Table.from_pandas(df, preserve_index=False)
    fields = [pa.field(f.name, pa.string() if pa.types.is_large_string(f.type) else f.type) for f in t.schema]
    return t.cast(pa.schema(fields))


class _ParquetSink:
    """Writes a canonical table in row groups of exactly ROW_GROUP_ROWS rows (the last one shorter), however
    the rows arrive: the same rows give the same bytes, whether written at once or batch by batch."""

    def __init__(self, path: Path, schema: Any):
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
        import pyarrow as pa

        t = pa.concat_tables(self.buffer).combine_chunks()
        self.writer.write_table(t.slice(0, k), row_group_size=k)
        rest = t.slice(k)
        self.buffer, self.n = [rest], rest.num_rows

    def close(self) -> None:
        if self.n:
            self._flush(self.n)
        self.writer.close()


@dataclasses.dataclass
class _TableResult:
    rows_read: int
    rows_kept: int
    rows_fixed: int
    rows_dropped: int
    items: list[dict[str, Any]]
    info: dict[str, Any]


def _import_file(name: str, path: Path, tm: TableMapping, out_file: Path, work_dir: Path) -> _TableResult:
    """Import one table file into `out_file` (canonical Parquet): read whole, or in record batches when it
    is large (`_is_large`)."""
    if _is_large(path, tm, _format_of(path, tm)):
        return _import_large(name, path, tm, out_file, work_dir)
    raw, info = read_source(path, tm)
    df, f = import_table(name, raw, tm, source=str(path))
    table = _to_arrow(df)
    sink = _ParquetSink(out_file, table.schema)
    sink.write(table)
    sink.close()
    kept = int(f.alive.sum())
    return _TableResult(len(raw), kept, int((f.fixed & f.alive).sum()), len(raw) - kept, f.items, info)


def _import_large(name: str, path: Path, tm: TableMapping, out_file: Path, work_dir: Path) -> _TableResult:
    """`import_table` + writing, for a file too large to hold: each record batch (CHUNK_ROWS rows) is mapped
    by `_map_rows` and its kept rows appended to Parquet; duplicates are found across batches (`_SeenRows`).
    Orders are staged with their file row, then numbered (`line_no` within order_id in file order, when
    not mapped) and sorted by region, order_date and file row in DuckDB, which spills to `work_dir` beyond
    DUCKDB_MEMORY. Same output and findings as reading the file whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = str(path)
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    work_dir.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {"file": source, "format": _format_of(path, tm)}
    acc = _Accumulated(name)
    dates = _DateCheck(name, tm, source, whole=False)
    seen = _SeenRows()
    number = name == "orders" and "line_no" not in {*tm.columns, *tm.constants, *tm.derive}
    staged = work_dir / f"{name}.staged.parquet" if name == "orders" else None
    con = _duckdb(work_dir)
    writer: Any = None
    offset = batches = 0
    try:
        for raw in _source_batches(path, tm, info):
            if batches == 0:
                _check_columns(name, list(raw.columns), tm, source)
            rows = np.arange(offset + 1, offset + len(raw) + 1) + tm.skip_rows
            f = _Findings(name, len(raw), rows)
            df = _map_rows(name, raw, tm, source, f, lambda s, r: _batch_duplicates(s, r, seen, con), dates)
            kept = df.loc[f.alive].reset_index(drop=True)
            if number:
                kept["line_no"] = 0  # numbered below, over the whole file
            table = _to_arrow(_complete(kept, name, tm, source))
            if staged is not None:
                table = table.append_column("_file_row", pa.array(rows[f.alive], pa.int64()))
            if writer is None:
                writer = (
                    pq.ParquetWriter(staged, table.schema, compression="none")
                    if staged is not None
                    else _ParquetSink(out_file, table.schema)
                )
            if staged is not None:
                writer.write_table(table)
            else:
                writer.write(table)
            acc.add(f)
            offset += len(raw)
            batches += 1
        writer.close()
        writer = None
        dates.raise_if_no_date()
        if staged is not None:
            if number:
                acc.info("line_no", "line_no", acc.rows_kept, LINE_NO_DETAIL)
            _sort_orders(con, staged, out_file, number)
            staged.unlink()
    finally:
        if writer is not None:
            writer.close()
        con.close()
    info["batches"] = batches
    return _TableResult(acc.rows_read, acc.rows_kept, acc.rows_fixed, acc.rows_dropped, acc.items, info)


def _sort_orders(con: Any, staged: Path, out_file: Path, number: bool) -> None:
    """Staged orders (canonical columns + _file_row) -> `out_file` sorted by region, order_date, file row,
    with `line_no` numbered 1, 2, ... within order_id in file order when `number`."""
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
            cols.append(_sql_name(c))
    rel = con.sql(
        f"SELECT {', '.join(cols)} FROM read_parquet({_sql_str(staged)}) "
        "ORDER BY region, order_date, _file_row"
    )
    sink = _ParquetSink(out_file, schema)
    try:
        for batch in rel.to_arrow_reader(CHUNK_ROWS):
            sink.write(_table_of(batch))
    finally:
        sink.close()


def _fsum(values: np.ndarray) -> float:
    """Correctly rounded sum of the non-missing values (math.fsum): the same total whatever the order or the
    batching of the rows."""
    values = values[~np.isnan(values)]
    step = 1 << 20
    return math.fsum(
        itertools.chain.from_iterable(values[i : i + step].tolist() for i in range(0, len(values), step))
    )


def _totals(table_file: Path, by_region: bool) -> tuple[float | None, dict[str, dict[str, float]]]:
    """Of a written canonical table: the total `amount` (None without that column) and, with `by_region`,
    rows and amount per region, read back from the file (two columns)."""
    import pyarrow.parquet as pq

    from planning.data import types_mapper

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


# --------------------------------------------------------------------------------------------- materialize
_HASH_MEMO: dict[tuple[str, int, int], str] = {}


def _file_hash(path: Path) -> str:
    st = path.stat()
    memo_key = (str(path), st.st_size, st.st_mtime_ns)
    if memo_key not in _HASH_MEMO:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(8 << 20), b""):
                h.update(chunk)
        _HASH_MEMO[memo_key] = h.hexdigest()
    return _HASH_MEMO[memo_key]


def _code_hash() -> str:
    from planning import data

    h = hashlib.sha256()
    for mod in (__file__, data.__file__):
        h.update(Path(mod).read_bytes())
    return h.hexdigest()


def cache_key(mapping: Mapping, files: dict[str, Path]) -> str:
    """Content hash of the mapping (as validated), every input file and the import code."""
    h = hashlib.sha256()
    h.update(mapping.model_dump_json(by_alias=True, exclude={"tables": {"__all__": {"file"}}}).encode())
    for name in sorted(files):
        h.update(f"{name}:{_file_hash(files[name])}".encode())
    h.update(_code_hash().encode())
    return h.hexdigest()[:20]


def materialize(
    mapping_file: str | os.PathLike, cache_dir: str | os.PathLike | None = None, force: bool = False
) -> tuple[Path, ImportReport]:
    """Import the files a mapping names into a canonical data folder, once per content.

    In: the mapping YAML; the cache folder (default: the mapping's `cache_dir`, else data/imported/ of the
    project); `force` re-imports. Out: (folder with `<table>.parquet`, `import.json`, `validation.csv`; the
    report). The folder is `<cache>/<hash>` with the hash over the mapping, the inputs' content and this code,
    so an unchanged export is not read twice and a changed one never reuses a stale import. Tables are
    written in row groups of ROW_GROUP_ROWS rows, orders sorted by region, order_date and file order; the
    same inputs give the same bytes. Raises DataError (see the module docstring).
    """
    mapping_file = Path(mapping_file).resolve()
    mapping, files = load_mapping(mapping_file)
    key = cache_key(mapping, files)
    root = Path(
        cache_dir or (mapping.cache_dir and _expand(mapping.cache_dir, str(mapping_file))) or CACHE_DIR
    )
    if not root.is_absolute():
        root = mapping_file.parent / root
    final = root / key
    if (final / REPORT_FILE).is_file() and not force:
        return final, report_of(final)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.tmp-", dir=root))
    try:
        report = _import_all(mapping, files, key, mapping_file, tmp)
        report.data_dir = str(final)
        report.findings.to_csv(tmp / FINDINGS_FILE, index=False, lineterminator="\n")
        (tmp / REPORT_FILE).write_text(report.to_json(), encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (final / REPORT_FILE).is_file():  # another process published the same import first: use it
            raise
    return final, report


def _import_all(
    mapping: Mapping, files: dict[str, Path], key: str, mapping_file: Path, out_dir: Path
) -> ImportReport:
    """Import every table of the mapping into `out_dir` (`<table>.parquet`); the report of the import."""
    work = out_dir / ".work"  # staged tables and DuckDB's spill files of large imports
    summary, findings, sources = [], [], {}
    regions: dict[str, dict[str, float]] = {}
    try:
        for name, tm in mapping.tables.items():
            out_file = out_dir / f"{name}.parquet"
            res = _import_file(name, files[name], tm, out_file, work)
            res.info["sha256"] = _file_hash(files[name])
            sources[name] = res.info
            findings += res.items
            amount, by_region = _totals(out_file, by_region=name == "orders")
            if name == "orders":
                regions = by_region
            summary.append(
                {
                    "table": name,
                    "file": str(files[name]),
                    "rows_read": res.rows_read,
                    "rows_kept": res.rows_kept,
                    "rows_fixed": res.rows_fixed,
                    "rows_dropped": res.rows_dropped,
                    "amount": amount,
                }
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ImportReport(
        key=key,
        mapping=str(mapping_file),
        summary=pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        findings=pd.DataFrame(findings, columns=FINDING_COLUMNS),
        sources=sources,
        regions=regions,
    )


def report_of(data_dir: str | os.PathLike) -> ImportReport | None:
    """The import report stored with an imported data folder (None for a folder that was not imported)."""
    p = Path(data_dir) / REPORT_FILE
    return ImportReport.from_json(p.read_text(encoding="utf-8")) if p.is_file() else None


def resolve_data_dir(p: Any) -> Path | None:
    """The imported data folder for params `p` when `data.mapping` is set (mapping path relative to the
    project root, like `data.dir`), else None."""
    if not getattr(p.data, "mapping", ""):
        return None
    mapping = Path(_expand(p.data.mapping, "data.mapping"))
    mapping = mapping if mapping.is_absolute() else config.PROJECT_ROOT / mapping
    return materialize(mapping)[0]


# --------------------------------------------------------------------------------------------- in the report
def validation_table(report: ImportReport) -> pd.DataFrame:
    """Findings for the report: the per-table accounting rows first (read / kept / dropped), then each problem."""
    rows = []
    for s in report.summary.itertuples():
        rows.append(
            {
                "table": s.table,
                "outcome": "read",
                "check": "",
                "column": "",
                "rows": s.rows_read,
                "detail": Path(s.file).name,
                "examples": "",
            }
        )
        rows.append(
            {
                "table": s.table,
                "outcome": "kept",
                "check": "",
                "column": "",
                "rows": s.rows_kept,
                "detail": f"{s.rows_fixed} of them fixed",
                "examples": "",
            }
        )
        rows.append(
            {
                "table": s.table,
                "outcome": "dropped",
                "check": "",
                "column": "",
                "rows": s.rows_dropped,
                "detail": "",
                "examples": "",
            }
        )
    return pd.concat([pd.DataFrame(rows, columns=FINDING_COLUMNS), report.findings], ignore_index=True)


def show_validation(ctx: Any) -> None:
    """Market report section "Imported data": what the import kept, fixed and dropped, and why.

    Shows nothing when the run's data was not imported through a mapping (e.g. the sample company). Saves the
    artefact `validation` (FINDING_COLUMNS, accounting rows first) into the region's artifacts.
    """
    report = report_of(ctx.data_dir)
    if report is None:
        return
    ctx.h("importer.validation.title")
    s = report.summary
    orders = s[s["table"] == "orders"].iloc[0]
    region = report.regions.get(ctx.region, {"rows": 0, "amount": 0.0})
    ctx.say(
        ctx.t(
            "importer.validation.summary",
            file=Path(str(orders["file"])).name,
            read=f"{int(orders['rows_read']):,}",
            kept=f"{int(orders['rows_kept']):,}",
            fixed=f"{int(orders['rows_fixed']):,}",
            dropped=f"{int(orders['rows_dropped']):,}",
            total=f"{ctx.p.company.currency} {float(orders['amount']):,.2f}",
            region=ctx.region_name,
            region_rows=f"{int(region['rows']):,}",
            region_total=f"{ctx.p.company.currency} {float(region['amount']):,.2f}",
        )
    )
    view = s.assign(file=s["file"].map(lambda x: Path(str(x)).name))
    ctx.table(view, domain="importer", decimals={"amount": 2})  # to the cent, to compare with the export
    problems = report.findings[report.findings["outcome"] != "fixed"]
    fixes = report.findings[report.findings["outcome"] == "fixed"]
    if len(report.findings):
        ctx.table(pd.concat([problems, fixes], ignore_index=True), domain="importer", translate_values=False)
    else:
        ctx.say(ctx.t("importer.validation.clean"))
    ctx.save("validation", validation_table(report))


def write_snapshot_report(snapshot: str | os.PathLike, data_dirs: list[str]) -> None:
    """Write `<snapshot>/validation.json` (the import reports of the run's imported data folders, keyed by
    folder); nothing when no data folder was imported."""
    reports = [
        json.loads((Path(d) / REPORT_FILE).read_text(encoding="utf-8"))
        for d in data_dirs
        if (Path(d) / REPORT_FILE).is_file()
    ]
    if reports:
        Path(snapshot, "validation.json").write_text(
            json.dumps({"imports": reports}, indent=2, ensure_ascii=False), encoding="utf-8"
        )
