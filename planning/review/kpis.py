"""The KPI board: outcome and process KPIs this year to date against a target or last year's same window, lit
red / yellow / green by `review.red_below_baseline` / `review.yellow_below_baseline`; and the process-vs-outcome
checks (a process KPI rising while its outcome falls)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning.market.periods import Window, covered
from planning.review.periods import between, div, ytd_window

if TYPE_CHECKING:
    from planning.params import Params

STATUSES = ("green", "yellow", "red")
DEFAULT_CLV_YEARS = 10.0

# kpi, kind, higher is better, unit (how the board formats it)
KPIS: tuple[tuple[str, str, bool, str], ...] = (
    ("target_completion", "outcome", True, "pct"),
    ("revenue_growth", "outcome", True, "pct"),
    ("new_customers", "outcome", True, "count"),
    ("retention", "outcome", True, "pct"),
    ("leads", "process", True, "count"),
    ("lead_conversion", "process", True, "pct"),
    ("proposals", "process", True, "count"),
    ("win_rate", "process", True, "pct"),
    ("cycle_time", "process", False, "days"),
    ("aov", "process", True, "money"),
    ("clv", "process", True, "money"),
    ("productivity", "process", True, "money"),
)
KPI_META = {k: {"kind": kind, "higher": hi, "unit": unit} for k, kind, hi, unit in KPIS}
#: Tables a KPI needs beyond orders (named in the report when they are missing).
KPI_NEEDS = {"leads": "opportunities", "lead_conversion": "opportunities", "proposals": "opportunities",
             "win_rate": "opportunities", "cycle_time": "opportunities", "productivity": "reps",
             "target_completion": "plan_of_record"}  # fmt: skip


def _buyers(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> set:
    keep = between(orders["order_date"], start, end) & (orders["amount"] > 0) & orders["customer_id"].notna()
    # distinct first: iterating millions of lines is slow; only the column is filtered, not the whole frame
    return set(orders["customer_id"][keep].astype(str).unique())


def _retention(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Share of the customers who bought in the calendar year before `start` who bought again in [start, end]."""
    prior = _buyers(orders, pd.Timestamp(start.year - 1, 1, 1), start - pd.Timedelta(days=1))
    return div(len(prior & _buyers(orders, start, end)), len(prior)) if prior else math.nan


def _clv(orders: pd.DataFrame, end: pd.Timestamp, max_years: float) -> float:
    """Gross margin per customer of the 12 months to `end` times the expected lifetime in years
    (1 / annual churn, churn = share of the previous 12 months' buyers who did not buy again), capped."""
    y1 = end - pd.DateOffset(years=1)
    last = between(orders["order_date"], y1 + pd.Timedelta(days=1), end) & orders["customer_id"].notna()
    prev = _buyers(orders, y1 - pd.DateOffset(years=1) + pd.Timedelta(days=1), y1)
    now = set(orders["customer_id"][last & (orders["amount"] > 0)].astype(str).unique())
    if not now or not prev:
        return math.nan
    churn = 1 - len(prev & now) / len(prev)
    life = min(1 / churn, max_years) if churn > 0 else max_years
    return float(orders["margin"][last].sum()) / len(now) * life


