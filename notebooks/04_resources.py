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
    "04_resources",
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
from planning import contracts, facts, store
from planning.goals import prepare
from planning.resources import actions, budget, capacity, charts, common, incentives, narrate, views
from planning.resources import facts as resource_facts

shared = store.read_facts(ctx.out_dir)  # the facts earlier steps own (planning/facts.py)

ctx.say(ctx.t("resources.intro.text"))
ctx.minimal_note("resources.intro.minimal")  # what a minimal plan's resources rest on (docs/method.md)

# %%
ctx.h("resources.baseline.title")
# a minimal plan's months follow their working days, as in the goals step (no season measured)
season = prepare.working_day_season(ctx.p) if ctx.minimal else ctx.load("seasonality")
team = capacity.team_baseline(
    ctx.data.orders,
    ctx.data.reps,
    ctx.p,
    seasonality=season,
    targets_rep=ctx.load("targets_rep"),
    team_capacity=ctx.load("team_capacity"),
    shared=shared,
)  # fmt: skip  (None without a reps table)
has_team = not ctx.missing("reps", "resources.missing.team", when=team is None)
if has_team:
    ctx.table(views.baseline_table(team, ctx.voice))
    ctx.say(narrate.describe_baseline(team, ctx.p.resources, ctx.voice))

# %%
ctx.h("resources.capacity.title")
targets = capacity.monthly_targets(ctx.load("targets"), ctx.p)
capacity_by_month, hiring = common.no_rows("capacity"), common.no_rows("hiring_plan")
if not ctx.missing("reps", "resources.missing.capacity", when=not has_team):
    capacity_by_month, hiring = capacity.capacity_plan(team, targets, ctx.p.resources)
    ctx.chart(charts.capacity_chart(capacity_by_month, ctx.lang))
    ctx.say(narrate.describe_capacity(capacity_by_month, hiring, team, ctx.p.resources, ctx.voice))
    ctx.table(
        capacity_by_month[list(contracts.required_columns("capacity"))],
        domain="resources",
        money=["capacity", "target", "gap"],
        decimals={"headcount_start": 1, "exits": 2, "ramping": 1, "productive_fte": 2},
    )
ctx.save("capacity", capacity_by_month)

# %%
ctx.h("resources.hiring.title")
ctx.save("hiring_plan", hiring)
if not ctx.missing("reps", "resources.missing.hiring", when=not has_team):
    if len(hiring):  # no hire needed: the sentence says so
        ctx.table(views.hiring_table(hiring, ctx.voice), domain="resources")
    ctx.say(narrate.describe_hiring(hiring, team, ctx.p.resources, ctx.voice))
    ctx.chart(charts.headcount_chart(capacity_by_month, ctx.lang))

# %%
ctx.h("resources.incentives.title")
curve, incentive_cost = common.no_rows("incentives"), common.no_rows("incentive_summary")
quotas = None
if not ctx.missing("reps", "resources.missing.incentives", when=not has_team):
    quotas = incentives.rep_quotas(ctx.load("targets_rep"), ctx.p)
    # each rep's expected output scaled to the team's capacity: one capacity in capacity.csv and the simulation
    quotas = incentives.expected_output(quotas, team, ctx.p, float(capacity_by_month["capacity"].sum()))
    curve = incentives.payout_curve(quotas["quota"].median(), ctx.p.resources)
    ctx.chart(charts.payout_chart(curve, ctx.p.resources, ctx.lang))
    ctx.say(narrate.describe_incentive_plan(quotas["quota"].median(), ctx.p.resources, ctx.voice))
ctx.save("incentives", curve)

# %%
if has_team:
    ctx.h("resources.incentives.simulation_title")
    simulation = incentives.simulate_incentives(quotas, team.factors, ctx.p.resources)
    incentive_cost = incentives.incentive_summary(
        simulation, quotas, int(hiring["hires"].sum()), ctx.p.resources
    )
    ctx.chart(charts.attainment_chart(incentives.attainment_histogram(simulation), ctx.lang))
    reference = incentives.historical_attainment(ctx.data.orders, ctx.data.plan_of_record, team, ctx.p)
    ctx.say(
        narrate.describe_attainment_source(
            quotas,
            team.factors,
            reference,
            simulation,
            ctx.plan_year,
            ctx.as_of.year,
            facts.value(shared, "last12_sales"),
            ctx.voice,
            ctx.minimal,
        )
    )
    ctx.table(views.summary_table(incentive_cost, ctx.voice))
    ctx.say(narrate.describe_incentives(incentive_cost, ctx.p.resources, ctx.voice))
