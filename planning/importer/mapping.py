"""The mapping file (docs/import.md): which export file becomes which canonical table, and how.

`load_mapping(path)` parses and validates the YAML (pydantic models `Mapping` -> `TableMapping` per table,
`Rule` for exclusions, `Window` for a date range) and resolves each table's input file; `${VAR}` in paths is
expanded from the environment (`expand`). The YAML is read within the limits of `planning.params.yamlsafe` (1 MiB,
100 aliases, 100,000 values with aliases expanded, unique keys): a guard against alias bombs.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from planning.data import SCHEMA, file_kind
from planning.errors import DataError
from planning.importer.parsing import DEFAULT_CURRENCY
from planning.params import yamlsafe


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
    encoding: str = "auto"  # auto = BOM, UTF-8, else detected by charset-normalizer (reading.detect_encoding)
    delimiter: str = "auto"  # auto = sniffed from the header line (, ; tab |)
    skip_rows: int = Field(default=0, ge=0)  # lines above the header
    decimal: str = "."  # decimal separator of numbers
    thousands: str = ","  # thousands separator of numbers ("" = none)
    currency: list[str] = DEFAULT_CURRENCY  # symbols / codes removed from numbers ("$1,001.18", "¥1,234")
    missing: list[str] = [""]  # cell values read as missing; "NA", "N/A", "-" stay text unless listed
    date_format: list[str] = []  # strftime formats tried in order (e.g. "%d/%m/%y"); then ISO
    dayfirst: bool = False  # 03/01/19 is 3 January when no value of the column decides (docs/import.md)
    columns: dict[str, str] = {}  # canonical column <- source column
    constants: dict[str, str | int | float] = {}  # canonical column <- one value for every row
    values: dict[str, dict[str, str]] = {}  # canonical column -> {source value: canonical value}
    unmapped: dict[str, Literal["keep", "drop", "error"]] = {}  # per column: a value missing from `values`
    normalize_keys: bool = True  # key columns (region, channel ...) lower-case with '_' for spaces
    derive: dict[str, str] = {}  # canonical column <- arithmetic of canonical columns ("amount / quantity")
    fill: dict[str, str | int | float] = {}  # canonical column <- value for empty cells (reported as fixed)
    # customer_id <- the export's values that stand for no customer ("Walk-in", "散客"): anonymous lines
    placeholders: dict[Literal["customer_id"], list[str]] = {}
    exclude: list[Rule] = []  # rows dropped before mapping (reported with the rule's reason)
    duplicates: Literal["drop", "keep"] = "drop"  # rows identical in every source column
    window: Window = Window()  # date range of the table's date column (orders: order_date)
    engine: Literal["auto", "pandas", "duckdb"] = "auto"  # auto = DuckDB for files over 64 MB

    @field_validator("date_format", "missing", "currency", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("placeholders", mode="before")
    @classmethod
    def _listify_values(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: [str(x) for x in (vals if isinstance(vals, list) else [vals])] for k, vals in v.items()}
        return v


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


def expand(text: str, where: str) -> str:
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
        raise DataError(f"{path}: mapping file not found" if not path.exists() else f"{path}: not a file")
    try:
        yamlsafe.check_size(path)
        raw = yamlsafe.parse(path.read_text(encoding="utf-8")) or {}
    except yamlsafe.YamlInputError as exc:
        raise DataError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: malformed mapping YAML (not UTF-8 text: {exc.reason} at byte {exc.start})"
        ) from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the mapping ({exc.strerror or exc})") from None
    if not isinstance(raw, dict):  # e.g. data.mapping pointing at a CSV or a system file: never echo it
        what = {str: "plain text", list: "a list"}.get(type(raw), f"a single {type(raw).__name__} value")
        raise DataError(
            f"{path}: not a mapping file: it holds {what}; expected YAML with a 'tables:' key naming the export "
            "files (docs/import.md)"
        )
    if "tables" not in raw:  # a params or other YAML file: name its keys, not their values
        keys = yamlsafe.clip_text(", ".join(map(str, list(raw)[:8])), 120)
        raise DataError(
            f"{path}: not a mapping file: no 'tables:' key (found {keys}); expected YAML with a 'tables:' key "
            "naming the export files (docs/import.md)"
        )
    try:
        mapping = Mapping.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = yamlsafe.clip_text(".".join(str(p) for p in err["loc"]))
            value = yamlsafe.clip(err.get("input"))
            lines.append(f"{path}: key '{key}' = {value}: {yamlsafe.clip_text(err['msg'], 400)}")
        raise DataError("\n".join(lines)) from None
    files = {}
    for name, tm in mapping.tables.items():
        f = Path(expand(tm.file, f"{path}: tables.{name}.file"))
        f = f if f.is_absolute() else (path.parent / f)
        kind = file_kind(f)  # a folder, FIFO or device is named as such, not "not found"
        if kind is not None:
            what = "not found" if kind == "not found" else f"is {kind}; expected the export file"
            raise DataError(f"{path}: tables.{name}.file: {f} {what}")
        files[name] = f.resolve()
    return mapping, files
