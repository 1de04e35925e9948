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
    "03_strategy",
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
from planning import strategy
from planning.charts import strategy as charts

p = ctx.p.strategy
cur = ctx.p.company.currency
segments = strategy.upstream(ctx, "segments")
targets = strategy.upstream(ctx, "targets")
goals = strategy.upstream(ctx, "goals")
target = strategy.target_year(targets)

# %%
ctx.h("strategy.tiers.title")
growth = strategy.segment_growth(segments)
features = strategy.customer_features(ctx.data.orders, ctx.data.customers, ctx.as_of, p, growth)
tiers = strategy.tier_customers(features, p, ctx.lang)
kept = strategy.retention(ctx.data.orders, ctx.as_of, p)
summary = strategy.tier_summary(tiers, features, p, target, kept, ctx.lang)
ctx.save("customer_tiers", tiers)
ctx.say(strategy.describe_method(tiers, p, growth, ctx.lang))
ctx.missing("customers", "strategy.missing.tiers")
cut = strategy.cutoffs(tiers, p)
ctx.chart(charts.tier_scatter(strategy.scatter_cells(tiers, cut), cut, ctx.lang))
ctx.chart(charts.tier_bars(summary, ctx.lang))
ctx.say(strategy.describe_tiers(summary, target, ctx.plan_year, ctx.lang, cur))

# %%
ctx.h("strategy.tiers.playbooks", level=3)
ctx.table(summary[["tier", "playbook", "touches"]], domain="strategy")
ctx.table(
    summary.drop(columns=["value_score", "potential_score", "touches", "playbook"]),
    domain="strategy",
    money=["revenue_12m", "potential", "expected_loss", "expected_gain", "expected_revenue"],
    pct=["revenue_share", "share_of_target"],
    currency=cur,
)
ctx.h("strategy.tiers.top", level=3)
ctx.table(
    strategy.top_accounts(tiers, features, 3).drop(columns=["potential"]),
    domain="strategy",
    money=["revenue_12m"],
    currency=cur,
)

# %%
ctx.h("strategy.funnel.title")
funnel = strategy.funnel(
    ctx.data.opportunities, ctx.as_of, p, benchmark=ctx.company("opportunities").opportunities
)
ctx.save("funnel", funnel)
has_opportunities = not ctx.missing("opportunities", "strategy.missing.funnel")
if has_opportunities:
    ctx.chart(charts.funnel_chart(funnel, ctx.lang))
    ctx.say(
        strategy.describe_funnel(
            funnel, strategy.win_stats(ctx.data.opportunities, ctx.as_of, p), p, ctx.lang
        )
    )
    ctx.table(funnel, domain="strategy", pct=["conversion_rate", "benchmark_rate", "vs_benchmark"])

# %%
if has_opportunities:
    ctx.h("strategy.funnel.by_segment", level=3)
    by_segment = strategy.win_stats(ctx.data.opportunities, ctx.as_of, p, by="industry")
    ctx.table(
        by_segment.drop(columns=["avg_lead_amount"]),
        domain="strategy",
        pct=["win_rate", "value_win_rate"],
        money=["avg_won_amount", "won_amount"],
        currency=cur,
    )
    ctx.say(strategy.describe_segments(by_segment, p, ctx.lang))

# %%
ctx.h("strategy.coverage.title")
first_year = strategy.first_year_revenue(
    ctx.data.orders, ctx.data.customers, ctx.data.opportunities, ctx.as_of, p
)
coverage = strategy.coverage_or_empty(
    targets,
    ctx.data.opportunities,
    ctx.as_of,
    p,
    funnel,
    strategy.installed_base(summary),
    first_year["used"],
)
ctx.save("coverage", coverage)
if len(coverage):
    ctx.chart(charts.coverage_chart(coverage, ctx.lang))
    ctx.table(
        coverage.drop(columns=["start", "end"]),
        domain="strategy",
        pct=["win_rate", "coverage_ratio"],
        money=["target", "pipeline_target", "won_value_needed", "required_pipeline", "open_pipeline", "gap"],
        currency=cur,
    )
if not ctx.missing("opportunities", "strategy.missing.coverage"):
    ctx.say(
        strategy.describe_coverage(
            coverage, ctx.plan_year, ctx.lang, cur, kept,
            strategy.leads_last_12m(ctx.data.marketing, ctx.data.opportunities, ctx.as_of),
            strategy.pipeline_timing(ctx.data.opportunities, ctx.as_of, funnel, ctx.plan_year),
            first_year,
        )
    )  # fmt: skip

# %%
ctx.h("strategy.coverage.acquisition", level=3)
if not ctx.missing("opportunities", "strategy.missing.acquisition"):
    mix = strategy.acquisition_mix(
        ctx.data.opportunities, ctx.data.customers, ctx.data.marketing, ctx.as_of, p
    )
    ctx.chart(charts.acquisition_chart(mix, ctx.lang))
    ctx.table(
        mix,
        domain="strategy",
        pct=["win_rate"],
        money=["won_amount", "spend", "cost_per_lead", "cost_per_win"],
        currency=cur,
    )
    ctx.say(strategy.describe_acquisition(mix, ctx.lang, cur))

# %%
ctx.h("strategy.health.title")
health = strategy.health_report(features, p, ctx.lang)  # no rows without usage / satisfaction / renewal data
ctx.save("health", health)
has_health = not ctx.missing("customers", "strategy.missing.health", when=health.empty)
if has_health:
    ctx.say(strategy.describe_health_method(p, ctx.lang))
    ctx.chart(charts.health_histogram(strategy.health_bins(health), ctx.lang))
    ctx.say(strategy.describe_health(health, features, ctx.lang, cur))

# %%
if has_health:
    ctx.h("strategy.health.list", level=3)
    ctx.table(
        strategy.at_risk(health, features, tiers, 15),
        domain="strategy",
        money=["revenue_at_risk"],
        currency=cur,
    )

# %%
ctx.h("strategy.fourp.title")
four_p = strategy.four_p(p, goals, ctx.lang)
ctx.table(strategy.four_p_display(four_p, ctx.lang), domain="strategy")
ctx.say(strategy.describe_four_p(four_p, goals, ctx.lang))
channels = strategy.channel_mix(ctx.data.orders, ctx.as_of)
ctx.chart(charts.channel_mix_chart(channels, ctx.lang))
ctx.say(strategy.describe_channels(channels, ctx.lang))

# %%
if not ctx.batch:
    ctx.h("strategy.whatif.title")
    strategy.whatif_panel(ctx, features)
