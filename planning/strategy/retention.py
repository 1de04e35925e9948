"""The installed base: what last year's customers keep and grow (net revenue retention, gross churn), what a new
customer's first year is worth per unit of the won deal value that brought it, and the plan year's target.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from planning.data import require
from planning.market.periods import covered
from planning.params import Params
from planning.strategy.history import months_before

#: A won deal brought a new customer when it closed no later than this many days after the first order.
MATCH_DAYS = 31
#: Limits of the measured first-year revenue factor (the params override has the same range).
FIRST_YEAR_BOUNDS = (1.0, 5.0)


def target_year(targets: pd.DataFrame | None) -> float:
    """The plan year's total target from `targets.csv` (level year); NaN when unavailable."""
    if targets is None or not {"level", "target"} <= set(targets.columns):
        return math.nan
    year = targets.loc[targets["level"].astype(str) == "year", "target"]
    return float(year.sum()) if len(year) else math.nan


def retention(orders: pd.DataFrame, p: Params) -> dict[str, float]:
    """Net revenue retention and gross churn of existing customers, measured from orders.

    Customers active in the 12 months before the last 12 up to `as_of` (positive revenue there): nrr = their revenue in the
    last 12 months / their revenue in those 12 months before; gross_churn = the earlier revenue of those of them
    who bought nothing in the last 12 months / the same denominator; expansion = nrr - (1 - gross_churn) (growth
    of the ones who stayed, net of contraction). Reads `as_of`; `strategy.net_retention` / `gross_churn` override the measured
    values (nrr_used, churn_used; source "params" or "data"). The measured values are NaN (source "none": revenue per
    customer kept flat) unless the orders cover the whole 12 months before the last 12 (`market.periods.covered`):
    an export that starts within them would compare a few months with a year (an NRR of 600 %).
    Out: prior_revenue, retained_revenue, churned_revenue, customers_prior, customers_churned, nrr, gross_churn,
    nrr_used, churn_used, expansion_used, source.
    """
    require(orders, "orders", ("order_date", "customer_id", "amount"))
    as_of, s = pd.Timestamp(p.as_of), p.strategy
    d = pd.to_datetime(orders["order_date"])
    cid = orders["customer_id"].astype(str)
    last = (d > months_before(as_of, 12)) & (d <= as_of)
    prior = (d > months_before(as_of, 24)) & (d <= months_before(as_of, 12))
    cover = covered(d, as_of)
    if cover is None or cover.start > months_before(as_of, 24) + pd.Timedelta(days=1):
        prior = pd.Series(False, index=orders.index)  # part of the prior year only: no like-for-like base
    r_prior = orders.loc[prior, "amount"].groupby(cid[prior]).sum()
    r_last = orders.loc[last, "amount"].groupby(cid[last]).sum()
    active = r_prior[r_prior > 0]
    kept = r_last.reindex(active.index).fillna(0.0)
    churned = active[kept <= 0]
    base = float(active.sum())
    nrr = float(kept.sum()) / base if base > 0 else math.nan
    churn = float(churned.sum()) / base if base > 0 else math.nan
    nrr_used = s.net_retention if s.net_retention is not None else nrr
    churn_used = s.gross_churn if s.gross_churn is not None else churn
    source = "params" if s.net_retention is not None or s.gross_churn is not None else "data"
    if not math.isfinite(nrr_used):
        nrr_used, source = 1.0, "none"  # no second year of history: flat revenue per customer
    if not math.isfinite(churn_used):
        churn_used = 0.0
    return {
        "prior_revenue": base,
        "retained_revenue": float(kept.sum()),
        "churned_revenue": float(churned.sum()),
        "customers_prior": int(len(active)),
        "customers_churned": int(len(churned)),
        "nrr": nrr,
        "gross_churn": churn,
        "nrr_used": float(nrr_used),
        "churn_used": float(churn_used),
        "expansion_used": float(nrr_used) - (1.0 - float(churn_used)),
        "source": source,
    }


