"""Step 1, market analysis: trend and seasonality, market share, segments and ideal customer profile,
competitors' strengths-weaknesses matrix, customer needs, SWOT, and the market increment for the goals step.

Pure functions: canonical tables (docs/data.md) and the `market` parameter section in, DataFrames out. Periods are
anchored on `as_of`: "L12M" is the 12 months ending on `as_of` (inclusive), "P12M" the 12 months before that.

Artefacts (planning/contracts.py, docs/artifacts.md): `market_trend`, `seasonality`, `segments` (segment key
"<industry>/<size_band>", with `industry` and `size_band` columns), `market_share` (segment key "<industry>",
the grain of the market size data), `competitors`, `swot` and `market_increment` (source, segment_or_dimension,
amount, explanation: the plan-year revenue the goals step adds to its market dimension).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning import i18n

if TYPE_CHECKING:
    from planning.params import Market

#: The order-line columns this step reads (`Context.data` reads only these of the orders file: on a 10 M-line
#: history the others would cost seconds and memory for nothing). A new use of another column goes here too.
#: Not `region`: the lines are one region's (the scan filters on it) and no section reads it.
ORDER_COLUMNS = (
    "order_id",
    "order_date",
    "customer_id",
    "product_line",
    "channel",
    "amount",
    "margin",
)

SEGMENT_DIMENSIONS = ("industry", "size_band")  # default segment key: "<industry>/<size_band>"
SEGMENT_SEP = "/"
CLOSED = ("won", "lost")


# ------------------------------------------------------------------------------------------------ periods
@dataclass(frozen=True)
class Window:
    """A closed interval of calendar days."""

    start: pd.Timestamp
    end: pd.Timestamp

    def mask(self, dates: pd.Series) -> pd.Series:
        return (dates >= self.start) & (dates <= self.end)


def windows(as_of: date | str | pd.Timestamp) -> tuple[Window, Window]:
    """(L12M, P12M): the 12 months ending on `as_of` and the 12 months before (2026-09-30 -> 2025-10-01..2026-09-30
    and 2024-10-01..2025-09-30)."""
    end = pd.Timestamp(as_of).normalize()
    start = end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    prev_end = start - pd.Timedelta(days=1)
    prev_start = prev_end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    return Window(start, end), Window(prev_start, prev_end)


def _str(s: pd.Series) -> pd.Series:
    """Categorical / object key column -> plain `str` (so merges and groupbys never see categories)."""
    return s.astype("str")


def _ratio(num: Any, den: Any) -> Any:
    """num / den - 1 with NaN where the denominator is missing or not positive."""
    num = pd.to_numeric(num, errors="coerce")
    den = pd.to_numeric(den, errors="coerce")
    if isinstance(den, pd.Series):
        return num / den.where(den > 0) - 1.0
    return float(num) / den - 1.0 if den and den > 0 else float("nan")


def _text(value: Any, lang: str) -> str:
    """A params text (str or {en, zh}) in `lang` (the English one, then any, when `lang` is missing)."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


def _require(df: pd.DataFrame | None, name: str, columns: Iterable[str]) -> pd.DataFrame:
    if df is None:
        raise ValueError(f"table {name!r} is required here but missing (see docs/data.md)")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"table {name!r} lacks column(s) {missing}; has {list(df.columns)}")
    return df


# ------------------------------------------------------------------------------------------------ trend
def filter_orders(
    orders: pd.DataFrame, product_line: str | None = None, channel: str | None = None
) -> pd.DataFrame:
    """Order lines of one product line and / or channel (None = all)."""
    mask = pd.Series(True, index=orders.index)
    if product_line:
        mask &= _str(orders["product_line"]) == product_line
    if channel:
        mask &= _str(orders["channel"]) == channel
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
    same month a year earlier - 1; empty without a prior year), `mom_growth` (sales / previous month - 1), and
    `complete` (False for `as_of`'s month when `as_of` is not its last day: its growth rates are left empty).
    Missing order or customer ids are not counted as an order or a customer; their lines' amounts are in `sales`.
    """
    _require(orders, "orders", ("order_date", "order_id", "customer_id", "amount"))
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
    ids = (_str(o["order_id"]), _str(o["customer_id"]))
    if len(rel) >= _MONTH_BY_MONTH * n:  # large: both counts at once (Arrow's hashing releases the GIL)
        with ThreadPoolExecutor(max_workers=2) as pool:
            n_orders, n_customers = pool.map(lambda s: _distinct_per_month(rel, s, n), ids)
    else:
        n_orders, n_customers = (_distinct_per_month(rel, s, n) for s in ids)
    monthly = pd.DataFrame(
        {"sales": _sums(o["amount"].to_numpy(), rel, n), "orders": n_orders, "customers": n_customers},
        index=full,
    )
    complete = pd.Series(True, index=full)
    complete.iloc[-1] = as_of == as_of + pd.offsets.MonthEnd(0)
    sales = monthly["sales"].where(complete)
    out = pd.DataFrame(
        {
            "month": full.strftime("%Y-%m"),
            "sales": monthly["sales"].to_numpy(),
            "orders": monthly["orders"].to_numpy(),
            "customers": monthly["customers"].to_numpy(),
            "yoy_growth": _ratio(sales, monthly["sales"].shift(12)).to_numpy(),
            "mom_growth": _ratio(sales, monthly["sales"].shift(1)).to_numpy(),
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
    _require(orders, "orders", ("order_date", "amount", dimension))
    as_of = pd.Timestamp(as_of)
    o = _through(orders, as_of, ["order_date", "amount", dimension])
    cols = ["month", dimension, "sales", "l12m_share"]
    if o.empty:
        return pd.DataFrame(columns=cols)
    month = _month_numbers(o["order_date"])
    first = int(month.min())
    months = pd.period_range(pd.Period(ordinal=first, freq="M"), as_of.to_period("M"), freq="M")
    # Values coded in sorted order (as groupby sorts them), missing -> -1; one integer per (month, value) cell.
    codes, values = pd.factorize(_str(o[dimension]), sort=True)
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


# ------------------------------------------------------------------------------------------------ market share
def _tam_by_year(market_size: pd.DataFrame | None, mp: Market, years: Sequence[int]) -> pd.DataFrame:
    """TAM per (industry, year) for `years`: from the data, else from params (`market_size` x growth).

    Years the data does not cover are extrapolated from the nearest covered year at that industry's last
    observed annual growth (params `market_growth` when only one year is known).
    """
    if market_size is not None and not market_size.empty:
        ms = market_size.assign(industry=_str(market_size["industry"]), year=market_size["year"].astype(int))
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


def segment_dimensions(
    orders: pd.DataFrame, customers: pd.DataFrame | None, by: Sequence[str] = SEGMENT_DIMENSIONS
) -> tuple[str, ...]:
    """The dimensions of `by` the data can segment by: a column of the order lines with a known value (an
    export may carry e.g. `industry` on its lines) or, with a customers table, a column of `customers`.

    An orders-only export without such columns segments by nothing (the step says which file would enable it).
    """

    def known(df: pd.DataFrame | None, col: str) -> bool:
        return df is not None and col in df.columns and bool(df[col].notna().any())

    return tuple(d for d in by if known(orders, d) or known(customers, d))


def missing_dimensions(dims: Sequence[str], lang: str, by: Sequence[str] = SEGMENT_DIMENSIONS) -> str:
    """Display names of the dimensions of `by` not in `dims` ("company size"), for the missing-data sentence."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(i18n.column(d, lang).lower() if lang == "en" else i18n.column(d, lang)
                    for d in by if d not in dims)  # fmt: skip


