"""Shared test frames of step 2 (goals): a tiny region whose numbers can be checked by hand, its parameters, and
a plan whose reps' targets are given."""

from __future__ import annotations

import functools
import types

import pandas as pd

from planning.goals import forecast as fc
from planning.goals import prepare
from planning.params import Params


def tables() -> types.SimpleNamespace:
    """A tiny region: 24 months (2024-10 .. 2026-09) of one order of 100 a month per rep.

    Reps: R1 (team t1, hired 2020, full output), R2 (team t2, hired 2020), R3 (t1, left 2025-03-31), a manager.
    Customers C1 (R1), C2 (R2); marketing 10 leads for 1,000 spend a month.
    """
    months = pd.date_range("2024-10-01", "2026-09-01", freq="MS")
    rows = []
    for m in months:
        rows.append(("O1" + m.strftime("%y%m"), m + pd.Timedelta(days=4), "C1", "R1", 100.0))
        rows.append(("O2" + m.strftime("%y%m"), m + pd.Timedelta(days=4), "C2", "R2", 100.0))
    orders = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "rep_id", "amount"])
    reps = pd.DataFrame(
        {
            "rep_id": ["R1", "R2", "R3", "M1"],
            "name": ["A", "B", "C", "M"],
            "team": ["t1", "t2", "t1", "t1"],
            "role": ["rep", "rep", "rep", "manager"],
            "hire_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-01", "2019-01-01"]),
            "exit_date": pd.to_datetime([None, None, "2025-03-31", None]),
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "first_order_date": pd.to_datetime(["2024-10-05", "2025-10-05"]),
            "wallet_size": [2400.0, 2400.0],
        }
    )
    marketing = pd.DataFrame({"month": months, "leads": 10, "spend": 1000.0})
    return types.SimpleNamespace(orders=orders, reps=reps, customers=customers, marketing=marketing)


def params(**goals_kw) -> Params:
    """as_of 2026-09-30, plan year 2027, region east; ramp 2 months, no attrition; goals as given."""
    g = {"planned_hires": [], "growth_ambition": 0.10, "buffer": 0.10, "tool_efficiency": 0.0,
         "training_uplift": 0.0, "territory_weight": 0.0, **goals_kw}  # fmt: skip
    return Params.model_validate(
        {
            "as_of": "2026-09-30",
            "plan_year": 2027,
            "region": {"key": "east"},
            "goals": g,
            "resources": {"ramp_months": 2, "attrition": 0.0},
        }  # fmt: skip
    )


@functools.cache
def tiny() -> tuple[types.SimpleNamespace, Params, fc.Result, prepare.Inputs]:
    """(tables, params, forecast, inputs) of the tiny region (24 flat months: the fast forecast tier).

    Cached for the session: tests must not mutate it (use dataclasses.replace)."""
    t = tables()
    p = params()
    result = fc.run(t.orders, p.as_of, p.plan_year)
    return t, p, result, prepare.prepare(t, p, result)


def rep_plan(
    monthly: dict[str, float], teams: dict[str, str], hires: tuple[str, ...] = ()
) -> types.SimpleNamespace:
    """A plan whose targets_rep gives each rep the same target in each of the 12 months of 2027."""
    months = [f"2027-{m:02d}" for m in range(1, 13)]
    rows = [
        (rep, f"Name {rep}", teams[rep], "hire" if rep in hires else "current", month, amount)
        for rep, amount in monthly.items()
        for month in months
    ]
    cols = ["rep_id", "name", "team", "kind", "month", "target"]
    return types.SimpleNamespace(targets_rep=pd.DataFrame(rows, columns=cols))


# Years (12 x monthly): R1 120, R2 240, R3 360, R4 360, R5 600, R6 720, R7 60 (a planned hire).
# Ranks (1 = largest, ties share): R6 1, R5 2, R3 and R4 3, R2 5, R1 6, R7 7.
SEVEN = rep_plan(
    {"R1": 10.0, "R2": 20.0, "R3": 30.0, "R4": 30.0, "R5": 50.0, "R6": 60.0, "R7": 5.0},
    {"R1": "t1", "R2": "t2", "R3": "t2", "R4": "t1", "R5": "t1", "R6": "t2", "R7": "t1"},
    hires=("R7",),
)
