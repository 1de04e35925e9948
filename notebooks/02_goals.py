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
    "02_goals",
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
from planning import goals
from planning.charts import goals as charts

ctx.h("goals.forecast.title")
result = goals.baseline_forecast(ctx.data.orders, ctx.p)
ctx.say(goals.describe_forecast(result, ctx.plan_year, ctx.lang, ctx.p.company.currency))
ctx.chart(charts.backtest_bars(result.backtest, result.chosen, ctx.lang))
ctx.table(goals.backtest_table(result, ctx.lang), domain="goals", pct=["mape", "bias"])
ctx.say(ctx.t("goals.forecast.backtest_note", horizon=ctx.p.goals.forecast_horizon))
ctx.save("forecast", result.forecast)
ctx.save("backtest", result.backtest)

# %%
ctx.h("goals.calibration.title")
inputs = goals.prepare(ctx.data, ctx.p, result, ctx.load("seasonality"), ctx.load("market_increment"))
plan = goals.plan(inputs, ctx.p)
ctx.chart(charts.dimensions(goals.estimates_view(plan, ctx.lang), plan.committed, ctx.lang))
ctx.say(goals.describe_calibration(plan, inputs))
ctx.missing("reps", "goals.missing.team", when=goals.unavailable(plan, "team"))
ctx.missing("marketing", "goals.missing.resources", when=goals.unavailable(plan, "resources"))
ctx.chart(charts.waterfall(goals.calibration_view(plan, ctx.lang), ctx.lang))
ctx.save("calibration", plan.calibration)
ctx.save("calibration_dimensions", plan.dimensions)

# %%
ctx.h("goals.calibration.dimensions", level=3)
ctx.table(goals.dimensions_view(plan, ctx.lang), domain="goals", money=["amount"])
ctx.h("goals.calibration.curve", level=3)
ctx.table(goals.curve_view(inputs), domain="goals", money=["sales", "per_rep", "aov"],
          pct=["lead_conversion", "retention", "attrition"], decimals={"rep_fte": 1})  # fmt: skip

# %%
ctx.h("goals.calibration.side_by_side")
ctx.chart(charts.forecast_vs_plan(goals.forecast_vs_plan(result, plan, ctx.plan_year), ctx.lang))
ctx.table(goals.monthly_comparison(result, plan, ctx.plan_year), domain="goals",
          money=["forecast", "lower", "upper", "target", "gap"])  # fmt: skip

# %%
ctx.h("goals.smart.title")
smart = goals.smart_goals(
    plan, inputs, ctx.p, ctx.load("segments"), ctx.load("market_share"), ctx.data.market_size
)
ctx.table(goals.smart_table(smart, ctx.lang, ctx.p.company.currency), domain="goals")
ctx.say(goals.describe_smart(smart, ctx.lang))
ctx.say(ctx.t("goals.smart.criteria"))
ctx.save("goals", smart)

# %%
ctx.h("goals.calendar.title")
ctx.chart(charts.calendar(plan.targets, ctx.lang))
ctx.say(goals.describe_decomposition(plan, inputs))
ctx.table(goals.calendar_table(plan), domain="goals", money=["target"])
ctx.say(ctx.t("goals.calendar.note"))
ctx.save("targets", plan.targets)

# %%
ctx.h("goals.reps.title")
ctx.save("targets_rep", plan.targets_rep)
ctx.save("team_capacity", goals.team_capacity(plan, inputs))
if not ctx.missing("reps", "goals.missing.reps"):
    ctx.say(goals.describe_reps(plan, inputs))
if len(plan.targets_rep):
    ctx.table(goals.team_targets(plan), domain="goals", money=["target"], pct=["share"])
    sheet = goals.rep_sheet(plan, ctx.lang, shown=goals.REP_SHEET_SHOWN)  # all, or the largest and smallest
    ctx.say(goals.describe_rep_sheet(plan, sheet, ctx.lang, ctx.p.company.currency))
    ctx.chart(charts.rep_heatmap(plan.targets_rep, ctx.lang, reps=sheet["rep_id"]))
    ctx.h("goals.reps.sheet", level=3)
    ctx.table(sheet, domain="goals", money=goals.money_columns(sheet), max_rows=None)

# %%
if not ctx.batch:
    ctx.h("goals.whatif.title")
    goals.whatif_panel(ctx, inputs)
