"""Market size and trend, our side: monthly sales history, YoY and MoM growth, the breakdown by product line and
channel, seasonality (month-of-year index) and the company's sales by region.

Pure functions: order lines (docs/data.md) and `as_of` in, DataFrames out. Periods are anchored on `as_of`
(see `periods.windows`). Artefacts (planning/contracts.py, docs/artifacts.md): `market_trend`, `seasonality`.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import pandas as pd

from planning.data import require
from planning.market.periods import as_str, complete_months, covered, history_months, ratio, windows


def filter_orders(
    orders: pd.DataFrame, product_line: str | None = None, channel: str | None = None
) -> pd.DataFrame:
    """Order lines of one product line and / or channel (None = all)."""
    mask = pd.Series(True, index=orders.index)
    if product_line:
        mask &= as_str(orders["product_line"]) == product_line
    if channel:
        mask &= as_str(orders["channel"]) == channel
    return orders[mask]


def _through(orders: pd.DataFrame, as_of: pd.Timestamp, columns: Sequence[str]) -> pd.DataFrame:
    """`columns` of the order lines dated on or before `as_of` (only those columns are copied)."""
    keep = (orders["order_date"] <= as_of).to_numpy()
    o = orders[list(columns)]
    return o if keep.all() else o[keep]


def _month_numbers(dates: pd.Series) -> np.ndarray:
    """Calendar month of each date as the months since 1970-01 (pandas' monthly Period ordinal), int64.

    Looked up in a table of the months of the days from the first to the last date (a history spans a few
    thousand days and has millions of lines); over a span of more than 400 years the distinct days are
    converted instead. `dates` must be non-empty without NaT: callers keep the lines on or before `as_of`.
    """
    day = dates.to_numpy(dtype="datetime64[us]").view("int64") // 86_400_000_000
    lo, hi = int(day.min()), int(day.max())
    if hi - lo <= 146_097:
        table = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").astype("int64")
        return table[day - lo]
    codes, days = pd.factorize(day)
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype("int64")[codes]


def _sums(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum of `values` in each group `0 .. n_groups - 1` (0.0 for a group without lines, NaN skipped).

    pandas' groupby sum (compensated, over the lines in their order: the same digits as grouping by Period or
    text), with the group numbers handed over as categorical codes so that they are not hashed again.
    """
    keys = pd.Categorical.from_codes(groups, categories=pd.RangeIndex(n_groups), validate=False)
    return pd.Series(values, copy=False).groupby(keys, observed=False).sum().to_numpy()


_MONTH_BY_MONTH = 2_000  # lines per month (on average) from which distinct ids are counted month by month


def _distinct_per_month(month: np.ndarray, ids: pd.Series, n_months: int) -> np.ndarray:
    """Distinct non-missing values of `ids` in each month `0 .. n_months - 1` of `month` (int64 counts).

    Few lines per month (< 2,000 on average): the ids are coded once and the distinct (month, code) pairs
    counted. Many: counted month by month on the lines grouped by month (a stable sort, free when the lines come
    in date order), one small hash table per month instead of one over all distinct ids, which on millions of
    lines costs 2-3x more; the per-month calls' overhead is what makes it slower for small histories.
    """
    if len(month) < _MONTH_BY_MONTH * n_months:
        codes, uniques = pd.factorize(ids)
        has = codes >= 0
        pairs = pd.unique(month[has] * max(len(uniques), 1) + codes[has])
        return np.bincount(pairs // max(len(uniques), 1), minlength=n_months).astype("int64")
    if len(month) > 1 and not (month[1:] >= month[:-1]).all():
        order = np.argsort(month, kind="stable")
        month, ids = month[order], ids.take(order)
    ends = np.searchsorted(month, np.arange(1, n_months + 1), side="left")
    counts = np.zeros(n_months, dtype="int64")
    start = 0
    for k, end in enumerate(ends):
        if end > start:
            counts[k] = ids.iloc[start:end].nunique(dropna=True)
        start = end
    return counts


def trend(orders: pd.DataFrame, as_of: date | str) -> pd.DataFrame:
    """Monthly sales history up to `as_of` (artefact `market_trend`).

    In: order lines (order_date, order_id, customer_id, amount). Out: one row per calendar month from the first
    order's month to `as_of`'s month, months without orders included (zero sales): `month` (YYYY-MM), `sales`
    (sum of amount), `orders` (distinct order ids), `customers` (distinct buying customers), `yoy_growth` (sales /
    same month a year earlier - 1), `mom_growth` (sales / previous month - 1), and `complete` (whether the data
    covers every day of the month, `periods.covered`: False for `as_of`'s month when `as_of` is not its last
    day, and for a first or last month the data covers only in part). A growth rate is left empty unless both
    months are complete.
    Missing order or customer ids are not counted as an order or a customer; their lines' amounts are in `sales`.
    """
    require(orders, "orders", ("order_date", "order_id", "customer_id", "amount"))
    as_of = pd.Timestamp(as_of)
    o = _through(orders, as_of, ["order_date", "order_id", "customer_id", "amount"])
    cols = ["month", "sales", "orders", "customers", "yoy_growth", "mom_growth", "complete"]
    if o.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols}).astype(
            {"month": "str", "complete": bool}
        )
    # Groups are month numbers counted from the first month (no Periods or text hashed per line); the sums are
    # pandas' groupby sums over the lines in their order, as with Period groups: the same digits.
    month = _month_numbers(o["order_date"])
    first = int(month.min())
    rel = month - first
    full = pd.period_range(pd.Period(ordinal=first, freq="M"), as_of.to_period("M"), freq="M")
    n = len(full)
    ids = (as_str(o["order_id"]), as_str(o["customer_id"]))
    if len(rel) >= _MONTH_BY_MONTH * n:  # large: both counts at once (Arrow's hashing releases the GIL)
        with ThreadPoolExecutor(max_workers=2) as pool:
            n_orders, n_customers = pool.map(lambda s: _distinct_per_month(rel, s, n), ids)
    else:
        n_orders, n_customers = (_distinct_per_month(rel, s, n) for s in ids)
    monthly = pd.DataFrame(
        {"sales": _sums(o["amount"].to_numpy(), rel, n), "orders": n_orders, "customers": n_customers},
        index=full,
    )
    # A month is complete when the data covers all its days (`periods.covered`): not `as_of`'s month when
    # `as_of` is not its last day, nor a first (last) month the data covers only from (to) a day within it.
    # Growth rates compare two complete months only.
    complete = pd.Series(complete_months(full, covered(o["order_date"], as_of)), index=full)
    sales = monthly["sales"].where(complete)
    out = pd.DataFrame(
        {
            "month": full.strftime("%Y-%m"),
            "sales": monthly["sales"].to_numpy(),
            "orders": monthly["orders"].to_numpy(),
            "customers": monthly["customers"].to_numpy(),
            "yoy_growth": ratio(sales, sales.shift(12)).to_numpy(),
            "mom_growth": ratio(sales, sales.shift(1)).to_numpy(),
            "complete": complete.to_numpy(),
        }
    )
    return out


