"""Step 3 (strategy): tiers, funnel, coverage, health, 4P on hand-checked fixtures; chart specs; one smoke run."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning import contracts, params, strategy
from planning.charts import strategy as charts

AS_OF = pd.Timestamp("2026-09-30")


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def _ranked(value: list[float], potential: list[float]) -> pd.DataFrame:
    """Features whose every value rank equals `value` and every potential rank equals `potential`."""
    n = len(value)
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "recency_days": 10.0,
            "frequency": 1,
            "monetary": 100.0,
            "complexity": 1.0,
            "potential": 50.0,
        }
    )
    for col in strategy.VALUE_DIMS.values():
        df[col] = value
    for col in strategy.POTENTIAL_DIMS.values():
        df[col] = potential
    return df


# ------------------------------------------------------------------------------------------------ tiering
def test_one_customer_per_quadrant(p):
    # value ranks 1, 1, 0, 0 and potential ranks 1, 0, 1, 0 -> scores 100/0; the 0.5 quantile of
    # [100, 100, 0, 0] is 50, so customers 0-1 are high value and 0, 2 high potential.
    t = strategy.tier_customers(_ranked([1, 1, 0, 0], [1, 0, 1, 0]), p)
    assert list(t["tier"].astype(str)) == ["strategic", "profit", "nurture", "maintain"]
    assert list(t["value_score"]) == [100, 100, 0, 0]
    assert list(t["touches_per_year"]) == [24, 8, 6, 2]
    assert t["playbook"].iloc[0] == p.playbooks["strategic"].action
    assert set(contracts.required_columns("customer_tiers")) <= set(t.columns)


def test_score_equal_to_cutoff_is_high(p):
    # cutoff_kind score, value_cutoff 0.5 -> threshold 50; a value rank of 0.5 scores exactly 50 -> high.
    q = p.model_copy(update={"cutoff_kind": "score"})
    t = strategy.tier_customers(_ranked([0.5, 0.49], [0.5, 0.49]), q)
    assert list(t["tier"].astype(str)) == ["strategic", "maintain"]


def test_weights_are_relative(p):
    # value weights recency 1, monetary 3: ranks recency 1, monetary 0 -> 100 * 1/4 = 25.
    f = _ranked([0.0], [0.0])
    f["rank_recency"] = 1.0
    q = p.model_copy(update={"value_weights": {"recency": 1.0, "monetary": 3.0}})
    assert strategy.tier_customers(f, q)["value_score"].iloc[0] == 25.0


def test_tier_customers_rejects_features_without_ranks(p):
    with pytest.raises(ValueError, match="rank_recency"):
        strategy.tier_customers(pd.DataFrame({"customer_id": ["C1"]}), p)


def _orders() -> pd.DataFrame:
    # C1: orders on 2026-09-20 (100, two lines of order A), 2025-12-01 (50) and 2024-01-01 (outside 24 months).
    # C2: one order 2026-03-01 (200). C3: never ordered.
    return pd.DataFrame(
        {
            "order_id": ["A", "A", "B", "C", "D"],
            "order_date": pd.to_datetime(
                ["2026-09-20", "2026-09-20", "2025-12-01", "2024-01-01", "2026-03-01"]
            ),
            "customer_id": ["C1", "C1", "C1", "C1", "C2"],
            "amount": [60.0, 40.0, 50.0, 999.0, 200.0],
        }
    )


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "name": ["One", "Two", "Three"],
            "industry": ["energy", "retail", "energy"],
            "demand_complexity": [3, 1, 2],
            "decision_chain_length": [2, 5, 1],
            "wallet_size": [1000.0, 100.0, 300.0],
            "usage_frequency": [7.0, 0.0, 3.5],
            "satisfaction": [5.0, 1.0, 3.0],
            "renewal_intent": [1.0, 0.0, 0.5],
        }
    )


def test_customer_features_by_hand(p):
    growth = pd.Series({"energy": 0.10})  # retail missing -> 0
    f = strategy.customer_features(_orders(), _customers(), AS_OF, p, growth).set_index("customer_id")
    assert f.loc["C1", "recency_days"] == 10  # 2026-09-30 - 2026-09-20
    assert f.loc["C1", "frequency"] == 2  # orders A and B within 24 months (A has two lines)
    assert f.loc["C1", "monetary"] == 150.0
    assert f.loc["C1", "revenue_12m"] == 150.0
    assert f.loc["C1", "potential"] == pytest.approx(1000 * 1.10 - 150)  # 950
    assert f.loc["C2", "potential"] == 0.0  # wallet 100 < revenue 200 -> floored at 0
    assert np.isnan(f.loc["C3", "recency_days"]) and f.loc["C3", "frequency"] == 0
    # trend window 6 months: C1 recent (after 2026-03-30) 100, prior (2025-09-30..2026-03-30) 50; C2 prior 200
    assert (f.loc["C1", "revenue_recent"], f.loc["C1", "revenue_prior"]) == (100.0, 50.0)
    assert (f.loc["C2", "revenue_recent"], f.loc["C2", "revenue_prior"]) == (0.0, 200.0)
    # ranks: recency C1 (10 d) > C2 (213 d) > C3 (never) -> 1, 0.5, 0
    assert list(f["rank_recency"]) == [1.0, 0.5, 0.0]
    # segment growth 0.1, 0, 0.1 -> ties share the average rank: (2+3)/2=2.5 -> (2.5-1)/2 = 0.75; C2 0
    assert list(f["rank_segment_growth"]) == [0.75, 0.0, 0.75]


def test_customer_features_needs_customer_columns(p):
    with pytest.raises(ValueError, match="wallet_size"):
        strategy.customer_features(_orders(), _customers().drop(columns="wallet_size"), AS_OF, p)


def test_tier_summary_expected_revenue(p):
    f = strategy.customer_features(_orders(), _customers(), AS_OF, p)
    tiers = strategy.tier_customers(f, p)
    s = strategy.tier_summary(tiers, f, p, target=1000.0).set_index("tier")
    assert s["customers"].sum() == 3
    h = strategy.health(f, p).set_index("customer_id")
    for cid in ("C1", "C2", "C3"):
        tier = tiers.set_index("customer_id").loc[cid, "tier"]
        row = f.set_index("customer_id").loc[cid]
        churn = p.churn_probability[h.loc[cid, "risk"]]
        expected = row["revenue_12m"] * (1 - churn) + p.playbooks[tier].headroom_capture * row["potential"]
        assert s.loc[tier, "customers"] == 1
        assert s.loc[tier, "expected_revenue"] == pytest.approx(expected)
        assert s.loc[tier, "share_of_target"] == pytest.approx(expected / 1000.0)
    assert strategy.installed_base(s.reset_index()) == pytest.approx(s["expected_revenue"].sum())


def test_tier_customers_is_fast_on_100k_customers(p):
    rng = np.random.default_rng(1)
    n = 100_000
    f = _ranked(rng.random(n), rng.random(n))
    for col in (*strategy.VALUE_DIMS.values(), *strategy.POTENTIAL_DIMS.values()):
        f[col] = rng.random(n)
    strategy.tier_customers(f, p)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        strategy.tier_customers(f, p)
        runs.append(time.perf_counter() - start)
    assert min(runs) < 0.100


# ------------------------------------------------------------------------------------------------ funnel
def _opps() -> pd.DataFrame:
    # 10 leads in the last 12 months: 8 reach discovery, 4 proposal, 2 negotiation, 1 won, 1 lost at negotiation;
    # one lead is still open at lead, one open at proposal.
    rows = []

    def opp(i, disc=None, prop=None, neg=None, close=None, status="lost", amount=100.0, industry="energy"):
        rows.append(
            {
                "opportunity_id": f"O{i}",
                "lead_date": pd.Timestamp("2026-06-01"),
                "discovery_date": pd.Timestamp(disc) if disc else pd.NaT,
                "proposal_date": pd.Timestamp(prop) if prop else pd.NaT,
                "negotiation_date": pd.Timestamp(neg) if neg else pd.NaT,
                "close_date": pd.Timestamp(close) if close else pd.NaT,
                "status": status,
                "amount": amount,
                "industry": industry,
                "source": "events" if i % 2 else "content",
            }
        )

    opp(0, "2026-06-11", "2026-06-21", "2026-07-01", "2026-07-11", "won", amount=300.0)
    opp(1, "2026-06-11", "2026-06-21", "2026-07-01", "2026-07-21", "lost")
    opp(2, "2026-06-11", "2026-06-21", close="2026-07-01")
    opp(3, "2026-06-11", "2026-06-21", status="open")
    for i in (4, 5, 6, 7):
        opp(i, "2026-06-11", close="2026-06-20")
    opp(8, close="2026-06-05")
    opp(9, status="open")
    return pd.DataFrame(rows)


def test_funnel_rates_from_counts(p):
    f = strategy.funnel(_opps(), AS_OF, p).set_index("stage")
    # lead: entered 10, advanced 8, open 1 -> 8 / (10 - 1)
    assert (f.loc["lead", "entered"], f.loc["lead", "advanced"], f.loc["lead", "open"]) == (10, 8, 1)
    assert f.loc["lead", "conversion_rate"] == pytest.approx(8 / 9)
    # discovery: entered 8, advanced 4, none open -> 4 / 8; 10 days in stage
    assert f.loc["discovery", "conversion_rate"] == pytest.approx(0.5)
    assert f.loc["discovery", "median_days"] == 10
    # proposal: entered 4, advanced 2, open 1 -> 2 / 3;  negotiation: 2 entered, 1 won -> 1 / 2, days 10 and -
    assert f.loc["proposal", "conversion_rate"] == pytest.approx(2 / 3)
    assert f.loc["negotiation", "conversion_rate"] == pytest.approx(0.5)
    assert f.loc["negotiation", "median_days"] == 10
    # no benchmark: the lowest rate is the bottleneck (discovery and negotiation tie at 0.5 -> first)
    assert f["bottleneck"].sum() == 1 and f.loc["discovery", "bottleneck"]
    assert set(contracts.required_columns("funnel")) <= set(f.reset_index().columns)


def test_bottleneck_is_largest_drop_against_benchmark(p):
    region = _opps()
    # company benchmark: the same deals plus extra deals that all advance from proposal -> proposal looks weak
    extra = region.iloc[[0]].assign(opportunity_id="X")
    company = pd.concat(
        [region] + [extra.assign(opportunity_id=f"X{i}") for i in range(6)], ignore_index=True
    )
    f = strategy.funnel(region, AS_OF, p, benchmark=company).set_index("stage")
    # benchmark proposal rate: (2 + 6) / (3 + 6) = 8/9; region 2/3 -> ratio 0.75
    # benchmark negotiation: (1 + 6) / (2 + 6) = 7/8; region 1/2 -> ratio 0.571 -> the largest drop
    assert f.loc["proposal", "benchmark_rate"] == pytest.approx(8 / 9)
    assert f.loc["negotiation", "vs_benchmark"] == pytest.approx(0.5 / (7 / 8) - 1)
    assert f.loc["negotiation", "bottleneck"] and f["bottleneck"].sum() == 1


def test_funnel_ignores_dates_after_as_of(p):
    # as of 2026-06-15 the deals that reached proposal on 06-21 have not yet: discovery has 8 entered, 0 advanced
    f = strategy.funnel(_opps(), pd.Timestamp("2026-06-15"), p).set_index("stage")
    assert f.loc["discovery", "advanced"] == 0


def test_win_stats(p):
    s = strategy.win_stats(_opps(), AS_OF, p).iloc[0]
    # 8 decided: 1 won (300) and 7 lost (100 each)
    assert (s["won"], s["lost"], s["open"]) == (1, 7, 2)
    assert s["win_rate"] == pytest.approx(1 / 8)
    assert s["value_win_rate"] == pytest.approx(300 / 1000)
    assert s["cycle_days"] == 40  # 2026-06-01 -> 2026-07-11


def _targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": ["year", "quarter", "quarter", "quarter", "quarter"],
            "period": ["2027", "2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"],
            "start": ["2027-01-01", "2027-01-01", "2027-04-01", "2027-07-01", "2027-10-01"],
            "end": ["2027-12-31", "2027-03-31", "2027-06-30", "2027-09-30", "2027-12-31"],
            "target": [1000.0, 200.0, 250.0, 250.0, 300.0],
        }
    )


def test_coverage_is_target_over_win_rate(p):
    q = p.model_copy(update={"pipeline_share": 1.0})
    opps = _opps()
    fun = strategy.funnel(opps, AS_OF, q)
    cov = strategy.coverage(_targets(), opps, AS_OF, q, fun)
    # value win rate 300 / 1000 = 0.3 (one segment, < min_segment_deals -> overall); Q1: 200 / 0.3
    assert list(cov["period"]) == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
    assert cov["win_rate"].iloc[0] == pytest.approx(0.3)
    assert cov["required_pipeline"].iloc[0] == pytest.approx(200 / 0.3)
    # open deals are expected to close in 2026 -> nothing open for 2027; gap = required; average lead 120
    assert cov["open_pipeline"].sum() == 0
    assert cov["leads_needed"].iloc[0] == np.ceil((200 / 0.3) / 120)  # 667 / 120 -> 6
    assert cov["discovery_needed"].iloc[0] == pytest.approx(round(6 * 8 / 9, 1))
    assert set(contracts.required_columns("coverage")) <= set(cov.columns)


def test_coverage_nets_out_the_installed_base(p):
    opps = _opps()
    fun = strategy.funnel(opps, AS_OF, p)
    cov = strategy.coverage(_targets(), opps, AS_OF, p, fun, base_expected=800.0)
    # Q4 holds 300 / 1000 of the year -> base 240, pipeline target 60
    assert cov["pipeline_target"].iloc[3] == pytest.approx(60.0)
    assert cov["required_pipeline"].iloc[3] == pytest.approx(60 / 0.3)


def test_coverage_needs_quarters(p):
    with pytest.raises(ValueError, match="quarter"):
        strategy.coverage(_targets().iloc[[0]], _opps(), AS_OF, p, strategy.funnel(_opps(), AS_OF, p))
    empty = strategy.coverage_or_empty(None, _opps(), AS_OF, p, strategy.funnel(_opps(), AS_OF, p))
    assert empty.empty and set(contracts.required_columns("coverage")) <= set(empty.columns)


def test_acquisition_mix_cost_per_lead(p):
    marketing = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-06-01", "2026-06-01"]),
            "channel": ["events", "content"],
            "spend": [1000.0, 500.0],
            "leads": [4, 5],
        }  # fmt: skip
    )
    m = strategy.acquisition_mix(_opps(), None, marketing, AS_OF, p).set_index("source")
    assert m.loc["events", "cost_per_lead"] == 250.0  # 1000 / 4
    assert m.loc["content", "leads"] == 5  # even ids 0, 2, 4, 6, 8
    assert m.loc["content", "cost_per_win"] == 500.0  # content won O0


# ------------------------------------------------------------------------------------------------ health
def test_health_by_hand(p):
    f = strategy.customer_features(_orders(), _customers(), AS_OF, p)
    h = strategy.health(f, p).set_index("customer_id")
    # C1: usage 7/7=1, satisfaction (5-1)/4=1, renewal 1, trend 0.5+0.5*(100-50)/100=0.75
    #     -> 100 * (0.3 + 0.3 + 0.25 + 0.15 * 0.75) = 96.25
    assert h.loc["C1", "health_score"] == pytest.approx(96.25)
    # C2: 0, 0, 0, trend 0.5 + 0.5 * (0 - 200) / 200 = 0 -> 0 -> high risk, revenue at risk = 200
    assert h.loc["C2", "health_score"] == 0 and h.loc["C2", "risk"] == "high"
    assert h.loc["C2", "revenue_at_risk"] == 200.0
    assert h.loc["C2", "action"] == p.health_actions["high"]
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
    h = strategy.health(f, p)
    assert ((h["health_score"] >= 0) & (h["health_score"] <= 100)).all()
    assert h["health_score"].iloc[1] >= h["health_score"].iloc[0]


def test_health_params_are_validated():
    with pytest.raises(ValueError, match="risk_medium_below"):
        params.Strategy(risk_high_below=70, risk_medium_below=60)
    with pytest.raises(ValueError, match="unknown dimension"):
        params.Strategy(health_weights={"mood": 1.0})
    with pytest.raises(ValueError, match="at least one"):
        params.Strategy(value_weights={"recency": 0.0})


# ------------------------------------------------------------------------------------------------ 4P
def test_four_p_links_goals_by_metric():
    p = params.Strategy(
        four_p=[
            {"p": "price", "item": {"en": "Value pricing", "zh": "价值定价"}, "supports": "revenue"},
            {"p": "product", "item": "Entry model", "supports": "new_customers"},
        ]
    )
    goals = pd.DataFrame({"goal": ["Grow revenue 15%"], "metric": ["revenue"]})
    t = strategy.four_p(p, goals, "zh")
    assert list(t["p"]) == ["product", "price"]  # product, price, place, promotion order
    assert list(t["linked"]) == [False, True]
    assert t.loc[1, "item"] == "价值定价" and t.loc[1, "goal"] == "Grow revenue 15%"
    assert "Entry model" in strategy.describe_four_p(t, goals, "en")
    assert strategy.describe_four_p(t, None, "en") == strategy.i18n_t("strategy.fourp.no_goals", "en")


# ------------------------------------------------------------------------------------------------ scatter cells
def _tiered(value, potential, tier, monetary=None) -> pd.DataFrame:
    """A `tier_customers`-like frame: given scores and tiers (as read back from customer_tiers.csv)."""
    n = len(value)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "value_score": value,
            "potential_score": potential,
            "tier": tier,
            "monetary": monetary if monetary is not None else [100.0] * n,
        }
    )


def test_scatter_cells_by_hand():
    # grid 4, value cut 50 -> round(4 x 0.5) = 2 cells below: edges 0, 25, 50 | 75, 100;
    # potential cut 40 -> round(4 x 0.4) = 2 cells below: edges 0, 20, 40 | 70, 100.
    tiers = _tiered(
        value=[80.0, 50.0, 50.0, 10.0, 12.0],
        potential=[90.0, 10.0, 45.0, 39.99, 30.0],
        # C2 scores 50.00 (rounded) but is low value: it stays left of the cut, in value cell 25-50
        tier=["strategic", "profit", "nurture", "maintain", "maintain"],
        monetary=[1000.4, 200.0, 30.0, 4.0, 5.0],
    )
    cells = strategy.scatter_cells(tiers, {"value": 50.0, "potential": 40.0}, grid=4)
    assert len(cells) == 16 and cells["customers"].sum() == 5
    full = cells[cells["customers"] > 0].reset_index(drop=True)
    assert full[["value_from", "value_to", "potential_from", "potential_to"]].values.tolist() == [
        [0.0, 25.0, 20.0, 40.0],  # C3 (10, 39.99) and C4 (12, 30): maintain
        [25.0, 50.0, 40.0, 70.0],  # C2 (50 -> kept low value, 45): nurture
        [50.0, 75.0, 0.0, 20.0],  # C1 (50, 10): profit
        [75.0, 100.0, 70.0, 100.0],  # C0 (80, 90): strategic
    ]
    assert full["tier"].tolist() == ["maintain", "nurture", "profit", "strategic"]
    assert full["customers"].tolist() == [2, 1, 1, 1]
    assert full["monetary"].tolist() == [9, 30, 200, 1000]  # 4 + 5; whole currency units
    # every cell's tier follows its side of the cut-offs, empty or not
    high_v, high_p = cells["value_from"] >= 50, cells["potential_from"] >= 40
    expected = np.where(
        high_v, np.where(high_p, "strategic", "profit"), np.where(high_p, "nurture", "maintain")
    )
    assert cells["tier"].tolist() == expected.tolist()


def test_scatter_cells_rows_do_not_depend_on_the_number_of_customers(p):
    rng = np.random.default_rng(7)
    sizes = {}
    for n in (1_000, 100_000):
        f = _ranked(rng.random(n).tolist(), rng.random(n).tolist())
        for col in strategy.VALUE_DIMS.values():  # distinct ranks per dimension, as real customers have
            f[col] = rng.random(n)
        tiers = strategy.tier_customers(f, p)
        cells = strategy.scatter_cells(tiers, strategy.cutoffs(tiers, p))
        assert len(cells) == strategy.SCATTER_GRID**2  # 400 rows, empty cells included
        assert cells["customers"].sum() == n
        by_tier = cells.groupby("tier")["customers"].sum()
        assert by_tier.to_dict() == tiers["tier"].astype(str).value_counts().to_dict()  # true counts per tier
        sizes[n] = len(cells)
    assert sizes[1_000] == sizes[100_000]


def test_scatter_cells_rejects_an_unknown_tier_and_a_tiny_grid():
    tiers = _tiered([10.0, 60.0], [10.0, 60.0], ["maintain", "gold"])
    with pytest.raises(ValueError, match=r"tier 'gold' in row 1; expected one of \('strategic'"):
        strategy.scatter_cells(tiers, {"value": 50.0, "potential": 50.0})
    with pytest.raises(ValueError, match="grid must be at least 2"):
        strategy.scatter_cells(tiers.iloc[:1], {"value": 50.0, "potential": 50.0}, grid=1)


# ------------------------------------------------------------------------------------------------ charts
def test_chart_specs(p):
    f = strategy.customer_features(_orders(), _customers(), AS_OF, p)
    tiers = strategy.tier_customers(f, p)
    cut = strategy.cutoffs(tiers, p)
    spec = charts.tier_scatter(strategy.scatter_cells(tiers, cut), cut, "zh").to_dict()
    layer = spec["layer"][0]
    assert layer["mark"]["type"] == "circle"
    assert layer["title"]["subtitle"][0].startswith("全部 3 个客户")  # every customer of the fixture counted
    assert layer["encoding"]["x"]["field"] == "value_score" and layer["encoding"]["x"]["title"] == "价值分"
    assert "战略客户" in layer["encoding"]["color"]["scale"]["domain"]
    fun = charts.funnel_chart(strategy.funnel(_opps(), AS_OF, p), "en").to_dict()
    values = fun["datasets"][next(iter(fun["datasets"]))]
    assert [v["stage_name"] for v in values] == ["Lead", "Needs discovery", "Proposal", "Negotiation"]
    assert sum(v["kind"] == "Bottleneck" for v in values) == 1
    cov = strategy.coverage(_targets(), _opps(), AS_OF, p.model_copy(update={"pipeline_share": 1.0}),
                            strategy.funnel(_opps(), AS_OF, p))  # fmt: skip
    c = charts.coverage_chart(cov, "en").to_dict()
    assert c["mark"]["type"] == "bar" and c["encoding"]["xOffset"]["field"] == "series"
    h = strategy.health(f, p)
    hist = charts.health_histogram(strategy.health_bins(h), "en").to_dict()
    assert hist["encoding"]["color"]["scale"]["domain"] == ["High", "Medium", "Low"]


# ------------------------------------------------------------------------------------------------ smoke
@pytest.mark.slow
def test_notebook_smoke(small_sample, tmp_path):
    from planning import runner

    result = runner.run(
        regions=["east"],
        steps=["01_market_analysis", "02_goals", "03_strategy"],
        data_dir=str(small_sample),
        out_root=tmp_path,
        workers=1,
    )
    assert result.ok, result.results
    art = next(tmp_path.rglob("east/artifacts"))
    for name in ("customer_tiers", "funnel", "coverage", "health"):
        df = pd.read_csv(art / f"{name}.csv")
        assert set(contracts.required_columns(name)) <= set(df.columns), name
    tiers = pd.read_csv(art / "customer_tiers.csv")
    assert set(tiers["tier"]) <= set(strategy.TIERS) and tiers["customer_id"].is_unique
    assert tiers["value_score"].between(0, 100).all()
    funnel = pd.read_csv(art / "funnel.csv")
    assert funnel["bottleneck"].sum() == 1
    health = pd.read_csv(art / "health.csv")
    assert health["health_score"].between(0, 100).all()


def test_segment_growth_by_industry_and_size(p):
    # step 1 names segments industry/size_band; energy/small grows 20 % on 100 sales, energy/large 0 % on 300
    seg = pd.DataFrame(
        {
            "segment": ["energy/small", "energy/large"],
            "industry": ["energy", "energy"],
            "size_band": ["small", "large"],
            "sales": [100.0, 300.0],
            "growth": [0.2, 0.0],
        }  # fmt: skip
    )
    g = strategy.segment_growth(seg)
    assert g["energy/small"] == 0.2 and g["energy"] == pytest.approx(0.05)  # (0.2*100 + 0*300) / 400
    cust = _customers().assign(size_band=["small", "small", "medium"])
    f = strategy.customer_features(_orders(), cust, AS_OF, p, g).set_index("customer_id")
    # C1 energy/small -> 0.2; C2 retail -> 0; C3 energy/medium unknown -> industry mean 0.05
    assert list(f["segment_growth"]) == [0.2, 0.0, 0.05]
    assert strategy.segment_growth(seg.drop(columns="growth")).empty


# ------------------------------------------------------------------------------------------------ retention
def _retention_orders() -> pd.DataFrame:
    # Prior 12 months (2024-10 .. 2025-09): C1 100, C2 100. Last 12 months: C1 150, C3 (new) 50; C2 stopped.
    return pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O3", "O4"],
            "order_date": pd.to_datetime(["2025-03-01", "2025-04-01", "2026-05-01", "2026-06-01"]),
            "customer_id": ["C1", "C2", "C1", "C3"],
            "amount": [100.0, 100.0, 150.0, 50.0],
        }
    )


def test_retention_by_hand(p):
    k = strategy.retention(_retention_orders(), AS_OF, p)
    # NRR = C1's 150 / (100 + 100) = 0.75; gross churn = C2's 100 / 200 = 0.5; expansion 0.75 - 0.5 = 0.25
    assert k["nrr"] == pytest.approx(0.75) and k["gross_churn"] == pytest.approx(0.5)
    assert k["expansion_used"] == pytest.approx(0.25) and k["source"] == "data"
    assert (k["customers_prior"], k["customers_churned"]) == (2, 1)
    over = strategy.retention(_retention_orders(), AS_OF, p.model_copy(update={"net_retention": 1.1}))
    assert over["nrr_used"] == pytest.approx(1.1) and over["source"] == "params"
    with pytest.raises(ValueError, match="lacks columns"):
        strategy.retention(_retention_orders().drop(columns="amount"), AS_OF, p)


def test_installed_base_is_revenue_times_net_retention(p):
    f = strategy.customer_features(_orders(), _customers(), AS_OF, p)
    tiers = strategy.tier_customers(f, p)
    kept = {"nrr_used": 1.1, "churn_used": 0.1}
    s = strategy.tier_summary(tiers, f, p, target=1000.0, kept=kept)
    total = f["revenue_12m"].sum()
    # loss = 10% of revenue, growth = (1.1 - 1 + 0.1) = 20% of revenue -> base = 110% of revenue
    assert s["expected_loss"].sum() == pytest.approx(0.1 * total)
    assert s["expected_gain"].sum() == pytest.approx(0.2 * total)
    assert strategy.installed_base(s) == pytest.approx(1.1 * total)


def test_coverage_sentence_states_leads_ratio_and_pipeline_timing(p):
    cov = pd.DataFrame(
        {"period": ["2027-Q1"], "target": [1000.0], "pipeline_target": [200.0], "win_rate": [0.25],
         "required_pipeline": [800.0], "open_pipeline": [0.0], "leads_needed": [40.0], "leads_by": ["2026-12-01"]}
    )  # fmt: skip
    timing = {"n_open": 3, "open_amount": 500.0, "before_plan": 500.0, "in_plan": 0.0, "latest": "2026-12-15"}
    kept = {"source": "data", "nrr_used": 1.04, "churn_used": 0.09, "customers_prior": 600}
    text = strategy.describe_coverage(cov, 2027, "en", "CNY", kept, 10.0, timing)
    assert "4.0× the 10 qualified leads" in text  # 40 / 10
    assert "0 open pipeline" in text and "2026-12-15" in text
    assert "104" in text  # net revenue retention 104%
    assert strategy.leads_last_12m(pd.DataFrame({"month": pd.to_datetime(["2025-09-01", "2025-10-01",
                                   "2026-09-01"]), "leads": [5, 7, 3]}), None, AS_OF) == 10  # fmt: skip


# ------------------------------------------------------------------------------ first-year revenue factor
def _cohort() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # as_of 2026-09-30 -> last complete cohort: first order in (2024-09-30, 2025-09-30].
    # A: first order 2025-01-15, brought by a 100 deal closed that day; first year = [2025-01-15, 2026-01-15):
    #    150 + 100 + 50 = 300 (the 999 on 2026-01-15 is its 13th month); a 500 expansion deal closed 2025-06-01
    #    is more than 31 days after the first order, so it did not bring A.
    # B: first order 2025-09-30 (the cohort's last day), brought by a 200 deal closed 2025-09-10: 300 + 100 = 400.
    # C: first order 2024-09-30 (the day before the cohort), D: no won deal, E: first order after the cohort.
    # -> revenue 300 + 400 = 700 on won 100 + 200 = 300: factor 7 / 3 = 2.33.
    orders = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "A", "B", "B", "C", "D", "E"],
            "order_date": pd.to_datetime(["2025-01-15", "2025-06-01", "2026-01-14", "2026-01-15", "2025-09-30",
                                          "2026-03-01", "2024-09-30", "2025-05-01", "2025-12-01"]),
            "amount": [150.0, 100.0, 50.0, 999.0, 300.0, 100.0, 1000.0, 700.0, 80.0],
        }
    )  # fmt: skip
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "first_order_date": pd.to_datetime(["2025-01-15", "2025-09-30", "2024-09-30", "2025-05-01",
                                                "2025-12-01"]),
        }
    )  # fmt: skip
    opps = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "C", "E", "P1"],
            "status": ["won", "won", "won", "won", "won", "lost"],
            "close_date": pd.to_datetime(["2025-01-15", "2025-06-01", "2025-09-10", "2024-09-30", "2025-12-01",
                                          "2025-03-01"]),
            "amount": [100.0, 500.0, 200.0, 100.0, 40.0, 900.0],
        }
    )  # fmt: skip
    return orders, customers, opps


def test_first_year_revenue_per_won_value_by_hand(p):
    orders, customers, opps = _cohort()
    fy = strategy.first_year_revenue(orders, customers, opps, AS_OF, p)
    assert (fy["customers"], fy["revenue"], fy["won_value"]) == (2, 700.0, 300.0)
    assert fy["measured"] == pytest.approx(7 / 3) and fy["used"] == pytest.approx(7 / 3)
    assert (
        fy["source"] == "data"
        and str(fy["cohort_start"]) == "2024-10-01"
        and str(fy["cohort_end"]) == "2025-09-30"
    )
    # without the customers table the first order is the first order line (C's is the history's first day: unknown)
    assert strategy.first_year_revenue(orders, None, opps, AS_OF, p)["measured"] == pytest.approx(7 / 3)


def test_first_year_factor_override_bounds_and_fallback(p):
    orders, customers, opps = _cohort()
    fy = strategy.first_year_revenue(
        orders, customers, opps, AS_OF, p.model_copy(update={"first_year_revenue_factor": 2.0})
    )
    assert (fy["used"], fy["source"]) == (2.0, "params") and fy["measured"] == pytest.approx(7 / 3)
    with pytest.raises(ValueError, match="first_year_revenue_factor"):
        params.Strategy(first_year_revenue_factor=0.5)
    # won deals of 10 + 20 against 700 of first-year revenue: 23.3x measured, limited to 5
    small = opps.assign(amount=[10.0, 500.0, 20.0, 100.0, 40.0, 900.0])
    fy = strategy.first_year_revenue(orders, customers, small, AS_OF, p)
    assert fy["measured"] == pytest.approx(70 / 3) and fy["used"] == strategy.FIRST_YEAR_BOUNDS[1]
    # won deals only outside the cohort (C) or lost: nothing to measure either
    fy = strategy.first_year_revenue(orders, customers, opps[opps["customer_id"].isin(["C", "P1"])], AS_OF, p)
    assert (fy["used"], fy["source"], fy["customers"]) == (1.0, "none", 0)
    # no opportunities: nothing to measure, pipeline = revenue need
    fy = strategy.first_year_revenue(orders, customers, None, AS_OF, p)
    assert (fy["used"], fy["source"], fy["customers"]) == (1.0, "none", 0)


def test_coverage_divides_the_revenue_need_by_the_first_year_factor(p):
    q = p.model_copy(update={"pipeline_share": 1.0})
    opps = _opps()
    fun = strategy.funnel(opps, AS_OF, q)
    cov = strategy.coverage(_targets(), opps, AS_OF, q, fun, first_year_factor=2.0)
    # Q1 target 200 -> won value needed 200 / 2 = 100 -> pipeline 100 / 0.3 = 333.3 -> leads ceil(333.3 / 120) = 3
    assert cov["won_value_needed"].iloc[0] == pytest.approx(100.0)
    assert cov["required_pipeline"].iloc[0] == pytest.approx(100 / 0.3)
    assert cov["leads_needed"].iloc[0] == 3
    first_year = {"source": "data", "measured": 7 / 3, "used": 7 / 3, "customers": 2, "revenue": 700.0,
                  "won_value": 300.0, "cohort_start": "2024-10-01", "cohort_end": "2025-09-30"}  # fmt: skip
    text = strategy.describe_coverage(cov, 2027, "en", "CNY", first_year=first_year)
    assert "2.33×" in text and "the 2 customers who first bought from 2024-10-01 to 2025-09-30" in text
    assert "¥700" in text and "¥300" in text and "limited" not in text
    assert "¥500 of deal value" in text  # won value needed: 1,000 / 2 over the four quarters
    zh = strategy.describe_coverage(
        cov, 2027, "zh", "CNY", first_year={**first_year, "measured": 6.0, "used": 5.0}
    )
    assert "实测 6.00 倍，限定在 1.00–5.00 倍之间" in zh
