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
    "03_strategy",
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
import math

from planning import store
from planning.strategy import (
    charts,
    coverage,
    facts,
    fourp,
    funnel,
    health,
    narrate,
    retention,
    scatter,
    tiers,
    widgets,
)

s = ctx.p.strategy
voice = ctx.voice
segments, targets, goals = (
    ctx.load(name) if store.has_artifacts(ctx.out_dir, name) else None
    for name in ("segments", "targets", "goals")
)
target = retention.target_year(targets)
window = ctx.history_months if ctx.minimal else 12  # the months of revenue_12m: a minimal plan's history

# %%
ctx.h("strategy.tiers.title")
growth = tiers.segment_growth(segments)
features = tiers.customer_features(ctx.data.orders, ctx.data.customers, ctx.p, growth,
                                   ctx.history_months * ctx.minimal)  # fmt: skip
tiered = tiers.tier_customers(features, s)
measured = retention.retention(ctx.data.orders, ctx.p)
# the installed base is the goals step's existing-customer revenue (one figure in goals and strategy)
kept = facts.planned_retention(measured, store.read_facts(ctx.out_dir), float(features["revenue_12m"].sum()))
summary = tiers.tier_summary(tiered, features, s, target, kept)
if ctx.minimal:  # 3-12 months measure no retention or churn: no installed base projected (docs/method.md)
    summary = tiers.without_projection(summary)
summary = narrate.summary_table(summary, s, voice)
ctx.save("customer_tiers", narrate.tiers_table(tiered, s, voice))
ctx.save("tier_summary", summary)
ctx.say(narrate.describe_method(tiered, growth, s, voice))
ctx.missing("customers", "strategy.missing.tiers")
cut = tiers.cutoffs(tiered, s)
ctx.chart(charts.tier_scatter(scatter.scatter_cells(tiered, cut), cut, voice))
ctx.chart(charts.tier_bars(summary, window, voice))
ctx.say(narrate.describe_tiers(summary, target, ctx.plan_year, voice, ctx.history_months * ctx.minimal))
ctx.data_notes(dimensions=("industry", "size_band", "lead_source"))  # grouped segments; anonymous revenue

# %%
ctx.h("strategy.tiers.playbooks", level=3)
ctx.table(summary[["tier", "playbook", "touches"]], domain="strategy")
ctx.table(
    narrate.revenue_window(
        summary.drop(columns=["value_score", "potential_score", "touches", "playbook"]).drop(
            columns=list(tiers.PROJECTION_COLUMNS) if ctx.minimal else []  # a minimal plan projects no base
        ),
        window,
        voice,
    ),
    domain="strategy",
    money=narrate.money_columns(
        ["revenue_12m", "potential", "expected_loss", "expected_gain", "expected_revenue"], window, voice
    ),
    pct=["revenue_share", "share_of_target"],
    currency=voice.currency,
)
ctx.h("strategy.tiers.top", level=3)
ctx.table(
    narrate.revenue_window(tiers.top_accounts(tiered, features, 3).drop(columns=["potential"]), window, voice),
    domain="strategy",
    money=narrate.money_columns(["revenue_12m"], window, voice),
    currency=voice.currency,
)

# %%
ctx.h("strategy.funnel.title")
stages = funnel.funnel(ctx.data.opportunities, ctx.p, benchmark_counts=ctx.funnel_benchmark())
ctx.save("funnel", stages)
has_opportunities = not ctx.missing("opportunities", "strategy.missing.funnel")
if has_opportunities:
    supported = funnel.support(ctx.data.opportunities, ctx.p)  # stage dates, deal values: what can be shown
    ctx.say(narrate.describe_support(supported, voice))
    lead_months = funnel.lead_months(ctx.data.opportunities, ctx.p.as_of, s.funnel_months)
    ctx.chart(charts.funnel_chart(stages, lead_months, voice))
    stats = funnel.win_stats(ctx.data.opportunities, ctx.p)
    ctx.say(narrate.describe_funnel(stages, stats, s, lead_months, voice))
    ctx.table(stages, domain="strategy", pct=["conversion_rate", "benchmark_rate", "vs_benchmark"])

# %%
if has_opportunities:
    ctx.h("strategy.funnel.by_segment", level=3)
    by_segment = funnel.win_stats(ctx.data.opportunities, ctx.p, by="industry")
    ctx.table(
        by_segment.drop(columns=["avg_lead_amount"]),
        domain="strategy",
        pct=["win_rate", "value_win_rate"],
        money=["avg_won_amount", "won_amount"],
        currency=voice.currency,
    )
    ctx.say(narrate.describe_segments(by_segment, s, voice))

