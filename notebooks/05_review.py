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
    "05_review",
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
import pandas as pd

from planning import store
from planning.review import charts, narrate, plan, variance, views

ctx.h("review.plan.title")
snapshots = store.snapshot_root(ctx.out_dir)  # the earlier snapshots beside this run's
plan_of_record = plan.find_plan(snapshots, ctx.region, ctx.as_of, ctx.data.plan_of_record, ctx.data.reps)
ctx.say(narrate.describe_plan(plan_of_record, ctx.voice))

# %%
ctx.h("review.pva.title")
pva = variance.plan_vs_actual(ctx.data.orders, plan_of_record, ctx.as_of)
shown = variance.pva_shown(pva)  # every rep up to 20, else the 10 furthest below and above plan
has_plan = plan_of_record.source != "none"
first_plan = ctx.minimal and not has_plan  # a minimal plan's first review: no plan to compare with yet
ctx.minimal_note("review.minimal_first" if first_plan else "review.minimal")
if not first_plan:
    ctx.chart(charts.plan_actual_months(pva, ctx.lang))
    if has_plan:  # without a plan there is no variance to chart (the sentence above says why)
        ctx.chart(charts.variance_bars(shown, ctx.p.review.root_cause_threshold, ctx.lang))
    ctx.say(narrate.describe_pva_reps(pva, shown, ctx.voice))
    ctx.table(
        views.pva_view(shown, ctx.voice),
        domain="review",
        money=["plan", "actual", "variance"],
        pct=["variance_pct", "completion"],
        max_rows=None,
    )
ctx.save("plan_vs_actual", pva)

# %%
to_date = variance.to_date(ctx.data.orders, plan_of_record, ctx.as_of)
if not first_plan:
    ctx.h("review.to_date.title", level=3)
    ctx.table(
        # a minimal plan's history holds no same days last year
        views.to_date_view(to_date, ctx.voice).drop(columns=list(views.LAST_YEAR) if ctx.minimal else []),
        domain="review",
        money=["plan", "actual", "variance", "actual_last_year"],
        pct=["completion", "growth"],
    )
    ctx.say(narrate.describe_to_date(to_date, ctx.voice))
ctx.save("review_to_date", to_date)

# %%
from planning.review import resplit

outlook = variance.projection(pva, plan_of_record, ctx.as_of)
check = resplit.resplit_check(pva, ctx.p.review)
remaining = resplit.resplit(pva, plan_of_record, ctx.as_of)
if not first_plan:
    ctx.say(narrate.describe_pva(pva, outlook, check, ctx.voice))
    ctx.table(views.projection_view(outlook, ctx.voice), domain="review", money=["amount"])
if has_plan:
    ctx.chart(charts.resplit_chart(remaining, ctx.lang))
ctx.save("resplit", remaining.assign(required=check.required, quarter_completion=check.completion))

# %%
from planning.review import pipeline

ctx.h("review.pipeline.title")
pp = ctx.p.review.pipeline
stages = pipeline.stage_probabilities(ctx.data.opportunities, ctx.as_of, pp)
pipe, deals = pipeline.pipeline_forecast(ctx.data.opportunities, stages, ctx.as_of, pp)
landing = pipeline.landing(ctx.data.orders, ctx.data.opportunities, pipe, plan_of_record, ctx.as_of, pp)
if not ctx.missing("opportunities", "review.pipeline.title", when=ctx.data.opportunities is None):
    ctx.h("review.pipeline.stages_title", level=3)
    ctx.table(views.stages_view(stages, ctx.voice), domain="review", money=["open_amount"], pct=["probability"])
    ctx.table(views.forecast_view(pipe, ctx.voice), domain="review", money=["amount", "worst", "commit", "best"])
ctx.h("review.pipeline.landing_title", level=3)
if landing["target"].notna().any():
    ctx.chart(charts.landing_chart(landing, ctx.lang))
ctx.table(
    views.landing_view(landing, ctx.voice),
    domain="review",
    money=["target", "actual_to_date", "run_rate_landing", "worst", "commit", "best"],
    pct=["commit_vs_target"],
)
ctx.say(narrate.describe_pipeline(stages, deals, landing, pp, ctx.voice))
ctx.save("pipeline_stages", stages)
ctx.save("pipeline_forecast", pipe)
ctx.save("landing", landing)

# %%
from planning.review import kpis

ctx.h("review.kpi.title")
red, yellow = ctx.p.review.red_below_baseline, ctx.p.review.yellow_below_baseline
kpi_values = kpis.kpi_values(ctx.data, pva, ctx.p)
board = narrate.kpi_rules(kpis.kpi_status(kpi_values, red, yellow), red, yellow, ctx.voice)
if len(board):  # no KPI with a reference (no plan, no like-for-like baseline): the sentence says why
    ctx.table(views.kpi_view(board, ctx.voice), domain="review")
    ctx.chart(charts.kpi_chart(board, red, yellow, ctx.lang))
ctx.say(narrate.describe_kpis(board, ctx.data, ctx.voice, kpis.baseline_gaps(ctx.data, ctx.as_of)))
ctx.save("kpis", board)

# %%
if not ctx.batch:
    from planning.review import widgets

    ctx.h("review.whatif.title", level=3)
    widgets.whatif_panel(ctx, kpi_values, pva)

# %%
from planning.review import facts as review_facts
from planning.review import root_causes

