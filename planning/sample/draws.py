"""The generator's integer calendar and vectorised draws.

Dates are integer days since 1970-01-01 (`day_of`; `Calendar` holds the history's months), turned into datetime64 columns only when a table is built
(`to_dt`, with `NAT` as the missing-date sentinel). Key columns are Categoricals built from integer codes (`cat`,
`ids`) so no per-row Python strings are created. The draws take numpy's Generator and never reseed it: the
caller's order of calls is the stream's order.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from planning.sample.structure import CNY, CNY_LEVEL, CNY_WINDOW, START

EPOCH = np.datetime64("1970-01-01", "D")
NAT = -(10**9)  # the integer calendar's missing date (to_dt turns it into NaT)


def day_of(d: _dt.date | str) -> int:
    """Days since 1970-01-01 for a date or ISO string (the integer calendar used internally)."""
    return int((np.datetime64(d, "D") - EPOCH).astype(np.int64))


def to_dt(days: np.ndarray) -> np.ndarray:
    """Integer days (NaT encoded as a negative sentinel < -10**8) -> datetime64[us] array."""
    days = np.asarray(days, dtype=np.int64)
    out = (days.astype("datetime64[D]")).astype("datetime64[us]")
    out[days < -(10**8)] = np.datetime64("NaT")
    return out


def cat(codes: np.ndarray, categories: tuple[str, ...] | pd.Index) -> pd.Categorical:
    """Categorical of str from integer codes (no per-row strings are created)."""
    cats = categories if isinstance(categories, pd.Index) else pd.Index(list(categories), dtype="str")
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32), categories=cats)


def ids(prefix: str, n: int, width: int) -> pd.Index:
    """`prefix` + zero-padded 1..n as a str Index, built in pyarrow: millions of ids, no Python objects."""
    width = max(width, len(str(n)))
    nums = pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), width=width, padding="0")
    return pd.Index(pd.array(pc.binary_join_element_wise(prefix, nums, ""), dtype="str"))


def cny_factor(months: np.ndarray) -> np.ndarray:
    """Volume factor per month (first days `months[:-1]`, `months[-1]` = end of the last) for the Chinese New
    Year slowdown: 1 - (1 - CNY_LEVEL) x share of the month's days inside the holiday window."""
    out = np.ones(len(months) - 1)
    for date in CNY.values():
        lo, hi = day_of(date) + CNY_WINDOW[0], day_of(date) + CNY_WINDOW[1]
        overlap = np.clip(np.minimum(months[1:], hi + 1) - np.maximum(months[:-1], lo), 0, None)
        out -= (1 - CNY_LEVEL) * overlap / (months[1:] - months[:-1])
    return out


def month_starts(start: int, end: int) -> np.ndarray:
    """First day (int days) of every month from the month of `start` to the month of `end`, plus the next one."""
    m0 = np.datetime64(np.datetime64(start, "D"), "M")
    m1 = np.datetime64(np.datetime64(end, "D"), "M")
    months = np.arange(m0, m1 + 2)
    return (months.astype("datetime64[D]") - EPOCH).astype(np.int64)


def weighted_pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """n indices drawn with probability proportional to `weights` (cumulative sum + searchsorted: fast).

    Weights must be non-negative with a positive, finite sum: all-zero weights would otherwise pick the last
    index every time, silently."""
    c = np.cumsum(weights)
    if not len(c) or not np.isfinite(c[-1]) or c[-1] <= 0 or (weights < 0).any():
        raise ValueError(
            f"weighted_pick: weights {np.asarray(weights)[:5].tolist()}{' ...' if len(weights) > 5 else ''} "
            f"(sum {c[-1] if len(c) else 0}); expected non-negative weights with a positive, finite sum"
        )
    idx = np.searchsorted(c, rng.random(n) * c[-1], side="right")
    return np.minimum(idx, len(weights) - 1)


def weekday_bias(rng: np.random.Generator, day: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """B2B orders are booked on weekdays: move ~85 % of weekend days to the Friday before or the Monday after,
    staying within [lo, hi] (the customer's and month's bounds)."""
    dow = (day + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weekend = (dow >= 5) & (rng.random(len(day)) < 0.85)
    fri, mon = day - (dow - 4), day + (7 - dow)
    to_mon = rng.random(len(day)) < 0.5
    target = np.where(to_mon, mon, fri)
    target = np.where((target < lo) | (target > hi), np.where(to_mon, fri, mon), target)
    ok = weekend & (target >= lo) & (target <= hi)
    return np.where(ok, target, day)


@dataclasses.dataclass(frozen=True)
class Calendar:
    """The history's months: `d0` = START and `dend` = the last day (int days); `months` = first day of every
    month plus the month after the last; `month_num` 0..11 per month; `t_month` years since START at mid-month;
    `month_len` days per month; `y_end` the last year."""

    d0: int
    dend: int
    months: np.ndarray
    n_months: int
    month_num: np.ndarray
    t_month: np.ndarray
    month_len: np.ndarray
    y_end: int


def calendar(end: _dt.date) -> Calendar:
    """The Calendar of a history from START to `end`."""
    d0, dend = day_of(START), day_of(end)
    months = month_starts(d0, dend)  # first day of each month, plus the month after the last
    month_num = (months[:-1].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12).astype(
        np.int64
    )
    return Calendar(
        d0=d0,
        dend=dend,
        months=months,
        n_months=len(months) - 1,
        month_num=month_num,
        t_month=(months[:-1] + 14 - d0) / 365.25,  # years since start, at mid-month
        month_len=months[1:] - months[:-1],
        y_end=end.year,
    )