def order_segments(orders: pd.DataFrame, customers: pd.DataFrame | None, by: Sequence[str]) -> pd.DataFrame:
    """Order lines with the customer attributes `by` (industry, size_band, ...) joined on customer_id.

    Lines of customers missing from `customers` get "unknown".
    """
    o = orders.assign(customer_id=_str(orders["customer_id"]))
    need = [c for c in by if c not in o.columns or (customers is not None and o[c].isna().all())]
    if need:
        o = o.drop(columns=[c for c in need if c in o.columns])
        _require(customers, "customers", ("customer_id", *need))
        attrs = customers[["customer_id", *need]].assign(customer_id=_str(customers["customer_id"]))
        attrs = attrs.drop_duplicates("customer_id")
        o = o.merge(attrs, on="customer_id", how="left")
    for c in by:
        o[c] = _str(o[c]).where(o[c].notna(), "unknown")
    return o


def market_share(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    market_size: pd.DataFrame | None,
    mp: Market,
    as_of: date | str,
) -> pd.DataFrame:
    """Our share of each industry's market, L12M and P12M (artefact `market_share`, segment key "<industry>").

    market_size = TAM of the window (calendar-year TAMs weighted by the days of each year in it); our_sales =
    L12M sales to customers of the industry; share = our_sales / market_size; share_change = share - share of
    P12M (a fraction: 0.004 = +0.4 percentage points). A `total` row sums all industries.
    Reads params `market.market_size`, `market.market_growth` (only when the data has no market_size table) and
    `market.share_threshold` (status gaining / losing / stable).
    Out: segment, industry, market_size, our_sales, share, share_change, market_size_prev, our_sales_prev,
    share_prev, market_growth, our_growth, status. Empty when neither data nor params give a market size, or when neither the order lines nor a
    customers table say a customer's industry.
    """
    last, prev = windows(as_of)
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
    df["market_growth"] = _ratio(df["market_size"], df["market_size_prev"])
    df["our_growth"] = _ratio(df["our_sales"], df["our_sales_prev"])
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


def market_size_plan_year(market_size: pd.DataFrame | None, mp: Market, plan_year: int) -> pd.Series:
    """TAM per industry in the plan year (data if it has that year, else extrapolated; see `_tam_by_year`)."""
    tam = _tam_by_year(market_size, mp, [plan_year])
    return tam.set_index("industry")[plan_year].astype(float) if not tam.empty else pd.Series(dtype="float64")


