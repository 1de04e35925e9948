"""The shared facts the goals step owns (planning/facts.py): the team as measured once, the targets before and
after the flex buffer, existing customers' revenue, the planned net revenue retention and lead conversion.

Later steps and the reports read them from `facts_goals.csv` instead of measuring again.
"""

from __future__ import annotations

import math

import pandas as pd

from planning import facts
from planning import team as tm
from planning.goals.calibration import existing_revenue
from planning.goals.decompose import Plan
from planning.goals.prepare import Inputs


def ramp_months(ramp_curve: int, training_uplift: float) -> int:
    """Months after the month of hire until a new rep's output is full, on the plan's ramp curve: the ramp
    length `ramp_curve` (the linear ramp k / (n + 1)) shortened by the training uplift (`team.months_to_full`).
    One definition: goals' rep sheet, resources' baseline and hiring plan all print this number."""
    return tm.months_to_full(int(ramp_curve), training_uplift)


def goals_facts(inputs: Inputs, plan: Plan) -> pd.DataFrame:
    """facts_goals: the facts the goals step owns (`facts.of_step("02_goals")`), from the prepared inputs and
    the batch plan. Team facts are empty without a measured team (no reps table)."""
    crew = inputs.crew
    has_team = crew is not None and inputs.productivity > 0
    existing = existing_revenue(inputs)
    values: dict[str, float | None] = {
        "ramp_months": ramp_months(inputs.ramp_months, plan.levers.training_uplift) if has_team else None,
        "ramp_curve_months": inputs.ramp_months if has_team else None,
        "attrition_planned": plan.levers.attrition if has_team else None,
        "attrition_actual": crew.attrition_measured if has_team else None,
        "productivity": inputs.productivity if has_team else None,
        "last12_sales": inputs.last12,
        "existing_revenue": existing,
        "nrr_planned": existing / inputs.last12 if inputs.last12 > 0 else math.nan,
        "lead_conversion": plan.levers.lead_conversion,
        "target_committed": plan.committed,
        "target": plan.target,
    }
    return facts.frame("02_goals", values)
