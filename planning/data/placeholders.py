"""Placeholder customers: an id that stands for no real customer (anonymous lines, issue 17 case 4).

An export's anonymous sales (walk-in, web guests) have no customer; a mapping's `fill: {customer_id: GUEST}`
gives them one id so that the lines are kept. Taken as a customer, GUEST would be the largest one: the top tier,
one customer in every count, a segment's CLV. The importer records each placeholder it filled in
`placeholders.csv` next to the canonical tables (a folder of your own tables may hold one too: columns `column`,
`value`); `anonymize` blanks the placeholder's `customer_id` for the steps, so that its lines count in revenue
(every sum by product, channel, month, region) and in no customer-level figure (tiers, health, CLV, customer
counts, ICP, retention), and `anonymous_revenue` says how much revenue that is.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from planning.data.tables import Tables
from planning.errors import DataError

PLACEHOLDERS_FILE = "placeholders.csv"
COLUMNS = ("customer_id",)  # id columns a placeholder may stand in


def read_placeholders(data_dir: str | os.PathLike) -> dict[str, frozenset[str]]:
    """The placeholders recorded with a data folder: column -> values ({} without `placeholders.csv`)."""
    path = Path(data_dir) / PLACEHOLDERS_FILE
    if not path.is_file():
        return {}
    df = pd.read_csv(path, dtype="str", keep_default_na=False)
    if list(df.columns) != ["column", "value"]:
        raise DataError(f"{path}: columns {', '.join(map(str, df.columns))}; expected column,value")
    bad = df.loc[~df["column"].isin(COLUMNS)]
    if len(bad):
        raise DataError(
            f"{path}: line {int(bad.index[0]) + 2}: column {bad['column'].iloc[0]!r}; expected one of "
            f"{', '.join(COLUMNS)}"
        )
    return {c: frozenset(g["value"]) for c, g in df.groupby("column")}


def write_placeholders(data_dir: str | os.PathLike, found: dict[str, set[str]]) -> None:
    """Record the placeholders an import filled (nothing when none)."""
    rows = [(c, v) for c in sorted(found) for v in sorted(found[c])]
    if rows:
        pd.DataFrame(rows, columns=["column", "value"]).to_csv(
            Path(data_dir) / PLACEHOLDERS_FILE, index=False
        )


def anonymize(tables: Tables, placeholders: dict[str, frozenset[str]]) -> Tables:
    """`tables` with the placeholder customers' `customer_id` blank (orders, opportunities) and their rows out
    of `customers`; every amount kept."""
    values = placeholders.get("customer_id", frozenset())
    if not values:
        return tables
    out = {name: tables.get(name) for name in tables.available()}
    for name in ("orders", "opportunities"):
        df = out.get(name)
        if df is not None and "customer_id" in df.columns:
            cid = df["customer_id"].astype("str")
            out[name] = df.assign(customer_id=cid.where(~cid.isin(values)))
    if out.get("customers") is not None and "customer_id" in out["customers"].columns:
        c = out["customers"]
        out["customers"] = c.loc[~c["customer_id"].astype("str").isin(values)].reset_index(drop=True)
    return Tables(**out)


def anonymous_revenue(orders: pd.DataFrame) -> tuple[float, float]:
    """(amount, share of all revenue) of the order lines without a customer (`anonymize`d placeholders);
    share NaN when the revenue is not positive."""
    if "customer_id" not in orders.columns or "amount" not in orders.columns:
        return 0.0, float("nan")
    amount = float(orders.loc[orders["customer_id"].isna(), "amount"].sum())
    total = float(orders["amount"].sum())
    return amount, (amount / total if total > 0 else float("nan"))
