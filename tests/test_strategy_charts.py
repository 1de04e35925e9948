"""planning.strategy.charts: chart specs, and the tier scatter's embedded data bounded by its grid, not by the
customers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from frames_strategy import customers, full, opps, orders, real_export_opps, targets

from planning import params
from planning.i18n import Voice
from planning.strategy import charts, coverage, funnel, health, scatter, tiers


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def test_chart_specs(p):
    f = tiers.customer_features(orders(), customers(), full(p))
    tiered = tiers.tier_customers(f, p)
    cut = tiers.cutoffs(tiered, p)
    spec = charts.tier_scatter(scatter.scatter_cells(tiered, cut), cut, Voice("zh", "CNY")).to_dict()
    layer = spec["layer"][0]
    assert layer["mark"]["type"] == "circle"
    assert layer["title"]["subtitle"][0].startswith("全部 3 个客户")  # every customer of the fixture counted
    assert layer["encoding"]["x"]["field"] == "value_score" and layer["encoding"]["x"]["title"] == "价值分"
    assert "战略客户" in layer["encoding"]["color"]["scale"]["domain"]
    fun = charts.funnel_chart(funnel.funnel(opps(), full(p)), 12, Voice("en", "CNY")).to_dict()
    values = fun["datasets"][next(iter(fun["datasets"]))]
    assert [v["stage_name"] for v in values] == ["Lead", "Needs discovery", "Proposal", "Negotiation"]
    assert sum(v["kind"] == "Bottleneck" for v in values) == 1
    cov = coverage.coverage(targets(), opps(), full(p.model_copy(update={"pipeline_share": 1.0})),
                            funnel.funnel(opps(), full(p)))  # fmt: skip
    c = charts.coverage_chart(cov, Voice("en", "CNY")).to_dict()
    assert c["mark"]["type"] == "bar" and c["encoding"]["xOffset"]["field"] == "series"
    h = health.health(f, p)
    hist = charts.health_histogram(health.health_bins(h), Voice("en", "CNY")).to_dict()
    assert hist["encoding"]["color"]["scale"]["domain"] == ["High", "Medium", "Low"]


def _tiers(n: int, seed: int = 0) -> pd.DataFrame:
    """`n` customers with random, distinct ranks on every dimension, tiered with the default parameters."""
    rng = np.random.default_rng(seed)
    f = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "recency_days": 10.0,
            "frequency": 1,
            "monetary": rng.gamma(2.0, 50_000.0, n).round(2),
            "complexity": 1.0,
            "potential": 50.0,
        }
    )
    for col in (*tiers.VALUE_DIMS.values(), *tiers.POTENTIAL_DIMS.values()):
        f[col] = rng.random(n)
    return tiers.tier_customers(f, params.Strategy())


def _scatter(n: int, lang: str = "en") -> dict:
    tiered = _tiers(n)
    cut = tiers.cutoffs(tiered, params.Strategy())
    return charts.tier_scatter(scatter.scatter_cells(tiered, cut), cut, Voice(lang, "CNY")).to_dict()


def _points(spec: dict) -> list[dict]:
    return spec["datasets"][spec["layer"][0]["data"]["name"]]


def test_scatter_data_is_bounded_by_the_grid_not_the_customers():
    small, large = _scatter(1_000), _scatter(100_000)
    rows_small, rows_large = _points(small), _points(large)
    assert len(rows_small) == len(rows_large) == scatter.SCATTER_GRID**2  # 400 cells at both sizes
    size_small = len(json.dumps(rows_small, separators=(",", ":")))
    size_large = len(json.dumps(rows_large, separators=(",", ":")))
    # Only the digits of the counts and sums grow (~61 kB -> ~63 kB here); the report inlines this once.
    assert size_large < 80_000 and size_large / size_small < 1.10
    # true counts: every customer is in exactly one cell
    assert sum(r["customers"] for r in rows_large) == 100_000


def test_scatter_says_every_customer_is_counted_and_draws_only_filled_cells():
    spec = _scatter(1_000)
    points = spec["layer"][0]
    assert (
        points["title"]["subtitle"][0] == "All 1,000 customers counted, in cells of about 5 × 5 score points"
    )
    assert points["title"]["subtitle"][1].startswith("Larger circle = more customers")
    assert {"filter": "datum.customers > 0"} in points["transform"]  # empty cells stay in the data, not drawn
    enc = points["encoding"]
    assert enc["x"]["field"] == "value_score" and enc["size"]["field"] == "customers"
    assert [t["title"] for t in enc["tooltip"]][:3] == ["Tier", "Value score", "Potential score"]
    zh = _scatter(1_000, "zh")["layer"][0]["title"]["subtitle"][0]
    assert zh.startswith("全部 1,000 个客户")


def test_scatter_cut_off_rules_are_the_cutoffs():
    tiered = _tiers(500)
    cut = {"value": 61.25, "potential": 38.5}
    spec = charts.tier_scatter(scatter.scatter_cells(tiered, cut), cut, Voice("en", "CNY")).to_dict()
    rules = [spec["datasets"][layer["data"]["name"]] for layer in spec["layer"][1:]]
    assert rules == [[{"value": 61.25, "potential": 38.5}]] * 2
    cells = pd.DataFrame(_points(spec))
    assert 61.25 in set(cells["value_from"]) and 38.5 in set(
        cells["potential_from"]
    )  # cells split at the cuts


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scatter_of_no_customers_is_an_empty_grid(lang):
    tiered = _tiers(0)
    cells = scatter.scatter_cells(tiered, {"value": 50.0, "potential": 50.0})
    assert len(cells) == 400 and cells["customers"].sum() == 0
    spec = charts.tier_scatter(cells, {"value": 50.0, "potential": 50.0}, Voice(lang, "CNY")).to_dict()
    assert spec["layer"][0]["title"]["subtitle"][0].startswith("All 0" if lang == "en" else "全部 0")


def test_funnel_without_stage_dates_charts_how_the_leads_ended(p):
    # issue 17 case 6: one bar per outcome (won, lost, still open) instead of stages at 100 % conversion
    for lang, names in (("en", ["Won", "Lost", "Still open"]), ("zh", ["成交", "丢单", "在途"])):
        spec = charts.funnel_chart(funnel.funnel(real_export_opps(), full(p)), 12, Voice(lang, "CNY")).to_dict()
        values = spec["datasets"][next(iter(spec["datasets"]))]
        assert [v["outcome_name"] for v in values] == names
        assert [v["deals"] for v in values] == [1, 7, 2]
        assert spec["layer"][0]["encoding"]["x"]["field"] == "deals"


def test_coverage_chart_without_open_deal_values_has_no_open_series(p):
    # issue 17 case 6: open deals without values: the open pipeline is unknown, not a row of 0 bars in the legend
    q = p.model_copy(update={"pipeline_share": 1.0})
    deals = real_export_opps()
    cov = coverage.coverage(targets(), deals, full(q), funnel.funnel(deals, full(q)))
    spec = charts.coverage_chart(cov, Voice("en", "CNY")).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert {v["series"] for v in values} == {"Pipeline required"}
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Pipeline required"]
