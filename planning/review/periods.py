"""The review's time windows and small arithmetic helpers, shared by its compute modules.

"Last year" always means the same calendar window one year earlier (1 January .. the day a year before
`as_of`), so a partial year is compared with a partial year.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd


def ts(d: Any) -> pd.Timestamp:
    """`d` as a Timestamp at midnight."""
    return pd.Timestamp(d).normalize()


def year_ago(d: date) -> date:
    """The same day one year earlier (29 February -> 28 February)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def shift_year(t: pd.Timestamp) -> pd.Timestamp:
    """`year_ago` of a Timestamp."""
    return pd.Timestamp(year_ago(t.date()))


def ytd_window(as_of: date, years_back: int = 0) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(1 January, as_of) of `as_of`'s year, shifted `years_back` years back."""
    end = as_of
    for _ in range(years_back):
        end = year_ago(end)
    return pd.Timestamp(end.year, 1, 1), ts(end)


def month_start(s: pd.Series) -> pd.Series:
    """Dates (or date text) as the first day of their month."""
    return pd.to_datetime(s).dt.to_period("M").dt.to_timestamp()


def between(s: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Mask of the dates in `s` within [start, end]."""
    if (
        isinstance(s, pd.Series)
        and s.dtype.kind == "M"  # tz-naive datetime64: compared on its numpy values (the same mask, cheaper)
        and isinstance(start, pd.Timestamp)
        and isinstance(end, pd.Timestamp)
        and start.tz is None
        and end.tz is None
    ):
        v = s.to_numpy()
        return pd.Series(
            (v >= start.to_datetime64()) & (v <= end.to_datetime64()), index=s.index, name=s.name
        )
    s = pd.to_datetime(s)
    return (s >= start) & (s <= end)


def elapsed(month: pd.Timestamp, as_of: date) -> float:
    """Share of calendar month `month` that lies on or before `as_of` (0..1)."""
    days = month.days_in_month
    done = (ts(as_of) - month).days + 1
    return float(min(max(done, 0), days)) / days


def quarter_key(m: pd.Timestamp) -> str:
    """ "YYYY-Qn" of a date."""
    return f"{m.year}-Q{(m.month - 1) // 3 + 1}"


def isnan(x: Any) -> bool:
    """True for a missing number: None, NaN, pd.NA, NaT (False for anything that is not a number)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def div(a: float, b: float) -> float:
    """a / b, NaN when b is 0 or either is missing (None, NaN, pd.NA)."""
    if isnan(a) or isnan(b) or float(b) == 0:
        return math.nan
    return float(a) / float(b)
