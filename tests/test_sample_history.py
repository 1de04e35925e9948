"""The order history: amounts and returns, the owning rep, seasonality, regional and industry growth."""

from __future__ import annotations

import numpy as np
from frames_sample import revenue

from planning import sample


def test_orders_amounts_and_returns(small):
    o = small["orders"]
    assert np.allclose(o["amount"], (o["quantity"] * o["unit_price"]).round(2), atol=0.006)
    assert (o["unit_price"] > 0).all()
    returns = (o["quantity"] < 0).mean()
    assert 0.003 < returns < 0.03
    assert set(o["product_line"].unique()) == set(sample.PRODUCT_LINES)
    assert set(o["channel"].unique()) == set(sample.CHANNELS)


def test_order_rep_belongs_to_region_and_is_employed_on_order_date(full):
    o, reps = full["orders"], full["reps"].set_index("rep_id")
    rid = o["rep_id"].astype("str")
    assert (rid.map(reps["region"]) == o["region"].astype("str")).all()
    hire, ex = rid.map(reps["hire_date"]), rid.map(reps["exit_date"])
    assert (o["order_date"] >= hire).all()
    assert ((o["order_date"] <= ex) | ex.isna()).all()
    # Orders go to quota reps; a manager only steps in on a day when the region has no rep at all.
    assert (rid.map(reps["role"]) == "rep").mean() > 0.99


def test_seasonality_q4_beats_q1(full):
    rev = revenue(full["orders"], ["year", "m"]).reset_index()
    rev = rev[rev["year"] < 2026]
    q = rev.assign(q=(rev["m"] - 1) // 3 + 1).groupby("q")["amount"].sum()
    assert q[4] > q[1] * 1.2
    by_m = rev.groupby("m")["amount"].sum()
    assert by_m[2] == by_m.min()  # Chinese New Year


def test_regional_and_industry_growth(full):
    rev = revenue(full["orders"], ["region", "year"]).unstack()
    growth = rev[2025] / rev[2022]
    assert growth["southwest"] > 1.6
    assert growth["northeast"] < 1.0
    assert growth["northeast"] < growth["southwest"]
    o = full["orders"].merge(
        full["customers"][["customer_id", "industry"]].astype({"customer_id": "category"})
    )
    ind = revenue(o, ["industry", "year"]).unstack()
    assert ind.loc["energy", 2025] > 2 * ind.loc["energy", 2022]
    assert ind.loc["retail", 2025] < ind.loc["retail", 2022]
