"""The plan of record: prior year x ~1.15 by month and rep; the east on plan, the northeast behind."""

from __future__ import annotations

import pandas as pd
from frames_sample import revenue

from planning import sample


def test_plan_of_record(full):
    plan, reps = full["plan_of_record"], full["reps"].set_index("rep_id")
    year = sample.DEFAULT_END.year
    assert (plan["year"] == year).all()
    assert plan["month"].dt.year.eq(year).all() and plan["month"].dt.day.eq(1).all()
    assert plan.groupby(["rep_id", "month"])["target"].sum().gt(0).all()
    assert (plan["rep_id"].map(reps["role"]) == "rep").all()
    assert (plan["rep_id"].map(reps["region"]) == plan["region"]).all()
    rev = revenue(full["orders"], ["region", "year"]).unstack()
    ratio = plan.groupby("region")["target"].sum() / rev[year - 1]
    assert ratio.between(1.10, 1.20).all()
    # Year to date: the east is about on plan, the northeast clearly behind.
    ytd = revenue(full["orders"][full["orders"]["order_date"].dt.year == year], ["region"])
    att = ytd / plan[plan["month"] <= pd.Timestamp(sample.DEFAULT_END)].groupby("region")["target"].sum()
    assert 0.9 < att["east"] < 1.15
    assert att["northeast"] < 0.85
    assert att["northeast"] == att.min()
