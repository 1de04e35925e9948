"""Plan vs actual: the year to date, the current quarter, each quarter and month, each rep, product line and channel.

Also the full-year outlook (`projection`) and which rows a report shows (`pva_shown`).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from planning.review.periods import between, elapsed, month_start, quarter_key, shift_year, ts, ytd_window
from planning.review.plan import Plan

#: The order-line columns this step reads (`Context.data` reads only these of the orders file: on a 10 M-line
#: history the others would cost seconds and memory for nothing). A new use of another column in any review
#: module goes here too.
ORDER_COLUMNS = (
    "order_id",
    "order_date",
    "customer_id",
    "rep_id",
    "region",
    "product_line",
    "channel",
    "quantity",
    "amount",
    "margin",
)

PVA_LEVELS = ("ytd", "qtd", "quarter", "month", "rep", "product_line", "channel")
PVA_COLUMNS = ["level", "key", "plan", "actual", "variance", "variance_pct", "completion", "plan_basis"]


def _with_variance(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["variance"] = out["actual"] - out["plan"]
    plan = out["plan"].where(out["plan"] != 0)
    out["variance_pct"] = out["variance"] / plan
    out["completion"] = out["actual"] / plan
    return out


def monthly_actuals(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Revenue per calendar month of the orders dated in [start, end]: month (first day), actual; no gaps."""
    months = pd.date_range(start.to_period("M").to_timestamp(), end.to_period("M").to_timestamp(), freq="MS")
    sel = orders[between(orders["order_date"], start, end)]
    actual = sel["amount"].astype(float).groupby(month_start(sel["order_date"])).sum()
    return pd.DataFrame({"month": months, "actual": actual.reindex(months, fill_value=0.0).to_numpy()})


