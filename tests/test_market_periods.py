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


# ------------------------------------------------------------------------------- issue 17 case 5: partial months
def _daily(first: str, last: str, amount: float = 100.0) -> pd.DataFrame:
    """One order a day from `first` to `last` (a dense export)."""
    days = pd.date_range(first, last, freq="D")
    return pd.DataFrame(
        {
            "order_date": days,
            "order_id": [f"O{i}" for i in range(len(days))],
            "customer_id": [f"C{i % 7}" for i in range(len(days))],
            "amount": amount,
        }
    )


@pytest.mark.adversarial
def test_last_12_months_are_complete_months_when_as_of_is_not_a_month_end():
    # One definition: the 12 complete months ending with the last complete month (September 2026 is cut).
    last, prev = periods.windows("2026-09-15")
    assert (last.start, last.end) == (pd.Timestamp("2025-09-01"), pd.Timestamp("2026-08-31"))
    assert (prev.start, prev.end) == (pd.Timestamp("2024-09-01"), pd.Timestamp("2025-08-31"))
    assert last.months()[0] == "2025-09" and last.months()[-1] == "2026-08" and len(last.months()) == 12
    assert periods.last_complete_month("2026-09-15") == pd.Period("2026-08", freq="M")
    assert periods.last_complete_month("2026-09-30") == pd.Period("2026-09", freq="M")


@pytest.mark.adversarial
def test_goals_and_market_share_the_last_12_months():
    from planning.goals import forecast

    orders = _daily("2024-01-01", "2026-09-15")
    for as_of in ("2026-09-15", "2026-09-30", "2026-02-28"):
        hist = forecast.monthly_sales(orders, pd.Timestamp(as_of).date())
        goals_months = list(hist.index[-12:].strftime("%Y-%m"))
        assert goals_months == periods.windows(as_of)[0].months(), as_of


@pytest.mark.adversarial
def test_covered_starts_on_the_first_order_of_a_dense_export_and_ends_on_its_last():
    # Daily orders from 31 January: January is covered on one day only; data ending on 10 March with as_of
    # 31 March: March is covered only to the 10th.
    cover = periods.covered(_daily("2024-01-31", "2025-03-10")["order_date"], "2025-03-31")
    assert (cover.start, cover.end) == (pd.Timestamp("2024-01-31"), pd.Timestamp("2025-03-10"))
    months = pd.period_range("2024-01", "2025-03", freq="M")
    complete = periods.complete_months(months, cover)
    assert not complete[0] and not complete[-1] and complete[1:-1].all()


@pytest.mark.adversarial
def test_covered_takes_quiet_days_of_sparse_data_as_covered():
    # One order a week: a first order on 14 January or a last one 20 days before as_of is not a gap in the data.
    dates = pd.Series(pd.date_range("2022-01-14", "2026-09-10", freq="7D"))
    cover = periods.covered(dates, "2026-09-30")
    assert (cover.start, cover.end) == (pd.Timestamp("2022-01-01"), pd.Timestamp("2026-09-30"))
    # Orders every working day, the first on Monday 3 January 2022: the weekend before is quiet, not missing.
    dense = pd.Series(pd.bdate_range("2022-01-03", "2022-12-30"))
    assert periods.covered(dense, "2022-12-31").start == pd.Timestamp("2022-01-01")
    assert periods.covered(pd.Series([], dtype="datetime64[ns]"), "2022-12-31") is None
