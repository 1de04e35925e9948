"""Regions, reps and customers: structure, attrition and ramp, customer health tracking churn."""

from __future__ import annotations

import pandas as pd

from planning import sample


def test_structure_at_scale_one(full):
    assert full["regions"]["region"].tolist() == [
        "east",
        "north",
        "south",
        "central",
        "southwest",
        "northeast",
    ]
    assert full["regions"]["name_zh"].tolist() == ["华东", "华北", "华南", "华中", "西南", "东北"]
    reps = full["reps"]
    assert 55 <= len(reps) <= 80
    assert (reps["role"] == "manager").sum() == 12  # one per team, two teams per region
    assert reps.groupby("region")["team"].nunique().eq(2).all()
    assert 2700 <= len(full["customers"]) <= 3300
    assert 90_000 <= len(full["orders"]) <= 120_000
    assert full["orders"]["order_date"].min() < pd.Timestamp("2022-01-10")
    assert full["orders"]["order_date"].max() <= pd.Timestamp(sample.DEFAULT_END)


def test_customers_health_tracks_churn(full):
    last = full["orders"].groupby("customer_id", observed=True)["order_date"].max()
    c = full["customers"].set_index("customer_id")
    stopped = last.reindex(c.index) < pd.Timestamp("2025-10-01")
    assert c.loc[stopped, "satisfaction"].mean() < c.loc[~stopped, "satisfaction"].mean() - 0.5
    assert c.loc[stopped, "usage_frequency"].mean() < c.loc[~stopped, "usage_frequency"].mean()
    assert c["satisfaction"].between(1, 5).all() and c["renewal_intent"].between(0, 1).all()
    assert c["decision_chain_length"].between(1, 8).all() and c["demand_complexity"].between(1, 5).all()
    assert c["name"].is_unique
    # New customers' first order is in the orders table on their first_order_date.
    first = full["orders"].groupby("customer_id", observed=True)["order_date"].min()
    new = c[c["first_order_date"] >= "2022-01-01"]
    assert (first.reindex(new.index) == new["first_order_date"]).all()


def test_reps_churn_and_ramp(full):
    reps = full["reps"]
    quota = reps[reps["role"] == "rep"]
    assert quota["exit_date"].notna().sum() >= 8  # attrition happens
    assert (quota["hire_date"] >= "2022-01-01").sum() >= 8  # and replacements are hired
    # A new hire sells less in their first two months than once ramped.
    o = full["orders"].assign(rep_id=full["orders"]["rep_id"].astype("str"))
    o = o.merge(quota[["rep_id", "hire_date"]], on="rep_id")
    o = o[o["hire_date"] >= "2022-03-01"]
    tenure_m = ((o["order_date"] - o["hire_date"]).dt.days // 30).clip(upper=12)
    per = o.groupby([o["rep_id"], tenure_m])["amount"].sum().unstack().fillna(0)
    assert per[[0, 1]].mean(axis=1).mean() < 0.6 * per[[8, 9, 10]].mean(axis=1).mean()
