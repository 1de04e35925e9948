"""Helpers the resources step's compute modules share: table checks, month labels, the planner's own texts and
the empty artefact a part hands on when the data cannot compute it."""

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


def require(df: pd.DataFrame | None, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """`df` if it has `columns`; a ValueError naming the table and the missing columns otherwise."""
    if df is None:
        raise ValueError(f"table {name!r} is required for this part of the resources step and is missing")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"table {name!r} lacks columns {missing}; has {list(df.columns)}")
    return df


def local_text(value: Any, lang: str) -> str:
    """A planner's text from params: a plain string, or {en: ..., zh: ...} (falls back to the other language)."""
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def no_rows(name: str) -> pd.DataFrame:
    """Artefact `name` with its contract columns and no rows: what a part the data cannot compute hands on."""
    return pd.DataFrame(columns=list(contracts.required_columns(name)))
