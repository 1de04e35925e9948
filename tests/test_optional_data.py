"""Every step on data that lacks the optional tables (docs/data.md: only `orders` is required).

Tiny hand-checkable order lines with no customers, reps, opportunities, marketing, market size or plan: the step
functions still return their artefacts (zero rows where a part cannot be computed, with the contract columns),
and the shared sentence names what was not computed and which file would enable it. The full run on an
orders-only export is `tests/test_importer_cache.py::test_full_run_on_mapped_export_with_only_orders`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning import charts, contracts, i18n, notebook
from planning import params as params_mod
from planning.data import Tables
from planning.goals import calibration, decompose, forecast, prepare
from planning.goals import narrate as goals_narrate
from planning.market import charts as market_charts
from planning.market import competitors as market_competitors
from planning.market import narrate as market_narrate
from planning.market import segments as market_segments
from planning.market import share as market_share
from planning.resources import budget, capacity, common
from planning.review import narrate as review_narrate
from planning.strategy import coverage, funnel, health, narrate, tiers

D = pd.Timestamp
AS_OF = "2026-06-30"


def _orders(rows: list[tuple], industry: bool = True) -> pd.DataFrame:
    """rows: (order_id, date, customer_id, amount, industry); margin = amount / 2, no rep."""
    recs = [
        {"order_id": oid, "line_no": 1, "order_date": D(day), "customer_id": cust, "rep_id": None,
         "region": "east", "product_line": "equipment", "channel": "online", "quantity": 1.0,
         "unit_price": float(amount), "amount": float(amount), "margin": float(amount) / 2, "industry": ind}
        for oid, day, cust, amount, ind in rows
    ]  # fmt: skip
    df = pd.DataFrame(recs).astype({"rep_id": "str"})
    return df if industry else df.drop(columns="industry")


@pytest.fixture
def orders() -> pd.DataFrame:
    # P12M = 2024-07-01 .. 2025-06-30, L12M = 2025-07-01 .. 2026-06-30
    return _orders(
        [
            ("O1", "2025-03-10", "C1", 100, "energy"),  # P12M
            ("O2", "2025-09-10", "C1", 300, "energy"),  # L12M
            ("O3", "2026-05-20", "C2", 200, "retail"),  # L12M
            ("O4", "2026-06-15", "C1", 100, "energy"),  # L12M
        ]
    )


@pytest.fixture(scope="module")
def p() -> params_mod.Params:
    return params_mod.load("east", overrides={"as_of": AS_OF, "plan_year": 2027, "language": "en"}).params


@pytest.fixture
def ctx(tmp_path: Path, p: params_mod.Params, orders: pd.DataFrame, monkeypatch) -> notebook.Context:
    """A Context on orders alone; what it says is collected in `ctx.said`."""
    c = notebook.Context(step="05_review", p=p, data_dir=tmp_path, out_dir=tmp_path)
    c.__dict__["data"] = Tables(orders=orders)  # the cached_property, without reading files
    said: list[str] = []
    monkeypatch.setattr(notebook.Context, "say", lambda self, text: said.append(text))
    c.said = said
    return c


# ------------------------------------------------------------------------------------------------ shared sentence
def test_missing_text_names_the_part_and_the_file_in_both_languages():
    en = i18n.missing_text("customers", "customer health", "en")
    assert en.startswith("Not computed: customer health.")
    assert "customers.csv / customers.parquet" in en and "docs/data.md" in en
    zh = i18n.missing_text("reps", "个人目标", "zh")
    assert zh.startswith("未计算：个人目标。") and "reps.csv / reps.parquet" in zh
    both = i18n.missing_text(("opportunities", "marketing"), "leads", "en")
    assert "opportunities.csv / opportunities.parquet or marketing.csv / marketing.parquet" in both
    col = i18n.missing_text("reps", "rep targets", "en", column="rep_id")
    assert "rep_id on the order lines or the reps" in col


def test_ctx_missing_says_it_only_when_the_table_is_absent(ctx):
    assert ctx.missing("customers", "strategy.missing.health") is True
    assert ctx.missing("orders", "strategy.missing.health") is False  # orders are there: silent
    assert ctx.missing("customers", "strategy.missing.health", when=False) is False
    # rep_id is empty on every line and there is no reps table
    assert ctx.missing("reps", "goals.missing.reps", column="rep_id") is True
    assert len(ctx.said) == 2 and "reps.csv" in ctx.said[1] and "rep_id" in ctx.said[1]


def test_ctx_table_and_chart_money_use_the_company_currency(ctx, monkeypatch):
    from planning import display

    seen = {}
    monkeypatch.setattr(display, "table", lambda df, lang, **kw: seen.update(kw))
    ctx.p = ctx.p.model_copy(update={"company": ctx.p.company.model_copy(update={"currency": "USD"})})
    ctx.table(pd.DataFrame({"sales": [1.0]}), money=["sales"])
    assert seen["currency"] == "USD"
    ctx.table(pd.DataFrame({"sales": [1.0]}), money=["sales"], currency="EUR")  # an explicit one wins
    assert seen["currency"] == "EUR"
    try:
        charts.enable(batch=True, lang="en", currency="USD")
        axis = charts.money_axis("en").to_dict()
        assert "'$'" in axis["labelExpr"] and "¥" not in axis["labelExpr"]
        assert charts.theme()["config"]["locale"]["number"]["currency"] == ["$", ""]
    finally:
        charts.enable(batch=True, lang="en", currency="CNY")
    assert "'¥'" in charts.money_axis("zh").to_dict()["labelExpr"]


# ------------------------------------------------------------------------------------------------ market
def test_segment_dimensions_are_those_the_data_has(orders):
    assert market_segments.segment_dimensions(orders, None) == ("industry",)
    assert market_segments.segment_dimensions(orders.drop(columns="industry"), None) == ()
    customers = pd.DataFrame({"customer_id": ["C1"], "industry": ["energy"], "size_band": ["large"]})
    dims = market_segments.segment_dimensions(orders.drop(columns="industry"), customers)
    assert dims == ("industry", "size_band")
    assert market_narrate.missing_dimensions(("industry",), i18n.Voice("en")) == "company size"


def test_segments_by_industry_from_the_order_lines(orders, p):
    seg = market_segments.segments(orders, None, None, p, by=("industry",)).set_index("segment")
    assert list(seg.index.sort_values()) == ["energy", "retail"] and "size_band" not in seg.columns
    # energy L12M: O2 300 + O4 100 = 400 from C1 (1 customer, 2 orders); P12M: O1 100 -> growth 400/100-1 = 3
    assert seg.loc["energy", "sales"] == 400.0 and seg.loc["energy", "orders"] == 2
    assert seg.loc["energy", "growth"] == pytest.approx(3.0)
    assert seg["win_rate"].isna().all() and (seg["closed_deals"] == 0).all()  # no opportunities
    assert set(contracts.required_columns("segments")) <= set(seg.reset_index().columns)
    chart = market_charts.segments_bubble(seg.reset_index(), "en").to_dict()
    assert chart["layer"][0]["encoding"]["x"]["field"] == "growth"  # no win rate to plot


def test_segments_without_any_dimension_have_no_rows_but_the_columns(orders, p):
    seg = market_segments.segments(orders.drop(columns="industry"), None, None, p, by=())
    assert seg.empty and set(contracts.required_columns("segments")) <= set(seg.columns)
    with pytest.raises(ValueError, match="customers"):  # asking for a dimension nobody has is still an error
        market_segments.segments(orders.drop(columns="industry"), None, None, p)


def test_share_and_increment_without_market_size(orders, p):
    mp = p.market.model_copy(update={"market_size": {}, "share_gain": {"energy": 0.01}})
    share = market_share.market_share(orders, None, None, p.model_copy(update={"market": mp}))
    assert share.empty and set(contracts.required_columns("market_share")) <= set(share.columns)
    tam = market_share.market_size_plan_year(None, p.model_copy(update={"market": mp}))
    inc = market_competitors.market_increment(share, mp, tam)
    inc = market_narrate.explain_increment(inc, 2027, i18n.Voice("en"))
    gain = inc[inc["source"] == "share_gain"].iloc[0]
    assert gain["amount"] == 0.0 and "not quantified" in gain["explanation"]
    assert inc["amount"].notna().all()  # openings by a share of no market are 0, not NaN
    # with a market size but no industry on the lines or in customers: no share either
    sized = mp.model_copy(update={"market_size": {"energy": 1e6}})
    assert market_share.market_share(
        orders.drop(columns="industry"), None, None, p.model_copy(update={"market": sized})
    ).empty


# ------------------------------------------------------------------------------------------------ goals
def _monthly_orders(months: int = 36) -> pd.DataFrame:
    """One order of 1,000 on the 10th of each month up to June 2026 (flat history, no rep)."""
    days = pd.date_range(end="2026-06-10", periods=months, freq="MS") + pd.Timedelta(days=9)
    return _orders([(f"O{i}", d, f"C{i % 3}", 1000, "energy") for i, d in enumerate(days)])


def test_goals_without_reps_calibrate_on_the_other_dimensions(p):
    o = _monthly_orders()
    result = forecast.baseline_forecast(o, p)
    inputs = prepare.prepare(Tables(orders=o), p, result)
    plan = decompose.plan(inputs, p)
    assert inputs.roster.empty  # no measured team: planned hires are not placed either
    assert calibration.unavailable(plan, "team") and calibration.unavailable(plan, "resources")
    known = {k: v for k, v in plan.estimates.items() if math.isfinite(v)}
    assert set(known) == {"ambition", "market"}
    assert plan.committed == pytest.approx(min(known.values()))  # rule min over the dimensions with data
    cal = goals_narrate.calibration_frame(plan, i18n.Voice("en", "CNY")).set_index("component")
    committed = cal.loc["committed", "explanation"]
    assert "not computable: team capacity, resource capacity" in committed
    team_rows = plan.dimensions[plan.dimensions["dimension"] == "team"]
    assert len(team_rows) == 1 and np.isnan(team_rows["amount"].iloc[0])
    assert plan.targets_rep.empty
    assert set(contracts.required_columns("targets_rep")) <= set(plan.targets_rep.columns)
    assert decompose.sums_exact(plan)  # the calendar still sums exactly


# ------------------------------------------------------------------------------------------------ strategy
def test_customer_features_from_orders_alone(orders, p):
    f = tiers.customer_features(orders, None, p).set_index("customer_id")
    assert list(f.index) == ["C1", "C2"]
    # C1: last order 2026-06-15 -> 15 days; 24-month RFM window (strategy.rfm_months): O1 + O2 + O4 = 3 orders,
    # 100 + 300 + 100 = 500; revenue of the last 12 months O2 + O4 = 400
    assert p.strategy.rfm_months == 24
    assert f.loc["C1", "recency_days"] == 15 and f.loc["C1", "frequency"] == 3
    assert f.loc["C1", "monetary"] == 500.0 and f.loc["C1", "revenue_12m"] == 400.0
    assert f.loc["C1", "industry"] == "energy"
    assert f[["complexity", "decision_chain", "wallet_size", "potential", "satisfaction"]].isna().all().all()
    # unknown dimensions rank the same for everyone: neutral 0.5
    assert (f[["rank_complexity", "rank_decision_chain", "rank_potential"]] == 0.5).all().all()


def test_tiers_without_potential_data_rate_no_one_high_potential(orders, p):
    growth = pd.Series({"energy": 0.5, "retail": -0.2})  # segment growth is not used without customers
    f = tiers.customer_features(orders, None, p, growth)
    assert (f["segment_growth"] == 0.0).all() and (f["rank_segment_growth"] == 0.5).all()
    tiered = tiers.tier_customers(f, p.strategy)
    assert set(tiered["tier"].astype(str)) <= {"profit", "maintain"}
    # C1 (recent, 2 orders, 400) outranks C2 (1 order, 200) on value: profit vs maintain
    assert dict(zip(tiered["customer_id"], tiered["tier"].astype(str), strict=True)) == {
        "C1": "profit",
        "C2": "maintain",
    }
    summary = tiers.tier_summary(tiered, f, p.strategy)
    text = narrate.describe_tiers(summary, math.nan, 2027, i18n.Voice("en", "CNY"))
    # C1's last-12-month revenue 400 of 600 (C2: 200) = 66.7%
    assert text.startswith(
        "No strategic accounts; the Profit tier's 1 account (50.0% of 2 customers) bring 66.7%"
    )


def test_funnel_coverage_and_health_without_their_tables(orders, p):
    stages = funnel.funnel(None, p)
    assert stages.empty and set(contracts.required_columns("funnel")) <= set(stages.columns)
    targets = pd.DataFrame({"level": ["quarter"], "period": ["2027-Q1"], "start": ["2027-01-01"],
                            "end": ["2027-03-31"], "target": [100.0]})  # fmt: skip
    cov = coverage.coverage_or_empty(targets, None, p, stages)
    assert cov.empty and set(contracts.required_columns("coverage")) <= set(cov.columns)
    f = tiers.customer_features(orders, None, p)
    scores = narrate.health_table(health.health_report(f, p.strategy), p.strategy, i18n.Voice("en", "CNY"))
    assert scores.empty and set(contracts.required_columns("health")) <= set(scores.columns)
    assert len(health.health(f, p.strategy)) == 2  # the tier summary still weighs churn by revenue trend


# ------------------------------------------------------------------------------------------------ resources
def test_resources_without_reps_and_marketing(orders, p):
    assert capacity.team_baseline(orders, None, p) is None
    for name in ("capacity", "hiring_plan", "incentives", "incentive_summary", "budget"):
        empty = common.no_rows(name)
        assert empty.empty and list(empty.columns) == list(contracts.required_columns(name))
    r = p.resources.model_copy(update={"marketing_budget": 0.0})
    p2 = p.model_copy(update={"resources": r, "goals": p.goals.model_copy(update={"marketing_budget": 0.0})})
    assert math.isnan(budget.total_budget(None, p2))
    costs = budget.cost_of_sales(
        common.no_rows("capacity"), None, common.no_rows("incentive_summary"), 0, math.nan, 1e6, r
    )
    tools = sum(t.cost for t in r.tools)
    # only the tools from params are priced; total = their sum, share = amount / 1,000,000
    assert set(costs["category"]) == {"tools", "total"} if tools else {"total"}
    assert costs.iloc[-1]["amount"] == pytest.approx(tools)
    assert costs.iloc[-1]["share"] == pytest.approx(tools / 1e6)
    assert not budget.has_item(costs, "marketing") and not budget.has_item(costs, "base_salary")


# ------------------------------------------------------------------------------------------------ review
def test_review_kpis_name_the_missing_tables(ctx, orders, p):
    board = pd.DataFrame(
        columns=["kpi", "kind", "actual", "baseline", "target", "status", "rule", "shortfall"]
    )
    text = review_narrate.describe_kpis(board, ctx.data, ctx.voice)
    assert "Not computed: the KPIs" in text
    assert "opportunities.csv / opportunities.parquet" in text and "reps.csv / reps.parquet" in text
    assert "plan_of_record.csv" in text  # target completion needs a plan
