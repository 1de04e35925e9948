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
    "05_review",
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
from planning import review
from planning.charts import review as charts

ctx.h("review.plan.title")
plan = review.find_plan(
    review.snapshot_root(ctx.out_dir), ctx.region, ctx.as_of, ctx.data.plan_of_record, ctx.data.reps
)
ctx.say(review.describe_plan(plan, ctx))

# %%
ctx.h("review.pva.title")
pva = review.plan_vs_actual(ctx.data.orders, plan, ctx.as_of)
ctx.chart(charts.plan_actual_months(pva, ctx.lang))
shown = review.pva_shown(pva)  # every rep up to 20, else the 10 furthest below and above plan
has_plan = plan.source != "none"  # without a plan there is no variance to chart (the sentence above says why)
if has_plan:
    ctx.chart(charts.variance_bars(shown, ctx.p.review.root_cause_threshold, ctx.lang))
ctx.say(review.describe_pva_reps(pva, shown, ctx.lang))
ctx.table(
    review.pva_display(shown, ctx.lang),
    domain="review",
    money=["plan", "actual", "variance"],
    pct=["variance_pct", "completion"],
    max_rows=None,
)
ctx.save("plan_vs_actual", pva)

# %%
outlook = review.projection(pva, plan, ctx.as_of)
check = review.resplit_check(pva, ctx.p.review)
remaining = review.resplit(pva, plan, ctx.as_of)
ctx.say(review.describe_pva(pva, outlook, check, ctx))
ctx.table(review.projection_display(outlook, ctx.lang), domain="review", money=["amount"])
if has_plan:
    ctx.chart(charts.resplit_chart(remaining, ctx.lang))
ctx.save("resplit", remaining.assign(required=check.required, quarter_completion=check.completion))

# %%
ctx.h("review.kpi.title")
kpi_values = review.kpi_values(ctx.data, pva, ctx.as_of, ctx.p)
board = review.kpi_status(
    kpi_values, ctx.p.review.red_below_baseline, ctx.p.review.yellow_below_baseline, ctx.lang
)
ctx.table(review.kpi_display(board, ctx.lang, ctx.p.company.currency), domain="review")
ctx.chart(
    charts.kpi_chart(board, ctx.p.review.red_below_baseline, ctx.p.review.yellow_below_baseline, ctx.lang)
)
ctx.say(review.describe_kpis(board, ctx))
ctx.save("kpis", board)

# %%
if not ctx.batch:
    review.whatif_panel(ctx, kpi_values, pva)

# %%
ctx.h("review.rc.title")
causes = review.root_causes(ctx.data, pva, ctx.as_of, ctx.p.review, ctx.lang, ctx.p.company.currency)
if not ctx.missing("plan_of_record", "review.rc.missing", when=not has_plan):
    ctx.chart(charts.waterfall(review.waterfall_data(causes, "ytd", str(ctx.as_of.year)), ctx.lang))
    ctx.say(review.describe_root_causes(causes, ctx))
if len(causes):
    ctx.h("review.rc.template_title", level=3)
    ctx.table(review.five_why(causes, ctx.lang), domain="review", pct=["variance_pct"])
ctx.save("root_causes", causes)

# %%
ctx.h("review.process.title", level=3)
checks = review.process_checks(board)
ctx.table(checks, domain="review", pct=["process_change", "outcome_change"])
ctx.say(review.describe_process_checks(checks, ctx))

# %%
ctx.h("review.accuracy.title")
accuracy = review.accuracy_review(
    review.snapshot_root(ctx.out_dir), ctx.region, ctx.as_of, ctx.data.orders, ctx.artifacts_dir
)
summary = review.accuracy_summary(accuracy)
ctx.chart(charts.accuracy_chart(accuracy, ctx.lang))
ctx.table(summary, domain="review", pct=["mape", "bias"])
ctx.say(review.describe_accuracy(accuracy, summary, ctx))
ctx.save("forecast_accuracy", accuracy)

# %%
ctx.h("review.risk.title")
signals = review.risk_signals(ctx.data, board, ctx.as_of, ctx.p)
risks = review.risk_register(ctx.p.review, signals, ctx.lang)
if len(risks):
    ctx.chart(charts.risk_heatmap(risks, ctx.lang))
    ctx.table(review.risk_display(risks, ctx.lang), domain="review")
ctx.say(review.describe_risks(risks, ctx))
ctx.save("risks", risks)

# %%
ctx.h("review.pdca.title")
log = review.pdca_log(board, review.previous_log(review.snapshot_root(ctx.out_dir), ctx.region, ctx.as_of),
                      ctx.as_of, ctx.p.review, ctx.lang)  # fmt: skip
ctx.table(review.pdca_display(log, ctx.lang), domain="review")
ctx.say(review.describe_pdca(log, ctx))
ctx.save("pdca_log", log)
