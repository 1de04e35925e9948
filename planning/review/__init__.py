"""Step 5, review (PDCA): plan vs actual, the KPI board, root causes, forecast accuracy, risks and the PDCA log.

Where each concept of the method lives (compute modules: frames and params in, frames out, no wording):

- plan of record (an earlier snapshot's targets, else the plan_of_record table): `plan.py`
- plan vs actual by year / quarter / month / rep / product line / channel, full-year outlook: `variance.py`
- re-split of the remaining target when the quarter is below 80% complete: `resplit.py`
- KPI board with red / yellow / green lights, process-vs-outcome checks: `kpis.py`
- root causes: drivers (volume, conversion, mix, price) and the 5-Why template on the largest: `root_causes.py`
- forecast accuracy of earlier snapshots (or a backtest): `accuracy.py`
- risk register scored with data signals: `risks.py`
- the PDCA log carried between snapshots: `pdca.py`
- time windows ("last year" = the same window one year earlier) and arithmetic helpers: `periods.py`

Sentences and the artefacts' text columns: `narrate.py`; tables for reading: `views.py`; charts: `charts.py`;
the what-if panel: `widgets.py`. Earlier snapshots and their artefacts are read through `planning.store` only.

Parameter keys read (section `review` unless said otherwise): `red_below_baseline`, `yellow_below_baseline`
(KPI lights), `root_cause_threshold` (5-Why trigger), `resplit_completion` (re-split flag), `kpi_targets`,
`price_drop_alert`, `signal_uplift`, `risks`, `actions`, `action_days`; `resources.attrition` (planned attrition
for the staff-loss signal); `market.clv_max_years` (cap on the customer lifetime in the CLV KPI).
"""

from planning.review.variance import ORDER_COLUMNS

__all__ = ["ORDER_COLUMNS"]