def breakdown(orders: pd.DataFrame, as_of: date | str, dimension: str) -> pd.DataFrame:
    """Monthly sales by `dimension` of the order lines (product_line, channel, ...), for small multiples.

    Out: month (YYYY-MM), <dimension>, sales, l12m_share (the value's share of L12M sales, for sorting). Every
    (month, value) pair from the first order month to `as_of` is present (zero when nothing was sold). Lines
    without a value of `dimension` are in no cell.
    """
    require(orders, "orders", ("order_date", "amount", dimension))
    as_of = pd.Timestamp(as_of)
    o = _through(orders, as_of, ["order_date", "amount", dimension])
    cols = ["month", dimension, "sales", "l12m_share"]
    if o.empty:
        return pd.DataFrame(columns=cols)
    month = _month_numbers(o["order_date"])
    first = int(month.min())
    months = pd.period_range(pd.Period(ordinal=first, freq="M"), as_of.to_period("M"), freq="M")
    # Values coded in sorted order (as groupby sorts them), missing -> -1; one integer per (month, value) cell.
    codes, values = pd.factorize(as_str(o[dimension]), sort=True)
    k = len(values)
    has = codes >= 0
    amount = o["amount"].to_numpy()
    in_l12m = windows(as_of)[0].mask(o["order_date"]).to_numpy()
    if not has.all():
        month, codes, amount, in_l12m = month[has], codes[has], amount[has], in_l12m[has]
    sales = _sums(amount, (month - first) * k + codes, len(months) * k)
    l12m = pd.Series(amount[in_l12m], copy=False).groupby(codes[in_l12m]).sum()
    total = l12m.sum()
    share = (l12m / total if total else l12m * 0.0).reindex(range(k), fill_value=0.0).to_numpy()
    long = pd.DataFrame(
        {
            "month": np.repeat(months.strftime("%Y-%m").to_numpy(), k),
            dimension: np.tile(np.asarray(values, dtype=object), len(months)),
            "sales": sales,
            "l12m_share": np.tile(share.astype("float64"), len(months)),
        }
    ).astype({"month": "str", dimension: "str"})
    return long.sort_values(
        ["l12m_share", dimension, "month"], ascending=[False, True, True], ignore_index=True
    )


