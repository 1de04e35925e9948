"""planning/strategy/history.py: the order-line columns step 3 reads, its month windows and percentile ranks."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from planning.strategy import history
from planning.strategy.history import ORDER_COLUMNS, months_before, pct_rank

T = pd.Timestamp


def test_order_columns_are_those_step_3_reads():
    assert ORDER_COLUMNS == ("order_id", "order_date", "customer_id", "channel", "amount", "margin")
    from planning import strategy

    assert strategy.ORDER_COLUMNS is history.ORDER_COLUMNS  # what notebook.Context.data reads


@pytest.mark.parametrize(
    ("as_of", "months", "expected"),
    [
        ("2026-06-30", 12, T("2025-06-30")),
        ("2026-06-30", 6, T("2025-12-30")),
        (date(2026, 3, 31), 1, T("2026-02-28")),  # no 31 February: the month's last day
        ("2024-02-29", 12, T("2023-02-28")),
        (T("2026-06-30"), 0, T("2026-06-30")),
    ],
)
def test_months_before(as_of, months, expected):
    assert months_before(as_of, months) == expected


def test_months_before_a_non_date_is_an_error():
    with pytest.raises(ValueError, match="garbage"):
        months_before("garbage", 12)


def test_pct_rank_spreads_0_to_1():
    assert pct_rank(pd.Series([10.0, 30.0, 20.0])).tolist() == [0.0, 1.0, 0.5]
    assert pct_rank(pd.Series([4, 1, 3, 2, 5])).tolist() == [0.75, 0.0, 0.5, 0.25, 1.0]


def test_pct_rank_ties_share_their_average_rank():
    # ranks 1.5, 1.5, 3 of 3 -> (0.5, 0.5, 2) / 2
    assert pct_rank(pd.Series([5, 5, 10])).tolist() == [0.25, 0.25, 1.0]
    assert pct_rank(pd.Series([7, 7, 7])).tolist() == [0.5, 0.5, 0.5]


def test_pct_rank_nan_ranks_lowest():
    assert pct_rank(pd.Series([np.nan, 1.0, 2.0])).tolist() == [0.0, 0.5, 1.0]
    assert pct_rank(pd.Series([2.0, np.nan, np.nan])).tolist() == [1.0, 0.25, 0.25]  # NaNs tie


def test_pct_rank_of_one_or_no_row():
    one = pct_rank(pd.Series([123.0]))
    assert one.tolist() == [0.5] and one.dtype == np.float64
    assert pct_rank(pd.Series([np.nan])).tolist() == [0.5]
    none = pct_rank(pd.Series([], dtype=float))
    assert none.shape == (0,) and none.dtype == np.float64


def test_pct_rank_ignores_the_index():
    out = pct_rank(pd.Series([3.0, 1.0, 2.0], index=["c", "a", "b"]))
    assert isinstance(out, np.ndarray) and out.tolist() == [1.0, 0.0, 0.5]