def _rep_months(reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Quota-carrying rep-months in [start, end]: a rep counts in every month he or she was employed in."""
    r = reps[reps["role"].astype(str) == "rep"]
    # parsed once, not per month; NaT compares False, as in pandas
    hired = pd.to_datetime(r["hire_date"]).to_numpy()
    exit_ = pd.to_datetime(r["exit_date"])
    stays, exit_ = exit_.isna().to_numpy(), exit_.to_numpy()
    total = 0.0
    for m in pd.date_range(start, end, freq="MS"):
        m_end = m + pd.offsets.MonthEnd(0)
        total += float(
            np.count_nonzero((hired <= m_end.to_datetime64()) & (stays | (exit_ >= m.to_datetime64())))
        )
    return total


def period_metrics(tables: Any, start: pd.Timestamp, end: pd.Timestamp, clv_years: float) -> dict[str, float]:
    """The raw measures of one window [start, end] (NaN where a table is missing).

    revenue, orders, aov (revenue / distinct orders), new_customers (customers table first_order_date in the
    window, else first order in the orders), retention, clv, leads (opportunities entering the funnel; else
    marketing leads), lead_conversion (of those leads, the share won by `end`), proposals (proposal_date in the
    window), win_rate (won / closed in the window), cycle_time (median days lead -> close of deals won in the
    window), productivity (revenue per quota rep-month).
    """
    orders = tables.orders
    sel = between(orders["order_date"], start, end)
    revenue = float(orders["amount"][sel].sum())
    n_orders = orders["order_id"][sel].nunique()
    m: dict[str, float] = {"revenue": revenue, "orders": float(n_orders), "aov": div(revenue, n_orders)}
    cust = getattr(tables, "customers", None)
    if cust is not None and "first_order_date" in cust:
        m["new_customers"] = float(between(cust["first_order_date"], start, end).sum())
    else:
        first = orders.groupby(orders["customer_id"].astype(str))["order_date"].min()
        m["new_customers"] = float(between(first, start, end).sum())
    m["retention"] = _retention(orders, start, end)
    m["clv"] = _clv(orders, end, clv_years)
    opps = getattr(tables, "opportunities", None)
    if opps is not None and len(opps):
        lead_in = between(opps["lead_date"], start, end)
        status, close = opps["status"].astype(str), pd.to_datetime(opps["close_date"])  # cast once
        won_by_end = (status == "won") & (close <= end)
        closed = between(close, start, end)
        won = closed & (status == "won")
        lost = closed & (status == "lost")
        m["leads"] = float(lead_in.sum())
        m["lead_conversion"] = div((lead_in & won_by_end).sum(), lead_in.sum())
        m["proposals"] = float(between(opps["proposal_date"], start, end).sum())
        m["win_rate"] = div(won.sum(), won.sum() + lost.sum())
        days = (
            pd.to_datetime(opps.loc[won, "close_date"]) - pd.to_datetime(opps.loc[won, "lead_date"])
        ).dt.days
        m["cycle_time"] = float(days.median()) if len(days) else math.nan
    else:
        mk = getattr(tables, "marketing", None)
        m["leads"] = (
            float(mk.loc[between(mk["month"], start, end), "leads"].sum()) if mk is not None else math.nan
        )
        for k in ("lead_conversion", "proposals", "win_rate", "cycle_time"):
            m[k] = math.nan
    reps = getattr(tables, "reps", None)
    rep_months = _rep_months(reps, start, end) if reps is not None else 0.0
    m["productivity"] = div(revenue, rep_months) if rep_months else math.nan
    return m


@dataclass(frozen=True)
class BaselineGap:
    """A KPI without a like-for-like baseline: the comparison needs `table`'s data from `start` to `end` (last
    year's same window through the planning date) but the data covers only `covered` (None: no dates)."""

    table: str
    start: pd.Timestamp
    end: pd.Timestamp
    covered: Window | None


def _kpi_table(tables: Any, kpi: str) -> str | None:
    """The table a KPI is counted on (None when it is missing)."""
    if kpi == "target_completion":
        return None
    if KPI_NEEDS.get(kpi) == "opportunities" or kpi == "leads":
        opps = getattr(tables, "opportunities", None)
        if opps is not None and len(opps):
            return "opportunities"
        mk = getattr(tables, "marketing", None)
        return "marketing" if kpi == "leads" and mk is not None and len(mk) else None
    cust = getattr(tables, "customers", None)
    if kpi == "new_customers" and cust is not None and "first_order_date" in cust:
        return "customers"
    return "orders" if getattr(tables, "orders", None) is not None else None


def _table_dates(tables: Any, table: str) -> pd.Series:
    """The dates that say which days `table` (a `_kpi_table`) covers."""
    if table == "opportunities":
        opps = tables.opportunities
        return pd.concat([pd.to_datetime(opps["lead_date"]), pd.to_datetime(opps["close_date"])])
    if table == "marketing":  # a month's row covers the month: its first and last day
        month = pd.to_datetime(tables.marketing["month"]).dt.to_period("M")
        return pd.concat([month.dt.start_time, month.dt.end_time.dt.normalize()])
    if table == "customers":
        return pd.to_datetime(tables.customers["first_order_date"])
    return pd.to_datetime(tables.orders["order_date"])


def baseline_gaps(tables: Any, as_of: date) -> dict[str, BaselineGap]:
    """The KPIs whose baseline (last year's same window) the data does not cover, nor the window to `as_of`.

    A baseline counted on part of a window (leads of the three months an export holds of last year against nine
    months this year) is no baseline: such a KPI gets none and is lit only against a target. Needed from: last
    year's 1 January (revenue growth's own baseline: the year before; retention: the calendar year before the
    window; CLV: the 24 months to the window's end). Coverage: `market.periods.covered` of the KPI's table.
    """
    start, end = ytd_window(as_of, 1)
    need = {k: start for k in KPI_META}
    need["revenue_growth"] = ytd_window(as_of, 2)[0]
    need["retention"] = pd.Timestamp(start.year - 1, 1, 1)
    need["clv"] = end - pd.DateOffset(years=2) + pd.Timedelta(days=1)
    as_of_ts = pd.Timestamp(as_of)
    gaps: dict[str, BaselineGap] = {}
    cover_of: dict[str, Window | None] = {}
    for kpi in KPI_META:
        table = _kpi_table(tables, kpi)
        if table is None:
            continue
        if table not in cover_of:  # each table's dates are read once, for all its KPIs
            cover_of[table] = covered(_table_dates(tables, table), as_of_ts)
        cover = cover_of[table]
        if cover is None or cover.start > need[kpi] or cover.end < as_of_ts:
            gaps[kpi] = BaselineGap(table, need[kpi], as_of_ts, cover)
    return gaps


def kpi_values(tables: Any, pva: pd.DataFrame, p: Params) -> pd.DataFrame:
    """KPI actual (this year to date), baseline (same window last year) and target, before any status.

    No baseline (NaN) where the data does not cover last year's window (`baseline_gaps`): such a KPI is lit only
    against a target from `review.kpi_targets`, and revenue growth has no value at all without last year.

    Targets: target_completion 100%; revenue_growth the growth the plan asks for over last year's same window;
    the rest from `review.kpi_targets` (NaN when not set). Reads `p.as_of`, `review.kpi_targets`,
    `market.clv_max_years`. Out: kpi, kind, unit, higher_is_better, actual, baseline, target.
    """
    as_of = p.as_of
    clv_years = float(getattr(p.market, "clv_max_years", DEFAULT_CLV_YEARS))
    cur = period_metrics(tables, *ytd_window(as_of), clv_years)
    base = period_metrics(tables, *ytd_window(as_of, 1), clv_years)
    base2 = period_metrics(tables, *ytd_window(as_of, 2), clv_years)
    ytd = pva[pva["level"] == "ytd"].iloc[0]
    gaps = baseline_gaps(tables, as_of)
    values = {
        k: (cur.get(k, math.nan), math.nan if k in gaps else base.get(k, math.nan), math.nan)
        for k in KPI_META
    }
    values["target_completion"] = (ytd["completion"], math.nan, 1.0)
    # Growth on last year needs all of last year's window; its own baseline (last year's growth) the year before.
    year_ago_ok = (
        "revenue_growth" not in gaps
        or gaps["revenue_growth"].covered is not None
        and (
            gaps["revenue_growth"].covered.start <= ytd_window(as_of, 1)[0]
            and gaps["revenue_growth"].covered.end >= pd.Timestamp(as_of)
        )
    )
    values["revenue_growth"] = (
        div(cur["revenue"], base["revenue"]) - 1 if year_ago_ok else math.nan,
        div(base["revenue"], base2["revenue"]) - 1 if "revenue_growth" not in gaps else math.nan,
        div(ytd["plan"], base["revenue"]) - 1 if year_ago_ok else math.nan,
    )
    rows = []
    for kpi, (a, b, t) in values.items():
        t = p.review.kpi_targets.get(kpi, t)
        meta = KPI_META[kpi]
        rows.append((kpi, meta["kind"], meta["unit"], meta["higher"], a, b, t))
    cols = ["kpi", "kind", "unit", "higher_is_better", "actual", "baseline", "target"]
    return pd.DataFrame(rows, columns=cols).astype({"actual": float, "baseline": float, "target": float})


def kpi_status(values: pd.DataFrame, red: float, yellow: float) -> pd.DataFrame:
    """Traffic lights: each KPI is compared with its target when it has one, else with its baseline.

    shortfall = how far the KPI is on the bad side of the reference, relative to it (growth rates compare the
    levels 1 + growth). red when shortfall > `red` ("more than 20% below baseline" is red, exactly 20% is not),
    yellow when > `yellow`, else green. KPIs without actual or reference get no light and are dropped.
    Out: the input columns plus compared_with (target | baseline), reference, shortfall, status (the
    board's `rule` sentence is added by `narrate.kpi_rules`).
    """
    if yellow > red:
        raise ValueError(f"yellow threshold {yellow} is above the red one {red}")
    out = values.copy()
    use_target = out["target"].notna()
    out["compared_with"] = np.where(use_target, "target", "baseline")
    out["reference"] = out["target"].where(use_target, out["baseline"])
    growth = out["kpi"] == "revenue_growth"
    act = out["actual"] + growth.astype(float)
    ref = out["reference"] + growth.astype(float)
    rel = act / ref.where(ref != 0) - 1
    # rounded so that "exactly 20% below" is exactly 0.2 and not 0.19999999999999996
    out["shortfall"] = np.round(np.where(out["higher_is_better"], -rel, rel), 9)
    out = out[out["shortfall"].notna()].copy()
    sf = out["shortfall"]
    out["status"] = np.select([sf > red, sf > yellow], ["red", "yellow"], "green")
    return out.reset_index(drop=True)


def missing_kpis(board: pd.DataFrame) -> list[str]:
    """KPIs the board could not light (no data or no reference)."""
    return [k for k in KPI_META if k not in set(board["kpi"])]


def absent_kpis(board: pd.DataFrame, tables: Any) -> list[str]:
    """Of the `missing_kpis`, those whose table (`KPI_NEEDS`) is not in `tables` (none when `tables` is None)."""
    if tables is None:
        return []
    return [k for k in missing_kpis(board) if k in KPI_NEEDS and tables.get(KPI_NEEDS[k]) is None]


#: (process KPI, outcome KPI, what it means when the process rose and the outcome fell)
PROCESS_CHECKS = (("proposals", "win_rate", "proposal_fit"), ("leads", "lead_conversion", "lead_quality"),
                  ("leads", "new_customers", "lead_to_customer"))  # fmt: skip


def process_checks(board: pd.DataFrame) -> pd.DataFrame:
    """Process vs outcome: for each pair, the change of both against their baselines (relative) and whether the
    process rose while the outcome fell. Out: check, process_kpi, process_change, outcome_kpi, outcome_change,
    flagged."""
    v = board.set_index("kpi")
    rows = []
    for proc, outc, name in PROCESS_CHECKS:
        if proc not in v.index or outc not in v.index:
            continue
        pc = div(v.at[proc, "actual"], v.at[proc, "baseline"]) - 1
        oc = div(v.at[outc, "actual"], v.at[outc, "baseline"]) - 1
        rows.append((name, proc, pc, outc, oc, bool(pc > 0 and oc < 0)))
    return pd.DataFrame(rows, columns=["check", "process_kpi", "process_change", "outcome_kpi", "outcome_change",
                                       "flagged"])  # fmt: skip
