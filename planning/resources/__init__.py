"""Step 4, resources (资源配置): the people, money, incentives and actions that carry the goals.

Where each concept of the method lives (compute modules: frames and params in, frames out):
- `capacity`: team size and structure (`team_baseline`, measured once in `planning.team`), month-by-month
  capacity against the goals' targets and the hires needed given time to hire, ramp and attrition
  (`capacity_plan`, `plan_hires`); what is left to the talent reserve / flex (`remaining_gap`);
- `incentives`: target-achievement bonus + incremental breakthrough bonus (accelerator) + team collaboration
  bonus, the 80% team rule (`payout`), the new hire's first-deal growth fund, the payout curve and a Monte Carlo
  of the plan's cost (`simulate_incentives`, `incentive_summary`);
- `budget`: marketing by channel (cost per lead, conversion, response curve, ROI) and its optimal allocation
  (`channel_economics`, `allocate`), the cost of sales of the whole plan (`cost_of_sales`);
- `training`: training by level (new hires, core reps, managers) priced for the cost of sales;
- `actions`: the action plan (planner's and derived tasks, statuses, flags) behind the Gantt chart and the WBS;
- `common`: table checks, month labels, the planner's own texts, empty artefacts.
Then `narrate` (sentences, task wording), `views` (display tables), `charts` (altair), `widgets` (what-if panel).

Months are "YYYY-MM" strings in every artefact, as in the goals step's `targets.csv`.
"""

from planning.resources.capacity import ORDER_COLUMNS

__all__ = ["ORDER_COLUMNS"]
