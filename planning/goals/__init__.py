"""Step 2, goals (目标设定): calibrated target, SMART goals and the exact decomposition to week and rep.

The step turns "what will likely happen" into "what we will make happen". Where each concept of the method lives
(compute modules first; the notebook calls them in this order):

- baseline forecast, models, rolling-origin backtest (基线预测): `forecast` (`baseline_forecast`, `run`,
  `plan_year_baseline`);
- capacity curve of the last 3 periods, the plan year's roster and planned hires, territory potential: `capacity`;
- the data-only precomputation, the what-if levers, working calendar and seasonality: `prepare` (`prepare`,
  `Levers`, `levers_from`, `working_calendar`, `season_weights`);
- three-dimensional calibration (三维校准: market, team, resources, and the strategic intent) -> committed target,
  the combination rule and the waterfall's components: `calibration`;
- the flex buffer (弹性空间), year -> quarter -> month -> week and month -> team -> rep in exact cents
  (`allocate`, `sums_exact`), team targets and capacity, forecast vs plan: `decompose` (`plan`, `whatif`,
  `flex_buffer`);
- SMART goals check: `smart`;
- sentences and artefact explanations: `narrate`; translated tables: `views`; charts: `charts`; the what-if
  sliders: `widgets`.

Team numbers (ramp curve, attrition, per-rep output, house share) come from `planning.team`, shared with the
resources step. This package imports compute modules only: `import planning.goals.forecast` works without
altair or ipywidgets.
"""

from planning.goals.prepare import ORDER_COLUMNS

__all__ = ["ORDER_COLUMNS"]
