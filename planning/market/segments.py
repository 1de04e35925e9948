"""Segmentation and the ideal customer profile (ICP): customers grouped by their attributes (industry, company
size, acquisition channel), each segment's sales, CLV, win rate and growth, and the ICP ranking a planner
concentrates resources on.

Pure functions: canonical tables (docs/data.md) and params in, DataFrames out. Artefact `segments` (segment key
"<industry>/<size_band>", with `industry` and `size_band` columns; planning/contracts.py, docs/artifacts.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from planning.data import require
from planning.market.periods import Window, as_str, ratio, windows

if TYPE_CHECKING:
    from planning.params import Params

SEGMENT_DIMENSIONS = ("industry", "size_band")  # default segment key: "<industry>/<size_band>"
SEGMENT_SEP = "/"
CLOSED = ("won", "lost")


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


def order_segments(orders: pd.DataFrame, customers: pd.DataFrame | None, by: Sequence[str]) -> pd.DataFrame:
    """Order lines with the customer attributes `by` (industry, size_band, ...) joined on customer_id.

    Lines of customers missing from `customers` get "unknown".
    """
    o = orders.assign(customer_id=as_str(orders["customer_id"]))
    need = [c for c in by if c not in o.columns or (customers is not None and o[c].isna().all())]
    if need:
        o = o.drop(columns=[c for c in need if c in o.columns])
        require(customers, "customers", ("customer_id", *need))
        attrs = customers[["customer_id", *need]].assign(customer_id=as_str(customers["customer_id"]))
        attrs = attrs.drop_duplicates("customer_id")
        o = o.merge(attrs, on="customer_id", how="left")
    for c in by:
        o[c] = as_str(o[c]).where(o[c].notna(), "unknown")
    return o


def segment_key(df: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    """The segment key of each row: the columns `by` as text joined with "/" ("Machinery/large").

    Column-wise string concatenation: a row-wise join costs ~1,000x more on millions of order lines.
    """
    key = as_str(df[by[0]])
    for col in by[1:]:
        key = key + SEGMENT_SEP + as_str(df[col])
    return key


#: What a minimal plan's segments leave empty: the figures that need two comparable periods.
MINIMAL_EMPTY = ("sales_prev", "growth", "retention", "lifetime_years", "clv")


def segments(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    opportunities: pd.DataFrame | None,
    p: Params,
    by: Sequence[str] = SEGMENT_DIMENSIONS,
    minimal: bool = False,
) -> pd.DataFrame:
    """Segments by customer attributes `by` and the ideal customer profile ranking (artefact `segments`).

    Periods: L12M and P12M ending on params `as_of`; the `market` keys read are named below.
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
    empty (the data has no segment dimension: see `segment_dimensions`). `minimal` (a minimal plan's 3-12
    months, docs/method.md "Short histories"): no P12M to compare with, so sales_prev, growth, retention,
    lifetime_years and clv are empty (NaN) and the ICP ranks on sales and win rate (an empty metric counts as
    the median for every segment).
    """
    by = list(by)
    cols = ["segment", *by, "customers", "sales", "orders", "avg_order_value", "margin", "retention",
            "lifetime_years", "clv", "closed_deals", "win_rate", "sales_prev", "growth", "icp_score", "icp_rank"]  # fmt: skip
    if not by:
        return _empty_segments(cols)
    mp = p.market
    last, prev = windows(p.as_of)
    o = order_segments(orders[orders["order_date"] <= pd.Timestamp(p.as_of)], customers, by)
    o["segment"] = segment_key(o, by)
    cur, old = o[last.mask(o["order_date"])], o[prev.mask(o["order_date"])]
    g = cur.groupby("segment")
    named = cur[cur["customer_id"].notna()]  # anonymous lines (placeholder customers): sales, no customer
    seg = pd.DataFrame(
        {
            "customers": named.groupby("segment")["customer_id"].nunique(),
            "sales": g["amount"].sum(),
            # the ids as text once, then counted per segment (not a Python function for each segment)
            "orders": as_str(cur["order_id"]).groupby(cur["segment"]).nunique(),
            "margin": g["margin"].sum(),
            "customer_margin": named.groupby("segment")["margin"].sum(),
        }
    )
    seg = seg.join(old.groupby("segment")["amount"].sum().rename("sales_prev"), how="outer")
    dims = o.drop_duplicates("segment").set_index("segment")[by]
    seg = seg.join(dims).fillna(
        {"customers": 0, "sales": 0.0, "orders": 0, "margin": 0.0, "customer_margin": 0.0, "sales_prev": 0.0}
    )
    seg[["customers", "orders"]] = seg[["customers", "orders"]].astype("int64")
    seg["avg_order_value"] = seg["sales"] / seg["orders"].where(seg["orders"] > 0)
    seg["growth"] = ratio(seg["sales"], seg["sales_prev"])

    # Retention: P12M buyers who bought again in L12M.
    old_named = old[old["customer_id"].notna()]
    buyers_prev = old_named.groupby("segment")["customer_id"].unique()
    buyers_now = set(cur["customer_id"].dropna().unique())
    # float: with no earlier buyer (a filter in the what-if panel) the empty maps would be strings
    prev_n = buyers_prev.map(len).astype(float)
    kept = buyers_prev.map(lambda ids: sum(c in buyers_now for c in ids)).astype(float)
    all_prev = set(old_named["customer_id"].unique())
    region_ret = sum(c in buyers_now for c in all_prev) / len(all_prev) if all_prev else float("nan")
    ret = (kept / prev_n).where(prev_n >= mp.min_customers)
    seg["retention"] = ret.reindex(seg.index).fillna(region_ret)
    lifetime = 1.0 / (1.0 - seg["retention"]).clip(lower=1.0 / mp.clv_max_years)
    seg["lifetime_years"] = lifetime.fillna(1.0)
    seg["clv"] = (
        seg.pop("customer_margin") / seg["customers"].where(seg["customers"] > 0) * seg["lifetime_years"]
    )

    seg = seg.join(_win_rates(opportunities, customers, by, last))
    seg["closed_deals"] = seg["closed_deals"].fillna(0).astype("int64")

    if minimal:  # two comparable periods are needed for these (docs/method.md, short histories)
        seg[list(MINIMAL_EMPTY)] = math.nan
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
    require(opportunities, "opportunities", ("status", "close_date", "customer_id"))
    opp = opportunities[
        as_str(opportunities["status"]).isin(CLOSED) & window.mask(opportunities["close_date"])
    ]
    if opp.empty:
        return empty
    opp = order_segments(opp, customers, by)
    opp["segment"] = segment_key(opp, by)
    won = (as_str(opp["status"]) == "won").groupby(opp["segment"])
    return pd.DataFrame({"closed_deals": won.size(), "win_rate": won.mean()})
