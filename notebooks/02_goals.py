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
    "02_goals",
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
from planning import facts
from planning.goals import (
    calibration,
    charts,
    decompose,
    forecast,
    narrate,
    pooling,
    prepare,
    smart,
    views,
    widgets,
)
from planning.goals import facts as goal_facts

if ctx.minimal:  # 3-12 months: the run rate, no forecast (docs/method.md, short histories)
    ctx.h("goals.forecast.run_rate_title")
    result = forecast.run_rate(ctx.data.orders, ctx.p)
    ctx.say(narrate.describe_run_rate(result, ctx.voice))
    ctx.minimal_note("goals.forecast.minimal")
else:
    ctx.h("goals.forecast.title")
    company = pooling.company_monthly(ctx.company_orders("region", "order_date", "amount"), ctx.as_of)
    result = forecast.baseline_forecast(ctx.data.orders, ctx.p, company)
    ctx.say(narrate.describe_forecast(result, ctx.plan_year, ctx.voice))
if forecast.scored(result):  # too short a history has no backtest: the sentence above says so, no empty chart
    ctx.chart(charts.backtest_bars(result.backtest, result.chosen, ctx.lang))
    ctx.table(views.backtest_table(result, ctx.voice), domain="goals", pct=["mape", "bias"])
    ctx.say(ctx.t("goals.forecast.backtest_note", horizon=ctx.p.goals.forecast_horizon))
ctx.save("forecast", result.forecast)
ctx.save("backtest", result.backtest)

# %%
ctx.h("goals.calibration.title")
inputs = prepare.prepare(ctx.data, ctx.p, result, ctx.load("seasonality"), ctx.load("market_increment"))
plan = decompose.plan(inputs, ctx.p)  # needed_hires -> calibration.calibrate -> flex_buffer -> split
ctx.chart(charts.dimensions(views.estimates_view(plan, ctx.voice), plan.committed, ctx.lang))
ctx.say(narrate.describe_calibration(plan, inputs, ctx.voice))
ctx.missing("reps", "goals.missing.team", when=calibration.unavailable(plan, "team"))
ctx.missing("marketing", "goals.missing.resources", when=calibration.unavailable(plan, "resources"))
ctx.chart(charts.waterfall(views.calibration_view(plan, ctx.voice), ctx.lang))
ctx.save("calibration", narrate.calibration_frame(plan, ctx.voice))
ctx.save("calibration_dimensions", narrate.dimensions_frame(plan, ctx.voice))
shared = goal_facts.goals_facts(inputs, plan)  # the facts later steps and reports read (planning/facts.py)
ctx.save("facts_goals", shared)

# %%
ctx.h("goals.calibration.dimensions", level=3)
ctx.table(views.dimensions_view(plan, ctx.voice), domain="goals", money=["amount"])
if not ctx.minimal:  # three periods of 12 months: none in a minimal plan's history
    ctx.h("goals.calibration.curve", level=3)
    ctx.table(views.curve_view(inputs), domain="goals", money=["sales", "per_rep", "aov"],
              pct=["lead_conversion", "retention", "attrition"], decimals={"rep_fte": 1})  # fmt: skip

# %%
if not ctx.minimal:  # a run rate has no forecast to set the plan beside (its sentence says so)
    ctx.h("goals.calibration.side_by_side")
    ctx.chart(charts.forecast_vs_plan(decompose.forecast_vs_plan(result, plan), ctx.lang))
    ctx.table(decompose.monthly_comparison(result, plan, ctx.p), domain="goals",
              money=["forecast", "lower", "upper", "target", "gap", "quota"])  # fmt: skip

# %%
ctx.h("goals.calibration.position_minimal" if ctx.minimal else "goals.calibration.position", level=3)
target_position = decompose.position(plan)
ctx.say(narrate.describe_position(target_position, ctx.p.goals.interval, ctx.voice))
shown = target_position.query("reference != 'forecast'") if ctx.minimal else target_position  # no forecast
ctx.table(views.position_table(shown, ctx.voice), domain="goals", money=["amount", "lower", "upper"])
ctx.save("target_position", target_position)

# %%
ctx.h("goals.smart.title")
checked = smart.smart_goals(
    plan, inputs, ctx.p, ctx.load("segments"), ctx.load("market_share"), ctx.data.market_size
)
goals = narrate.smart_frame(checked, inputs, ctx.voice)
unset = smart.unset(checked)  # derived goals without a number from the data: named, not listed as "—" or 0 %
ctx.table(views.smart_table(goals[~unset].reset_index(drop=True), ctx.voice), domain="goals")
ctx.say(narrate.describe_smart(goals[~unset], ctx.voice))
ctx.say(narrate.describe_unset(checked[unset], ctx.voice))
ctx.say(ctx.t("goals.smart.criteria"))
ctx.save("goals", goals)

# %%
ctx.h("goals.calendar.title")
ctx.chart(charts.calendar(plan.targets, ctx.lang))
ctx.say(narrate.describe_decomposition(plan, ctx.voice))
ctx.table(views.calendar_table(plan), domain="goals", money=["target", "quota"])
ctx.say(ctx.t("goals.calendar.note"))
ctx.save("targets", plan.targets)

# %%
ctx.h("goals.days.title")
ctx.say(narrate.describe_working_days(inputs, ctx.p.company.country, ctx.voice))
ctx.table(views.days_table(inputs, ctx.voice), domain="goals")

# %%
ctx.h("goals.reps.title")
ctx.save("targets_rep", plan.targets_rep)
ctx.save("team_capacity", decompose.team_capacity(plan, inputs))
if not ctx.missing("reps", "goals.missing.reps"):
    ramp = facts.value(shared, "ramp_months", 0)
    ctx.say(narrate.describe_reps(plan.inputs, ramp, ctx.voice, plan.hires_dropped))
if len(plan.targets_rep):
    ctx.table(views.team_table(plan, ctx.voice), domain="goals", money=["quota"], pct=["share"])
    sheet = views.rep_sheet(plan, ctx.voice, shown=views.REP_SHEET_SHOWN)  # all, or the largest and smallest
    ctx.say(narrate.describe_rep_sheet(plan, sheet, ctx.voice))
    ctx.chart(charts.rep_heatmap(plan.targets_rep, ctx.lang, reps=sheet["rep_id"]))
    ctx.h("goals.reps.sheet", level=3)
    ctx.table(sheet, domain="goals", money=views.money_columns(sheet), max_rows=None)

# %%
if not ctx.batch:
    ctx.h("goals.whatif.title")
    widgets.whatif_panel(ctx, inputs)

# %%
# The summary box: key numbers and the items for decision, from this step's artefacts (the report shows it first).
from planning.goals import summary

ctx.summary(
    *summary.summary(
        ctx.load_optional("targets"),
        ctx.load_optional("calibration_dimensions"),
        ctx.load_optional("goals"),
        ctx.plan_year,
        ctx.voice,
    )
)
