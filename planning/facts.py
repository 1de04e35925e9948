"""Shared facts: every quantity more than one step, the index or a what-if panel shows, computed once.

A fact is computed by the step that owns it (the compute function named in `FACTS`) and handed on in that
step's facts artefact (`facts_goals`, `facts_strategy`, `facts_resources`, `facts_review`: name, value, unit,
owner, how); later steps, the reports' sentences and the what-if panels' defaults read it
(`planning.store.read_facts`, `value`) instead of computing their own. `planning audit` checks that each fact
equals what every artefact that shows it carries (planning/audit/facts.py). docs/method.md "Shared facts"
lists where each is computed and who reads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

COLUMNS = ("name", "value", "unit", "owner", "how")
UNITS = ("months", "share", "ratio", "money", "count")


@dataclass(frozen=True)
class Fact:
    unit: str  # one of UNITS: months, share (a fraction: 0.045 = 4.5 %), ratio, money, count
    owner: str  # the step that computes it (config.STEPS)
    how: str  # where and how it is computed (the artefact's `how` column)


FACTS: dict[str, Fact] = {
    # 02_goals (planning.team measures the team once; planning.goals.facts.goals_facts writes them)
    "ramp_months": Fact(
        "months",
        "02_goals",
        "team.months_to_full(ramp_curve_months, goals.training_uplift): months after the month of hire until a "
        "new rep's output is full on the plan's ramp curve (training included); every report prints this number",
    ),
    "ramp_curve_months": Fact(
        "months",
        "02_goals",
        "team.measure: resources.ramp_months, else the median months to ramp of measured hires "
        "(team.measure_ramp), else resources.ramp_fallback_months; the linear ramp k / (n + 1) before training",
    ),
    "attrition_planned": Fact(
        "share",
        "02_goals",
        "team.measure: resources.attrition, else attrition_actual; the annual rate goals and resources plan with",
    ),
    "attrition_actual": Fact(
        "share",
        "02_goals",
        "team.measure_attrition: quota reps' exits / average month-start headcount over the "
        "resources.attrition_months before as_of, annualised (empty without headcount)",
    ),
    "productivity": Fact(
        "money",
        "02_goals",
        "team.measure: annual output of a fully ramped quota rep (quota sales / ramp-adjusted rep-years of the "
        "latest 12-month period, or the mean of 3 with goals.capacity_basis mean)",
    ),
    "last12_sales": Fact(
        "money",
        "02_goals",
        "goals.prepare.prepare: sales of the 12 complete months up to as_of (the forecast's history)",
    ),
    "existing_revenue": Fact(
        "money",
        "02_goals",
        "goals.calibration.resources_dimension: plan-year revenue of customers already won = baseline forecast "
        "x (1 - share of sales from newly acquired customers), or last12_sales x strategy.net_retention when set",
    ),
    "nrr_planned": Fact(
        "ratio",
        "02_goals",
        "goals.facts.goals_facts: existing_revenue / last12_sales, the net revenue retention the plan assumes",
    ),
    "lead_conversion": Fact(
        "share",
        "02_goals",
        "goals.prepare.levers_from: goals.lead_conversion, else new customers / leads of the latest period "
        "(goals.capacity.capacity_curve); not orders per lead",
    ),
    "target_committed": Fact(
        "money", "02_goals", "goals.calibration.calibrate: the annual target before the flex buffer"
    ),
    "target": Fact(
        "money",
        "02_goals",
        "goals.decompose.flex_buffer: the annual target after the flex buffer (targets.csv year)",
    ),
    # 03_strategy
    "nrr_measured": Fact(
        "ratio",
        "03_strategy",
        "strategy.retention.retention: last 12 months' revenue of customers active in the 12 months before / "
        "their revenue then (empty without two years of orders)",
    ),
    "win_rate": Fact(
        "share",
        "03_strategy",
        "strategy.funnel.win_stats: deals won / deals closed (won + lost), leads of the last "
        "strategy.funnel_months months",
    ),
    "coverage_win_rate": Fact(
        "share",
        "03_strategy",
        "strategy.coverage.pipeline_win_rate: won amount / closed amount of the same leads, blended over "
        "industries with enough decided deals; what pipeline coverage divides by (coverage.csv win_rate)",
    ),
    "pipeline_share": Fact(
        "share",
        "03_strategy",
        "strategy.coverage: the share of the target new deals must win when pipeline coverage does not take the "
        "installed base off it: strategy.pipeline_share, or in a minimal plan (coverage.minimal_share) "
        "goals.growth_ambition / (1 + goals.growth_ambition); empty when the installed base is taken off",
    ),
    # 04_resources
    "team_capacity": Fact(
        "money",
        "04_resources",
        "resources.capacity.capacity_plan: the plan year's capacity (capacity.csv summed): productive FTE x "
        "output of a ramped rep, tools, house sales; the incentive simulation expects this revenue",
    ),
    "expected_attainment": Fact(
        "share",
        "04_resources",
        "resources.incentives.expected_output: team_capacity / the reps' quotas (the simulation's mean)",
    ),
    # 05_review
    "root_cause_count": Fact(
        "count",
        "05_review",
        "review.root_causes.root_causes: plan-vs-actual lines beyond review.root_cause_threshold, the "
        "quarter-to-date line left out (it is the current quarter's line)",
    ),
}


def of_step(step: str) -> list[str]:
    """The facts `step` owns, in declaration order."""
    return [n for n, f in FACTS.items() if f.owner == step]


def frame(step: str, values: dict[str, float | None]) -> pd.DataFrame:
    """The facts artefact of `step`: one row per fact it owns (COLUMNS); a value None or NaN is left empty.

    Raises ValueError when `values` names a fact of another step or leaves one of the step's facts out."""
    owned = of_step(step)
    foreign = [n for n in values if n not in owned]
    absent = [n for n in owned if n not in values]
    if foreign or absent:
        raise ValueError(f"facts of {step}: not its own {foreign}, missing {absent}; see planning/facts.py")
    rows = []
    for name in owned:
        v = values[name]
        v = math.nan if v is None else float(v)
        f = FACTS[name]
        rows.append({"name": name, "value": v, "unit": f.unit, "owner": f.owner, "how": f.how})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def value(facts: pd.DataFrame | None, name: str, default: float | None = None) -> float | None:
    """The value of fact `name` in a facts frame (`store.read_facts`); `default` when the frame is None, lacks
    the fact or holds no value for it (the owning step did not run or could not compute it)."""
    if facts is None or name not in FACTS:
        if name not in FACTS:
            raise KeyError(f"{name!r} is not a shared fact (planning/facts.py FACTS)")
        return default
    hit = facts.loc[facts["name"] == name, "value"]
    if hit.empty or not math.isfinite(float(hit.iloc[0])):
        return default
    return float(hit.iloc[0])
