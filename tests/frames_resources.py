"""Shared test frames of the resources step (tests/test_resources_*.py): a hand-checkable team, monthly targets,
channel economics and params."""

from __future__ import annotations

from datetime import date

import pandas as pd

from planning.params import Params, Resources
from planning.resources.capacity import Baseline


def res_section(**kw) -> Resources:
    return Resources(**kw)


def baseline(tenures=(0, 5, 5), productivity=1200.0, ramp=2, attrition=0.0, **kw) -> Baseline:
    """Current reps hired `tenures` months before January 2027 (0 = in January); `productivity` is annual."""
    first = pd.Period("2027-01", "M")
    roster = pd.DataFrame(
        {
            "rep_id": [f"R{i}" for i in range(len(tenures))],
            "team": ["t1"] * len(tenures),
            "kind": ["current"] * len(tenures),
            "hire_month": [first - t for t in tenures],
        }
    )
    roster = pd.concat([roster, kw.pop("planned", roster.iloc[0:0])], ignore_index=True)
    return Baseline(
        productivity=productivity,
        ramp_months=ramp,
        attrition=attrition,
        roster=roster,
        first_month=first,
        **kw,
    )


def month_targets(values, start="2027-01") -> pd.Series:
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def channels(a=(1.0, 1.0), b=(0.5, 0.5), rpl=(100.0, 100.0), spend=(600.0, 600.0)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": [f"c{i}" for i in range(len(a))],
            "spend_12m": spend,
            "a": a,
            "b": b,
            "revenue_per_lead": rpl,
            "win_rate": [0.1] * len(a),
            "cost_per_lead": [1.0] * len(a),
            "aov": [1000.0] * len(a),
            "stopped": [False] * len(a),
        }
    )


def plan_params(as_of: date = date(2026, 9, 30), plan_year: int = 2027, **resources_kw) -> Params:
    return Params(as_of=as_of, plan_year=plan_year, resources=Resources(**resources_kw))
