"""The order history step 3 reads, and the date windows and ranks its compute modules share.

`ORDER_COLUMNS` are the order-line columns the step reads (`notebook.Context.data` reads only these of the orders
file: on a 10 M-line history the others would cost seconds and memory for nothing). A new use of another column
goes here too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

ORDER_COLUMNS = ("order_id", "order_date", "customer_id", "channel", "amount", "margin")


def months_before(as_of: Any, months: int) -> pd.Timestamp:
    """The date `months` calendar months before `as_of` (windows are (months_before, as_of])."""
    return pd.Timestamp(as_of) - pd.DateOffset(months=months)


def pct_rank(x: pd.Series) -> np.ndarray:
    """Percentile rank in [0, 1] (ties share their average rank; NaN ranks lowest, as a tie; one row = 0.5)."""
    n = len(x)
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.full(1, 0.5)
    r = x.rank(method="average", na_option="top", ascending=True).to_numpy(dtype=float)
    return (r - 1.0) / (n - 1.0)
