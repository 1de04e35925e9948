"""The periods every market figure is anchored on, and the small table helpers the market modules share.

"L12M" ("the last 12 months") is the 12 complete calendar months ending with the last complete month at `as_of`
(`last_complete_month`), "P12M" the 12 months before that: the one definition the market step, the goals step and
the snapshot index all use. `covered` says which days the data covers, so that a month the data only partly
covers (its first or last month) is not taken for a complete month. Also here: the order-line columns the step
reads (`ORDER_COLUMNS`, used by `notebook.Context.data`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

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


@dataclass(frozen=True)
class Window:
    """A closed interval of calendar days."""

    start: pd.Timestamp
    end: pd.Timestamp

    def mask(self, dates: pd.Series) -> pd.Series:
        return (dates >= self.start) & (dates <= self.end)

    def months(self) -> list[str]:
        """The calendar months of the window as YYYY-MM (the `month` of `market_trend`)."""
        return list(pd.period_range(self.start, self.end, freq="M").strftime("%Y-%m"))


def last_complete_month(as_of: date | str | pd.Timestamp) -> pd.Period:
    """The last calendar month fully on or before `as_of` (`as_of` on a month's last day counts that month)."""
    end = pd.Timestamp(as_of).normalize()
    month = end.to_period("M")
    return month if end.day == end.days_in_month else month - 1


def windows(as_of: date | str | pd.Timestamp) -> tuple[Window, Window]:
    """(L12M, P12M): the 12 complete calendar months ending with `last_complete_month(as_of)` and the 12 months
    before (2026-09-30 -> 2025-10-01..2026-09-30 and 2024-10-01..2025-09-30; 2026-09-15 -> 2025-09-01..2026-08-31
    and 2024-09-01..2025-08-31: a month the planning date cuts is in neither)."""
    last = last_complete_month(as_of)
    end = last.to_timestamp(how="end").normalize()
    start = (last - 11).to_timestamp()
    prev_start = (last - 23).to_timestamp()
    return Window(start, end), Window(prev_start, start - pd.Timedelta(days=1))


#: How unlikely a run of days without an order at an edge of the data must be (at the data's own share of days
#: with an order) before the days beyond the first or last order are taken as not covered by the data.
EDGE_CHANCE = 0.001


def covered(dates: pd.Series, as_of: date | str | pd.Timestamp) -> Window | None:
    """The days the data covers, from its first and last order dates (on or before `as_of`) and `as_of`.

    The data starts on its first month's first day, unless the days from there to the first order are too many
    to be quiet days: with a share `q` of days having an order, k days without one has the chance (1 - q) ** k;
    below `EDGE_CHANCE` the data starts on the first order's date (an export that begins on 31 January covers
    one day of January, not January). Likewise the data ends on `as_of` unless the days after the last order are
    too many; then it ends on the last order's date. None without dates.
    """
    as_of = pd.Timestamp(as_of).normalize()
    day = pd.to_datetime(dates).dropna().to_numpy(dtype="datetime64[D]").view("int64")
    day = day[day <= as_of.to_datetime64().astype("datetime64[D]").astype("int64")]
    if not len(day):
        return None
    lo, hi = int(day.min()), int(day.max())
    active = int(np.count_nonzero(np.bincount(day - lo))) if hi - lo <= 146_097 else len(np.unique(day))
    quiet = 1.0 - active / (hi - lo + 1)  # share of days without an order, first to last order

    def plausible(days: int) -> bool:
        return days <= 0 or quiet**days >= EDGE_CHANCE

    first, last = pd.Timestamp(lo, unit="D"), pd.Timestamp(hi, unit="D")
    month_start = first.to_period("M").to_timestamp()
    start = month_start if plausible((first - month_start).days) else first
    end = as_of if plausible((as_of - last).days) else last
    return Window(start, end)


def complete_months(months: pd.PeriodIndex, cover: Window | None) -> np.ndarray:
    """Whether each calendar month lies wholly within the covered days `cover` (all False when None)."""
    if cover is None:
        return np.zeros(len(months), dtype=bool)
    starts = months.to_timestamp(how="start")
    ends = months.to_timestamp(how="end").normalize()
    return np.asarray((starts >= cover.start) & (ends <= cover.end), dtype=bool)


def as_str(s: pd.Series) -> pd.Series:
    """Categorical / object key column -> plain `str` (so merges and groupbys never see categories)."""
    return s.astype("str")


def ratio(num: Any, den: Any) -> Any:
    """num / den - 1 with NaN where the denominator is missing or not positive."""
    num = pd.to_numeric(num, errors="coerce")
    den = pd.to_numeric(den, errors="coerce")
    if isinstance(den, pd.Series):
        return num / den.where(den > 0) - 1.0
    return float(num) / den - 1.0 if den and den > 0 else float("nan")


#: A plan's history (docs/method.md "Short histories: the minimal plan"): with `FULL_PLAN_MONTHS` complete months
#: (a year and the month before it) year-on-year and segment growth, seasonality and the backtested forecast can
#: be computed; from `MIN_PLAN_MONTHS` up to that the region gets the minimal plan (a run-rate target, the
#: customer profile, RFM tiers, params' actions); below it no plan at all (`runner.checks.short_history`).
FULL_PLAN_MONTHS = 13
MIN_PLAN_MONTHS = 3


def history_months(dates: pd.Series, as_of: date | str | pd.Timestamp) -> pd.PeriodIndex:
    """The complete calendar months of history at `as_of`: from the first month the data covers whole
    (`covered`: an export starting on 20 March does not cover March) to `last_complete_month(as_of)`. A month
    without an order inside that span counts (a quiet month is history too). Empty without dates."""
    cover = covered(dates, as_of)
    last = last_complete_month(as_of)
    if cover is None:
        return pd.PeriodIndex([], freq="M")
    months = pd.period_range(cover.start.to_period("M"), last, freq="M")
    return months[complete_months(months, cover)]


def minimal(months: int) -> bool:
    """Whether `months` complete months of history make a minimal plan (MIN_PLAN_MONTHS .. FULL_PLAN_MONTHS - 1)."""
    return MIN_PLAN_MONTHS <= months < FULL_PLAN_MONTHS
