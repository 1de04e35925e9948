"""Shared builders for the sample generator's tests: the generated company at a small scale and at scale 1
(generated once per test process; tests must only read them), and revenue by a grouping."""

from __future__ import annotations

import functools

import pandas as pd

from planning import sample

SMALL = 0.05


@functools.cache
def small_company() -> dict[str, pd.DataFrame]:
    return sample.generate(scale=SMALL)


@functools.cache
def full_company() -> dict[str, pd.DataFrame]:
    # Scale 1 takes well under a second; some invariants need its volume (rep counts, regional growth).
    return sample.generate(scale=1.0)


def revenue(orders: pd.DataFrame, by: list[str]) -> pd.Series:
    o = orders.assign(year=orders["order_date"].dt.year, m=orders["order_date"].dt.month)
    return o.groupby(by, observed=True)["amount"].sum()
