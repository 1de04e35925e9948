"""The artefacts each step hands to the next and to reviewers: a declared contract, tested like an API.

Each artefact is `outputs/<as-of>/<region>/artifacts/<name>.csv`, written by exactly one step with at least the
columns listed here (a step may add columns; it may not drop or rename these). `Context.save` enforces it.
The meanings are documented in docs/artifacts.md.
"""

from __future__ import annotations

ARTIFACTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # step 1: market analysis
    "market_trend": (
        "01_market_analysis",
        ("month", "sales", "orders", "customers", "yoy_growth", "mom_growth"),
    ),
    "seasonality": ("01_market_analysis", ("month_of_year", "index")),
    "segments": (
        "01_market_analysis",
        ("segment", "customers", "sales", "avg_order_value", "clv", "win_rate", "growth", "icp_rank"),
    ),
    "market_share": ("01_market_analysis", ("segment", "market_size", "our_sales", "share", "share_change")),
    "competitors": ("01_market_analysis", ("competitor", "dimension", "score")),
    "swot": ("01_market_analysis", ("quadrant", "item", "source", "evidence")),
    "market_increment": ("01_market_analysis", ("source", "segment_or_dimension", "amount", "explanation")),
    # step 2: goals
    "forecast": ("02_goals", ("month", "model", "forecast", "lower", "upper")),
    "backtest": ("02_goals", ("model", "origin", "horizon_months", "mape", "bias")),
    "calibration": ("02_goals", ("step", "component", "amount", "explanation")),
    "goals": (
        "02_goals",
        (
            "goal",
            "metric",
            "value",
            "deadline",
            "specific",
            "measurable",
            "achievable",
            "relevant",
            "time_bound",
        ),
    ),
    "targets": ("02_goals", ("level", "period", "start", "end", "target")),
    "targets_rep": ("02_goals", ("rep_id", "team", "month", "target")),
    "calibration_dimensions": ("02_goals", ("dimension", "component", "amount", "explanation")),
    # step 3: strategy
    "customer_tiers": (
        "03_strategy",
        (
            "customer_id",
            "recency_days",
            "frequency",
            "monetary",
            "complexity",
            "potential",
            "value_score",
            "potential_score",
            "tier",
            "playbook",
        ),
    ),
    "funnel": ("03_strategy", ("stage", "entered", "advanced", "conversion_rate", "median_days")),
    "coverage": (
        "03_strategy",
        (
            "period",
            "target",
            "win_rate",
            "required_pipeline",
            "open_pipeline",
            "coverage_ratio",
            "leads_needed",
        ),
    ),
    "health": ("03_strategy", ("customer_id", "health_score", "risk", "revenue_at_risk", "action")),
    # step 4: resources
    "capacity": (
        "04_resources",
        (
            "month",
            "headcount_start",
            "hires",
            "exits",
            "ramping",
            "productive_fte",
            "capacity",
            "target",
            "gap",
        ),
    ),
    "incentives": ("04_resources", ("attainment", "payout", "rate_applied")),
    "budget": (
        "04_resources",
        ("channel", "current_budget", "optimal_budget", "leads", "customers", "revenue", "roi"),
    ),
    "action_plan": ("04_resources", ("task", "owner", "start", "end", "depends_on", "kpi", "status")),
    "hiring_plan": ("04_resources", ("start_month", "hires", "requisition_by", "productive_from")),
    "incentive_summary": ("04_resources", ("metric", "value", "unit")),
    "cost_of_sales": ("04_resources", ("category", "item", "amount")),
    # step 5: review
    "plan_vs_actual": ("05_review", ("level", "key", "plan", "actual", "variance", "variance_pct")),
    "kpis": ("05_review", ("kpi", "kind", "actual", "baseline", "target", "status", "rule")),
    "root_causes": (
        "05_review",
        ("key", "variance_pct", "driver", "effect", "why_1", "why_2", "why_3", "why_4", "why_5"),
    ),
    "forecast_accuracy": ("05_review", ("snapshot", "month", "forecast", "actual", "ape")),
    "risks": (
        "05_review",
        ("risk", "kind", "likelihood", "impact", "score", "contingency", "owner", "status"),
    ),
}


def producer(name: str) -> str:
    """The step that writes artefact `name` (KeyError for an undeclared artefact)."""
    return ARTIFACTS[name][0]


def required_columns(name: str) -> tuple[str, ...]:
    return ARTIFACTS[name][1]
