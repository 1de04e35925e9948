"""Import a CRM / ERP export into the canonical tables of docs/data.md (docs/import.md).

The import is an ETL step in front of the workbook: `materialize(mapping_file)` reads the user's files as they
are (CSV in any common encoding and number / date style, Excel .xlsx / .xls, Parquet), applies the mapping
(column renames, constants, value maps, derived columns, filters), writes the canonical tables as Parquet into a
cache folder keyed by the content hash of the inputs and the mapping (`data/imported/<hash>/`), and returns a
validation report that accounts for every input row: kept, fixed (how) or dropped (why), with counts per problem
and example rows. The runner and `notebook.setup` call it when `data.mapping` is set in params.

Hard errors (unreadable file, a mapped column that is not in the file, a required column without a mapping, no
parseable date at all) raise `planning.data.DataError` naming the file, the column and an example value.

Large CSV / Parquet files are read through DuckDB (multi-threaded scan into Arrow) instead of pandas' parser.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import tempfile
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
# Above this size a CSV / Parquet file is scanned by DuckDB (engine: auto).
DUCKDB_MIN_BYTES = 64 << 20
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


def read_source(path: Path, tm: TableMapping) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read one input file as it is: CSV cells as text (nothing turned into NaN except empty cells), Excel and
    Parquet cells with their stored types.

    In: the file and its table mapping (format, sheet, encoding, delimiter, skip_rows, engine). Out: (frame with
    the file's columns in file order, info {format, encoding, delimiter, engine}). Raises DataError when the file
    cannot be read.
    """
    fmt = _format_of(path, tm)
    size = path.stat().st_size
    info: dict[str, Any] = {"file": str(path), "format": fmt}
    if size == 0:
        raise DataError(f"{path}: the file is empty")
    big = tm.engine == "duckdb" or (tm.engine == "auto" and size >= DUCKDB_MIN_BYTES)
    try:
        if fmt == "excel":
            engine = "xlrd" if path.suffix.lower() == ".xls" else "openpyxl"
            info["engine"] = engine
            df = pd.read_excel(
                path, sheet_name=tm.sheet, dtype=object, skiprows=tm.skip_rows, engine=engine, na_filter=False
            )
            df = df.replace("", None)  # an empty cell is missing; text "NA" stays text
        elif fmt == "parquet":
            info["engine"] = "duckdb" if big else "pyarrow"
            if big:
                df = _duckdb_frame(f"SELECT * FROM read_parquet({_sql_str(path)})")
            else:
                df = pd.read_parquet(path)
        else:
            enc = _detect_encoding(path) if tm.encoding == "auto" else tm.encoding
            delim = _sniff_delimiter(path, enc, tm.skip_rows) if tm.delimiter == "auto" else tm.delimiter
            info.update(encoding=enc, delimiter=delim)
            duck_enc = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "latin-1": "latin-1"}.get(enc.lower())
            if big and duck_enc:
                info["engine"] = "duckdb"
                df = _duckdb_frame(
                    f"SELECT * FROM read_csv({_sql_str(path)}, all_varchar=true, header=true, "
                    f"delim={_sql_str(delim)}, quote='\"', escape='\"', skip={tm.skip_rows}, "
                    f"encoding={_sql_str(duck_enc)}, nullstr='', null_padding=false, strict_mode=true)"
                )
            else:
                info["engine"] = "pandas"
                df = pd.read_csv(
                    path,
                    sep=delim,
                    encoding=enc,
                    dtype=str,
                    keep_default_na=False,
                    na_values=[],
                    skiprows=tm.skip_rows,
                    skipinitialspace=False,
                )
                df = df.replace("", None)
    except DataError:
        raise
    except (UnicodeDecodeError, ValueError, OSError, ImportError) as exc:
        raise DataError(f"{path}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # duckdb / xlrd / openpyxl raise their own types
        raise DataError(f"{path}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    return df.reset_index(drop=True), info


def _sql_str(x: Any) -> str:
    return "'" + str(x).replace("'", "''") + "'"


def _duckdb_frame(sql: str) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        arrow = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    from planning.data import _types_mapper

    return arrow.to_pandas(types_mapper=_types_mapper)


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
    plain = pd.to_numeric(txt, errors="coerce")
    t = txt
    paren = t.str.match(r"^\(.*\)$").fillna(False).to_numpy(dtype=bool)
    t = t.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    for sym in sorted(currency if currency is not None else DEFAULT_CURRENCY, key=len, reverse=True):
        t = t.str.replace(sym, "", regex=False)
    t = t.str.replace(r"\s+", "", regex=True)
    if thousands:
        t = t.str.replace(thousands, "", regex=False)
    if decimal != ".":
        t = t.str.replace(decimal, ".", regex=False)
    t = t.str.replace(r"^(\d[\d.]*)-$", r"-\1", regex=True)  # trailing minus of some ERP exports
    v = pd.to_numeric(t, errors="coerce").astype("float64")
    v = v.where(~paren, -v)
    if decimal == "." and not thousands:
        v = v.where(plain.notna() | v.notna(), np.nan)
    vals = v.to_numpy()
    fixed = present & ~np.isnan(vals) & plain.isna().to_numpy()
    # "1,234" with "," as thousands must not be read as plain 1.234 when the decimal is ","
    if decimal != ".":
        fixed = present & ~np.isnan(vals) & (plain.to_numpy() != vals)
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
    return (
        s.str.strip()
        .str.lower()
        .str.replace(r"[\s/&]+", "_", regex=True)
        .str.replace(r"_+", "_", regex=True)
        .str.strip("_")
    )


# --------------------------------------------------------------------------------------------- the report
class _Findings:
    """Collects what happened to the rows of one table; every dropped row is counted once (first reason)."""

    def __init__(self, table: str, n: int, rows: np.ndarray):
        self.table = table
        self.alive = np.ones(n, bool)
        self.fixed = np.zeros(n, bool)
        self.rows = rows  # 1-based data row of each frame row in the source file
        self.items: list[dict[str, Any]] = []

    def _examples(self, mask: np.ndarray, values: pd.Series | None) -> str:
        pos = np.flatnonzero(mask)[:_EXAMPLES]
        parts = []
        for p in pos:
            v = "" if values is None else values.iloc[p]
            v = "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
            parts.append(
                f"row {int(self.rows[p])}: {v[:60]!r}" if values is not None else f"row {self.rows[p]}"
            )
        return "; ".join(parts)

    def drop(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        mask = np.asarray(mask, bool) & self.alive
        n = int(mask.sum())
        if n:
            self.items.append(self._item("dropped", check, column, n, detail, self._examples(mask, values)))
            self.alive &= ~mask

    def fix(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        mask = np.asarray(mask, bool) & self.alive
        n = int(mask.sum())
        if n:
            self.items.append(self._item("fixed", check, column, n, detail, self._examples(mask, values)))
            self.fixed |= mask

    def note(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        """Kept as it is, but worth a look (e.g. values not in a value map, duplicates kept)."""
        mask = np.asarray(mask, bool) & self.alive
        n = int(mask.sum())
        if n:
            self.items.append(self._item("warning", check, column, n, detail, self._examples(mask, values)))

    def info(self, check: str, column: str, n: int, detail: str) -> None:
        """How a column was built (derived, numbered): every kept row, not a problem."""
        if n:
            self.items.append(self._item("info", check, column, n, detail, ""))

    def _item(self, outcome, check, column, n, detail, examples) -> dict[str, Any]:
        return {
            "table": self.table,
            "outcome": outcome,
            "check": check,
            "column": column,
            "rows": n,
            "detail": detail,
            "examples": examples,
        }


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
    (canonical frame typed by `data.coerce_table`, findings). Raises DataError for a mapped column missing
    from the file, a required column with no mapping, a table with no parseable date, a value map violation
    with `unmapped: error`.
    """
    schema = SCHEMA[name]
    f = _Findings(name, len(raw), np.arange(1, len(raw) + 1) + tm.skip_rows)
    used = list(dict.fromkeys([*tm.columns.values(), *(r.column for r in tm.exclude)]))
    missing_cols = [c for c in used if c not in raw.columns]
    if missing_cols:
        import difflib

        hint = difflib.get_close_matches(missing_cols[0], list(raw.columns), n=1)
        raise DataError(
            f"{source}: column {missing_cols[0]!r} (mapped in tables.{name}) is not in the file"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f"; columns found: {', '.join(map(str, raw.columns))}"
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

    # 1. missing codes: only the listed values are missing ("NA" stays text unless listed)
    missing_vals = [m for m in tm.missing if m != ""]
    src = raw
    if missing_vals:
        src = raw.copy()
        for c in used:
            txt = _as_text(raw[c]) if _is_text(raw[c]) else None
            if txt is not None:
                hit = txt.isin(missing_vals).to_numpy()
                if hit.any():
                    f.fix(hit, "missing_code", c, f"{sorted(set(txt[hit]))} read as missing", txt)
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
    dup = src.duplicated(keep="first").to_numpy()
    if dup.any():
        first_of = _first_rows(src, dup, f.rows)
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
            if other.any():
                if policy == "error":
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
            non_ascii = ~txt.fillna("").map(str.isascii).to_numpy(dtype=bool)
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
            live_present = f.alive & raw_col.notna().to_numpy()
            if col in NOT_NULL.get(name, ()) and live_present.any() and not (live_present & ~bad).any():
                pos = int(np.flatnonzero(live_present)[0])
                raise DataError(
                    f"{source}: column {tm.columns.get(col, col)!r} (-> {col}): no value is a date, e.g. row "
                    f"{f.rows[pos]}: {shown.iloc[pos]!r}; set tables.{name}.date_format (e.g. '%d/%m/%Y') or "
                    "dayfirst: true"
                )
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

    kept = df.loc[f.alive].reset_index(drop=True)
    # 11. line numbers of orders: 1, 2, ... within an order in file order
    if name == "orders" and "line_no" not in kept.columns:
        kept["line_no"] = kept.groupby(kept["order_id"].astype("str"), sort=False).cumcount() + 1
        f.info("line_no", "line_no", len(kept), "numbered 1, 2, ... within order_id in file order")
    # 12. every schema column present (unmapped optional ones empty), schema order first, extras after
    for col, kind in schema.items():
        if col not in kept.columns:
            kept[col] = pd.Series(
                np.full(len(kept), np.nan) if kind == "float" else [None] * len(kept),
                dtype={"float": "float64", "date": "datetime64[us]", "str": "str"}.get(kind, "float64"),
            )
    kept = kept[[*schema, *(c for c in kept.columns if c not in schema)]]
    kept = coerce_table(kept, name, source=f"{source} (mapped)")
    return kept, f


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
    so an unchanged export is not read twice and a changed one never reuses a stale import. Raises DataError
    (see the module docstring).
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
    frames, report = _import_all(mapping, files, key, mapping_file)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.tmp-", dir=root))
    try:
        for name, df in frames.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        report.data_dir = str(final)
        report.findings.to_csv(tmp / FINDINGS_FILE, index=False, lineterminator="\n")
        (tmp / REPORT_FILE).write_text(report.to_json(), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (final / REPORT_FILE).is_file():  # another process published the same import first: use it
            raise
    return final, report


def _import_all(
    mapping: Mapping, files: dict[str, Path], key: str, mapping_file: Path
) -> tuple[dict[str, pd.DataFrame], ImportReport]:
    frames: dict[str, pd.DataFrame] = {}
    summary, findings, sources = [], [], {}
    for name, tm in mapping.tables.items():
        raw, info = read_source(files[name], tm)
        df, f = import_table(name, raw, tm, source=str(files[name]))
        frames[name] = df
        info["sha256"] = _file_hash(files[name])
        sources[name] = info
        findings += f.items
        summary.append(
            {
                "table": name,
                "file": str(files[name]),
                "rows_read": len(raw),
                "rows_kept": len(df),
                "rows_fixed": int((f.fixed & f.alive).sum()),
                "rows_dropped": int((~f.alive).sum()),
                "amount": round(float(df["amount"].sum()), 2) if "amount" in df.columns else None,
            }
        )
    o = frames["orders"]
    regions = {
        str(r): {"rows": int(len(g)), "amount": round(float(g["amount"].sum()), 2)}
        for r, g in o.groupby(o["region"].astype("str"), sort=True)
    }
    report = ImportReport(
        key=key,
        mapping=str(mapping_file),
        summary=pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        findings=pd.DataFrame(findings, columns=FINDING_COLUMNS),
        sources=sources,
        regions=regions,
    )
    return frames, report


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