def prorated(plan_months: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Plan to date per month: the full target of past months, the elapsed share of the current one."""
    out = plan_months.copy()
    out["elapsed"] = [elapsed(m, as_of) for m in out["month"]]
    out["plan"] = out["target"] * out["elapsed"]
    return out


def _mix_plan(orders: pd.DataFrame, dim: str, plan_total: float, as_of: date) -> tuple[pd.DataFrame, str]:
    """Split `plan_total` over the values of `dim` by last year's mix in the same window (the plan has no
    product or channel split of its own); without sales in that window (a short history: the region's first
    year) by the mix of all the history before the year. Out: (key, plan), the basis: "mix_last_year",
    "mix_history", or "mix_none" (no sales before the year: no split)."""
    start, end = ytd_window(as_of, 1)
    ly = orders[between(orders["order_date"], start, end)]
    basis = "mix_last_year"
    if ly.empty or ly["amount"].sum() <= 0:
        start, end = pd.Timestamp.min, ytd_window(as_of)[0] - pd.Timedelta(days=1)
        ly = orders[between(orders["order_date"], start, end)]
        basis = "mix_history"
    rev = ly.groupby(ly[dim].astype(str))["amount"].sum()
    rev = rev[rev > 0]
    if rev.empty:
        return pd.DataFrame(columns=["key", "plan"]), "mix_none"
    return pd.DataFrame({"key": rev.index, "plan": (plan_total * rev / rev.sum()).to_numpy()}), basis


def plan_vs_actual(orders: pd.DataFrame, plan: Plan, as_of: date) -> pd.DataFrame:
    """Plan vs actual of `as_of`'s year to date.

    In: the region's order lines (order_date, amount, rep_id, product_line, channel) up to `as_of`; the Plan.
    Out (PVA_COLUMNS): level (ytd | qtd | quarter | month | rep | product_line | channel), key, plan (to date:
    the current month pro rata of its days), actual, variance = actual - plan, variance_pct = variance / plan,
    completion = actual / plan, plan_basis ("plan"; for product_line and channel the mix the plan is split by:
    "mix_last_year", "mix_history" (the history before the year: no sales in last year's window), "mix_none").
    With no plan the plan columns are NaN.
    """
    start, end = ytd_window(as_of)
    act = monthly_actuals(orders, start, end)
    pm = prorated(plan.months[plan.months["month"].dt.year == as_of.year], as_of)
    months = act.merge(pm[["month", "plan"]], on="month", how="left")
    if not plan.exists:
        months["plan"] = math.nan
    rows = [months.assign(level="month", key=months["month"].dt.strftime("%Y-%m"))]
    q = months.assign(key=[quarter_key(m) for m in months["month"]])
    quarters = q.groupby("key", as_index=False)[["plan", "actual"]].sum(min_count=1)
    rows.append(quarters.assign(level="quarter"))
    current_q = quarter_key(pd.Timestamp(as_of))
    rows.append(quarters[quarters["key"] == current_q].assign(level="qtd"))
    ytd = pd.DataFrame(
        {
            "key": [str(as_of.year)],
            "plan": [months["plan"].sum(min_count=1)],
            "actual": [months["actual"].sum()],
        }
    )
    rows.append(ytd.assign(level="ytd"))

    ytd_orders = orders[between(orders["order_date"], start, end)]
    rep_act = ytd_orders.groupby(ytd_orders["rep_id"].astype(str))["amount"].sum().rename("actual")
    rp = plan.reps[plan.reps["month"].dt.year == as_of.year]
    rp = rp.assign(plan=rp["target"] * [elapsed(m, as_of) for m in rp["month"]])
    rep_plan = rp.groupby("rep_id")["plan"].sum()
    reps = pd.concat([rep_plan, rep_act], axis=1).reset_index(names="key")
    reps["actual"] = reps["actual"].fillna(0.0)
    if plan.exists:
        reps["plan"] = reps["plan"].fillna(0.0)
    rows.append(reps.assign(level="rep"))

    plan_total = float(ytd["plan"].iloc[0])
    for dim in ("product_line", "channel"):
        a = (
            ytd_orders.groupby(ytd_orders[dim].astype(str))["amount"]
            .sum()
            .rename("actual")
            .rename_axis("key")
            .reset_index()
        )
        mp, basis = _mix_plan(orders, dim, plan_total, as_of)
        if not plan.exists:
            mp = pd.DataFrame(columns=["key", "plan"])
        d = a.merge(mp, on="key", how="outer")
        d["actual"] = d["actual"].fillna(0.0)
        if plan.exists:
            d["plan"] = d["plan"].astype(float).fillna(0.0)
        rows.append(d.assign(level=dim, plan_basis=basis))

    out = pd.concat(
        [r[[c for c in ("level", "key", "plan", "actual", "plan_basis") if c in r]] for r in rows]
    )
    out["plan_basis"] = out["plan_basis"].fillna("plan")
    out["plan"] = out["plan"].astype(float)
    out = _with_variance(out)
    order = {lvl: i for i, lvl in enumerate(PVA_LEVELS)}
    out = out.sort_values(["level", "key"], key=lambda s: s.map(order) if s.name == "level" else s)
    return out[PVA_COLUMNS].reset_index(drop=True)


#: The to-date windows of a review (week, month, quarter, year to date), ending on `as_of`.
TO_DATE = ("wtd", "mtd", "qtd", "ytd")
TO_DATE_COLUMNS = [
    "period",
    "start",
    "end",
    "plan",
    "actual",
    "variance",
    "completion",
    "actual_last_year",
    "growth",
]


def window_start(period: str, as_of: date) -> pd.Timestamp:
    """First day of the `period` (TO_DATE) window that ends on `as_of`: the ISO week's Monday, the month's, the
    quarter's or the year's first day."""
    d = ts(as_of)
    starts = {
        "wtd": d - pd.Timedelta(days=d.day_of_week),
        "mtd": d.replace(day=1),
        "qtd": pd.Timestamp(d.year, 3 * ((d.month - 1) // 3) + 1, 1),
        "ytd": pd.Timestamp(d.year, 1, 1),
    }
    return starts[period]


def daily_plan(plan: Plan, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """The plan for the days [start, end]: each month's target spread evenly over its calendar days (the rule
    `prorated` applies to the current month). NaN without a plan."""
    if not plan.exists:
        return math.nan
    days = pd.date_range(start, end, freq="D")
    months = plan.months.set_index("month")["target"]
    per_day = pd.Series(days.to_period("M").to_timestamp(), index=days).map(months).fillna(0.0)
    return float((per_day / days.days_in_month).sum())


def to_date(orders: pd.DataFrame, plan: Plan, as_of: date) -> pd.DataFrame:
    """Week, month, quarter and year to date against the plan of record (TO_DATE_COLUMNS).

    Each window runs from its first day (`window_start`: the ISO week starts on Monday) to `as_of`. plan: the
    plan's months spread evenly over their days (`daily_plan`); actual: revenue of the orders dated in the window;
    actual_last_year: the same window a year earlier; growth = actual / actual_last_year - 1.
    """
    end = ts(as_of)
    dates = pd.to_datetime(orders["order_date"])
    amount = orders["amount"].astype(float)
    rows = []
    for period in TO_DATE:
        start = window_start(period, as_of)
        actual = float(amount[(dates >= start) & (dates <= end)].sum())
        ly_start, ly_end = shift_year(start), shift_year(end)
        last_year = float(amount[(dates >= ly_start) & (dates <= ly_end)].sum())
        p = daily_plan(plan, start, end)
        rows.append(
            {
                "period": period,
                "start": start.strftime("%Y-%m-%d"),
                "end": end.strftime("%Y-%m-%d"),
                "plan": p,
                "actual": actual,
                "variance": actual - p,
                "completion": actual / p if p and not math.isnan(p) else math.nan,
                "actual_last_year": last_year,
                "growth": actual / last_year - 1 if last_year > 0 else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=TO_DATE_COLUMNS)


#: Reps the report's plan-vs-actual chart and table show at each end (furthest below and furthest above plan,
#: year to date) when a region has more than twice as many; plan_vs_actual.csv always holds every rep.
PVA_REPS_SHOWN = 10


def pva_shown(pva: pd.DataFrame, shown: int = PVA_REPS_SHOWN) -> pd.DataFrame:
    """The plan-vs-actual rows a report shows: every period, product line and channel row, and the rep rows -
    all of them when there are at most 2 x `shown`, else the `shown` furthest below plan and the `shown` furthest
    above by variance % (ties by rep id; reps without a plan have no variance and are left out). Rows keep their
    order, so a table stays grouped by level; with hundreds of reps the report stays readable and its size
    bounded."""
    if shown < 1:
        raise ValueError(f"pva_shown: shown must be a positive number of reps, got {shown}")
    is_rep = pva["level"] == "rep"
    if int(is_rep.sum()) <= 2 * shown:
        return pva
    ranked = pva[is_rep].dropna(subset=["variance_pct"]).sort_values(["variance_pct", "key"], kind="stable")
    keep = ranked.index[:shown].union(ranked.index[-shown:])
    return pva[~is_rep | pva.index.isin(keep)]


def projection(pva: pd.DataFrame, plan: Plan, as_of: date) -> pd.DataFrame:
    """Full-year outlook: item, amount.

    items: annual_plan; ytd_plan; ytd_actual; linear (YTD actual / elapsed days * days in the year);
    seasonal (YTD actual / the share of the annual plan due by as_of: the plan's own month profile);
    gap_linear, gap_seasonal (projection - annual plan).
    """
    ytd = pva[pva["level"] == "ytd"].iloc[0]
    start, end = ytd_window(as_of)
    days_year = 366 if pd.Timestamp(as_of).is_leap_year else 365
    days_elapsed = (end - start).days + 1
    annual = plan.annual if plan.exists else math.nan
    linear = ytd["actual"] / days_elapsed * days_year
    seasonal = ytd["actual"] / (ytd["plan"] / annual) if plan.exists and ytd["plan"] > 0 else math.nan
    items = {
        "annual_plan": annual,
        "ytd_plan": ytd["plan"],
        "ytd_actual": ytd["actual"],
        "linear": linear,
        "seasonal": seasonal,
        "gap_linear": linear - annual,
        "gap_seasonal": seasonal - annual,
    }
    return pd.DataFrame({"item": list(items), "amount": [float(v) for v in items.values()]})
