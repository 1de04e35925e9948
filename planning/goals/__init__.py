"""Step 2, goals (目标设定): calibrated target, SMART goals and the exact decomposition to week and rep.

The step turns "what will likely happen" (the forecast) into "what we will make happen" (the plan). Where each
concept of the method (METHOD.md, section 2) lives:

- baseline forecast (销售预测): models, rolling-origin backtest, the plan year's baseline -> `forecast`
  (`baseline_forecast`, `run`, `plan_year_baseline`);
- the team's capacity curve of the last 3 periods, the roster with planned hires, territory potential ->
  `capacity`; the shared team facts (ramp curve, attrition, per-rep output) -> `planning.team`;
- the data-only precomputation, the what-if levers and seasonality -> `prepare` (`prepare`, `Levers`,
  `levers_from`, `season_weights`); the working calendar (public holidays of company.country from the
  `holidays` package, make-up working days, the planner's own days) -> `calendar` (`working_calendar`,
  `day_changes`);
- three-dimensional calibration (三维校准: strategic intent ∩ market possibility ∩ team ∩ resource capacity),
  the combination rule, the waterfall's components -> `calibration` (`calibrate`, `team_dimension`,
  `resources_dimension`, `combine`, `waterfall`);
- flex buffer (弹性空间) -> `decompose.flex_buffer`; decomposition (阶梯式目标) year -> quarter -> month -> week
  and month -> team -> rep, exact to the cent -> `decompose` (`plan`, `whatif`, `split`, `allocate`,
  `sums_exact`, `team_targets`, `team_capacity`); forecast and plan side by side -> `decompose.forecast_vs_plan`;
- SMART goals and the targets beyond revenue (new customers, leads, conversion, AOV, retention, share, CLV) ->
  `smart`;
- sentences and the artefacts' explanation texts -> `narrate`; translated tables and the quota sheet -> `views`;
  charts -> `charts`; the what-if sliders -> `widgets`.

This module imports compute modules only: `import planning.goals.forecast` needs neither altair nor ipywidgets.
"""

__all__ = ["ORDER_COLUMNS"]


def __getattr__(name: str):
    """`ORDER_COLUMNS` (the order-line columns the step reads) on first use: importing a module of this package
    (`planning.goals.calendar` for the CLI's check of company.country) does not import the forecast's models."""
    if name == "ORDER_COLUMNS":
        # lazy: prepare imports the forecast (scipy.stats, statsmodels' pieces: ~1.3 s of CPU), which the CLI
        # never needs; the goals notebook imports it anyway
        from planning.goals.prepare import ORDER_COLUMNS

        return ORDER_COLUMNS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