def first_year_revenue(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    opps: pd.DataFrame | None,
    p: Params,
) -> dict[str, Any]:
    """Revenue a new customer brings in its first 12 months per unit of the won deal value that brought it.

    Pipeline is counted in deal value, but a new customer keeps ordering after the deal that won it (spare parts,
    services, repeat equipment), so its first year is worth more than the deal. Measured on the last complete
    cohort: customers whose first order (customers.first_order_date, else their first order line) falls in the
    12 months ending 12 months before `as_of`, so each has a full first year by `as_of`. revenue = their orders in
    the 12 months from the first order; won_value = their won deals closed no later than `MATCH_DAYS` after the
    first order (the deals that brought them); only customers with such a deal count in both.
    measured = revenue / won_value; used = `strategy.first_year_revenue_factor`, else measured limited to
    `FIRST_YEAR_BOUNDS` (a small cohort must not swing the plan), else 1 (no cohort: pipeline = revenue).
    Reads `as_of`, `strategy.first_year_revenue_factor`.
    Out: cohort_start, cohort_end (dates), customers, revenue, won_value, measured, used, source
    (params | data | none).
    """
    require(orders, "orders", ("order_date", "customer_id", "amount"))
    as_of, factor = pd.Timestamp(p.as_of), p.strategy.first_year_revenue_factor
    start, end = months_before(as_of, 24), months_before(as_of, 12)
    od = pd.to_datetime(orders["order_date"])
    cid = orders["customer_id"].astype(str)
    if customers is not None and {"customer_id", "first_order_date"} <= set(customers.columns):
        first = pd.Series(
            pd.to_datetime(customers["first_order_date"]).to_numpy(),
            index=customers["customer_id"].astype(str).to_numpy(),
        )
    else:  # first order line; a customer whose first line is at the very start of the history may be older
        first = od.groupby(cid).min()
        first = first[first > od.min()] if len(od) else first
    cohort = first[(first > start) & (first <= end)]
    won = pd.Series(dtype=float)
    if opps is not None and {"customer_id", "status", "close_date", "amount"} <= set(opps.columns):
        close = pd.to_datetime(opps["close_date"])
        w = opps[(opps["status"].astype(str) == "won") & (close <= as_of)]
        w = pd.DataFrame({"customer_id": w["customer_id"].astype(str), "close": close[w.index],
                          "amount": w["amount"].astype(float)})  # fmt: skip
        w = w[w["customer_id"].isin(cohort.index)]
        # reindex, not map: an empty selection keeps the datetime dtype
        first_order = cohort.reindex(w["customer_id"]).to_numpy()
        w = w[(w["close"] <= first_order + pd.Timedelta(days=MATCH_DAYS)).to_numpy()]
        won = w.groupby("customer_id")["amount"].sum()
        won = won[won > 0]
    revenue = 0.0
    if len(won):
        sel = cid.isin(won.index).to_numpy()
        o_first = pd.Series(cohort.reindex(cid[sel]).to_numpy(), index=cid[sel].index)
        in_year = (od[sel] >= o_first) & (od[sel] < o_first + pd.DateOffset(months=12))
        revenue = float(orders.loc[sel, "amount"].astype(float)[in_year.to_numpy()].sum())
    won_value = float(won.sum())
    measured = revenue / won_value if won_value > 0 else math.nan
    if factor is not None:
        used, source = float(factor), "params"
    elif math.isfinite(measured):
        used, source = min(max(measured, FIRST_YEAR_BOUNDS[0]), FIRST_YEAR_BOUNDS[1]), "data"
    else:
        used, source = 1.0, "none"
    return {
        "cohort_start": (start + pd.Timedelta(days=1)).date(),
        "cohort_end": end.date(),
        "customers": int(len(won)),
        "revenue": revenue,
        "won_value": won_value,
        "measured": measured,
        "used": used,
        "source": source,
    }