def seasonality(trend_df: pd.DataFrame, years: int = 3) -> pd.DataFrame:
    """Month-of-year index of sales (artefact `seasonality`); the goals step spreads targets with it.

    Method (ratio to moving average): each complete month's sales is divided by the centred 2x12-month moving
    average around it (which removes trend), and the ratios of the last `years` years are averaged per
    calendar month. With fewer than 25 complete months there is no centred average, so each month is divided by
    the mean of the last 12 complete months instead; with fewer than 12 the index is flat (1.0).
    The 12 values are normalised so that they average exactly 1.0 (also after rounding to 6 decimals).

    In: `market_trend` rows (month YYYY-MM, sales, complete); `years` = params `market.seasonality_years`.
    Out: month_of_year (1-12), index, observations (ratios averaged), method.
    """
    t = trend_df[trend_df["complete"].astype(bool)] if "complete" in trend_df else trend_df
    months = pd.PeriodIndex(t["month"], freq="M")
    sales = pd.Series(t["sales"].to_numpy(dtype="float64"), index=months)
    if len(sales) >= 25:
        ma = (
            sales.rolling(12).mean().rolling(2).mean().shift(-6)
        )  # centred 2x12 MA (weights 1/24, 1/12 .. 1/24)
        ratio = (sales / ma.where(ma > 0)).dropna()
        ratio = ratio[ratio.index > ratio.index.max() - 12 * years]
        method = "ratio_to_moving_average"
    elif len(sales) >= 12:
        last = sales.iloc[-12:]
        ratio = last / last.mean() if last.mean() > 0 else last * 0.0 + 1.0
        method = "ratio_to_annual_mean"
    else:
        ratio = pd.Series(dtype="float64", index=pd.PeriodIndex([], freq="M"))
        method = "flat"
    moy = pd.Series(ratio.index.month, index=ratio.index)
    raw = ratio.groupby(moy).mean().reindex(range(1, 13))
    n = ratio.groupby(moy).size().reindex(range(1, 13), fill_value=0)
    raw = raw.fillna(raw.mean()) if raw.notna().any() else pd.Series(1.0, index=range(1, 13))
    index = _normalise(raw.to_numpy())
    return pd.DataFrame(
        {
            "month_of_year": range(1, 13),
            "index": index,
            "observations": n.to_numpy().astype("int64"),
            "method": method,
        }
    )


def _normalise(values: np.ndarray, decimals: int = 6) -> np.ndarray:
    """Scale to mean 1.0, round, and put the rounding residue on the largest value so the mean stays exactly 1."""
    v = np.asarray(values, dtype="float64")
    v = np.round(v / v.mean(), decimals)
    residue = round(len(v) - v.sum(), decimals)
    v[int(np.argmax(v))] += residue
    return np.round(v, decimals)


def l12m_customers(orders: pd.DataFrame, as_of: date | str) -> int:
    """Distinct customers with an order in the 12 months ending `as_of`."""
    last = windows(as_of)[0]
    return int(as_str(orders.loc[last.mask(orders["order_date"]), "customer_id"]).nunique())


