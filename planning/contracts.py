"""The artefacts each step hands to the next and to reviewers: a declared contract, tested like an API.

Each artefact is `<snapshot>/<region>/artifacts/<name>.csv`, written by exactly one step with at least the
columns listed here, each of a declared type (a step may add columns; it may not drop or rename these).
`planning.store` enforces the contract when it writes an artefact and applies the types when it reads one.
The meanings are documented in docs/artifacts.md.

Types: "str" text, "date" an ISO date or month as text (YYYY-MM-DD / YYYY-MM, kept as text: the reader decides
whether it is a day or a month), "int", "float", "bool".
"""

from __future__ import annotations

from dataclasses import dataclass

TYPES = ("str", "date", "int", "float", "bool")


@dataclass(frozen=True)
class Contract:
    """Who writes an artefact and the columns (name -> type) it guarantees; `optional` when the step writes it
    only in some runs (the import's `validation` table exists only for imported data)."""

    step: str
    columns: dict[str, str]
    optional: bool = False

    def __post_init__(self) -> None:
        bad = {c: t for c, t in self.columns.items() if t not in TYPES}
        if bad:
            raise ValueError(f"unknown column types {bad}; expected one of {TYPES}")


#: The summary box of a step report (`notebook.Context.summary`): its key numbers and items for decision, kept so
#: that the index lists every region's items for decision (`report.attention_list`).
SUMMARY_COLUMNS = {"kind": "str", "label": "str", "text": "str"}

#: The columns of every step's facts artefact (planning/facts.py): one row per shared fact the step owns.
FACT_COLUMNS = {"name": "str", "value": "float", "unit": "str", "owner": "str", "how": "str"}

