"""Company-wide figures a region's notebook compares itself with, computed once per run (issue 21).

Two steps look beyond their region: goals pools the season over every region's monthly sales
(`goals.pooling.company_monthly`: three columns of every order line), strategy sets its funnel against the
company's (`strategy.funnel.stage_counts`: every region's opportunities). Computed in each region's notebook,
a run of N territories read every territory's rows N times, and a territory's notebook took longer the more
territories the company had. `planning run` computes them once, in the client before any notebook starts, into
the run's work folder (`<work>/.company/<name>-<key>.parquet`, removed before the snapshot is published); a
notebook reads its summary there (`Context.company_monthly`, `Context.funnel_benchmark`), so a worker reads
nothing of the data but its region's rows. The key covers the table file (path, size, modification time), the
as-of date and the funnel's window: a summary of other data or another date is never used. Without one (a
notebook opened in JupyterLab, the floor benchmark, a step run by hand) the notebook computes the same frame
from the data itself; both ways give the same numbers to the last bit (tested).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from planning import data

FOLDER = ".company"  # in the run's work folder, beside the regions' folders

#: summary -> (the table it reads, the steps that use it)
SUMMARIES = {
    "monthly_sales": ("orders", ("02_goals",)),
    "funnel_counts": ("opportunities", ("03_strategy",)),
}


def monthly_sales(data_dir: str | os.PathLike, as_of: date) -> pd.DataFrame:
    """Every region's sales per month up to the last complete month (`goals.pooling.company_monthly`) from
    region, order_date and amount of every order line up to `as_of`."""
    # lazy: the pooled season's module imports the holiday calendars (~0.4 s), which a kernel reading the summary
    # the run computed, and a run without the goals step, do not need
    from planning.goals import pooling

    path = data.table_file(data_dir, "orders")
    orders = data.read_table(path, "orders", as_of=as_of, columns=["region", "order_date", "amount"])
    return pooling.company_monthly(orders, as_of)


def funnel_counts(data_dir: str | os.PathLike, as_of: date, months: int) -> pd.DataFrame | None:
    """The company's funnel counts per pair of stages (`strategy.funnel.stage_counts`) over the leads of the last
    `months` months up to `as_of`, from every region's opportunities as `load_tables` gives them up to `as_of`;
    None without an opportunities table."""
    # lazy: ~0.1 s at kernel start (the strategy package), for a kernel that reads the summary the run computed
    from planning.strategy import funnel

    dcol = data.DATE_COLUMN["orders"]
    tables = data.load_tables(data_dir, as_of=as_of, tables=("opportunities",), columns={"orders": [dcol]})
    return None if tables.opportunities is None else funnel.stage_counts(tables.opportunities, as_of, months)


def _compute(name: str, data_dir: str | os.PathLike, as_of: date, *args: Any) -> pd.DataFrame | None:
    if name == "monthly_sales":
        return monthly_sales(data_dir, as_of)
    return funnel_counts(data_dir, as_of, *args)


def summary_path(work_dir: str | os.PathLike, name: str, data_dir: str | os.PathLike, as_of: date,
                 *args: Any) -> Path | None:  # fmt: skip
    """Where the summary `name` of this data file, as-of date and arguments is kept in `work_dir`; None when
    the data has no such table."""
    if name not in SUMMARIES:
        raise KeyError(f"unknown company summary {name!r}; expected one of {', '.join(SUMMARIES)}")
    table = data.table_file(data_dir, SUMMARIES[name][0])
    if table is None:
        return None
    st = table.stat()
    key = json.dumps([name, str(table.resolve()), st.st_size, st.st_mtime_ns, str(as_of), *map(str, args)])
    return Path(work_dir) / FOLDER / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:20]}.parquet"


def _write(frame: pd.DataFrame, path: Path) -> None:
    """Atomically (a temporary file renamed): a reader sees the whole summary or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if isinstance(frame.index, pd.DatetimeIndex):  # monthly_sales: the months are the index
            frame = frame.rename_axis("month").reset_index()
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _read(name: str, path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    if name != "monthly_sales":
        return frame
    if frame.empty and "month" not in frame.columns:
        return pd.DataFrame(dtype=float)
    months = pd.DatetimeIndex(frame.pop("month").to_numpy(), freq="MS")
    return pd.DataFrame(frame.to_numpy(dtype=float), index=months, columns=[str(c) for c in frame.columns])


def summary(work_dir: str | os.PathLike, name: str, data_dir: str | os.PathLike, as_of: date,
            *args: Any) -> pd.DataFrame | None:  # fmt: skip
    """The summary `name` (`SUMMARIES`): read from `work_dir`'s `.company/` when the run computed it for this
    data and as-of date, else computed here from the data (not written: a notebook run by hand may share its
    output folder with others)."""
    path = summary_path(work_dir, name, data_dir, as_of, *args)
    if path is not None and path.is_file():
        return _read(name, path)
    return _compute(name, data_dir, as_of, *args)


def prepare(
    work_dir: str | os.PathLike, jobs: list[tuple[str | os.PathLike, date, int, list[str]]]
) -> list[Path]:
    """Compute, once each, the summaries that the regions' steps will read, into `work_dir`'s `.company/`.
    `jobs`: per region to run (data folder, as-of date, `strategy.funnel_months`, its steps). Returns the
    files written (a summary already there is not computed again)."""
    written = []
    for data_dir, as_of, months, steps in jobs:
        for name, (_table, users) in SUMMARIES.items():
            if not set(users) & set(steps):
                continue
            args = (months,) if name == "funnel_counts" else ()
            path = summary_path(work_dir, name, data_dir, as_of, *args)
            if path is None or path.is_file():
                continue
            frame = _compute(name, data_dir, as_of, *args)
            if frame is not None:
                _write(frame, path)
                written.append(path)
    return written


def remove(work_dir: str | os.PathLike) -> None:
    """Remove the run's summaries (before the work folder becomes the snapshot)."""
    folder = Path(work_dir) / FOLDER
    if folder.is_dir():
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
