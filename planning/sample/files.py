"""The sample's files: one Parquet (or CSV) file per table plus `sample.json`, and the cached copy.

`write` writes a generated (or given) set of tables; `ensure_sample` keeps a cached copy under
`planning.config.SAMPLE_DIR` that is rebuilt whenever the generator's source (any module of this package), the
scale or the seed changes (`generator_fingerprint`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from planning import config
from planning.sample.generator import generate
from planning.sample.structure import DEFAULT_END, DEFAULT_SEED, TABLES

try:
    import fcntl
except (
    ImportError
):  # pragma: no cover - Windows: the temp-dir + rename in ensure_sample still avoids torn files
    fcntl = None

_PACKAGE_DIR = Path(__file__).parent


def generator_fingerprint(scale: float = 1.0, seed: int = DEFAULT_SEED, end: _dt.date = DEFAULT_END) -> str:
    """sha256 of the generator's source (every module of `planning.sample`, by name) + scale + seed + end:
    changes whenever the generated data may change."""
    h = hashlib.sha256()
    for module in sorted(_PACKAGE_DIR.glob("*.py")):
        h.update(module.name.encode() + b"\0" + module.read_bytes() + b"\0")
    h.update(f"|scale={float(scale)!r}|seed={int(seed)}|end={end}".encode())
    return h.hexdigest()


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    """DataFrame -> arrow table with dates as date32 (calendar dates) and no pandas index."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
        elif pa.types.is_dictionary(field.type) and len(table.column(i).chunk(0).dictionary) > 1000:
            # Parquet would repeat a large arrow dictionary (order ids) in every row group: write plain strings
            # and let Parquet's own per-row-group dictionary encoding do the work.
            table = table.set_column(i, pa.field(field.name, pa.string()), table.column(i).cast(pa.string()))
    return table.replace_schema_metadata(None)


def write(
    out_dir: str | os.PathLike,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    fmt: str = "parquet",
    end: _dt.date = DEFAULT_END,
    tables: dict[str, pd.DataFrame] | None = None,
    territories: int | None = None,
) -> Path:
    """Generate (or take `tables`) and write one `<table>.parquet` / `<table>.csv` per table plus `sample.json`.

    In: output folder (created), scale, seed, `fmt` 'parquet' or 'csv', `end`. Out: the folder path.
    `sample.json` records scale, seed, end, the generator fingerprint and the row count of every table (and
    `territories`, the number of territories of `planning sample --regions N`, when given).
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt must be 'parquet' or 'csv', got {fmt!r}")
    # lazy: pyarrow.parquet costs ~9 ms to import and planning.sources imports this package at kernel start,
    # where the cached sample is usually current and nothing is written.
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = tables if tables is not None else generate(scale=scale, seed=seed, end=end)
    counts = {}
    for name, df in data.items():
        table = _arrow_table(df)
        counts[name] = table.num_rows
        if fmt == "parquet":
            _write_by_region(pq, table, out / f"{name}.parquet")
        else:
            # Dictionary columns -> plain strings; CSV has no dictionaries.
            cols = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns]
            pacsv.write_csv(pa.table(cols, names=table.column_names), out / f"{name}.csv")
    meta = {
        "scale": float(scale),
        "seed": int(seed),
        "end": str(end),
        "format": fmt,
        "fingerprint": generator_fingerprint(scale, seed, end),
        "rows": counts,
    }
    if territories is not None:
        meta["territories"] = int(territories)
    (out / "sample.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


#: Rows per Parquet row group at most (a region's rows span several row groups beyond it).
ROW_GROUP_ROWS = 256 * 1024


def region_runs(table: pa.Table) -> tuple[pa.Table, list[int]]:
    """`table` with its rows grouped by region (regions in order of first appearance, rows of a region in their
    order) and the lengths of the row groups to write: each holds one region's rows, at most ROW_GROUP_ROWS.
    A table without a region column: the rows as they are, in row groups of ROW_GROUP_ROWS."""
    n = table.num_rows
    if "region" not in table.column_names or n == 0:
        return table, [min(ROW_GROUP_ROWS, n - i) for i in range(0, n, ROW_GROUP_ROWS)] or [0]
    codes, _ = pd.factorize(table.column("region").to_pandas(), use_na_sentinel=False)
    order = np.argsort(codes, kind="stable")
    if (order != np.arange(n)).any():
        table = table.take(pa.array(order))
    grouped = codes[order]
    runs = np.diff(np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1], True]))
    sizes = [min(ROW_GROUP_ROWS, int(run) - i) for run in runs for i in range(0, int(run), ROW_GROUP_ROWS)]
    return table, sizes


def _write_by_region(pq, table: pa.Table, path: Path) -> None:
    """Write `table` as Parquet with one region per row group (`region_runs`), so that `data.read_table` reads
    only the region's own row groups (their min / max statistics name the region): a territory's notebook reads
    its rows, not the row groups it shares with its neighbours, however many territories the company has."""
    table, sizes = region_runs(table)
    with pq.ParquetWriter(path, table.schema, compression="zstd") as writer:
        start = 0
        for k in sizes:
            writer.write_table(table.slice(start, k), row_group_size=max(k, 1))
            start += k


def _is_current(path: Path, fingerprint: str) -> bool:
    try:
        meta = json.loads((path / "sample.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("fingerprint") == fingerprint and all((path / f"{t}.parquet").is_file() for t in TABLES)


@contextlib.contextmanager
def _locked(lock_path: Path):
    """Exclusive advisory lock (fcntl) so concurrent runs generate the sample once; a no-op where unsupported."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_sample(
    path: str | os.PathLike | None = None, scale: float = 1.0, seed: int = DEFAULT_SEED
) -> Path:
    """Return a folder holding the current sample data set, generating it first if missing or stale.

    In: `path` (default `planning.config.SAMPLE_DIR`, or `<SAMPLE_DIR>-<scale>` for another scale), scale, seed.
    Out: the folder. Stale = `sample.json` fingerprint differs (the generator's source, scale or seed changed). Safe with
    several processes: a lock file serialises generation, and the data are written into a temporary folder
    that is renamed into place, so a reader never sees a half-written set.
    """
    if path is None:
        path = (
            config.SAMPLE_DIR
            if scale == 1.0
            else config.SAMPLE_DIR.with_name(f"{config.SAMPLE_DIR.name}-{scale:g}")
        )
    path = Path(path)
    fp = generator_fingerprint(scale, seed, DEFAULT_END)
    if _is_current(path, fp):
        return path
    with _locked(path.with_name(f".{path.name}.lock")):
        if _is_current(path, fp):  # another process finished it while we waited
            return path
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        try:
            write(tmp, scale=scale, seed=seed)
            # mkdtemp makes the folder private (0700); give it the permissions of a normal folder.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)
            if path.exists():
                old = path.with_name(f".{path.name}-old-{os.getpid()}")
                os.replace(path, old)
                os.replace(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, path)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return path
