"""The periods every market figure is anchored on, and the small table helpers the market modules share.

"L12M" is the 12 months ending on `as_of` (inclusive), "P12M" the 12 months before that. Also here: the
order-line columns the step reads (`ORDER_COLUMNS`, used by `notebook.Context.data`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

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


def windows(as_of: date | str | pd.Timestamp) -> tuple[Window, Window]:
    """(L12M, P12M): the 12 months ending on `as_of` and the 12 months before (2026-09-30 -> 2025-10-01..2026-09-30
    and 2024-10-01..2025-09-30)."""
    end = pd.Timestamp(as_of).normalize()
    start = end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    prev_end = start - pd.Timedelta(days=1)
    prev_start = prev_end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    return Window(start, end), Window(prev_start, prev_end)


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