# ------------------------------------------------------------------------------------------------ segments / ICP
def segment_key(df: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    """The segment key of each row: the columns `by` as text joined with "/" ("Machinery/large").

    Column-wise string concatenation: a row-wise join costs ~1,000x more on millions of order lines.
    """
    key = _str(df[by[0]])
    for col in by[1:]:
        key = key + SEGMENT_SEP + _str(df[col])
    return key


def segments(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    opportunities: pd.DataFrame | None,
    mp: Market,
    as_of: date | str,
    by: Sequence[str] = SEGMENT_DIMENSIONS,
) -> pd.DataFrame:
    """Segments by customer attributes `by` and the ideal customer profile ranking (artefact `segments`).

    Per segment (key "<industry>/<size_band>" by default, one column per dimension as well):
    - customers: customers with an order in L12M; sales: their L12M sales; avg_order_value: L12M sales / distinct
      L12M orders; growth: L12M sales / P12M sales - 1.
    - retention: share of P12M buyers who bought again in L12M (the whole region's retention when the segment had
      fewer than `market.min_customers` P12M buyers: too few to measure).
    - clv = annual margin per customer (L12M margin / customers) x expected lifetime, lifetime = 1 / (1 -
      retention) years, capped at `market.clv_max_years`.
    - win_rate: opportunities closed (won or lost) in L12M, won / closed (empty without a closed deal); segment
      dimensions missing from `opportunities` are taken from `customers`.
    - icp_score: weighted mean of the segment's percentile rank (0..1) on sales, clv, win_rate and growth with
      weights `market.icp_weights` (a missing metric counts as the median, 0.5); icp_rank 1 = best. Segments
      with fewer than `market.min_customers` customers are ranked after all others (too small to judge).
    Out: segment, <by...>, customers, sales, orders, avg_order_value, margin, retention, lifetime_years, clv,
    closed_deals, win_rate, sales_prev, growth, icp_score, icp_rank, sorted by icp_rank. No rows when `by` is
    empty (the data has no segment dimension: see `segment_dimensions`).
    """
    by = list(by)
    cols = ["segment", *by, "customers", "sales", "orders", "avg_order_value", "margin", "retention",
            "lifetime_years", "clv", "closed_deals", "win_rate", "sales_prev", "growth", "icp_score", "icp_rank"]  # fmt: skip
    if not by:
        return _empty_segments(cols)
    last, prev = windows(as_of)
    o = order_segments(orders[orders["order_date"] <= pd.Timestamp(as_of)], customers, by)
    o["segment"] = segment_key(o, by)
    cur, old = o[last.mask(o["order_date"])], o[prev.mask(o["order_date"])]
    g = cur.groupby("segment")
    seg = pd.DataFrame(
        {
            "customers": g["customer_id"].nunique(),
            "sales": g["amount"].sum(),
            "orders": g["order_id"].agg(lambda s: _str(s).nunique()),
            "margin": g["margin"].sum(),
        }
    )
    seg = seg.join(old.groupby("segment")["amount"].sum().rename("sales_prev"), how="outer")
    dims = o.drop_duplicates("segment").set_index("segment")[by]
    seg = seg.join(dims).fillna({"customers": 0, "sales": 0.0, "orders": 0, "margin": 0.0, "sales_prev": 0.0})
    seg[["customers", "orders"]] = seg[["customers", "orders"]].astype("int64")
    seg["avg_order_value"] = seg["sales"] / seg["orders"].where(seg["orders"] > 0)
    seg["growth"] = _ratio(seg["sales"], seg["sales_prev"])

    # Retention: P12M buyers who bought again in L12M.
    buyers_prev = old.groupby("segment")["customer_id"].unique()
    buyers_now = set(cur["customer_id"].unique())
    prev_n = buyers_prev.map(len)
    kept = buyers_prev.map(lambda ids: sum(c in buyers_now for c in ids))
    all_prev = set(old["customer_id"].unique())
    region_ret = sum(c in buyers_now for c in all_prev) / len(all_prev) if all_prev else float("nan")
    ret = (kept / prev_n).where(prev_n >= mp.min_customers)
    seg["retention"] = ret.reindex(seg.index).fillna(region_ret)
    lifetime = 1.0 / (1.0 - seg["retention"]).clip(lower=1.0 / mp.clv_max_years)
    seg["lifetime_years"] = lifetime.fillna(1.0)
    seg["clv"] = seg["margin"] / seg["customers"].where(seg["customers"] > 0) * seg["lifetime_years"]

    seg = seg.join(_win_rates(opportunities, customers, by, last))
    seg["closed_deals"] = seg["closed_deals"].fillna(0).astype("int64")

    weights = {k: w for k, w in mp.icp_weights.items() if w > 0}
    eligible = seg["customers"] >= mp.min_customers
    score = pd.Series(0.0, index=seg.index)
    for metric, w in weights.items():
        pct = seg.loc[eligible, metric].rank(pct=True, method="average")
        score += w * pct.reindex(seg.index).fillna(0.5)
    seg["icp_score"] = (score / sum(weights.values())).where(eligible)
    order = seg.assign(_e=eligible).sort_values(["_e", "icp_score", "sales"], ascending=[False, False, False])
    seg["icp_rank"] = (
        pd.Series(range(1, len(order) + 1), index=order.index).reindex(seg.index).astype("int64")
    )
    seg = seg.rename_axis("segment").reset_index().sort_values("icp_rank", ignore_index=True)
    return seg[cols]


def _empty_segments(cols: Sequence[str]) -> pd.DataFrame:
    ints = {"customers", "orders", "closed_deals", "icp_rank"}
    return pd.DataFrame(
        {c: pd.Series(dtype="str" if c == "segment" else "int64" if c in ints else "float64") for c in cols}
    )


def _win_rates(
    opportunities: pd.DataFrame | None, customers: pd.DataFrame | None, by: Sequence[str], window: Window
) -> pd.DataFrame:
    empty = pd.DataFrame({"closed_deals": pd.Series(dtype="int64"), "win_rate": pd.Series(dtype="float64")})
    if opportunities is None or opportunities.empty:
        return empty
    if customers is None and not set(by) <= set(opportunities.columns):
        return empty  # a dimension only the order lines carry cannot place a prospect
    _require(opportunities, "opportunities", ("status", "close_date", "customer_id"))
    opp = opportunities[_str(opportunities["status"]).isin(CLOSED) & window.mask(opportunities["close_date"])]
    if opp.empty:
        return empty
    opp = order_segments(opp, customers, by)
    opp["segment"] = segment_key(opp, by)
    won = (_str(opp["status"]) == "won").groupby(opp["segment"])
    return pd.DataFrame({"closed_deals": won.size(), "win_rate": won.mean()})


# ------------------------------------------------------------------------------------------------ competitors
def competitors(mp: Market) -> pd.DataFrame:
    """The strengths-weaknesses matrix from params, long form (artefact `competitors`).

    Out: competitor, competitor_zh, dimension, score, weak (score <= `market.weak_score`), strong (score >=
    `market.strong_score`), opening (every competitor is weak on this dimension). Reads `market.competitors`,
    `market.weak_score`, `market.strong_score`.
    """
    rows = [
        {"competitor": c.name, "competitor_zh": c.name_zh or c.name, "dimension": dim, "score": float(s)}
        for c in mp.competitors
        for dim, s in c.scores.items()
    ]
    cols = ["competitor", "competitor_zh", "dimension", "score", "weak", "strong", "opening"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows)
    df["weak"] = df["score"] <= mp.weak_score
    df["strong"] = df["score"] >= mp.strong_score
    n = len(mp.competitors)
    # A dimension only some competitors were scored on is not an opening: the others are unknown, not weak.
    all_weak = df.groupby("dimension")["weak"].agg(lambda s: bool(s.all()) and len(s) == n)
    df["opening"] = df["dimension"].map(all_weak).astype(bool)
    return df[cols]


def openings(mp: Market) -> pd.DataFrame:
    """Per dimension: best competitor score, our own score and whether it is a differentiation opening.

    Out: dimension, best_competitor, best_score, own_score, opening, sorted with openings first.
    """
    comp = competitors(mp)
    cols = ["dimension", "best_competitor", "best_score", "own_score", "opening"]
    if comp.empty:
        return pd.DataFrame(columns=cols)
    best = comp.sort_values("score", ascending=False).drop_duplicates("dimension").set_index("dimension")
    df = pd.DataFrame(
        {
            "best_competitor": best["competitor"],
            "best_score": best["score"],
            "own_score": pd.Series(mp.own_scores, dtype="float64").reindex(best.index),
            "opening": comp.groupby("dimension")["opening"].first(),
        }
    )
    df = df.rename_axis("dimension").reset_index()
    dim_order = {d: i for i, d in enumerate(dict.fromkeys(comp["dimension"]))}
    df["_o"] = df["dimension"].map(dim_order)
    return (
        df.sort_values(["opening", "_o"], ascending=[False, True])
        .drop(columns="_o")
        .reset_index(drop=True)[cols]
    )


# ------------------------------------------------------------------------------------------------ market increment
def market_increment(
    share: pd.DataFrame,
    mp: Market,
    tam_plan: pd.Series,
    plan_year: int,
    lang: str = "en",
    currency: str = "CNY",
) -> pd.DataFrame:
    """The plan-year revenue increment the market offers beyond the baseline (artefact `market_increment`).

    Two sources, one row each per named segment / opening:
    - share_gain: for each industry in `market.share_gain`, planned share gain (fraction, 0.005 = +0.5 pp) x the
      industry's plan-year TAM (`tam_plan`: the market after its growth); amount 0 when there is no TAM at all.
    - opening: for each differentiation opening (every competitor weak on the dimension), `market.opening_increment`
      [dimension] if set, else `market.opening_share`[dimension] x the region's plan-year TAM (all industries).
      Openings without either parameter are listed with amount 0 so the planner sees what is not yet quantified.
    Out: source, segment_or_dimension, amount, explanation (in `lang`), and the inputs: rate, base.
    """
    rows: list[dict[str, Any]] = []
    cur_share = share.set_index("segment")["share"] if not share.empty else pd.Series(dtype="float64")
    for industry, gain in mp.share_gain.items():
        base = float(tam_plan.get(industry, float("nan")))
        if tam_plan.empty:  # no market size at all (no table, nothing in params): listed, not quantified
            rows.append({"source": "share_gain", "segment_or_dimension": industry, "amount": 0.0, "rate": gain,
                         "base": base, "explanation": i18n.t("market.increment.share_gain_no_tam", lang,
                         segment=i18n.name("industry", industry, lang), gain=f"{gain * 100:+.2f}")})  # fmt: skip
            continue
        if np.isnan(base):
            raise ValueError(
                f"market.share_gain names industry {industry!r}, which has no market size; "
                f"known: {sorted(tam_plan.index)}"
            )
        rows.append(
            {
                "source": "share_gain",
                "segment_or_dimension": industry,
                "amount": gain * base,
                "rate": gain,
                "base": base,
                "explanation": i18n.t(
                    "market.increment.share_gain",
                    lang,
                    segment=i18n.name("industry", industry, lang),
                    gain=f"{gain * 100:+.2f}",
                    share=i18n.pct(cur_share.get(industry), lang, 2),
                    year=plan_year,
                    tam=i18n.money(base, lang, currency),
                    amount=i18n.money(gain * base, lang, currency),
                ),
            }
        )
    ops = openings(mp)
    total_tam = float(tam_plan.sum()) if len(tam_plan) else float("nan")
    dim_name = _dimension_names(lang)
    for dim in ops.loc[ops["opening"], "dimension"]:
        label = dim_name.get(dim, dim)
        if dim in mp.opening_increment:
            amount, rate, base = mp.opening_increment[dim], float("nan"), float("nan")
            text = i18n.t("market.increment.opening_amount", lang, dimension=label,
                          amount=i18n.money(amount, lang, currency))  # fmt: skip
        elif dim in mp.opening_share and tam_plan.empty:  # a share of no market size: listed, not quantified
            amount, rate, base = 0.0, mp.opening_share[dim], float("nan")
            text = i18n.t("market.increment.opening_share_no_tam", lang, dimension=label,
                          rate=i18n.pct(rate, lang, 2))  # fmt: skip
        elif dim in mp.opening_share:
            rate, base = mp.opening_share[dim], total_tam
            amount = rate * base
            text = i18n.t("market.increment.opening_share", lang, dimension=label, rate=i18n.pct(rate, lang, 2),
                          year=plan_year, tam=i18n.money(base, lang, currency),
                          amount=i18n.money(amount, lang, currency))  # fmt: skip
        else:
            amount, rate, base = 0.0, float("nan"), float("nan")
            text = i18n.t("market.increment.opening_unquantified", lang, dimension=label)
        rows.append({"source": "opening", "segment_or_dimension": dim, "amount": float(amount), "rate": rate,
                     "base": base, "explanation": text})  # fmt: skip
    cols = ["source", "segment_or_dimension", "amount", "explanation", "rate", "base"]
    return pd.DataFrame(rows, columns=cols)


def _dimension_names(lang: str) -> dict[str, str]:
    names = i18n._domain("market").get("dimensions", {})
    return {k: str(v.get(lang, k)) for k, v in names.items()}


def dimension_name(dim: str, lang: str) -> str:
    """Display name of a competitive dimension (price, product, ...); the key itself when unknown."""
    return _dimension_names(lang).get(dim, dim)


# ------------------------------------------------------------------------------------------------ needs
def needs(mp: Market, segs: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Customer needs from params (`market.needs`), each linked to the segments it applies to.

    A need's `segments` entries are industries (matching every size band) or full "<industry>/<size_band>" keys;
    empty = all segments. Out: need, segments (display names), customers and sales (L12M) and growth of the
    linked segments, unmet, scenario, evidence.
    """
    rows = []
    for n in mp.needs:
        if n.segments:
            keys = set(n.segments)
            mask = segs["segment"].isin(keys) | segs.get("industry", segs["segment"]).isin(keys)
        else:
            mask = pd.Series(True, index=segs.index)
        linked = segs[mask]
        names = [_segment_label(s, lang) for s in n.segments] or [i18n.t("market.needs.all_segments", lang)]
        sales, prev = float(linked["sales"].sum()), float(linked["sales_prev"].sum())
        rows.append(
            {
                "need": _text(n.need, lang),
                "segments": ", ".join(names),
                "customers": int(linked["customers"].sum()),
                "sales": sales,
                "growth": _ratio(sales, prev),
                "unmet": bool(n.unmet),
                "scenario": _text(n.scenario, lang),
                "evidence": _text(n.evidence, lang),
            }
        )
    cols = ["need", "segments", "customers", "sales", "growth", "unmet", "scenario", "evidence"]
    return pd.DataFrame(rows, columns=cols)


def _segment_label(segment: str, lang: str) -> str:
    parts = str(segment).split(SEGMENT_SEP)
    kinds = ["industry", "size_band"] if len(parts) == 2 else ["industry"] * len(parts)
    return " · ".join(i18n.name(k, p, lang) for k, p in zip(kinds, parts, strict=False))


def segment_label(segment: str, by: Sequence[str], lang: str) -> str:
    """Display name of a segment key made of the dimensions `by` ("energy/large" -> "Energy · Large (1000+)")."""
    parts = str(segment).split(SEGMENT_SEP)
    kind = {"acquisition_channel": "lead_source"}
    return " · ".join(
        _known_or_readable(i18n.name(kind.get(d, d), p, lang), p) for d, p in zip(by, parts, strict=False)
    )


def _known_or_readable(name: str, key: str) -> str:
    """A translated name, or for a key the locale does not know (an export's own segments such as
    "home_office") the key made readable: "Home office"."""
    if name != key:
        return name
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------------------------------------ SWOT
def swot(
    mp: Market,
    share: pd.DataFrame,
    comp: pd.DataFrame,
    lang: str = "en",
) -> pd.DataFrame:
    """SWOT entries from params plus signals derived from the data (artefact `swot`).

    Rules (each data entry carries its evidence number):
    - S: an industry where our share rose by >= `market.share_threshold`; a differentiation opening where our own
      score is >= `market.strong_score` (we already fill the gap competitors leave).
    - W: an industry where our share fell by >= `market.share_threshold` (also the region's total share).
    - O: an industry whose market grows >= `market.growth_margin` faster than the region's total market; every
      differentiation opening.
    - T: a competitor scoring >= `market.strong_score` on a dimension where our own score is <= `market.weak_score`.
    Out: quadrant (S/W/O/T), item, source (params | data), evidence, rule, key.
    """
    rows: list[dict[str, Any]] = []
    for quadrant in ("S", "W", "O", "T"):
        for entry in mp.swot.get(quadrant, []):
            rows.append({"quadrant": quadrant, "item": _text(entry, lang), "source": "params", "evidence": "",
                         "rule": "", "key": ""})  # fmt: skip

    def add(quadrant: str, rule: str, key: str, **fmt: Any) -> None:
        rows.append(
            {
                "quadrant": quadrant,
                "item": i18n.t(f"market.swot.{rule}.item", lang, **fmt),
                "source": "data",
                "evidence": i18n.t(f"market.swot.{rule}.evidence", lang, **fmt),
                "rule": rule,
                "key": key,
            }
        )

    if not share.empty:
        total = share[share["segment"] == "total"].iloc[0] if (share["segment"] == "total").any() else None
        body = share[share["segment"] != "total"]
        for _, r in body.iterrows():
            fmt = {
                "segment": i18n.name("industry", r["segment"], lang),
                "share": i18n.pct(r["share"], lang, 1),
                "change": f"{r['share_change'] * 100:+.2f}",
                "growth": i18n.pct(r["market_growth"], lang, 1, signed=True),
                "total_growth": i18n.pct(
                    total["market_growth"] if total is not None else None, lang, 1, signed=True
                ),
            }
            if r["status"] == "gaining":
                add("S", "share_gain", r["segment"], **fmt)
            elif r["status"] == "losing":
                add("W", "share_loss", r["segment"], **fmt)
            if total is not None and r["market_growth"] >= total["market_growth"] + mp.growth_margin:
                add("O", "fast_market", r["segment"], **fmt)
        if total is not None and total["status"] == "losing":
            add("W", "region_share_loss", "total", share=i18n.pct(total["share"], lang, 1),
                change=f"{total['share_change'] * 100:+.2f}")  # fmt: skip

    if not comp.empty:
        own = mp.own_scores
        for dim in dict.fromkeys(comp.loc[comp["opening"], "dimension"]):
            label = dimension_name(dim, lang)
            best = comp.loc[comp["dimension"] == dim, "score"].max()
            if own.get(dim, 0.0) >= mp.strong_score:
                add("S", "opening_filled", dim, dimension=label, own=f"{own[dim]:.1f}", best=f"{best:.1f}")
            add("O", "opening", dim, dimension=label, best=f"{best:.1f}", weak=f"{mp.weak_score:.1f}")
        for _, r in comp[comp["strong"]].iterrows():
            dim = r["dimension"]
            if dim in own and own[dim] <= mp.weak_score:
                name = r["competitor_zh"] if lang == "zh" else r["competitor"]
                add("T", "competitor_strength", f"{r['competitor']}/{dim}", competitor=name,
                    dimension=dimension_name(dim, lang), score=f"{r['score']:.1f}", own=f"{own[dim]:.1f}")  # fmt: skip
    cols = ["quadrant", "item", "source", "evidence", "rule", "key"]
    df = pd.DataFrame(rows, columns=cols)
    df["_q"] = df["quadrant"].map({"S": 0, "W": 1, "O": 2, "T": 3})
    return df.sort_values(["_q", "source"], kind="stable").drop(columns="_q").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ company total
def company_summary(tables: Any, as_of: date | str | None = None) -> pd.DataFrame:
    """Sales by region for L12M and P12M and YoY growth, plus a `company` total row (for the index page).

    In: `planning.data.Tables` of all regions (`orders` required, `regions` optional for display names);
    `as_of` defaults to the last order date. Out: region, name_en, name_zh, sales_l12m, sales_p12m, yoy_growth,
    share_of_company (L12M).
    """
    orders = _require(tables.orders, "orders", ("order_date", "region", "amount"))
    as_of = pd.Timestamp(as_of) if as_of is not None else orders["order_date"].max()
    last, prev = windows(as_of)
    region = _str(orders["region"])
    df = pd.DataFrame(
        {
            "sales_l12m": orders.loc[last.mask(orders["order_date"]), "amount"].groupby(region).sum(),
            "sales_p12m": orders.loc[prev.mask(orders["order_date"]), "amount"].groupby(region).sum(),
        }
    ).fillna(0.0)
    df = df.sort_values("sales_l12m", ascending=False)
    df.loc["company"] = df.sum()
    df["yoy_growth"] = _ratio(df["sales_l12m"], df["sales_p12m"])
    df["share_of_company"] = (
        df["sales_l12m"] / df.loc["company", "sales_l12m"] if df.loc["company", "sales_l12m"] else np.nan
    )
    df = df.rename_axis("region").reset_index()
    regions = getattr(tables, "regions", None)
    names = (
        regions.assign(region=_str(regions["region"])).set_index("region") if regions is not None else None
    )
    df["name_en"] = [
        names["name_en"].get(r) if names is not None and r in names.index else i18n.name("region", r, "en")
        for r in df["region"]
    ]
    df["name_zh"] = [
        names["name_zh"].get(r) if names is not None and r in names.index else i18n.name("region", r, "zh")
        for r in df["region"]
    ]
    return df[["region", "name_en", "name_zh", "sales_l12m", "sales_p12m", "yoy_growth", "share_of_company"]]


# ------------------------------------------------------------------------------------------------ sentences
# Each takes the step's output and the notebook Context (for language, currency and names) and returns one
# generated sentence; every number in it comes from the frame passed in.
def _money(ctx: Any, x: Any) -> str:
    return i18n.money(x, ctx.lang, ctx.p.company.currency)


def describe_trend(tr: pd.DataFrame, orders: pd.DataFrame, ctx: Any) -> str:
    """L12M sales, growth on P12M, distinct L12M customers (from `orders`) and the latest complete month's YoY."""
    if tr.empty or not tr["sales"].any():
        return ctx.t("market.trend.no_data")
    complete = tr[tr["complete"]]
    last12, prev12 = tr["sales"].iloc[-12:].sum(), tr["sales"].iloc[-24:-12].sum()
    latest = complete.iloc[-1] if not complete.empty else tr.iloc[-1]
    text = ctx.t(
        "market.trend.summary",
        end=ctx.as_of.isoformat(),
        region=ctx.region_name,
        sales=_money(ctx, last12),
        growth=i18n.pct(_ratio(last12, prev12) if len(tr) >= 24 else None, ctx.lang, 1, signed=True),
        customers=i18n.number(l12m_customers(orders, ctx.as_of), ctx.lang),
        month=latest["month"],
        yoy=i18n.pct(latest["yoy_growth"], ctx.lang, 1, signed=True),
    )
    if not bool(tr["complete"].iloc[-1]):
        text += " " + ctx.t("market.trend.partial")
    return text


def l12m_customers(orders: pd.DataFrame, as_of: date | str) -> int:
    """Distinct customers with an order in the 12 months ending `as_of`."""
    last = windows(as_of)[0]
    return int(_str(orders.loc[last.mask(orders["order_date"]), "customer_id"]).nunique())


def describe_seasonality(season: pd.DataFrame, ctx: Any) -> str:
    peak, low = season.loc[season["index"].idxmax()], season.loc[season["index"].idxmin()]
    month = (
        (lambda m: f"{int(m)}月")
        if ctx.lang == "zh"
        else (lambda m: pd.Timestamp(2000, int(m), 1).strftime("%B"))
    )
    return ctx.t(
        "market.trend.seasonality",
        method=ctx.t(f"market.trend.methods.{season['method'].iloc[0]}"),
        peak=month(peak["month_of_year"]),
        peak_index=f"{peak['index']:.2f}",
        low=month(low["month_of_year"]),
        low_index=f"{low['index']:.2f}",
    )


def breakdown_growth(bd: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Per value of `dimension`: L12M sales, share and growth on P12M, from `breakdown` output (last 24 months)."""
    months = sorted(bd["month"].unique())
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
    g["growth"] = _ratio(g["l12m"], g["p12m"]) if len(prev) == 12 else float("nan")
    return g.sort_values("l12m", ascending=False).reset_index()


def describe_breakdown(bd: pd.DataFrame, dimension: str, ctx: Any) -> str:
    g = breakdown_growth(bd, dimension)
    if g.empty:
        return ctx.t("market.trend.no_data")
    top = g.iloc[0]
    fast = g.dropna(subset=["growth"]).sort_values("growth", ascending=False)
    fast = fast.iloc[0] if not fast.empty else top
    key = "market.trend.breakdown" if dimension == "product_line" else "market.trend.channels"
    return ctx.t(
        key,
        top=ctx.name(dimension, top[dimension]),
        share=i18n.pct(top["share"], ctx.lang),
        fast=ctx.name(dimension, fast[dimension]),
        fast_growth=i18n.pct(fast["growth"], ctx.lang, 1, signed=True),
    )


def describe_share(share: pd.DataFrame, ctx: Any) -> str:
    if share.empty:
        return ctx.t("market.share.no_market_size")
    mp = ctx.p.market
    total = share[share["segment"] == "total"].iloc[0]
    body = share[share["segment"] != "total"]
    text = ctx.t(
        "market.share.summary",
        tam=_money(ctx, total["market_size"]),
        tam_growth=i18n.pct(total["market_growth"], ctx.lang, 1, signed=True),
        share=i18n.pct(total["share"], ctx.lang, 2),
        change=f"{total['share_change'] * 100:+.2f}",
    )

    def names(rows: pd.DataFrame) -> str:
        sep = "、" if ctx.lang == "zh" else ", "
        return sep.join(
            f"{ctx.name('industry', r.segment)} ({ctx.t('market.share.pp', value=f'{r.share_change * 100:+.2f}')})"
            for r in rows.itertuples()
        )

    gaining = body[body["status"] == "gaining"].sort_values("share_change", ascending=False)
    losing = body[body["status"] == "losing"].sort_values("share_change")
    if not gaining.empty:
        text += " " + ctx.t("market.share.gaining", segments=names(gaining))
    if not losing.empty:
        text += " " + ctx.t("market.share.losing", segments=names(losing))
    if gaining.empty and losing.empty:
        text += " " + ctx.t("market.share.stable", threshold=f"{mp.share_threshold * 100:.2f}")
    return text


def label_segments(segs: pd.DataFrame, by: Sequence[str], lang: str) -> pd.DataFrame:
    """`segs` with a display-name `label` column first (for tables and charts)."""
    out = segs.copy()
    out.insert(0, "label", [segment_label(s, by, lang) for s in out["segment"]])
    return out


def describe_segments(segs: pd.DataFrame, ctx: Any, by: Sequence[str] = SEGMENT_DIMENSIONS) -> str:
    """Which segments deserve resources and why: the top ICP segment's metrics that rank in the top third."""
    mp = ctx.p.market
    ranked = segs[segs["icp_score"].notna()]
    if ranked.empty:
        return ctx.t("market.segments.none")
    top = ranked.iloc[0]
    pct_rank = {m: ranked[m].rank(pct=True).iloc[0] for m in ("sales", "clv", "win_rate", "growth")}
    fmt = {
        "sales": lambda v: _money(ctx, v),
        "clv": lambda v: _money(ctx, v),
        "win_rate": lambda v: i18n.pct(v, ctx.lang),
        "growth": lambda v: i18n.pct(v, ctx.lang, 1, signed=True),
    }
    strong = [m for m, r in sorted(pct_rank.items(), key=lambda kv: -kv[1]) if r >= 2 / 3] or ["sales"]
    sep = "、" if ctx.lang == "zh" else ", "
    reasons = sep.join(ctx.t(f"market.segments.reason_{m}", value=fmt[m](top[m])) for m in strong)
    nxt = sep.join(segment_label(s, by, ctx.lang) for s in ranked["segment"].iloc[1:3]) or "—"
    text = ctx.t(
        "market.segments.icp", top=segment_label(top["segment"], by, ctx.lang), reasons=reasons, next=nxt
    )
    small = int(segs["icp_score"].isna().sum())
    if small:
        text += " " + ctx.t("market.segments.small", n=small, min=mp.min_customers)
    return text


def describe_competitors(comp: pd.DataFrame, ctx: Any) -> str:
    mp = ctx.p.market
    if comp.empty:
        return ctx.t("market.competitors.none")
    dims = list(dict.fromkeys(comp.loc[comp["opening"], "dimension"]))
    if not dims:
        return ctx.t("market.competitors.no_openings", weak=f"{mp.weak_score:.1f}")
    sep = "、" if ctx.lang == "zh" else ", "
    return ctx.t(
        "market.competitors.openings",
        dimensions=sep.join(dimension_name(d, ctx.lang) for d in dims),
        weak=f"{mp.weak_score:.1f}",
    )


def describe_increment(inc: pd.DataFrame, ctx: Any) -> str:
    if inc.empty or not inc["amount"].any():
        return ctx.t("market.increment.none")
    by_source = inc.groupby("source")["amount"].sum()
    return ctx.t(
        "market.increment.summary",
        total=_money(ctx, inc["amount"].sum()),
        year=ctx.plan_year,
        shares=_money(ctx, by_source.get("share_gain", 0.0)),
        openings=_money(ctx, by_source.get("opening", 0.0)),
    )


def label_increment(inc: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = inc.copy()
    out["label"] = [
        i18n.name("industry", k, lang) if s == "share_gain" else dimension_name(k, lang)
        for s, k in zip(out["source"], out["segment_or_dimension"], strict=True)
    ]
    return out


def describe_needs(nd: pd.DataFrame, ctx: Any) -> str:
    if nd.empty:
        return ctx.t("market.needs.none")
    unmet = nd[nd["unmet"]].sort_values("customers", ascending=False)
    if unmet.empty:
        return ctx.t("market.needs.all_met", total=len(nd))
    return ctx.t(
        "market.needs.summary",
        unmet=len(unmet),
        total=len(nd),
        need=unmet["need"].iloc[0],
        customers=int(unmet["customers"].iloc[0]),
        sales=_money(ctx, unmet["sales"].iloc[0]),
    )


def describe_swot(sw: pd.DataFrame, ctx: Any) -> str:
    return ctx.t(
        "market.swot.summary",
        data=int((sw["source"] == "data").sum()),
        params=int((sw["source"] == "params").sum()),
    )


# ------------------------------------------------------------------------------------------------ display frames
def segments_view(segs: pd.DataFrame, by: Sequence[str], lang: str) -> pd.DataFrame:
    """The ICP table a planner reads: display name first, then the ranking metrics."""
    cols = ["icp_rank", "label", "customers", "sales", "avg_order_value", "clv", "win_rate", "closed_deals",
            "growth"]  # fmt: skip
    if segs["win_rate"].isna().all():  # no opportunities: the report says so instead of a column of dashes
        cols = [c for c in cols if c not in ("win_rate", "closed_deals")]
    return label_segments(segs, by, lang)[cols].rename(columns={"label": "segment"})


def share_view(share: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = share[
        ["segment", "market_size", "our_sales", "share", "share_change", "market_growth", "our_growth"]
    ].copy()
    out["segment"] = [i18n.t("market.chart.total", lang) if s == "total" else i18n.name("industry", s, lang)
                      for s in out["segment"]]  # fmt: skip
    out["share_change"] = out["share_change"] * 100  # percentage points
    out["share_status"] = [i18n.t(f"market.status.{s}", lang) for s in share["status"]]
    return out


def swot_view(sw: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = sw[["quadrant", "item", "source", "evidence"]].copy()
    out["quadrant"] = [i18n.t(f"market.swot.quadrants.{q}", lang) for q in out["quadrant"]]
    out["source"] = [i18n.t(f"market.swot.sources.{s}", lang) for s in out["source"]]
    return out.rename(columns={"source": "swot_source"})


def needs_view(nd: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = nd.copy()
    out["unmet"] = [i18n.t(f"market.flags.{str(bool(u)).lower()}", lang) for u in out["unmet"]]
    return out


def increment_view(inc: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = label_increment(inc, lang)
    out["source"] = [i18n.t(f"market.increment.sources.{s}", lang) for s in out["source"]]
    out = out[["source", "label", "amount", "explanation"]].rename(
        columns={"source": "increment_source", "label": "segment_or_dimension"}
    )
    return out


def openings_view(mp: Market, lang: str) -> pd.DataFrame:
    op = openings(mp)
    out = op.copy()
    out["dimension"] = [dimension_name(d, lang) for d in op["dimension"]]
    if lang == "zh":
        zh = {c.name: c.name_zh or c.name for c in mp.competitors}
        out["best_competitor"] = out["best_competitor"].map(zh)
    out["opening"] = [i18n.t(f"market.flags.{str(bool(o)).lower()}", lang) for o in op["opening"]]
    return out


# ------------------------------------------------------------------------------------------------ widgets
def whatif_panel(ctx: Any) -> Any:
    """JupyterLab only: product line / channel / segment dimension pickers that redraw the trend chart and the
    segment table with the same functions the batch path uses (`trend`, `segments`)."""
    import ipywidgets as w
    from IPython.display import display

    from planning.charts import market as charts

    orders, customers = ctx.data.orders, ctx.data.customers
    all_label = ctx.t("market.whatif.all")

    def options(col: str) -> list[tuple[str, str]]:
        return [(all_label, "")] + [(ctx.name(col, v), v) for v in sorted(_str(orders[col]).unique())]

    dims = {
        "industry/size_band": ("industry", "size_band"),
        "industry": ("industry",),
        "size_band": ("size_band",),
    }
    if customers is not None and "acquisition_channel" in customers:
        dims["acquisition_channel"] = ("acquisition_channel",)
    product = w.Dropdown(options=options("product_line"), description=ctx.t("market.whatif.product_line"))
    channel = w.Dropdown(options=options("channel"), description=ctx.t("market.whatif.channel"))
    dimension = w.Dropdown(
        options=[(" × ".join(i18n.column(d, ctx.lang, "market") for d in v), k) for k, v in dims.items()],
        description=ctx.t("market.segments.dimension"),
    )
    out = w.Output()

    def redraw(_: Any = None) -> None:
        o = filter_orders(orders, product.value or None, channel.value or None)
        by = dims[dimension.value]
        with out:
            out.clear_output(wait=True)
            tr = trend(o, ctx.as_of)
            display(charts.trend_line(tr, ctx.lang))
            ctx.say(describe_trend(tr, o, ctx))
            segs = segments(o, customers, ctx.data.opportunities, ctx.p.market, ctx.as_of, by=by)
            ctx.table(segments_view(segs, by, ctx.lang), domain="market", money=["sales", "avg_order_value", "clv"],
                      pct=["win_rate", "growth"])  # fmt: skip

    for widget in (product, channel, dimension):
        widget.observe(redraw, names="value")
    redraw()
    panel = w.VBox([w.HBox([product, channel, dimension]), out])
    display(panel)
    return panel
