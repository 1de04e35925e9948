"""Tests of planning/market/periods.py: the L12M / P12M windows and the shared helpers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planning import data
from planning.market import ORDER_COLUMNS, periods


def test_windows_are_the_twelve_months_ending_on_as_of_and_the_twelve_before():
    last, prev = periods.windows("2026-09-30")
    assert (last.start, last.end) == (pd.Timestamp("2025-10-01"), pd.Timestamp("2026-09-30"))
    assert (prev.start, prev.end) == (pd.Timestamp("2024-10-01"), pd.Timestamp("2025-09-30"))
    last, _ = periods.windows("2024-02-29")  # a leap day: back to 2023-03-01
    assert last.start == pd.Timestamp("2023-03-01")
    dates = pd.Series(pd.to_datetime(["2025-09-30", "2025-10-01", "2026-09-30", "2026-10-01"]))
    assert periods.windows("2026-09-30")[0].mask(dates).tolist() == [False, True, True, False]


def test_ratio_is_nan_without_a_positive_denominator():
    assert periods.ratio(150.0, 100.0) == pytest.approx(0.5)
    assert math.isnan(periods.ratio(1.0, 0.0)) and math.isnan(periods.ratio(1.0, None))
    got = periods.ratio(pd.Series([2.0, 1.0, 1.0]), pd.Series([1.0, 0.0, -1.0]))
    assert got.iloc[0] == 1.0 and got.iloc[1:].isna().all()


def test_order_columns_are_schema_columns():
    assert set(ORDER_COLUMNS) <= set(data.SCHEMA["orders"]) and "order_date" in ORDER_COLUMNS
