"""Lookups: a column taken from a second file or sheet by key (docs/import.md "Lookups").

`load_lookups(table, tm, files)` reads each lookup file of a table mapping once (any format `read_source`
reads) into {key text: value text}; `transform.map_rows` adds the looked-up columns to every record batch
before the exclusion rules, so a lookup can feed `columns`, `exclude` and `derive` like a column of the file.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np

from planning.errors import DataError
from planning.importer import reading
from planning.importer.mapping import Lookup, TableMapping, lookup_file_key
from planning.importer.parsing import as_text


def _file_mapping(lk: Lookup, tm: TableMapping) -> TableMapping:
    """How to read the lookup file: its own parse options, or (same file, no options) the table's."""
    if not lk.file:
        return tm.model_copy(update={"sheet": lk.sheet, "engine": "pandas"})
    return TableMapping(
        file=lk.file, format=lk.format, sheet=lk.sheet, encoding=lk.encoding, delimiter=lk.delimiter,
        skip_rows=lk.skip_rows, engine="pandas",
    )  # fmt: skip


def load_lookup(table: str, name: str, lk: Lookup, tm: TableMapping, path: Path) -> dict[str, str]:
    """{key: value} of one lookup file. Raises DataError naming the file and mapping key for a key or value
    column that is not in the file, and for a key listed twice with different values."""
    where = f"{path} (tables.{table}.lookups.{name})"
    ftm = _file_mapping(lk, tm)
    raw, _ = reading.read_source(path, ftm)
    columns = list(raw.columns)
    for role, col in (("key", lk.key), ("value", lk.value)):
        if col and col not in columns:
            hint = difflib.get_close_matches(col, columns, n=1)
            raise DataError(
                f"{where}: {role} column {col!r} is not in the file"
                + (f"; did you mean {hint[0]!r}?" if hint else "")
                + f"; columns found: {', '.join(map(str, columns[:20]))}"
            )
    keys = as_text(raw[lk.key])
    values = as_text(raw[lk.value]) if lk.value else keys
    ok = keys.notna().to_numpy() & values.notna().to_numpy()
    keys, values = keys[ok], values[ok]
    first_row = 1 if reading.format_of(path, ftm) == "parquet" else 2 + ftm.skip_rows
    rows = np.flatnonzero(ok) + first_row
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for k, v, r in zip(keys.tolist(), values.tolist(), rows.tolist(), strict=True):
        if k in out and out[k] != v:
            raise DataError(
                f"{where}: key {k!r} is listed twice with different values: row {seen[k]} {out[k]!r}, row {r} "
                f"{v!r}; expected one {lk.value or 'row'} per {lk.key}"
            )
        if k not in out:
            out[k], seen[k] = v, r
    return out


def load_lookups(table: str, tm: TableMapping, files: dict[str, Path]) -> dict[str, dict[str, str]]:
    """Every lookup of a table mapping, in the order written (a lookup may match on an earlier one's column)."""
    return {
        name: load_lookup(table, name, lk, tm, files[lookup_file_key(table, name)])
        for name, lk in tm.lookups.items()
    }