ctx.save("incentive_summary", incentive_cost)
ctx.save("facts_resources", resource_facts.resources_facts(capacity_by_month, quotas))

# %%
ctx.h("resources.budget.title")
channels, allocation = None, common.no_rows("budget")
if not ctx.missing("marketing", "resources.missing.budget"):
    channels = budget.channel_economics(ctx.data.marketing, ctx.data.opportunities, ctx.p)
    allocation = budget.allocate(channels, budget.total_budget(channels, ctx.p), ctx.p.resources)
    ctx.chart(charts.budget_chart(allocation, ctx.lang))
    ctx.say(narrate.describe_budget_method(ctx.p.resources, ctx.voice))
    ctx.table(
        allocation[["channel", "current_budget", "optimal_budget", "leads", "customers", "revenue", "roi",
                    "cost_per_lead", "b", "win_rate", "aov", "stopped"]],
        domain="resources",
        money=["current_budget", "optimal_budget", "revenue", "cost_per_lead", "aov"],
        pct=["win_rate"],
        decimals={"leads": 0, "customers": 1, "roi": 1, "b": 2},
    )  # fmt: skip
    ctx.say(narrate.describe_budget(allocation, ctx.voice))
    ctx.h("resources.budget.response_title", level=3)
    ctx.chart(charts.response_chart(budget.response_curves(allocation, channels), allocation, ctx.lang))
ctx.save("budget", allocation)
marketing_budget = budget.total_budget(channels, ctx.p)  # params, else last year's spend; NaN without either

# %%
ctx.h("resources.costs.title")
revenue_target = float(targets.sum())
costs = budget.cost_of_sales(
    capacity_by_month, team, incentive_cost, int(hiring["hires"].sum()), marketing_budget, revenue_target,
    ctx.p.resources, ctx.lang,
)  # fmt: skip
ctx.save("cost_of_sales", costs)
if budget.priced(costs):  # no line without a team, a marketing budget or tools: no $0 total to show
    ctx.chart(charts.cost_chart(costs, ctx.lang))
    ctx.table(views.cost_table(costs, ctx.voice))
    ctx.say(narrate.describe_costs(costs, revenue_target, ctx.voice))
ctx.missing("reps", "resources.missing.costs_team", when=not has_team)
ctx.missing("marketing", "resources.missing.costs_marketing", when=not budget.has_item(costs, "marketing"))

# %%
ctx.h("resources.actions.title")
derived = actions.derived_tasks(
    hiring, ctx.load("customer_tiers"), ctx.load("funnel"), allocation, ctx.p,
    core_reps=len(team.team) if has_team else 0, managers=team.managers if has_team else 0,
)  # fmt: skip
action_plan = actions.action_plan(narrate.word_tasks(derived, ctx.p.resources, ctx.voice), ctx.p, ctx.lang)
ctx.save("action_plan", action_plan)
ctx.chart(charts.gantt_chart(action_plan, ctx.as_of, ctx.lang))
ctx.say(narrate.describe_actions(action_plan, ctx.voice))

ctx.h("resources.actions.wbs_title", level=3)
ctx.table(views.wbs(action_plan, ctx.voice), max_rows=None)

# %%
if not ctx.batch and has_team and channels is not None:
    # ipywidgets takes ~0.5 s to import (measured): only an interactive session loads the what-if panel
    from planning.resources import widgets

    ctx.h("resources.whatif.title")
    widgets.whatif_panel(ctx, team, targets, quotas["quota"].median(), channels, marketing_budget)

# %%
# The summary box: key numbers and the items for decision, from this step's artefacts (the report shows it first).
from planning.resources import summary

ctx.summary(
    *summary.summary(
        ctx.load_optional("capacity"),
        ctx.load_optional("hiring_plan"),
        ctx.load_optional("cost_of_sales"),
        ctx.load_optional("budget"),
        ctx.voice,
    )
)
