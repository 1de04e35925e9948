"""Helpers the resources step's compute modules share: month labels and the empty artefact a part hands on when
the data cannot compute it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from planning import contracts


def period(ts: Any) -> pd.Period:
    """The calendar month of a date."""
    return pd.Timestamp(ts).to_period("M")


def month_str(per: pd.Period) -> str:
    """A month as "YYYY-MM", the form of every month in the step's artefacts."""
    return per.strftime("%Y-%m")


def no_rows(name: str) -> pd.DataFrame:
    """Artefact `name` with its contract columns and no rows: what a part the data cannot compute hands on."""
    return pd.DataFrame(columns=list(contracts.required_columns(name)))
