"""planning.strategy.widgets: the what-if panel builds its sliders from the parameters and re-tiers / re-scores
the three hand-checked customers of frames_strategy on every move."""

from __future__ import annotations

import types

import pandas as pd
import pytest
from frames_strategy import customers, full, orders

from planning import i18n
from planning.strategy import tiers, widgets

# frames_strategy's customers with the default weights (see test_strategy_tiers / test_strategy_health):
# value scores C1 80, C2 62.5, C3 7.5; potential scores C1 75, C2 35, C3 40;
# health C1 96.25 (low risk), C2 0 (high, 200 at risk), C3 50 (medium, nothing at stake).


@pytest.fixture
def panel(monkeypatch: pytest.MonkeyPatch):
    """(panel, sliders by description, tables shown as (frame, keywords))."""
    pytest.importorskip("ipywidgets")
    shown: list = []
    monkeypatch.setattr(widgets, "display", shown.append)
    p = full()
    features = tiers.customer_features(orders(), customers(), p)
    tables: list[tuple[pd.DataFrame, dict]] = []
    said: list[str] = []
    ctx = types.SimpleNamespace(
        p=p,
        t=lambda key, **fmt: i18n.t(key, "en", **fmt),
        table=lambda df, **kw: tables.append((df, kw)),
        say=said.append,
    )
    box = widgets.whatif_panel(ctx, features)
    assert shown == [box]
    assert said == [i18n.t("strategy.whatif.same_as_page", "en")] and tables == []  # the page is not repeated
    sliders = {s.description: s for s in box.children[:-2]}
    return box, sliders, tables


def _tiers(tables) -> dict[str, int]:
    df = tables[-2][0]
    return dict(zip(df["tier"], df["customers"], strict=True))


def test_sliders_start_at_the_parameters(panel):
    box, sliders, tables = panel
    assert {d: s.value for d, s in sliders.items()} == {
        "Value cut-off": 0.5,
        "Potential cut-off": 0.5,
        "Weight: usage": 0.3,
        "Weight: satisfaction": 0.3,
        "Weight: renewal intent": 0.25,
        "Weight: order trend": 0.15,
    }
    cut = sliders["Value cut-off"]
    assert (cut.min, cut.max, cut.step) == (0.05, 0.95, 0.05)
    assert (sliders["Weight: usage"].min, sliders["Weight: usage"].max) == (0.0, 1.0)
    assert len(box.children) == 8  # six sliders, the output and the keep row


def test_default_tables_are_the_pages_tier_counts_and_risk_mix():
    """What the panel shows after a move, computed at the parameters, equals the page's hand-checked numbers."""
    p = full()
    features = tiers.customer_features(orders(), customers(), p)
    tier_df, risk_df = widgets.tables(features, p.strategy)
    assert list(tier_df.columns) == ["tier", "customers", "revenue_12m", "revenue_share"]
    page = tiers.tier_summary(tiers.tier_customers(features, p.strategy), features, p.strategy)
    pd.testing.assert_frame_equal(tier_df, page[list(tier_df.columns)])
    # median value 62.5 -> C1, C2 high value; median potential 40 -> C1, C3 high potential
    assert tier_df.values.tolist() == [
        ["strategic", 1, 150.0, 150 / 350],
        ["profit", 1, 200.0, 200 / 350],
        ["nurture", 1, 0.0, 0.0],
        ["maintain", 0, 0.0, 0.0],
    ]
    assert risk_df.values.tolist() == [
        ["high", 1, 200.0, 0.0],
        ["medium", 1, 0.0, 50.0],
        ["low", 1, 0.0, 96.25],
    ]


def test_moving_the_value_cutoff_re_tiers(panel):
    _, sliders, tables = panel
    sliders["Value cut-off"].value = 0.95
    # the 0.95 quantile of 7.5, 62.5, 80 is 62.5 + 0.9 x 17.5 = 78.25: only C1 is high value, C2 drops to maintain
    assert len(tables) == 2
    assert _tiers(tables) == {"strategic": 1, "profit": 0, "nurture": 1, "maintain": 1}
    assert tables[-2][0].set_index("tier").loc["maintain", "revenue_12m"] == 200.0
    assert tables[-2][1] == {"money": ["revenue_12m"], "pct": ["revenue_share"], "domain": "strategy"}
    assert tables[-1][1] == {"money": ["revenue_at_risk"], "domain": "strategy"}
    sliders["Value cut-off"].value = 1.0  # beyond the slider: held at 0.95, the same value, no redraw
    assert sliders["Value cut-off"].value == 0.95 and len(tables) == 2


def test_moving_a_health_weight_re_scores(panel):
    _, sliders, tables = panel
    sliders["Weight: order trend"].value = 1.0
    for name in ("usage", "satisfaction", "renewal intent"):
        sliders[f"Weight: {name}"].value = 0.0
    assert len(tables) == 2 * 4
    # trend alone: C1 0.5 + 0.5 x (100 - 50) / 100 = 0.75 -> 75; C2 stopped buying -> 0; C3 no orders -> 50
    risk = tables[-1][0].set_index("risk")
    assert risk["health"].tolist() == [0.0, 50.0, 75.0]
    assert _tiers(tables) == {"strategic": 1, "profit": 1, "nurture": 1, "maintain": 0}  # weights do not tier


def test_all_weights_zero_keeps_the_last_tables(panel):
    _, sliders, tables = panel
    weights = [s for d, s in sliders.items() if d.startswith("Weight")]
    for s in weights[:-1]:
        s.value = 0.0
    n = len(tables)
    last = tables[-1][0]
    weights[-1].value = 0.0  # no weight left: nothing to score with, the panel keeps what it shows
    assert len(tables) == n and tables[-1][0] is last
    assert last["health"].tolist() == [0.0, 50.0, 75.0]  # trend alone, the last valid weights
    weights[0].value = 0.5  # usage alone: C1 7 / 7 -> 100, C2 0, C3 3.5 / 7 -> 50
    assert len(tables) == n + 2 and tables[-1][0]["health"].tolist() == [0.0, 50.0, 100.0]
