"""Market size (TAM) and our market share: each industry's market from the `market_size` table or params, our
sales against it over L12M and P12M, and the plan-year market the goals step's increment is measured on.

Pure functions: canonical tables (docs/data.md) and params in, DataFrames out. Artefact `market_share` (segment
key "<industry>", the grain of the market size data; planning/contracts.py, docs/artifacts.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning.market.periods import Window, as_str, ratio, windows
from planning.market.segments import order_segments, segment_dimensions

if TYPE_CHECKING:
    from planning.params import Market, Params


def _tam_by_year(market_size: pd.DataFrame | None, mp: Market, years: Sequence[int]) -> pd.DataFrame:
    """TAM per (industry, year) for `years`: from the data, else from params (`market_size` x growth).

    Years the data does not cover are extrapolated from the nearest covered year at that industry's last
    observed annual growth (params `market_growth` when only one year is known).
    """
    if market_size is not None and not market_size.empty:
        ms = market_size.assign(
            industry=as_str(market_size["industry"]), year=market_size["year"].astype(int)
        )
        table = ms.groupby(["industry", "year"])["market_size"].sum().unstack("year")
    elif mp.market_size:
        base_year = max(years)
        table = pd.DataFrame({base_year: pd.Series(mp.market_size, dtype="float64")})
    else:
        return pd.DataFrame(columns=["industry", *years])
    known = sorted(table.columns)
    growth = (
        table[known[-1]] / table[known[-2]] - 1.0
        if len(known) > 1
        else pd.Series(mp.market_growth, index=table.index)
    )
    first_growth = table[known[1]] / table[known[0]] - 1.0 if len(known) > 1 else growth
    out = {}
    for y in years:
        if y in table.columns:
            out[y] = table[y]
        elif y > known[-1]:
            out[y] = table[known[-1]] * (1.0 + growth) ** (y - known[-1])
        else:
            out[y] = table[known[0]] / (1.0 + first_growth) ** (known[0] - y)
    return pd.DataFrame(out).rename_axis("industry").reset_index()


def _window_tam(tam: pd.DataFrame, window: Window) -> pd.Series:
    """TAM of a 12-month window: each calendar year's TAM weighted by the share of that year inside the window
    (Oct 2025 .. Sep 2026 = 92/365 x TAM 2025 + 273/365 x TAM 2026)."""
    total = pd.Series(0.0, index=tam["industry"])
    for y in range(window.start.year, window.end.year + 1):
        lo = max(window.start, pd.Timestamp(y, 1, 1))
        hi = min(window.end, pd.Timestamp(y, 12, 31))
        days_in_year = 366 if pd.Timestamp(y, 1, 1).is_leap_year else 365
        weight = ((hi - lo).days + 1) / days_in_year
        total = total + tam.set_index("industry")[y].astype(float) * weight
    return total


def market_share(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    market_size: pd.DataFrame | None,
    p: Params,
) -> pd.DataFrame:
    """Our share of each industry's market, L12M and P12M (artefact `market_share`, segment key "<industry>").

    market_size = TAM of the window (calendar-year TAMs weighted by the days of each year in it); our_sales =
    L12M sales to customers of the industry; share = our_sales / market_size; share_change = share - share of
    P12M (a fraction: 0.004 = +0.4 percentage points). A `total` row sums all industries.
    Periods: L12M and P12M ending on params `as_of`. Reads params `as_of`, `market.market_size` and
    `market.market_growth` (only when the data has no market_size table), `market.share_threshold` (status
    gaining / losing / stable).
    Out: segment, industry, market_size, our_sales, share, share_change, market_size_prev, our_sales_prev,
    share_prev, market_growth, our_growth, status. Empty when neither data nor params give a market size, or
    when neither the order lines nor a customers table say a customer's industry.
    """
    mp = p.market
    last, prev = windows(p.as_of)
    tam = _tam_by_year(market_size, mp, list(range(prev.start.year, last.end.year + 1)))
    cols = ["segment", "industry", "market_size", "our_sales", "share", "share_change", "market_size_prev",
            "our_sales_prev", "share_prev", "market_growth", "our_growth", "status"]  # fmt: skip
    if tam.empty or "industry" not in segment_dimensions(orders, customers, ["industry"]):
        return pd.DataFrame(columns=cols)
    o = order_segments(orders, customers, ["industry"])
    ours = pd.DataFrame(
        {
            "our_sales": o[last.mask(o["order_date"])].groupby("industry")["amount"].sum(),
            "our_sales_prev": o[prev.mask(o["order_date"])].groupby("industry")["amount"].sum(),
        }
    )
    df = pd.DataFrame({"market_size": _window_tam(tam, last), "market_size_prev": _window_tam(tam, prev)})
    df = df.join(ours, how="left").fillna({"our_sales": 0.0, "our_sales_prev": 0.0})
    df.loc["total"] = df.sum()
    df["share"] = df["our_sales"] / df["market_size"].where(df["market_size"] > 0)
    df["share_prev"] = df["our_sales_prev"] / df["market_size_prev"].where(df["market_size_prev"] > 0)
    df["share_change"] = df["share"] - df["share_prev"]
    df["market_growth"] = ratio(df["market_size"], df["market_size_prev"])
    df["our_growth"] = ratio(df["our_sales"], df["our_sales_prev"])
    # Compared at the 0.01 pp the report shows, so a change printed as +0.50 pp is "gaining" at a 0.5 pp threshold.
    change = df["share_change"].round(4)
    df["status"] = np.select(
        [change >= mp.share_threshold, change <= -mp.share_threshold],
        ["gaining", "losing"],
        "stable",
    )
    df = df.rename_axis("industry").reset_index()
    df["segment"] = df["industry"]
    body = df[df["industry"] != "total"].sort_values("our_sales", ascending=False)
    return pd.concat([body, df[df["industry"] == "total"]], ignore_index=True)[cols]


def market_size_plan_year(market_size: pd.DataFrame | None, p: Params) -> pd.Series:
    """TAM per industry in the plan year `p.plan_year` (data if it has that year, else extrapolated; see
    `_tam_by_year`). Reads params `plan_year`, `market.market_size`, `market.market_growth`."""
    plan_year = p.plan_year
    tam = _tam_by_year(market_size, p.market, [plan_year])
    return tam.set_index("industry")[plan_year].astype(float) if not tam.empty else pd.Series(dtype="float64")
