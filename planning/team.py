"""The sales team as the data shows it, measured once for both the goals and the resources step.

The goals step's team dimension (and the reps' quotas) and the resources step's month-by-month capacity and hiring
plan are built from the same numbers, so that the two steps cannot disagree:

- the ramp curve of a new rep (`ramp`): in tenure month k (k = 1 is the month of hire) a rep produces
  min(1, k / (ramp_months + 1)) of a full rep's output; training lifts a ramping rep to min(1, share x (1 + uplift));
- the ramp months (`resources.ramp_months`, else measured from the data by `measure_ramp`, else
  `resources.ramp_fallback_months`);
- the annual attrition (`resources.attrition`, else measured over `resources.attrition_months` by
  `measure_attrition`), applied as a constant hazard: a rep survives `e` months with (1 - attrition) ** (e / 12);
- the productivity of a fully ramped quota rep: quota reps' sales / their ramp-adjusted rep-months over a
  12-month period (the last one, or the mean of the last 3 with `goals.capacity_basis: mean`). Applied back to
  that period the capacity model reproduces the reps' actual sales;
- the share of sales not carried by quota reps (house accounts, managers), which capacity adds on top;
- the schedule of the plan horizon (`schedule`): tenure and months survived of each rep in each month from the
  month after `as_of` to the end of the plan year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning.data import require

if TYPE_CHECKING:
    from planning.params import Params

#: Hires a ramp measurement needs before it replaces `resources.ramp_fallback_months`.
MIN_MEASURED_HIRES = 3
#: Months in the period a rep needs before the rep's output counts in the productivity spread.
MIN_REP_MONTHS = 3
PERIODS = 3


def ramp(tenure: np.ndarray | int, ramp_months: int, uplift: float = 0.0) -> np.ndarray:
    """Productivity share in tenure month `tenure` (1 = month of hire; 0 or less = not yet employed).

    Linear ramp min(1, k / (ramp_months + 1)): full output from tenure month ramp_months + 1; e.g. ramp 2 ->
    1/3, 2/3, 1, 1 ... Training lifts a ramping rep to min(1, share x (1 + uplift)).
    """
    k = np.asarray(tenure, dtype=float)
    share = np.minimum(1.0, np.maximum(k, 0.0) / (ramp_months + 1.0))
    share = np.minimum(1.0, share * (1.0 + uplift))
    return np.where(k >= 1, share, 0.0)


def survival(elapsed: np.ndarray | float, attrition: float) -> np.ndarray:
    """Share of reps still employed after `elapsed` months at a constant annual `attrition`."""
    a = min(max(float(attrition), 0.0), 0.999)
    return (1.0 - a) ** (np.asarray(elapsed, dtype=float) / 12.0)


def last_month(as_of: date) -> pd.Period:
    """The last complete month of history at `as_of` (its own month when as_of is the month's last day)."""
    ts = pd.Timestamp(as_of)
    per = ts.to_period("M")
    return per if ts == ts + pd.offsets.MonthEnd(0) else per - 1


def first_month(as_of: date) -> pd.Period:
    """The first month of the planning horizon: the month after the month of `as_of`."""
    return pd.Timestamp(as_of).to_period("M") + 1


def quota_reps(reps: pd.DataFrame | None) -> pd.DataFrame | None:
    """Quota-carrying reps (role rep) with string ids and datetime hire / exit dates."""
    if reps is None:
        return None
    r = reps[reps["role"].astype(str) == "rep"].copy()
    r["rep_id"] = r["rep_id"].astype(str)
    r["team"] = r["team"].astype(str)
    r["hire_date"] = pd.to_datetime(r["hire_date"])
    r["exit_date"] = pd.to_datetime(r["exit_date"])
    return r


def rep_months(orders: pd.DataFrame, reps: pd.DataFrame, start: pd.Period, end: pd.Period) -> pd.DataFrame:
    """Quota reps' monthly sales from `start` to `end` (Periods, inclusive), one row per employed month.

    In: `orders` (order_date, rep_id, amount), `reps` (rep_id, team, role, hire_date, exit_date).
    Out: rep_id, team, month (Period), tenure (months since the month of hire: 0 in it), sales (0 without orders).
    A rep counts in every month in which they were employed for at least one day.
    """
    require(orders, "orders", ("order_date", "rep_id", "amount"))
    require(reps, "reps", ("rep_id", "team", "role", "hire_date", "exit_date"))
    return _rep_months(orders, quota_reps(reps), start, end)


def _rep_months(orders: pd.DataFrame, quota: pd.DataFrame, start: pd.Period, end: pd.Period) -> pd.DataFrame:
    """`rep_months` of the quota reps `quota` (`quota_reps` of the reps table)."""
    months = pd.period_range(start, end, freq="M")
    if quota.empty or len(months) == 0:
        return pd.DataFrame(columns=["rep_id", "team", "month", "tenure", "sales"])
    hire = quota["hire_date"].dt.to_period("M")
    exit_ = quota["exit_date"].dt.to_period("M")
    grid = pd.DataFrame(
        {
            "rep_id": np.repeat(quota["rep_id"].to_numpy(), len(months)),
            "team": np.repeat(quota["team"].to_numpy(), len(months)),
            "hire": hire.repeat(len(months)).array,  # PeriodArray: stays a period column when all NaT
            "exit": exit_.repeat(len(months)).array,
            "month": np.tile(months.to_numpy(), len(quota)),
        }
    )
    employed = (grid["hire"] <= grid["month"]) & (grid["exit"].isna() | (grid["exit"] >= grid["month"]))
    grid = grid[employed].copy()
    # months since hire: the difference of the monthly periods' ordinals (what `(month - hire).n` gives)
    grid["tenure"] = grid["month"].array.asi8 - grid["hire"].array.asi8
    o = orders[["order_date", "rep_id", "amount"]].copy()
    o["rep_id"] = o["rep_id"].astype(str)
    o["month"] = pd.to_datetime(o["order_date"]).dt.to_period("M")
    o = o[(o["month"] >= start) & (o["month"] <= end)]
    sales = o.groupby(["rep_id", "month"], as_index=False)["amount"].sum().rename(columns={"amount": "sales"})
    out = grid.merge(sales, on=["rep_id", "month"], how="left")
    out["sales"] = out["sales"].fillna(0.0)
    return out[["rep_id", "team", "month", "tenure", "sales"]].reset_index(drop=True)


def measure_ramp(history: pd.DataFrame, first_data: pd.Period) -> tuple[float | None, int]:
    """Median months from hire to the output of an established rep, over reps hired inside the data.

    In: `history` from `rep_months` over the whole data; `first_data` the first month with orders (a rep hired
    before it has an unobserved start). Benchmark: median over established reps (tenure >= 12 months) of their
    average monthly output. A new rep has ramped in the first tenure month k (0 = month of hire) whose forward
    3-month average (k, k+1, k+2) reaches the benchmark. Out: (median k over reps that ramped, or None when
    fewer than `MIN_MEASURED_HIRES` did; number of reps measured).
    """
    established = history[history["tenure"] >= 12]
    if established.empty:
        return None, 0
    benchmark = float(established.groupby("rep_id")["sales"].mean().median())
    months_to_ramp: list[int] = []
    for _, g in history.groupby("rep_id"):
        g = g.sort_values("tenure")
        if g["month"].iloc[0] < first_data or g["tenure"].iloc[0] != 0:
            continue
        fwd = g["sales"].rolling(3).mean().shift(-2)
        reached = g.loc[fwd >= benchmark, "tenure"]
        if len(reached):
            months_to_ramp.append(int(reached.iloc[0]))
    if len(months_to_ramp) < MIN_MEASURED_HIRES:
        return None, len(months_to_ramp)
    return float(np.median(months_to_ramp)), len(months_to_ramp)


def measure_attrition(reps: pd.DataFrame, as_of: date, months: int) -> tuple[float | None, int, float]:
    """Annual attrition of quota reps over the last `months` months before `as_of`.

    exits in the window / average month-start headcount, scaled by 12 / months.
    Out: (rate or None without headcount, exits, average headcount).
    """
    return _attrition(quota_reps(reps), as_of, months)


def _attrition(quota: pd.DataFrame, as_of: date, months: int) -> tuple[float | None, int, float]:
    """`measure_attrition` of the quota reps `quota` (`quota_reps` of the reps table)."""
    end = pd.Timestamp(as_of)
    start = end - pd.DateOffset(months=months)
    hire, exit_ = quota["hire_date"], quota["exit_date"]
    exits = int(((exit_ > start) & (exit_ <= end)).sum())
    starts = pd.date_range(start + pd.Timedelta(days=1), end, freq="MS")
    # headcount at each month start: hired by then and not gone before (one comparison of every rep x month)
    h, x, at = hire.to_numpy()[None, :], exit_.to_numpy()[None, :], starts.to_numpy()[:, None]
    heads = [int(n) for n in ((h <= at) & (np.isnat(x) | (x >= at))).sum(axis=1)]
    avg = float(np.mean(heads)) if heads else 0.0
    if avg <= 0:
        return None, exits, avg
    return min(1.0, exits / avg * 12.0 / months), exits, avg


def output_periods(
    history: pd.DataFrame, last: pd.Period, ramp_months: int, periods: int = PERIODS
) -> pd.DataFrame:
    """The last `periods` 12-month periods (newest last) of quota reps' output, ramp-adjusted.

    Out: period ("2025-10..2026-09"), start, end (Periods), quota_sales, rep_months, rep_fte (ramp-adjusted
    rep-years: sum over rep-months of `ramp`(tenure + 1) / 12), per_rep (quota_sales / rep_fte: the annual output
    of a fully ramped rep). Periods starting before the first month of `history` are left out; with less than
    a year of history the one period is the months there are.
    """
    first = history["month"].min() if len(history) else last
    rows = []
    share = ramp(history["tenure"].to_numpy(dtype=float) + 1.0, ramp_months) if len(history) else np.array([])
    windows = [(last - 12 * j - 11, last - 12 * j) for j in range(periods - 1, -1, -1)]
    windows = [(s, e) for s, e in windows if s >= first]
    if not windows and len(history):
        windows = [(first, last)]  # under a year of history: the months there are (per_rep is annualised)
    for start, end in windows:
        sel = ((history["month"] >= start) & (history["month"] <= end)).to_numpy()
        fte = float(share[sel].sum()) / 12.0
        sales = float(history.loc[sel, "sales"].sum())
        rows.append(
            {
                "period": f"{start.strftime('%Y-%m')}..{end.strftime('%Y-%m')}",
                "start": start,
                "end": end,
                "quota_sales": sales,
                "rep_months": int(sel.sum()),
                "rep_fte": fte,
                "per_rep": sales / fte if fte > 0 else math.nan,
            }
        )
    return pd.DataFrame(
        rows, columns=["period", "start", "end", "quota_sales", "rep_months", "rep_fte", "per_rep"]
    )


@dataclass(frozen=True)
class Team:
    """The region's sales team as measured (or overridden in params): what both steps build capacity from."""

    productivity: float  # annual output of a fully ramped quota rep
    ramp_months: int
    ramp_measured: float | None  # measured months (None = too few hires measurable)
    ramp_reps: int  # hires the measurement rests on
    attrition: float  # annual, in force
    attrition_measured: float | None
    exits: int  # exits in the attrition window
    avg_headcount: float  # average quota headcount in the attrition window
    house_share: float  # share of the last 12 months' sales not carried by quota reps
    factors: np.ndarray  # per-rep output / productivity (ramp-adjusted) in the latest period: the spread
    periods: pd.DataFrame  # output_periods(): the capacity curve of the last 3 periods
    roster: pd.DataFrame  # quota reps employed at as_of: rep_id, name, team, hire_month (Period)
    first_month: pd.Period  # first month of the planning horizon
    managers: int = 0


def measure(orders: pd.DataFrame, reps: pd.DataFrame | None, p: Params) -> Team:
    """Measure the current team: productivity, ramp, attrition, house share, output spread and roster.

    Reads as_of (the end of the measurement), resources.ramp_months, ramp_fallback_months, attrition,
    attrition_months and goals.capacity_basis (latest: the last 12-month period's per-rep output; mean: the mean over the last 3 periods).
    Without reps: productivity 0 and an empty roster (every sale is house sales).
    """
    as_of = p.as_of
    r, basis = p.resources, p.goals.capacity_basis
    last = last_month(as_of)
    od = pd.to_datetime(orders["order_date"])
    start12 = (last - 11).start_time
    in12 = (od >= start12) & (od <= last.end_time)
    sales12 = float(orders.loc[in12, "amount"].sum())
    fm = first_month(as_of)
    q = quota_reps(reps)  # once: the history, the attrition and the roster all start from it
    if q is None or q.empty:
        return Team(0.0, r.ramp_months if r.ramp_months is not None else r.ramp_fallback_months, None, 0,
                    r.attrition or 0.0, None, 0, 0.0, 1.0, np.ones(1), output_periods(pd.DataFrame(
                        columns=["rep_id", "team", "month", "tenure", "sales"]), last, 0),
                    pd.DataFrame(columns=["rep_id", "name", "team", "hire_month"]), fm)  # fmt: skip
    first_data = od.min().to_period("M") if len(od) else last
    require(orders, "orders", ("order_date", "rep_id", "amount"))
    history = _rep_months(orders, q, first_data, last)
    measured, n_ramp = measure_ramp(history, first_data)
    if r.ramp_months is not None:
        ramp_m = int(r.ramp_months)
    elif measured is not None:
        ramp_m = int(round(measured))
    else:
        ramp_m = int(r.ramp_fallback_months)
    periods = output_periods(history, last, ramp_m)
    per_rep = periods["per_rep"].dropna()
    if len(per_rep) == 0:
        productivity = 0.0
    else:
        productivity = float(per_rep.iloc[-1] if basis == "latest" else per_rep.mean())
    # The spread of output across reps, on the same ramp-adjusted footing as productivity.
    h12 = history[(history["month"] >= last - 11) & (history["month"] <= last)]
    per = h12.assign(fte=ramp(h12["tenure"].to_numpy(dtype=float) + 1.0, ramp_m)).groupby("rep_id")
    agg = per.agg(sales=("sales", "sum"), fte=("fte", "sum"), months=("sales", "size"))
    agg = agg[(agg["months"] >= MIN_REP_MONTHS) & (agg["fte"] > 0)]
    full_month = float(periods["per_rep"].iloc[-1]) / 12.0 if len(per_rep) else 0.0
    factors = (agg["sales"] / agg["fte"] / full_month).to_numpy() if full_month > 0 else np.ones(1)
    if len(factors) == 0:
        factors = np.ones(1)
    att_measured, exits, avg = _attrition(q, as_of, r.attrition_months)
    attrition = r.attrition if r.attrition is not None else (att_measured or 0.0)
    quota_sales12 = float(h12["sales"].sum())
    house = 1.0 - quota_sales12 / sales12 if sales12 > 0 else 0.0
    asof = pd.Timestamp(as_of)
    active = (q["hire_date"] <= asof) & (q["exit_date"].isna() | (q["exit_date"] > asof))
    cur = q.loc[active].sort_values(["team", "rep_id"])
    roster = pd.DataFrame(
        {
            "rep_id": cur["rep_id"].to_numpy(),
            "name": cur["name"].astype(str).to_numpy() if "name" in cur else cur["rep_id"].to_numpy(),
            "team": cur["team"].to_numpy(),
            "hire_month": cur["hire_date"].dt.to_period("M").to_numpy(),
        }
    )
    mgr = reps[reps["role"].astype(str) == "manager"]
    mgr_exit = pd.to_datetime(mgr["exit_date"])
    mgr_hire = pd.to_datetime(mgr["hire_date"])
    managers = int(((mgr_hire <= asof) & (mgr_exit.isna() | (mgr_exit > asof))).sum())
    return Team(
        productivity=productivity,
        ramp_months=ramp_m,
        ramp_measured=measured,
        ramp_reps=n_ramp,
        attrition=float(attrition),
        attrition_measured=att_measured,
        exits=exits,
        avg_headcount=avg,
        house_share=min(max(house, 0.0), 1.0),
        factors=factors,
        periods=periods,
        roster=roster.reset_index(drop=True),
        first_month=fm,
        managers=managers,
    )


def schedule(
    hire_month: list[pd.Period] | pd.Series, current: np.ndarray, start: pd.Period, months: pd.PeriodIndex
) -> tuple[np.ndarray, np.ndarray]:
    """Tenure and months survived of each rep in each month of the horizon.

    In: each rep's month of hire, whether the rep is on the team already (`current`) or a hire joining in the
    horizon, the first month of the horizon `start` and the `months` to report. Out: tenure (reps, months),
    1 in the month of hire, 0 before it; elapsed (reps, months), months from entering the horizon (at `start`
    for current reps, at the month of hire for hires) to the middle of the month, 0 before entering.
    """
    hm = np.array([pd.Period(h, freq="M").ordinal for h in hire_month], dtype=float)[:, None]
    mo = np.array([m.ordinal for m in months], dtype=float)[None, :]
    tenure = np.maximum(mo - hm + 1.0, 0.0)
    cur = np.asarray(current, dtype=bool)[:, None]
    entered = np.where(cur, float(start.ordinal), hm)
    elapsed = np.where(mo >= entered, mo - entered + 0.5, 0.0)
    return tenure, elapsed


def months_to_full(ramp_months: int, uplift: float = 0.0) -> int:
    """Months after the month of hire until a new rep reaches full output (with the training `uplift`)."""
    k = 1
    while float(ramp(k, ramp_months, uplift)) < 1.0 - 1e-12:
        k += 1
    return k - 1
