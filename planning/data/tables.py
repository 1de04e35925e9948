"""One data set: the canonical tables of a folder as a `Tables`, filtered by region and as-of date.

One folder holds one data set, one file per table: `<table>.parquet` or `<table>.csv` (parquet wins when both
exist). `load_tables(data_dir, region=..., as_of=...)` reads each table with `planning.data.read.read_table`
(the region and the date pushed into the scan) and returns a `Tables`; `Tables.filter` restricts a data set to
what was known on a date; `fingerprint` hashes a folder's files for the run manifest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from planning.data.read import as_of_date, file_kind, read_table, table_file
from planning.data.schema import DATE_COLUMN, REQUIRED_TABLES, SCHEMA, TABLES
from planning.errors import DataError

_STAGES = ("discovery_date", "proposal_date", "negotiation_date")
_STAGE_NAMES = ("lead", "discovery", "proposal", "negotiation")


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
        as_of_d = as_of_date(as_of)
        out = {}
        for name in TABLES:
            df = getattr(self, name)
            if df is not None and region is not None and name != "regions" and "region" in df.columns:
                df = _keep(df, df["region"] == region)
            if df is not None and as_of_d is not None:
                df = _as_of(name, df, pd.Timestamp(as_of_d))
            out[name] = df
        return Tables(**out)


def _keep(df: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """`df.loc[mask].reset_index(drop=True)`; `df` itself when the mask keeps every row of a frame whose index is
    already 0..n-1 (the same frame: copy-on-write keeps a caller's later changes from the source). An as-of or
    region filter usually drops nothing: the date and the region were pushed into the file scan."""
    keep = mask.to_numpy()
    if (
        keep.dtype == np.bool_
        and keep.all()
        and isinstance(df.index, pd.RangeIndex)
        and df.index.equals(pd.RangeIndex(len(df)))
    ):
        return df
    return df.loc[mask].reset_index(drop=True)


def _blank_after(values: pd.Series, ts: pd.Timestamp) -> pd.Series | None:
    """`values.where(values <= ts)`, or None when that changes nothing: a datetime column without a date after
    `ts` (NaT stays NaT; another dtype is always blanked, as `where` may change its missing values)."""
    if values.dtype.kind == "M" and not (values > ts).to_numpy().any():
        return None
    return values.where(values <= ts)


def _as_of(name: str, df: pd.DataFrame, ts: pd.Timestamp) -> pd.DataFrame:
    dcol = DATE_COLUMN.get(name)
    if dcol is not None and dcol in df.columns:
        df = _keep(df, df[dcol] <= ts)
    if name == "reps" and "hire_date" in df.columns:
        df = _keep(df, df["hire_date"] <= ts)
        if "exit_date" in df.columns and (exit_ := _blank_after(df["exit_date"], ts)) is not None:
            df = df.assign(exit_date=exit_)
    elif name == "customers" and "first_order_date" in df.columns:
        df = _keep(df, ~(df["first_order_date"] > ts))
    elif name == "opportunities":
        df = _opportunities_as_of(df, ts)
    return df


def _opportunities_as_of(df: pd.DataFrame, ts: pd.Timestamp) -> pd.DataFrame:
    """Blank what happened after `ts`; deals closed later are open at the furthest stage reached by `ts`."""
    upd = {}
    for c in (*_STAGES, "close_date"):
        if c in df.columns and (blanked := _blank_after(df[c], ts)) is not None:
            upd[c] = blanked
    if upd:
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
        kind = file_kind(data_dir) or "a file"
        found = "data folder not found" if kind == "not found" else f"is {kind}, not a folder"
        raise DataError(f"{data_dir}: {found}; expected a folder with orders.parquet or orders.csv")
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


def require(df: pd.DataFrame | None, name: str, columns: Iterable[str]) -> pd.DataFrame:
    """`df` itself, for a computation that needs table (or artefact) `name` with `columns`.

    Raises DataError naming the table when it is missing or lacks one of the columns (docs/data.md lists them).
    """
    if df is None:
        raise DataError(f"table {name!r} is required here but missing (see docs/data.md)")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"table {name!r} lacks columns {missing}; has {list(df.columns)}")
    return df


def check_regions(
    data_dir: str | os.PathLike, regions: Iterable[str], configured: Iterable[str] | None = None
) -> None:
    """Fail early (before any notebook runs) when a region key has no orders in the data set, or, given the
    `configured` regions (every region of params/: a run that plans them all), when the data holds orders of a
    region that has no params file (a plan would leave that region out without a word).

    In: the data folder, the region keys to be planned, the regions configured in params/ (None = a run that
    names its regions). Reads only the `region` column of the orders file. Raises DataError naming the file, the
    missing (or unplanned) region(s) with their row counts, and what was expected.
    """
    regions = list(regions)
    path = table_file(data_dir, "orders")
    if path is None:
        raise DataError(
            f"{data_dir}: required table 'orders' is missing; expected orders.parquet or orders.csv"
        )
    counts = read_table(path, "orders", columns=["region"])["region"].dropna().astype(str).value_counts()
    present = set(counts.index)
    missing = [r for r in regions if r not in present]
    if missing:
        raise DataError(
            f"{path}: column 'region' has no rows for region {', '.join(map(repr, missing))}; "
            f"regions present: {', '.join(sorted(present))}"
        )
    if configured is not None:
        known = set(configured)
        extra = sorted(r for r in present if r not in known)
        if extra:
            listed = ", ".join(f"{r!r} ({int(counts[r]):,} order lines)" for r in extra)
            raise DataError(
                f"{path}: column 'region' has orders of region {listed} without a params file; expected a "
                f"params/<region>.yaml for every region of the data (a file holding only `region: {{name: ...}}` "
                f"is enough: everything else comes from base.yaml), or --region naming the regions to plan"
            )


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
