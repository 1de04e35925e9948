"""Target 4, market aggregations: the market step's code against a hand-written DuckDB query, same Parquet file.

The aggregate set (what the market step's trend and breakdown sections compute from the order lines):
- per month: sales (sum of amount), orders (distinct order ids), customers (distinct buying customers);
- per month and product line: sales;
- per month and channel: sales;
for one region, order lines on or before `as_of`. Both sides start from the file: the market side reads the
region's order lines with `planning.data.read_table` (as `Context.data` does for the market step: its
`market.ORDER_COLUMNS`, region and date pushed into the scan) and calls `trend.trend` and `trend.breakdown`
twice; the DuckDB side runs three SQL aggregates over `read_parquet` and fetches them as data frames. `check_same` proves both computed the same numbers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

SQL_TREND = """
SELECT strftime(date_trunc('month', order_date), '%Y-%m') AS month, sum(amount) AS sales,
       count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS customers
FROM read_parquet($file) WHERE region = $region AND order_date <= $as_of
GROUP BY 1 ORDER BY 1
"""
SQL_BY = """
SELECT strftime(date_trunc('month', order_date), '%Y-%m') AS month, {dim}, sum(amount) AS sales
FROM read_parquet($file) WHERE region = $region AND order_date <= $as_of
GROUP BY 1, 2 ORDER BY 1, 2
"""


def market_side(orders_file: str | Path, region: str, as_of: date) -> dict[str, pd.DataFrame]:
    """The market step's aggregates, starting from the file (load + trend + two breakdowns)."""
    from planning import data, market
    from planning.market import trend

    # The columns the market step reads (`market.ORDER_COLUMNS`), as `Context.data` reads them for the step.
    orders = data.read_table(
        orders_file, "orders", region=region, as_of=as_of, columns=market.ORDER_COLUMNS, extra=True
    )
    return {
        "trend": trend.trend(orders, as_of),
        "product_line": trend.breakdown(orders, as_of, "product_line"),
        "channel": trend.breakdown(orders, as_of, "channel"),
    }


def market_compute_only(orders: pd.DataFrame, as_of: date) -> dict[str, pd.DataFrame]:
    """The same aggregates on order lines already in memory (to split the market side's time: load vs compute)."""
    from planning.market import trend

    return {
        "trend": trend.trend(orders, as_of),
        "product_line": trend.breakdown(orders, as_of, "product_line"),
        "channel": trend.breakdown(orders, as_of, "channel"),
    }


def duckdb_side(
    orders_file: str | Path, region: str, as_of: date, con: Any = None
) -> dict[str, pd.DataFrame]:
    """The hand-written DuckDB queries for the same aggregates."""
    import duckdb

    con = con or duckdb.connect()
    args = {"file": str(orders_file), "region": region, "as_of": as_of}
    return {
        "trend": con.execute(SQL_TREND, args).df(),
        "product_line": con.execute(SQL_BY.format(dim="product_line"), args).df(),
        "channel": con.execute(SQL_BY.format(dim="channel"), args).df(),
    }


def check_same(
    ours: dict[str, pd.DataFrame], theirs: dict[str, pd.DataFrame], rtol: float = 1e-9
) -> list[str]:
    """Differences between the two sides' aggregates (empty list = the same numbers). Months without sales,
    which the market step lists with zeros, are left out of the comparison."""
    problems = []
    t = ours["trend"]
    t = t[t["orders"] > 0].set_index("month")
    d = theirs["trend"].set_index("month")
    if list(t.index) != list(d.index):
        problems.append(f"trend months differ: {len(t)} vs {len(d)}")
    else:
        for col in ("orders", "customers"):
            if not (t[col].astype("int64").to_numpy() == d[col].astype("int64").to_numpy()).all():
                problems.append(f"trend {col} differ")
        if not _close(t["sales"], d["sales"], rtol):
            problems.append("trend sales differ")
    for dim in ("product_line", "channel"):
        a = ours[dim]
        a = a[a["sales"] != 0].astype({dim: "str"}).set_index(["month", dim])["sales"].sort_index()
        b = theirs[dim].astype({dim: "str"}).set_index(["month", dim])["sales"].sort_index()
        b = b[b != 0]
        if list(a.index) != list(b.index):
            problems.append(f"{dim}: cells differ ({len(a)} vs {len(b)})")
        elif not _close(a, b, rtol):
            problems.append(f"{dim}: sales differ")
    return problems


def _close(a: pd.Series, b: pd.Series, rtol: float) -> bool:
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    return bool((abs(x - y) <= rtol * abs(y).clip(min=1.0) + 1e-6).all())
