# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
region: str = "east"  # key of params/<region>.yaml
as_of: str = ""  # planning date YYYY-MM-DD (empty: from params/; `planning run` sets the snapshot's date)
plan_year: int = 0  # year being planned (0: from params/; `planning run` sets the run's year)
language: str = ""  # report language, en or zh (empty: from params/; `planning run` sets the run's language)
data_dir: str = ""  # folder of canonical tables (empty: params data.dir, else the sample company)
out_dir: str = ""  # this region's snapshot folder (empty: outputs/interactive/<region>)
params_json: str = ""  # set by `planning run`: the merged parameters it has validated
batch: bool = False  # True under `planning run`: widgets off

# %%
from planning import notebook

ctx = notebook.setup(
    "01_market_analysis",
    region=region,
    as_of=as_of,
    plan_year=plan_year,
    language=language,
    data_dir=data_dir,
    out_dir=out_dir,
    params_json=params_json,
    batch=batch,
)

# %%
from planning import market
from planning.charts import market as charts

ctx.h("market.trend.title")
trend = market.trend(ctx.data.orders, ctx.as_of)
ctx.chart(charts.trend_line(trend, ctx.lang))
ctx.save("market_trend", trend)
ctx.say(market.describe_trend(trend, ctx.data.orders, ctx))

seasonality = market.seasonality(trend, ctx.p.market.seasonality_years)
ctx.chart(charts.seasonality_bar(seasonality, ctx.lang))
ctx.save("seasonality", seasonality)
ctx.say(market.describe_seasonality(seasonality, ctx))

# %%
by_product = market.breakdown(ctx.data.orders, ctx.as_of, "product_line")
ctx.chart(charts.breakdown_small_multiples(by_product, "product_line", ctx.lang))
ctx.say(market.describe_breakdown(by_product, "product_line", ctx))
by_channel = market.breakdown(ctx.data.orders, ctx.as_of, "channel")
ctx.chart(charts.breakdown_small_multiples(by_channel, "channel", ctx.lang, columns=3))
ctx.say(market.describe_breakdown(by_channel, "channel", ctx))

# %%
ctx.h("market.share.title")
dims = market.segment_dimensions(ctx.data.orders, ctx.data.customers)  # industry / size band the data knows
share = market.market_share(
    ctx.data.orders, ctx.data.customers, ctx.data.market_size, ctx.p.market, ctx.as_of
)
ctx.save("market_share", share)
if len(share):
    ctx.chart(charts.share_dumbbell(share, ctx.lang))
    ctx.table(market.share_view(share, ctx.lang), domain="market", money=["market_size", "our_sales"],
              pct=["share", "market_growth", "our_growth"], decimals={"share_change": 2})  # fmt: skip
if not ctx.missing("customers", "market.share.missing", when="industry" not in dims):
    ctx.say(market.describe_share(share, ctx))

# %%
ctx.h("market.segments.title")
segments = market.segments(
    ctx.data.orders, ctx.data.customers, ctx.data.opportunities, ctx.p.market, ctx.as_of, by=dims
)
ctx.save("segments", segments)
ctx.missing("customers", "market.segments.missing_dims", when=dims != market.SEGMENT_DIMENSIONS,
            dims=market.missing_dimensions(dims, ctx.lang))  # fmt: skip
if len(segments):
    ctx.chart(charts.segments_bubble(market.label_segments(segments, dims, ctx.lang), ctx.lang))
    ctx.table(market.segments_view(segments, dims, ctx.lang), domain="market",
              money=["sales", "avg_order_value", "clv"], pct=["win_rate", "growth"])  # fmt: skip
    ctx.say(ctx.t("market.segments.formula", cap=f"{ctx.p.market.clv_max_years:g}"))
    ctx.say(market.describe_segments(segments, ctx, dims))
    ctx.missing("opportunities", "market.segments.missing_win_rate")

# %%
ctx.h("market.competitors.title")
competitors = market.competitors(ctx.p.market)
if len(competitors):
    ctx.chart(charts.competitor_heatmap(competitors, ctx.p.market.own_scores, ctx.lang))
    ctx.table(market.openings_view(ctx.p.market, ctx.lang), domain="market")
ctx.save("competitors", competitors)
ctx.say(market.describe_competitors(competitors, ctx))

# %%
ctx.h("market.increment.title")
tam_plan = market.market_size_plan_year(ctx.data.market_size, ctx.p.market, ctx.plan_year)
increment = market.market_increment(
    share, ctx.p.market, tam_plan, ctx.plan_year, ctx.lang, ctx.p.company.currency
)
ctx.save("market_increment", increment)
if increment["amount"].any():
    ctx.chart(charts.increment_bar(market.label_increment(increment, ctx.lang), ctx.lang))
if len(increment):
    ctx.table(market.increment_view(increment, ctx.lang), domain="market", money=["amount"])
ctx.say(market.describe_increment(increment, ctx))
ctx.missing("market_size", "market.increment.missing", when=tam_plan.empty and len(increment) > 0)

# %%
ctx.h("market.needs.title")
needs = market.needs(ctx.p.market, segments, ctx.lang)
if len(needs):
    ctx.table(market.needs_view(needs, ctx.lang), domain="market", money=["sales"], pct=["growth"])
ctx.say(market.describe_needs(needs, ctx))

# %%
ctx.h("market.swot.title")
swot = market.swot(ctx.p.market, share, competitors, ctx.lang)
if len(swot):
    ctx.table(market.swot_view(swot, ctx.lang), domain="market")
ctx.save("swot", swot)
ctx.say(market.describe_swot(swot, ctx))

# %%
if not ctx.batch:
    market.whatif_panel(ctx)

# %%
from planning import importer

importer.show_validation(ctx)  # only when the data was imported from an export (docs/import.md)