# %%
ctx.h("strategy.coverage.title")
first_year = retention.first_year_revenue(ctx.data.orders, ctx.data.customers, ctx.data.opportunities, ctx.p)
# the new-deal share of the target, when assumed (params; a minimal plan projects no installed base), else None
share = coverage.minimal_share(ctx.p) if ctx.minimal else s.pipeline_share
pipeline = coverage.coverage_or_empty(
    targets, ctx.data.opportunities, ctx.p, stages, tiers.installed_base(summary), first_year["used"], share
)
ctx.save("coverage", pipeline)
ctx.save("facts_strategy", facts.strategy_facts(measured, ctx.data.opportunities, ctx.p, share))
if len(pipeline):
    ctx.chart(charts.coverage_chart(pipeline, voice))
    ctx.table(
        pipeline.drop(columns=["start", "end"]),
        domain="strategy",
        pct=["win_rate", "coverage_ratio"],
        money=["target", "pipeline_target", "won_value_needed", "required_pipeline", "open_pipeline", "gap"],
        currency=voice.currency,
    )
if not ctx.missing("opportunities", "strategy.missing.coverage"):
    leads_12m = coverage.leads_last_12m(ctx.data.marketing, ctx.data.opportunities, ctx.p)
    timing = coverage.pipeline_timing(ctx.data.opportunities, ctx.p, stages)
    if ctx.minimal:  # the share it assumes, in place of the installed base; no "last 12 months" of leads
        growth = ctx.p.goals.growth_ambition
        ctx.say(narrate.describe_minimal_coverage(ctx.history_months, share, s, growth, voice))
        kept, leads_12m = None, math.nan
    ctx.say(
        narrate.describe_coverage(
            pipeline, ctx.plan_year, kept, leads_12m, timing, first_year, voice, supported, share
        )
    )

# %%
ctx.h("strategy.coverage.acquisition", level=3)
if not ctx.missing("opportunities", "strategy.missing.acquisition"):
    mix = coverage.acquisition_mix(ctx.data.opportunities, ctx.data.customers, ctx.data.marketing, ctx.p)
    ctx.chart(charts.acquisition_chart(mix, voice))
    ctx.table(
        mix,
        domain="strategy",
        pct=["win_rate"],
        money=["won_amount", "spend", "cost_per_lead", "cost_per_win"],
        currency=voice.currency,
    )
    ctx.say(narrate.describe_acquisition(mix, voice))

# %%
ctx.h("strategy.health.title")
# no rows without usage / satisfaction / renewal data
scores = narrate.health_table(health.health_report(features, s), s, voice)
ctx.save("health", scores)
has_health = not ctx.missing("customers", "strategy.missing.health", when=scores.empty)
if has_health:
    ctx.say(narrate.describe_health_method(s, voice))
    ctx.chart(charts.health_histogram(health.health_bins(scores), voice))
    ctx.say(narrate.describe_health(scores, features, voice))

# %%
if has_health:
    ctx.h("strategy.health.list", level=3)
    ctx.table(
        health.at_risk(scores, features, tiered, 15),
        domain="strategy",
        money=["revenue_at_risk"],
        currency=voice.currency,
    )

# %%
ctx.h("strategy.fourp.title")
decisions = narrate.four_p_table(fourp.four_p(s, goals), s, voice)
if len(decisions):  # none in params: the sentence says so
    ctx.table(narrate.four_p_view(decisions, voice), domain="strategy")
ctx.say(narrate.describe_four_p(decisions, goals, voice))
channels = fourp.channel_mix(ctx.data.orders, ctx.p)
ctx.chart(charts.channel_mix_chart(channels, window, voice))
ctx.say(narrate.describe_channels(channels, voice, ctx.minimal))

# %%
if not ctx.batch:
    ctx.h("strategy.whatif.title")
    widgets.whatif_panel(ctx, features)

# %%
# The summary box: key numbers and the items for decision, from this step's artefacts (the report shows it first).
from planning.strategy import summary

ctx.summary(
    *summary.summary(
        ctx.load_optional("customer_tiers"),
        ctx.load_optional("funnel"),
        ctx.load_optional("coverage"),
        ctx.load_optional("health"),
        lead_months if has_opportunities else s.funnel_months,
        ctx.voice,
    )
)