#: How many of the largest customers the minimal plan's concentration names (`profile`).
CONCENTRATION_TOP = 3


def profile(orders: pd.DataFrame, as_of: date | str) -> dict[str, float | int | str]:
    """The minimal plan's customer profile (docs/method.md, short histories) on the complete months of history
    (`periods.history_months`): months, first, last (YYYY-MM), sales, monthly (sales / months), customers
    (named ones with an order), orders (distinct), aov (sales / orders) and the concentration: top (at most
    `CONCENTRATION_TOP` customers) and top_share (their share of the sales; anonymous lines count in the sales,
    in no customer). Without a complete month: months 0 and no other key.
    """
    months = history_months(orders["order_date"], as_of)
    if not len(months):
        return {"months": 0}
    o = orders[orders["order_date"].dt.to_period("M").isin(months)]
    sales = float(o["amount"].sum())
    by_customer = (
        o.assign(c=as_str(o["customer_id"]).where(o["customer_id"].notna()))
        .groupby("c")["amount"]
        .sum()
        .sort_values(ascending=False)
    )
    n_orders = int(o["order_id"].nunique())
    top = min(CONCENTRATION_TOP, len(by_customer))
    return {
        "months": len(months),
        "first": str(months[0]),
        "last": str(months[-1]),
        "sales": sales,
        "monthly": sales / len(months),
        "customers": len(by_customer),
        "orders": n_orders,
        "aov": sales / n_orders if n_orders else float("nan"),
        "top": top,
        "top_share": float(by_customer.iloc[:top].sum()) / sales if sales > 0 else float("nan"),
    }


def breakdown_growth(bd: pd.DataFrame, dimension: str, as_of: date | str | None = None) -> pd.DataFrame:
    """Per value of `dimension`: L12M sales, share and growth on P12M, from `breakdown` output.

    L12M and P12M are `periods.windows(as_of)` (complete months, as everywhere); without `as_of`, the last 24
    months of `bd`. Growth only when `bd` holds all 12 months before.
    """
    months = sorted(bd["month"].unique())
    if as_of is not None:
        w_last, w_prev = windows(as_of)
        last, prev = set(w_last.months()), set(w_prev.months()) & set(months)
    else:
        last, prev = set(months[-12:]), set(months[-24:-12])
    g = (
        bd.assign(
            l12m=bd["sales"].where(bd["month"].isin(last), 0.0),
            p12m=bd["sales"].where(bd["month"].isin(prev), 0.0),
        )
        .groupby(dimension)[["l12m", "p12m"]]
        .sum()
    )
    g["share"] = g["l12m"] / g["l12m"].sum() if g["l12m"].sum() else 0.0
    g["growth"] = ratio(g["l12m"], g["p12m"]) if len(prev) == 12 else float("nan")
    return g.sort_values("l12m", ascending=False).reset_index()


def company_sales(orders: pd.DataFrame, as_of: date | str | None = None) -> pd.DataFrame:
    """Sales by region for L12M and P12M and YoY growth, plus a `company` total row (for the index page).

    In: all regions' order lines (order_date, region, amount); `as_of` defaults to the last order date.
    Out: region, sales_l12m, sales_p12m, yoy_growth, share_of_company (L12M). The display names are added by
    `narrate.company_summary`.
    """
    require(orders, "orders", ("order_date", "region", "amount"))
    as_of = pd.Timestamp(as_of) if as_of is not None else orders["order_date"].max()
    last, prev = windows(as_of)
    region = as_str(orders["region"])
    df = pd.DataFrame(
        {
            "sales_l12m": orders.loc[last.mask(orders["order_date"]), "amount"].groupby(region).sum(),
            "sales_p12m": orders.loc[prev.mask(orders["order_date"]), "amount"].groupby(region).sum(),
        }
    ).fillna(0.0)
    df = df.sort_values("sales_l12m", ascending=False)
    df.loc["company"] = df.sum()
    df["yoy_growth"] = ratio(df["sales_l12m"], df["sales_p12m"])
    df["share_of_company"] = (
        df["sales_l12m"] / df.loc["company", "sales_l12m"] if df.loc["company", "sales_l12m"] else np.nan
    )
    return df.rename_axis("region").reset_index()
