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
    "04_resources",
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
from planning import resources
from planning.charts import resources as charts

ctx.say(ctx.t("resources.intro.text"))

# %%
ctx.h("resources.baseline.title")
team = resources.team_baseline(
    ctx.data.orders,
    ctx.data.reps,
    ctx.as_of,
    ctx.p,
    seasonality=ctx.load("seasonality"),
    targets_rep=ctx.load("targets_rep"),
    team_capacity=ctx.load("team_capacity"),
)  # fmt: skip  (None without a reps table)
has_team = not ctx.missing("reps", "resources.missing.team", when=team is None)
if has_team:
    ctx.table(resources.baseline_table(team, ctx.lang, ctx.p.company.currency))
    ctx.say(resources.describe_baseline(team, ctx))

# %%
ctx.h("resources.capacity.title")
targets = resources.monthly_targets(ctx.load("targets"), ctx.plan_year)
capacity, hiring = resources.no_rows("capacity"), resources.no_rows("hiring_plan")
if not ctx.missing("reps", "resources.missing.capacity", when=not has_team):
    capacity, hiring = resources.capacity_plan(team, targets, ctx.p.resources)
    ctx.chart(charts.capacity_chart(capacity, ctx.lang))
    ctx.say(resources.describe_capacity(capacity, hiring, team, ctx))
    ctx.table(
        capacity[
            [
                "month",
                "headcount_start",
                "hires",
                "exits",
                "ramping",
                "productive_fte",
                "capacity",
                "target",
                "gap",
            ]
        ],
        domain="resources",
        money=["capacity", "target", "gap"],
        decimals={"headcount_start": 1, "exits": 2, "ramping": 1, "productive_fte": 2},
    )
ctx.save("capacity", capacity)

# %%
ctx.h("resources.hiring.title")
ctx.save("hiring_plan", hiring)
if not ctx.missing("reps", "resources.missing.hiring", when=not has_team):
    ctx.table(resources.hiring_table(hiring, ctx.lang), domain="resources")
    ctx.say(resources.describe_hiring(hiring, team, ctx))
    ctx.chart(charts.headcount_chart(capacity, ctx.lang))

# %%
ctx.h("resources.incentives.title")
curve, incentive_cost = resources.no_rows("incentives"), resources.no_rows("incentive_summary")
if not ctx.missing("reps", "resources.missing.incentives", when=not has_team):
    quotas = resources.expected_output(
        resources.rep_quotas(ctx.load("targets_rep"), ctx.plan_year), team, ctx.plan_year
    )
    curve = resources.payout_curve(quotas["quota"].median(), ctx.p.resources)
    ctx.chart(charts.payout_chart(curve, ctx.p.resources, ctx.lang))
    ctx.say(resources.describe_incentive_plan(quotas["quota"].median(), ctx))
ctx.save("incentives", curve)

# %%
if has_team:
    ctx.h("resources.incentives.simulation_title")
    simulation = resources.simulate_incentives(quotas, team.factors, ctx.p.resources)
    incentive_cost = resources.incentive_summary(
        simulation, quotas, int(hiring["hires"].sum()), ctx.p.resources
    )
    ctx.chart(charts.attainment_chart(resources.attainment_histogram(simulation), ctx.lang))
    reference = resources.historical_attainment(ctx.data.orders, ctx.data.plan_of_record, team, ctx.as_of)
    ctx.say(resources.describe_attainment_source(quotas, team.factors, reference, simulation, ctx))
    ctx.table(resources.summary_table(incentive_cost, ctx.lang, ctx.p.company.currency))
    ctx.say(resources.describe_incentives(incentive_cost, ctx))
ctx.save("incentive_summary", incentive_cost)

# %%
ctx.h("resources.budget.title")
channels, budget = None, resources.no_rows("budget")
if not ctx.missing("marketing", "resources.missing.budget"):
    channels = resources.channel_economics(
        ctx.data.marketing, ctx.data.opportunities, ctx.as_of, ctx.p.resources
    )
    budget = resources.allocate(channels, resources.total_budget(channels, ctx.p), ctx.p.resources)
    ctx.chart(charts.budget_chart(budget, ctx.lang))
    ctx.say(resources.describe_budget_method(ctx))
    ctx.table(
        budget[["channel", "current_budget", "optimal_budget", "leads", "customers", "revenue", "roi", "cost_per_lead",
                "b", "win_rate", "aov", "stopped"]],
        domain="resources",
        money=["current_budget", "optimal_budget", "revenue", "cost_per_lead", "aov"],
        pct=["win_rate"],
        decimals={"leads": 0, "customers": 1, "roi": 1, "b": 2},
    )  # fmt: skip
    ctx.say(resources.describe_budget(budget, ctx))
    ctx.h("resources.budget.response_title", level=3)
    ctx.chart(charts.response_chart(resources.response_curves(budget, channels), budget, ctx.lang))
ctx.save("budget", budget)
marketing_budget = resources.total_budget(
    channels, ctx.p
)  # params, else last year's spend; NaN without either

# %%
ctx.h("resources.costs.title")
revenue_target = float(targets.sum())
costs = resources.cost_of_sales(
    capacity, team, incentive_cost, int(hiring["hires"].sum()), marketing_budget, revenue_target, ctx.p.resources,
    ctx.lang,
)  # fmt: skip
ctx.save("cost_of_sales", costs)
ctx.chart(charts.cost_chart(costs, ctx.lang))
ctx.table(resources.cost_table(costs, ctx.lang, ctx.p.company.currency))
ctx.say(resources.describe_costs(costs, revenue_target, ctx))
ctx.missing("reps", "resources.missing.costs_team", when=not has_team)
ctx.missing("marketing", "resources.missing.costs_marketing", when=not resources.has_item(costs, "marketing"))

# %%
ctx.h("resources.actions.title")
derived = resources.derived_tasks(
    hiring, ctx.load("customer_tiers"), ctx.load("funnel"), budget, ctx.p, ctx.lang
)  # fmt: skip
action_plan = resources.action_plan(derived, ctx.p, ctx.lang)
ctx.save("action_plan", action_plan)
ctx.chart(charts.gantt_chart(action_plan, ctx.as_of, ctx.lang))
ctx.say(resources.describe_actions(action_plan, ctx))

ctx.h("resources.actions.wbs_title", level=3)
ctx.table(resources.wbs(action_plan, ctx.lang), max_rows=None)

# %%
if not ctx.batch and has_team and channels is not None:
    ctx.h("resources.whatif.title")
    resources.whatif_panel(ctx, team, targets, quotas["quota"].median(), channels, marketing_budget)