ARTIFACTS: dict[str, Contract] = {
    # 01_market_analysis
    "market_trend": Contract(
        "01_market_analysis",
        {
            "month": "date",
            "sales": "float",
            "orders": "int",
            "customers": "int",
            "yoy_growth": "float",
            "mom_growth": "float",
        },
    ),
    "seasonality": Contract("01_market_analysis", {"month_of_year": "int", "index": "float"}),
    "segments": Contract(
        "01_market_analysis",
        {
            "segment": "str",
            "customers": "int",
            "sales": "float",
            "avg_order_value": "float",
            "clv": "float",
            "win_rate": "float",
            "growth": "float",
            "icp_rank": "int",
        },
    ),
    "market_share": Contract(
        "01_market_analysis",
        {
            "segment": "str",
            "market_size": "float",
            "our_sales": "float",
            "share": "float",
            "share_change": "float",
        },
    ),
    "competitors": Contract(
        "01_market_analysis", {"competitor": "str", "dimension": "str", "score": "float"}
    ),
    "swot": Contract(
        "01_market_analysis", {"quadrant": "str", "item": "str", "source": "str", "evidence": "str"}
    ),
    "market_increment": Contract(
        "01_market_analysis",
        {"source": "str", "segment_or_dimension": "str", "amount": "float", "explanation": "str"},
    ),
    "validation": Contract(
        "01_market_analysis",
        {
            "table": "str",
            "outcome": "str",
            "check": "str",
            "column": "str",
            "rows": "int",
            "detail": "str",
            "examples": "str",
        },
        optional=True,
    ),
    # 02_goals
    "forecast": Contract(
        "02_goals", {"month": "date", "model": "str", "forecast": "float", "lower": "float", "upper": "float"}
    ),
    "backtest": Contract(
        "02_goals",
        {"model": "str", "origin": "date", "horizon_months": "int", "mape": "float", "bias": "float"},
    ),
    "calibration": Contract(
        "02_goals", {"step": "int", "component": "str", "amount": "float", "explanation": "str"}
    ),
    "goals": Contract(
        "02_goals",
        {
            "goal": "str",
            "metric": "str",
            "value": "float",
            "deadline": "date",
            "specific": "bool",
            "measurable": "bool",
            "achievable": "bool",
            "relevant": "bool",
            "time_bound": "bool",
        },
    ),
    "targets": Contract(
        "02_goals", {"level": "str", "period": "str", "start": "date", "end": "date", "target": "float"}
    ),
    "targets_rep": Contract("02_goals", {"rep_id": "str", "team": "str", "month": "date", "target": "float"}),
    "calibration_dimensions": Contract(
        "02_goals", {"dimension": "str", "component": "str", "amount": "float", "explanation": "str"}
    ),
    "target_position": Contract(
        "02_goals",
        {
            "measure": "str",
            "period": "str",
            "amount": "float",
            "reference": "str",
            "lower": "float",
            "upper": "float",
            "position": "str",
            "limit": "bool",
        },
    ),
    "team_capacity": Contract(
        "02_goals",
        {"month": "date", "reps_capacity": "float", "tools": "float", "house": "float", "capacity": "float"},
    ),
    "facts_goals": Contract("02_goals", FACT_COLUMNS),
    # 03_strategy
    "tier_summary": Contract(
        "03_strategy",
        {
            "tier": "str",
            "customers": "int",
            "revenue_12m": "float",
            "potential": "float",
            "expected_loss": "float",
            "expected_gain": "float",
            "expected_revenue": "float",
        },
    ),
    "customer_tiers": Contract(
        "03_strategy",
        {
            "customer_id": "str",
            "recency_days": "float",
            "frequency": "int",
            "monetary": "float",
            "complexity": "float",
            "potential": "float",
            "value_score": "float",
            "potential_score": "float",
            "tier": "str",
            "playbook": "str",
        },
    ),
    "funnel": Contract(
        "03_strategy",
        {
            "stage": "str",
            "entered": "int",
            "advanced": "int",
            "conversion_rate": "float",
            "median_days": "float",
        },
    ),
    "coverage": Contract(
        "03_strategy",
        {
            "period": "str",
            "target": "float",
            "win_rate": "float",
            "required_pipeline": "float",
            "open_pipeline": "float",
            "coverage_ratio": "float",
            "leads_needed": "float",
        },
    ),
    "health": Contract(
        "03_strategy",
        {
            "customer_id": "str",
            "health_score": "float",
            "risk": "str",
            "revenue_at_risk": "float",
            "action": "str",
        },
    ),
    "facts_strategy": Contract("03_strategy", FACT_COLUMNS),
    # 04_resources
    "capacity": Contract(
        "04_resources",
        {
            "month": "date",
            "headcount_start": "float",
            "hires": "float",
            "exits": "float",
            "ramping": "float",
            "productive_fte": "float",
            "capacity": "float",
            "target": "float",
            "gap": "float",
        },
    ),
    "incentives": Contract(
        "04_resources", {"attainment": "float", "payout": "float", "rate_applied": "float"}
    ),
    "budget": Contract(
        "04_resources",
        {
            "channel": "str",
            "current_budget": "float",
            "optimal_budget": "float",
            "leads": "float",
            "customers": "float",
            "revenue": "float",
            "roi": "float",
        },
    ),
    "action_plan": Contract(
        "04_resources",
        {
            "task": "str",
            "owner": "str",
            "start": "date",
            "end": "date",
            "depends_on": "str",
            "kpi": "str",
            "status": "str",
        },
    ),
    "hiring_plan": Contract(
        "04_resources",
        {"start_month": "date", "hires": "int", "requisition_by": "date", "productive_from": "date"},
    ),
    "incentive_summary": Contract("04_resources", {"metric": "str", "value": "float", "unit": "str"}),
    "cost_of_sales": Contract("04_resources", {"category": "str", "item": "str", "amount": "float"}),
    "facts_resources": Contract("04_resources", FACT_COLUMNS),
    # 05_review
    "plan_vs_actual": Contract(
        "05_review",
        {
            "level": "str",
            "key": "str",
            "plan": "float",
            "actual": "float",
            "variance": "float",
            "variance_pct": "float",
        },
    ),
    "kpis": Contract(
        "05_review",
        {
            "kpi": "str",
            "kind": "str",
            "actual": "float",
            "baseline": "float",
            "target": "float",
            "status": "str",
            "rule": "str",
        },
    ),
    "root_causes": Contract(
        "05_review",
        {
            "key": "str",
            "variance_pct": "float",
            "driver": "str",
            "effect": "float",
            "why_1": "str",
            "why_2": "str",
            "why_3": "str",
            "why_4": "str",
            "why_5": "str",
        },
    ),
    "forecast_accuracy": Contract(
        "05_review",
        {"snapshot": "date", "month": "date", "forecast": "float", "actual": "float", "ape": "float"},
    ),
    "risks": Contract(
        "05_review",
        {
            "risk": "str",
            "kind": "str",
            "likelihood": "int",
            "impact": "int",
            "score": "int",
            "contingency": "str",
            "owner": "str",
            "status": "str",
        },
    ),
    "resplit": Contract(
        "05_review",
        {
            "month": "date",
            "plan": "float",
            "resplit": "float",
            "change": "float",
            "required": "bool",
            "quarter_completion": "float",
        },
    ),
    "review_to_date": Contract(
        "05_review",
        {
            "period": "str",
            "start": "date",
            "end": "date",
            "plan": "float",
            "actual": "float",
            "variance": "float",
            "completion": "float",
            "actual_last_year": "float",
            "growth": "float",
        },
    ),
    "pipeline_stages": Contract(
        "05_review",
        {
            "stage": "str",
            "reached": "int",
            "won": "int",
            "probability": "float",
            "days_to_close": "float",
            "basis": "str",
            "open_deals": "int",
            "open_amount": "float",
        },
    ),
    "pipeline_forecast": Contract(
        "05_review",
        {
            "month": "date",
            "deals": "int",
            "amount": "float",
            "worst": "float",
            "commit": "float",
            "best": "float",
        },
    ),
    "landing": Contract(
        "05_review",
        {
            "horizon": "str",
            "period": "str",
            "target": "float",
            "actual_to_date": "float",
            "run_rate_landing": "float",
            "worst": "float",
            "commit": "float",
            "best": "float",
            "commit_vs_target": "float",
            "pipeline_share": "float",
        },
    ),
    "improvements": Contract(
        "05_review",
        {
            "item_id": "str",
            "kind": "str",
            "subject": "str",
            "detail": "str",
            "metric": "float",
            "baseline": "float",
            "evidence": "str",
            "owner": "str",
            "opened": "date",
            "due": "date",
            "state": "str",
            "decided_by": "str",
        },
    ),
    "pdca_log": Contract(
        "05_review",
        {
            "kpi": "str",
            "act": "str",
            "action": "str",
            "action_key": "str",
            "owner": "str",
            "opened": "date",
            "due": "date",
            "state": "str",
            "status_now": "str",
        },
    ),
    "facts_review": Contract("05_review", FACT_COLUMNS),
    **{
        f"summary_{step[3:]}": Contract(step, SUMMARY_COLUMNS)
        for step in ("01_market_analysis", "02_goals", "03_strategy", "04_resources", "05_review")
    },
}

#: The shared facts each step hands on (planning/facts.py): `store.read_facts` reads them as one table.
FACT_ARTIFACTS = ("facts_goals", "facts_strategy", "facts_resources", "facts_review")


def summary_artifact(step: str) -> str:
    """The summary artefact of step `step` ("02_goals" -> "summary_goals")."""
    return f"summary_{step[3:]}"


def producer(name: str) -> str:
    """The step that writes artefact `name` (KeyError for an undeclared artefact)."""
    return ARTIFACTS[name].step


def required_columns(name: str) -> tuple[str, ...]:
    return tuple(ARTIFACTS[name].columns)


def of_step(step: str) -> list[str]:
    """The artefacts `step` writes, in declaration order."""
    return [name for name, c in ARTIFACTS.items() if c.step == step]
