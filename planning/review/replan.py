"""The quarterly re-plan: when a closed quarter ended below the re-split threshold, the remaining annual target is
split again over the rest of the year - days, weeks, months, quarters, teams and reps - with the goals step's
allocation (`goals.decompose.allocate`: integer cents, largest remainder, every level summing exactly to its
parent). docs/rhythm.md "Quarterly re-plan".

The revised plan keeps the annual target (or what is already booked, if more). Days up to `as_of` take what was
booked on them (their plan is history now); the rest of the annual target is spread over the days after `as_of`
in proportion to the original plan of those days (its month targets over their working days, as goals split
them), so the plan's seasonality and calendar are kept. A month's revised target is split over teams in
proportion to the original plan's team totals of that month, and within a team over reps by their original
targets of that month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from planning.goals.calendar import working_calendar
from planning.goals.decompose import allocate, allocate_rows, cents
from planning.review.periods import ts


@dataclass(frozen=True)
class QuarterCheck:
    """The last quarter closed on or before a date against the plan: key "YYYY-Qn", plan, actual, completion."""

    quarter: str
    plan: float
    actual: float
    threshold: float

    @property
    def completion(self) -> float:
        return self.actual / self.plan if self.plan else math.nan

    @property
    def required(self) -> bool:
        return not math.isnan(self.completion) and self.completion < self.threshold


def closed_quarter(
    targets: pd.DataFrame, orders: pd.DataFrame, as_of: date, threshold: float
) -> QuarterCheck | None:
    """The plan's last quarter that ended on or before `as_of` with its actual revenue; None before the first
    quarter of the plan year has closed."""
    q = targets[targets["level"] == "quarter"]
    ended = q[pd.to_datetime(q["end"]) <= ts(as_of)]
    if ended.empty:
        return None
    row = ended.iloc[-1]
    d = pd.to_datetime(orders["order_date"])
    sel = (d >= pd.Timestamp(row["start"])) & (d <= pd.Timestamp(row["end"]))
    return QuarterCheck(
        str(row["period"]), float(row["target"]), float(orders.loc[sel, "amount"].sum()), threshold
    )


@dataclass(frozen=True)
class Replan:
    """A revised plan: targets and targets_rep as the goals step writes them, and the sums behind them."""

    targets: pd.DataFrame
    targets_rep: pd.DataFrame
    annual: float  # the revised annual target (the original, or what is booked when that is more)
    booked: float  # revenue booked in the plan year up to as_of
    remaining: float  # annual - booked: what the days after as_of now carry
    original_remaining: float  # what the original plan gave the days after as_of


def replan(
    targets: pd.DataFrame,
    targets_rep: pd.DataFrame,
    orders: pd.DataFrame,
    as_of: date,
    country: str = "",
    off: list[date] | tuple[date, ...] = (),
    on: list[date] | tuple[date, ...] = (),
) -> Replan:
    """Re-split the remaining annual target of the plan (`targets`, `targets_rep` of a plan version) after
    `as_of` (module docstring) on the goals step's working calendar (`goals.calendar.working_calendar`: the
    `country`'s public holidays and make-up days, `off` and `on` days). Out: a Replan whose targets (level year | quarter | month | week) and targets_rep
    keep the original rows and columns with target replaced; every level sums exactly to its parent."""
    year_row = targets[targets["level"] == "year"].iloc[0]
    y = int(str(year_row["period"])[:4])
    cal = working_calendar(y, country, off, on)
    months = targets[targets["level"] == "month"].sort_values("period")
    month_c = np.array([cents(x) for x in months["target"]], dtype=np.int64)
    plan_day = np.zeros(len(cal), dtype=np.int64)  # the original plan per day, as goals split it
    for m in range(12):
        sel = (cal["month"] == m).to_numpy()
        plan_day[sel] = allocate(int(month_c[m]), cal.loc[sel, "weight"].to_numpy())
    past = (cal["day"] <= ts(as_of)).to_numpy()
    d = pd.to_datetime(orders["order_date"])
    in_year = orders[(d.dt.year == y) & (d <= ts(as_of))]
    booked = in_year.groupby(pd.to_datetime(in_year["order_date"]).dt.normalize())["amount"].sum()
    booked_day = np.array([cents(x) for x in booked.reindex(cal["day"], fill_value=0.0)], dtype=np.int64)
    booked_day = np.where(past, np.maximum(booked_day, 0), 0)
    annual_c = max(cents(year_row["target"]), int(booked_day.sum()))
    remaining_c = annual_c - int(booked_day.sum())
    new_day = booked_day.copy()
    if (~past).any():
        new_day[~past] = allocate(remaining_c, plan_day[~past])
    new_month = np.bincount(cal["month"].to_numpy(), weights=new_day, minlength=12).astype(np.int64)
    by_week = pd.Series(new_day).groupby(cal["week"].to_numpy()).sum()
    new_c = {str(year_row["period"]): annual_c}
    new_c.update({f"{y}-Q{q + 1}": int(new_month[3 * q : 3 * q + 3].sum()) for q in range(4)})
    new_c.update({f"{y}-{m + 1:02d}": int(new_month[m]) for m in range(12)})
    new_c.update({str(k): int(v) for k, v in by_week.items()})
    out = targets.copy()
    out["target"] = [new_c.get(str(p), 0) / 100 for p in out["period"]]
    return Replan(
        out,
        _split_reps(targets_rep, dict(zip([f"{y}-{m + 1:02d}" for m in range(12)], new_month, strict=True))),
        annual_c / 100,
        int(booked_day.sum()) / 100,
        remaining_c / 100,
        int(plan_day[~past].sum()) / 100,
    )


def _split_reps(reps: pd.DataFrame, month_c: dict[str, int]) -> pd.DataFrame:
    """Each month's revised cents over teams (weights: the original team totals of the month), then over the
    team's reps (weights: their original targets of the month)."""
    out = reps.copy()
    out["target"] = 0.0
    weight = (reps["target"].astype(float) * 100).round().clip(lower=0)
    for month, rows in reps.groupby("month", sort=True):
        total = int(month_c.get(str(month), 0))
        teams = sorted(rows["team"].astype(str).unique())
        team_w = [float(weight[rows.index[rows["team"].astype(str) == t]].sum()) for t in teams]
        team_c = allocate_rows(np.array([total]), np.array([team_w]))[0]
        for t, c in zip(teams, team_c, strict=True):
            idx = rows.index[rows["team"].astype(str) == t]
            out.loc[idx, "target"] = allocate(int(c), weight[idx].to_numpy()) / 100
    return out
