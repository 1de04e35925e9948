"""What the team and the territories could carry: the capacity curve, the plan year's roster, territory potential.

- `capacity_curve`: the last 3 trailing 12-month periods of sales, ramp-adjusted rep-years, per-rep output,
  funnel and retention figures (the calibration's measured inputs and a report table);
- `roster`: quota reps employed at as_of plus the planned hires (goals.planned_hires);
- `territory_potential`: each rep's accounts' headroom (wallet size - last 12 months' sales) as an index that
  tilts the month -> rep split (goals.territory_weight).

Team numbers (ramp curve, per-rep output, survival) come from `planning.team`, shared with the resources step.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning import team as tm
from planning.goals import forecast as fc

if TYPE_CHECKING:
    from planning.params import Params

#: The ramp curve (tenure 1 = month of hire), shared with the resources step: see `planning.team.ramp`.
ramp = tm.ramp


def capacity_curve(tables: Any, p: Params, ramp_months: int, periods: int = 3) -> pd.DataFrame:
    """The last `periods` trailing 12-month periods' capacity (newest last), from the region's tables.

    Reads as_of. `ramp_months` is the team's ramp (`planning.team.measure`). Out: period (e.g.
    "2025-10..2026-09"), start, end (month starts), sales, quota_sales (sales of quota reps in their employed
    months), rep_fte (ramp-adjusted full-rep years), per_rep (quota_sales / rep_fte,
    `planning.team.output_periods`: the same per-rep output the team dimension and the resources step use),
    orders, aov (sales / orders), customers (buying), new_customers (first order in the period), new_sales, leads,
    spend, cost_per_lead, lead_conversion (new customers / leads), retention (share of the previous period's
    buyers who bought again), exits, headcount (mean quota reps), attrition (exits / headcount). Only periods
    fully inside the history are returned.
    """
    orders = tables.orders
    last = fc.last_complete_month(p.as_of)
    stamps = pd.to_datetime(orders["order_date"])
    first = fc.month_start(stamps.min()) if len(orders) else last
    # Each line's month, compared below with the periods' month starts (all first days of a month): the same
    # masks as comparing the lines' month-start Timestamps, without building them.
    od = stamps.to_numpy().astype("datetime64[M]")
    reps = tm.quota_reps(tables.reps)
    customers = tables.customers
    marketing = tables.marketing
    out_p = pd.DataFrame()
    if reps is not None and len(reps) and len(orders):
        history = tm.rep_months(orders, tables.reps, first.to_period("M"), last.to_period("M"))
        out_p = tm.output_periods(history, last.to_period("M"), ramp_months, periods).set_index("period")
    fod = pd.to_datetime(customers["first_order_date"]) if customers is not None and len(customers) else None
    mm = pd.to_datetime(marketing["month"]) if marketing is not None and len(marketing) else None
    # The periods' lines: only the columns read of them (not every column of every line copied per period).
    lines = orders[[c for c in ("order_id", "customer_id", "amount") if c in orders.columns]]
    rows = []
    for j in range(periods - 1, -1, -1):
        end = last - pd.DateOffset(months=12 * j)
        start = end - pd.DateOffset(months=11)
        if start < first:
            continue
        m_start, m_end = np.datetime64(start, "M"), np.datetime64(end, "M")
        in_p = (od >= m_start) & (od <= m_end)
        o = lines[in_p]
        prev = lines[(od >= m_start - np.timedelta64(12, "M")) & (od < m_start)]
        sales = float(o["amount"].sum())
        label = f"{start:%Y-%m}..{end:%Y-%m}"
        row: dict[str, Any] = {"period": label, "start": start, "end": end, "sales": sales}
        if label in out_p.index:
            row["quota_sales"] = float(out_p.loc[label, "quota_sales"])
            row["rep_fte"] = float(out_p.loc[label, "rep_fte"])
            row["headcount"] = float(out_p.loc[label, "rep_months"]) / 12.0
            exits = reps["exit_date"].between(start, end + pd.offsets.MonthEnd(0))
            row["exits"] = int(exits.sum())
        else:
            row.update(quota_sales=math.nan, rep_fte=math.nan, headcount=math.nan, exits=0)
        row["orders"] = int(o["order_id"].nunique()) if "order_id" in o else len(o)
        buyers = set(o["customer_id"].dropna().astype(str).unique())  # anonymous lines: no customer
        row["customers"] = len(buyers)
        prev_buyers = set(prev["customer_id"].dropna().astype(str).unique())
        row["retention"] = len(buyers & prev_buyers) / len(prev_buyers) if prev_buyers else math.nan
        if fod is not None:
            new_ids = set(
                customers.loc[(fod >= start) & (fod <= end + pd.offsets.MonthEnd(0)), "customer_id"]
            )
        else:
            first_buy = orders.groupby(orders["customer_id"].astype(str), observed=True)["order_date"].min()
            first_buy = pd.to_datetime(first_buy)
            new_ids = set(first_buy[(first_buy >= start) & (first_buy <= end + pd.offsets.MonthEnd(0))].index)
        row["new_customers"] = len(new_ids)
        row["new_sales"] = float(o.loc[o["customer_id"].astype(str).isin(new_ids), "amount"].sum())
        if mm is not None:
            m = marketing[(mm >= start) & (mm <= end)]
            row["leads"] = float(m["leads"].sum())
            row["spend"] = float(m["spend"].sum())
        else:
            row["leads"], row["spend"] = math.nan, math.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["per_rep"] = out["quota_sales"] / out["rep_fte"].where(out["rep_fte"] > 0)
    out["aov"] = out["sales"] / out["orders"].where(out["orders"] > 0)
    out["cost_per_lead"] = out["spend"] / out["leads"].where(out["leads"] > 0)
    out["lead_conversion"] = out["new_customers"] / out["leads"].where(out["leads"] > 0)
    out["attrition"] = out["exits"] / out["headcount"].where(out["headcount"] > 0)
    return out


def roster(reps: pd.DataFrame | None, p: Params) -> pd.DataFrame:
    """Quota reps employed at as_of plus planned hires (goals.planned_hires: team, start_month, count).

    Reads as_of, plan_year, goals.planned_hires. Out: rep_id, name, team, kind ("current" | "hire"), hire_month
    (month-start Timestamp). A hire without a team joins the team with the fewest quota reps at that point
    (ties: first by name). Hires are "HIRE-01" ...
    """
    r = tm.quota_reps(reps)
    asof = pd.Timestamp(p.as_of)
    cols = ["rep_id", "name", "team", "kind", "hire_month"]
    if r is None:  # no reps table: planned hires only (typed, so that hire_month stays a date column)
        cur = pd.DataFrame(
            {c: pd.Series(dtype="datetime64[us]" if c == "hire_month" else "str") for c in cols}
        )
    else:
        active = (r["hire_date"] <= asof) & (r["exit_date"].isna() | (r["exit_date"] > asof))
        cur = r.loc[active, ["rep_id", "name", "team", "hire_date"]].copy()
        cur["team"] = cur["team"].astype(str)
        cur["kind"] = "current"
        cur["hire_month"] = cur["hire_date"].dt.to_period("M").dt.to_timestamp()
        cur = cur[cols].sort_values(["team", "rep_id"]).reset_index(drop=True)
    sizes = cur["team"].value_counts().to_dict()
    rows = []
    n = 0
    for h in p.goals.planned_hires:
        for _ in range(int(h.count)):
            n += 1
            team = h.team or (min(sorted(sizes), key=lambda t: sizes[t]) if sizes else "team-1")
            sizes[team] = sizes.get(team, 0) + 1
            rows.append(
                {
                    "rep_id": f"HIRE-{n:02d}",
                    "name": f"HIRE-{n:02d}",
                    "team": team,
                    "kind": "hire",
                    "hire_month": pd.Timestamp(year=p.plan_year, month=int(h.start_month), day=1),
                }
            )
    out = pd.concat([cur, pd.DataFrame(rows, columns=cols)], ignore_index=True) if rows else cur
    return out.reset_index(drop=True)


def territory_potential(tables: Any, rep_ids: list[str], p: Params) -> np.ndarray:
    """Territory potential index per rep (mean 1 over reps with accounts): (1 - weight) + weight x headroom /
    mean headroom, headroom = sum over the rep's accounts (customers whose last order was with the rep) of
    max(wallet_size - last 12 months' sales, 0). Reads as_of and goals.territory_weight (-> weight). Reps
    without accounts (new hires) get 1.
    """
    n = len(rep_ids)
    weight = p.goals.territory_weight
    if weight <= 0 or tables.customers is None or n == 0 or "wallet_size" not in tables.customers:
        return np.ones(n)
    o = tables.orders
    od = pd.to_datetime(o["order_date"])
    last = o.assign(_d=od).sort_values("_d").groupby(o["customer_id"].astype(str), observed=True).tail(1)
    owner = pd.Series(last["rep_id"].astype(str).to_numpy(), index=last["customer_id"].astype(str).to_numpy())
    start = fc.last_complete_month(p.as_of) - pd.DateOffset(months=11)
    recent = (
        o[od >= start].groupby(o.loc[od >= start, "customer_id"].astype(str), observed=True)["amount"].sum()
    )
    cust = tables.customers.assign(customer_id=tables.customers["customer_id"].astype(str)).set_index(
        "customer_id"
    )
    head = (cust["wallet_size"].astype(float) - recent.reindex(cust.index).fillna(0.0)).clip(lower=0.0)
    by_rep = head.groupby(owner.reindex(head.index)).sum()
    h = np.array([float(by_rep.get(r, math.nan)) for r in rep_ids])
    known = np.isfinite(h)
    if not known.any() or np.nanmean(h) <= 0:
        return np.ones(n)
    idx = np.ones(n)
    idx[known] = (1 - weight) + weight * h[known] / np.nanmean(h[known])
    return idx
