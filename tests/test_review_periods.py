"""planning/review/periods.py: the review's time windows and its small NaN-safe arithmetic.

"Last year" is the same calendar window one year earlier, 29 February falling back to 28 February.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from planning.review.periods import (
    between,
    div,
    elapsed,
    isnan,
    month_start,
    quarter_key,
    shift_year,
    ts,
    year_ago,
    ytd_window,
)

T = pd.Timestamp


def test_ts_is_midnight_of_the_day():
    assert ts("2026-03-15 13:45") == T("2026-03-15")
    assert ts(date(2026, 3, 15)) == T("2026-03-15")
    assert ts(T("2026-03-15 23:59:59")) == T("2026-03-15")


def test_ts_of_text_that_is_no_date_is_an_error():
    with pytest.raises(ValueError, match="not a date"):
        ts("not a date")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 6, 30), date(2025, 6, 30)),
        (date(2025, 1, 1), date(2024, 1, 1)),
        (date(2024, 2, 29), date(2023, 2, 28)),  # no 29 February in 2023
        (date(2025, 2, 28), date(2024, 2, 28)),  # not moved to the leap day
    ],
)
def test_year_ago(day, expected):
    assert year_ago(day) == expected


def test_shift_year_is_year_ago_of_the_day():
    assert shift_year(T("2026-06-30")) == T("2025-06-30")
    assert shift_year(T("2024-02-29 10:00")) == T("2023-02-28")  # the time of day is dropped


def test_ytd_window_this_year_and_years_back():
    assert ytd_window(date(2026, 6, 30)) == (T("2026-01-01"), T("2026-06-30"))
    assert ytd_window(date(2026, 6, 30), years_back=1) == (T("2025-01-01"), T("2025-06-30"))
    assert ytd_window(date(2026, 6, 30), years_back=2) == (T("2024-01-01"), T("2024-06-30"))
    assert ytd_window(date(2026, 1, 1)) == (T("2026-01-01"), T("2026-01-01"))  # one day
    assert ytd_window(date(2024, 2, 29), years_back=1) == (T("2023-01-01"), T("2023-02-28"))
    # shifted a year at a time: once on 28 February, the window stays there in an earlier leap year
    assert ytd_window(date(2028, 2, 29), years_back=4) == (T("2024-01-01"), T("2024-02-28"))


def test_month_start():
    s = pd.Series(["2026-03-15", "2026-12-31", "2024-02-29"])
    assert month_start(s).tolist() == [T("2026-03-01"), T("2026-12-01"), T("2024-02-01")]
    dates = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-31"]), index=[7, 9])
    out = month_start(dates)
    assert out.tolist() == [T("2026-01-01"), T("2026-01-01")] and out.index.tolist() == [7, 9]


def test_between_includes_both_ends():
    s = pd.Series(["2025-12-31", "2026-01-01", "2026-01-15", "2026-01-31", "2026-02-01"])
    assert between(s, T("2026-01-01"), T("2026-01-31")).tolist() == [False, True, True, True, False]
    assert not between(pd.Series([pd.NaT]), T("2026-01-01"), T("2026-12-31")).any()  # no date: outside


@pytest.mark.parametrize("unit", ["s", "us", "ns"])
def test_between_on_datetimes_equals_the_parsed_comparison(unit):
    # a datetime column is compared on its numpy values: the same mask, index and name as parsing it first
    days = ["2025-12-31 23:59", None, "2026-01-01 00:00", "2026-01-31 00:00", "2026-02-01 00:00"]
    s = pd.Series(pd.to_datetime(days), index=[9, 3, 5, 1, 7], name="order_date").astype(
        f"datetime64[{unit}]"
    )
    for start, end in ((T("2026-01-01"), T("2026-01-31")), (pd.Timestamp.min, T("2026-01-01"))):
        parsed = pd.to_datetime(s)
        pd.testing.assert_series_equal(between(s, start, end), (parsed >= start) & (parsed <= end))


@pytest.mark.parametrize(
    ("as_of", "share"),
    [
        (date(2026, 2, 14), 0.5),  # 14 of 28 days
        (date(2026, 2, 1), 1 / 28),  # the first day counts
        (date(2026, 2, 28), 1.0),
        (date(2026, 1, 31), 0.0),  # before the month
        (date(2026, 7, 1), 1.0),  # after it
    ],
)
def test_elapsed_share_of_the_month(as_of, share):
    assert elapsed(T("2026-02-01"), as_of) == pytest.approx(share)


def test_elapsed_in_a_leap_february():
    assert elapsed(T("2024-02-01"), date(2024, 2, 14)) == pytest.approx(14 / 29)


@pytest.mark.parametrize(
    ("day", "key"),
    [
        ("2026-01-01", "2026-Q1"),
        ("2026-03-31", "2026-Q1"),
        ("2026-04-01", "2026-Q2"),
        ("2026-12-31", "2026-Q4"),
    ],
)
def test_quarter_key(day, key):
    assert quarter_key(T(day)) == key


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (None, True),
        (math.nan, True),
        (np.float64("nan"), True),
        (0, False),
        (0.0, False),
        (-1.5, False),
        ("12", False),
        ("abc", False),  # not a number: not NaN either
        ([1], False),
        (pd.NA, True),  # a nullable column's missing value (Float64 / Int64): float(pd.NA) raises
        (pd.NaT, True),
    ],
)
def test_isnan(x, expected):
    assert isnan(x) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 4, 0.25),
        (0, 5, 0.0),
        (-3, 2, -1.5),
        (np.int64(3), np.float64(4.0), 0.75),
    ],
)
def test_div(a, b, expected):
    assert div(a, b) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [(1, 0), (1, 0.0), (1, None), (None, 2), (1, math.nan), (math.nan, 2), (1, pd.NA), (pd.NA, 2)],
)
def test_div_is_nan_when_the_divisor_is_zero_or_a_side_is_missing(a, b):
    assert math.isnan(div(a, b))


def test_div_of_a_nullable_column_value():
    s = pd.Series([4.0, None], dtype="Float64")
    assert div(1, s.iloc[0]) == 0.25 and math.isnan(div(1, s.iloc[1])) and math.isnan(div(s.iloc[1], 2))
