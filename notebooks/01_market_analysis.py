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
history_months: int = 0  # complete months of orders to as_of (0: count them); 3 to 12: the minimal plan

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
    history_months=history_months,
)

# %%
from planning.market import charts, competitors, narrate, needs, segments, share, swot, trend, views, widgets

ctx.h("market.trend.title_minimal" if ctx.minimal else "market.trend.title")  # a minimal plan: no seasonality
sales_trend = trend.trend(ctx.data.orders, ctx.as_of)
ctx.chart(charts.trend_line(sales_trend, ctx.lang))
ctx.save("market_trend", sales_trend)
if ctx.minimal:  # 3-12 months: the months' sales and customer profile, no growth (docs/method.md)
    ctx.say(narrate.describe_profile(trend.profile(ctx.data.orders, ctx.as_of), ctx.region_name, ctx.voice))
    ctx.minimal_note("market.trend.minimal")
else:
    ctx.say(narrate.describe_trend(sales_trend, ctx.data.orders, ctx.as_of, ctx.region_name, ctx.voice))

seasonality = trend.seasonality(sales_trend, ctx.p.market.seasonality_years)
ctx.save("seasonality", seasonality)
if not ctx.minimal:  # a minimal plan measures no season: the sentence above says so
    ctx.chart(charts.seasonality_bar(seasonality, ctx.lang))
    ctx.say(narrate.describe_seasonality(seasonality, ctx.voice))

# %%
by_product = trend.breakdown(ctx.data.orders, ctx.as_of, "product_line")
ctx.chart(charts.breakdown_small_multiples(by_product, "product_line", ctx.lang))
ctx.say(narrate.describe_breakdown(by_product, "product_line", ctx.as_of, ctx.voice, ctx.minimal))
by_channel = trend.breakdown(ctx.data.orders, ctx.as_of, "channel")
ctx.chart(charts.breakdown_small_multiples(by_channel, "channel", ctx.lang, columns=3))
ctx.say(narrate.describe_breakdown(by_channel, "channel", ctx.as_of, ctx.voice, ctx.minimal))
ctx.data_notes()  # dimensions grouped to their top values; anonymous revenue

# %%
ctx.h("market.share.title")
dims = segments.segment_dimensions(ctx.data.orders, ctx.data.customers)  # industry / size band the data knows
market_share = share.market_share(ctx.data.orders, ctx.data.customers, ctx.data.market_size, ctx.p)
ctx.save("market_share", market_share)
if len(market_share):
    ctx.chart(charts.share_dumbbell(market_share, ctx.lang))
    ctx.table(views.share_view(market_share, ctx.voice), domain="market", money=["market_size", "our_sales"],
              pct=["share", "market_growth", "our_growth"], decimals={"share_change": 2})  # fmt: skip
if not ctx.missing("customers", "market.share.missing", when="industry" not in dims):
    ctx.say(narrate.describe_share(market_share, ctx.p.market, ctx.voice))

# %%
ctx.h("market.segments.title")
segs = segments.segments(ctx.data.orders, ctx.data.customers, ctx.data.opportunities, ctx.p, by=dims,
                         minimal=ctx.minimal)  # fmt: skip
ctx.save("segments", segs)
ctx.missing("customers", "market.segments.missing_dims", when=dims != segments.SEGMENT_DIMENSIONS,
            dims=narrate.missing_dimensions(dims, ctx.voice))  # fmt: skip
if len(segs):
    if not ctx.minimal:  # a minimal plan has no CLV to draw the segments on
        ctx.chart(charts.segments_bubble(narrate.label_segments(segs, dims, ctx.voice), ctx.lang))
    months = ctx.history_months * ctx.minimal  # a minimal plan's sales are its months', not a year's
    ctx.table(views.segments_view(segs, dims, ctx.voice, months), domain="market",
              money=[views.sales_column(months, ctx.voice), "avg_order_value", "clv"],
              pct=["win_rate", "growth"])  # fmt: skip
    if not ctx.minimal:
        ctx.say(ctx.t("market.segments.formula", cap=f"{ctx.p.market.clv_max_years:g}"))
    ctx.say(narrate.describe_segments(segs, dims, ctx.p.market, ctx.voice))
    ctx.missing("opportunities", "market.segments.missing_win_rate")

# %%
ctx.h("market.competitors.title")
matrix = competitors.competitors(ctx.p.market)
if len(matrix):
    ctx.chart(charts.competitor_heatmap(matrix, ctx.p.market.own_scores, ctx.lang))
    ctx.table(views.openings_view(ctx.p.market, ctx.voice), domain="market")
ctx.save("competitors", matrix)
ctx.say(narrate.describe_competitors(matrix, ctx.p.market, ctx.voice))

# %%
ctx.h("market.increment.title")
tam_plan = share.market_size_plan_year(ctx.data.market_size, ctx.p)
increment = narrate.explain_increment(
    competitors.market_increment(market_share, ctx.p.market, tam_plan), ctx.plan_year, ctx.voice
)
ctx.save("market_increment", increment)
if increment["amount"].any():
    ctx.chart(charts.increment_bar(narrate.label_increment(increment, ctx.voice), ctx.lang))
if len(increment):
    ctx.table(views.increment_view(increment, ctx.voice), domain="market", money=["amount"])
ctx.say(narrate.describe_increment(increment, ctx.plan_year, ctx.voice))
ctx.missing("market_size", "market.increment.missing", when=tam_plan.empty and len(increment) > 0)

# %%
ctx.h("market.needs.title")
customer_needs = needs.needs(ctx.p.market, segs)
if len(customer_needs):
    ctx.table(views.needs_view(customer_needs, ctx.voice), domain="market", money=["sales"], pct=["growth"])
ctx.say(narrate.describe_needs(customer_needs, ctx.voice))

# %%
ctx.h("market.swot.title")
swot_table = narrate.swot_table(swot.swot(ctx.p.market, market_share, matrix), ctx.voice)
if len(swot_table):
    ctx.table(views.swot_view(swot_table, ctx.voice), domain="market")
ctx.save("swot", swot_table)
ctx.say(narrate.describe_swot(swot_table, ctx.voice))

# %%
if not ctx.batch:
    ctx.h("market.whatif.title")
    widgets.whatif_panel(ctx)

# %%
from planning import importer

importer.show_validation(ctx)  # only when the data was imported from an export (docs/import.md)

# %%
# The summary box: key numbers and the items for decision, from this step's artefacts (the report shows it first).
from planning.market import summary

ctx.summary(
    *summary.summary(
        ctx.load_optional("market_trend"),
        ctx.load_optional("segments"),
        ctx.load_optional("market_share"),
        ctx.voice,
        ctx.history_months * ctx.minimal,
    )
)
