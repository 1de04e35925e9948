"""planning.strategy.health: the health score by hand and its bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_strategy import customers, full, orders
from hypothesis import given, settings
from hypothesis import strategies as st

from planning import contracts, params
from planning.i18n import Voice
from planning.strategy import health, narrate, tiers


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def test_health_by_hand(p):
    f = tiers.customer_features(orders(), customers(), full(p))
    h = narrate.health_table(health.health(f, p), p, Voice("en", "CNY")).set_index("customer_id")
    # C1: usage 7/7=1, satisfaction (5-1)/4=1, renewal 1, trend 0.5+0.5*(100-50)/100=0.75
    #     -> 100 * (0.3 + 0.3 + 0.25 + 0.15 * 0.75) = 96.25
    assert h.loc["C1", "health_score"] == pytest.approx(96.25)
    # C2: 0, 0, 0, trend 0.5 + 0.5 * (0 - 200) / 200 = 0 -> 0 -> high risk, revenue at risk = 200
    assert h.loc["C2", "health_score"] == 0 and h.loc["C2", "risk"] == "high"
    assert h.loc["C2", "revenue_at_risk"] == 200.0
    assert h.loc["C2", "action"] == "Renewal offer + executive visit"  # the built-in text
    # C3: 0.5, 0.5, 0.5, no orders -> 0.5 -> 50 -> medium, nothing at stake
    assert h.loc["C3", "risk"] == "medium" and h.loc["C3", "revenue_at_risk"] == 0.0
    assert set(contracts.required_columns("health")) <= set(h.reset_index().columns)


@settings(max_examples=60, deadline=None)
@given(
    usage=st.floats(0, 30),
    sat=st.floats(1, 5),
    better=st.floats(0, 4),
    renewal=st.floats(0, 1),
    recent=st.floats(0, 1e7),
    prior=st.floats(0, 1e7),
)
def test_health_bounded_and_monotone_in_satisfaction(usage, sat, better, renewal, recent, prior):
    p = params.Strategy()
    f = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "revenue_12m": [recent + prior] * 2,
            "revenue_recent": [recent] * 2,
            "revenue_prior": [prior] * 2,
            "usage_frequency": [usage] * 2,
            "satisfaction": [sat, min(sat + better, 5.0)],
            "renewal_intent": [renewal] * 2,
        }
    )
    h = health.health(f, p)
    assert ((h["health_score"] >= 0) & (h["health_score"] <= 100)).all()
    assert h["health_score"].iloc[1] >= h["health_score"].iloc[0]


def test_health_params_are_validated():
    with pytest.raises(ValueError, match="risk_medium_below"):
        params.Strategy(risk_high_below=70, risk_medium_below=60)
    with pytest.raises(ValueError, match="unknown dimension"):
        params.Strategy(health_weights={"mood": 1.0})
    with pytest.raises(ValueError, match="at least one"):
        params.Strategy(value_weights={"recency": 0.0})


def test_health_components_clip_and_fill_as_series_would():
    """The components are worked out on arrays with Series.clip / fillna's rules: -0.0 stays -0.0 (np.clip
    would print it as 0.0), a missing input counts as 0.5 in the score but stays empty as a component, inf is
    capped, and inf against inf is a flat trend."""
    p = params.Strategy()
    f = pd.DataFrame({"customer_id": ["A", "B", "C"], "revenue_12m": [1.0, 1.0, 1.0],
                      "usage_frequency": [-0.0, np.nan, np.inf], "satisfaction": [1.0, np.nan, 9.0],
                      "renewal_intent": [-0.0, np.nan, 1.0], "revenue_recent": [0.0, np.inf, 5.0],
                      "revenue_prior": [-0.0, np.inf, 0.0]})  # fmt: skip
    h = health.health(f, p)
    assert np.signbit(h["usage"].iloc[0]) and np.signbit(h["renewal"].iloc[0])
    assert h[["usage", "satisfaction", "renewal"]].iloc[1].isna().all()
    assert list(h["trend"]) == [0.5, 0.5, 1.0] and h["usage"].iloc[2] == 1.0 and h["satisfaction"].iloc[2] == 1.0
    w = p.health_weights
    assert h["health_score"].iloc[1] == round(100.0 * sum(0.5 * w.get(k, 0.0) for k in
                                                           ("usage", "satisfaction", "renewal", "trend")) / sum(w.values()), 2)  # fmt: skip