ctx.h("review.rc.title")
causes = narrate.root_cause_whys(root_causes.root_causes(ctx.data, pva, ctx.p), ctx.voice)
if not ctx.missing("plan_of_record", "review.rc.missing", when=not has_plan):
    ytd_steps = root_causes.waterfall_data(causes, "ytd", str(ctx.as_of.year))
    if len(ytd_steps):  # the year to date beyond the threshold: its drivers from plan to actual
        ctx.chart(charts.waterfall(ytd_steps, ctx.lang))
    ctx.say(narrate.describe_root_causes(causes, ctx.p.review, ctx.voice))
if len(causes):
    ctx.h("review.rc.template_title", level=3)
    ctx.table(views.five_why_view(causes, ctx.voice), domain="review", pct=["variance_pct"])
ctx.save("root_causes", causes)
ctx.save("facts_review", review_facts.review_facts(pva, ctx.p.review.root_cause_threshold))

# %%
ctx.h("review.process.title", level=3)
checks = kpis.process_checks(board)
if len(checks):  # none without lit KPIs: the sentence says so
    ctx.table(checks, domain="review", pct=["process_change", "outcome_change"])
ctx.say(narrate.describe_process_checks(checks, ctx.voice))

# %%
from planning.review import accuracy

ctx.h("review.accuracy.title")
forecast_accuracy = accuracy.accuracy_review(snapshots, ctx.region, ctx.as_of, ctx.data.orders, ctx.out_dir)
summary = accuracy.accuracy_summary(forecast_accuracy)
if len(forecast_accuracy):  # none without an earlier snapshot or a backtest: the sentence below says so
    ctx.chart(charts.accuracy_chart(narrate.accuracy_view(forecast_accuracy, ctx.voice), ctx.lang))
    ctx.table(narrate.accuracy_view(summary, ctx.voice), domain="review", pct=["mape", "bias"])
ctx.say(narrate.describe_accuracy(forecast_accuracy, summary, ctx.voice))
ctx.save("forecast_accuracy", forecast_accuracy)

# %%
from planning.review import risks

ctx.h("review.risk.title")
signals = risks.risk_signals(ctx.data, board, ctx.p, store.read_facts(ctx.out_dir))
register = narrate.risk_texts(risks.risk_register(ctx.p.review, signals), signals, ctx.p.review, ctx.voice)
if len(register):
    ctx.chart(charts.risk_heatmap(register, ctx.lang))
    ctx.table(views.risk_view(register, ctx.voice), domain="review")
ctx.say(narrate.describe_risks(register, ctx.voice))
ctx.save("risks", register)

# %%
from planning.review import pdca

ctx.h("review.pdca.title")
previous = pdca.previous_log(snapshots, ctx.region, ctx.as_of)
log = narrate.pdca_actions(pdca.pdca_log(board, previous, ctx.p), ctx.p.review, ctx.voice)
if len(log):  # no red KPI and nothing carried forward: the sentence says so
    ctx.table(views.pdca_view(log, ctx.voice), domain="review")
ctx.say(narrate.describe_pdca(log, ctx.voice))
ctx.save("pdca_log", log)

# %%
from planning.review import improve

ctx.h("review.improve.title")
earlier, earlier_date = improve.previous_list(snapshots, ctx.region, ctx.as_of)
since = improve.since(earlier_date, ctx.as_of)
health_now = improve.health_scores(ctx.data.orders, ctx.data.customers, ctx.p, ctx.as_of)
found = pd.concat(
    [
        improve.swings(ctx.data.opportunities, ctx.p),
        improve.health_falls(
            health_now, improve.health_scores(ctx.data.orders, ctx.data.customers, ctx.p, since), ctx.p
        ),
        improve.best_practices(ctx.data.opportunities, ctx.p),
        improve.channels_to_stop(ctx.data.marketing, ctx.data.opportunities, ctx.p),
    ],
    ignore_index=True,
)
items = improve.carry(
    found,
    earlier,
    store.read_improvement_marks(snapshots, ctx.region),
    dict(zip(health_now["customer_id"].astype(str), health_now["health_score"], strict=True)),
    improve.last_month_spend(ctx.data.marketing, ctx.as_of),
    ctx.p,
)
items = narrate.improvement_texts(items, ctx.p.review, ctx.voice)
if len(items):
    ctx.table(views.improvements_view(items, ctx.voice), domain="review", max_rows=None)
ctx.say(narrate.describe_improvements(items, ctx.voice))
ctx.save("improvements", items)

# %%
# The summary box: key numbers and the items for decision, from this step's artefacts (the report shows it first).
from planning.review import summary

ctx.summary(
    *summary.summary(
        ctx.load_optional("plan_vs_actual"),
        ctx.load_optional("kpis"),
        ctx.load_optional("root_causes"),
        ctx.load_optional("resplit"),
        ctx.load_optional("risks"),
        ctx.voice,
    )
)

# %%
# The region's plan audit, last: it reads every artefact of the region, this step's summary included.
from planning import audit

ctx.h("review.audit.title")
region_audit = audit.audit_region(ctx.out_dir, ctx.region)
ctx.say(narrate.describe_audit(region_audit, ctx.voice))
audit_rows = views.audit_view(region_audit, ctx.voice)  # failed and skipped checks: none on a clean plan
if len(audit_rows):
    ctx.table(audit_rows, domain="review", max_rows=None)
