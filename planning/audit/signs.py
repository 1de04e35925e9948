"""No negative money or count where the quantity cannot be negative.

Source: METHOD.md - a quantity of sales, customers, capacity, budget, hires or revenue at risk is an amount or a
count of something that exists (3. Strategy: "revenue at risk"; 4. Resources: budget, hires; 2. Goals: targets,
capacity). A negative value there is a computation that ran past its domain (issue 16: negative
`revenue_at_risk` in health.csv, negative tier "expected revenue").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.audit.result import Row, listed, missing, num, row, skipped

#: artefact -> the columns (of its contract in planning/contracts.py, or the extra columns named) that cannot
#: be negative. Deltas (variance, gap, change, growth, share_change, bias, effect) are left out on purpose.
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    # A month's net sales may be negative in the data itself (returns booked after the sales they reverse: the
    # small sample's east 2023-08): history, not a figure the plan made, so only its counts are judged.
    "market_trend": ("orders", "customers"),
    # A segment's CLV is margin-based: a segment sold at a loss (Superstore's discounted furniture) is worth less
    # than nothing, so clv may be negative.
    "segments": ("customers", "sales", "avg_order_value", "win_rate"),
    "market_share": ("market_size", "our_sales", "share"),
    "forecast": ("forecast", "lower", "upper"),
    "backtest": ("mape",),
    "targets": ("target", "quota"),
    "target_position": ("amount",),
    "targets_rep": ("target", "capacity"),
    "team_capacity": ("reps_capacity", "tools", "house", "capacity"),
    "goals": ("value", "capacity"),
    "customer_tiers": ("recency_days", "frequency", "monetary", "complexity", "potential"),
    "tier_summary": (
        "customers",
        "revenue_12m",
        "potential",
        "expected_loss",
        "expected_gain",
        "expected_revenue",
    ),
    "funnel": ("entered", "advanced", "conversion_rate", "median_days"),
    "coverage": (
        "target",
        "win_rate",
        "required_pipeline",
        "open_pipeline",
        "coverage_ratio",
        "leads_needed",
    ),
    "health": ("health_score", "revenue_at_risk"),
    "capacity": ("headcount_start", "hires", "exits", "ramping", "productive_fte", "capacity", "target"),
    "incentives": ("attainment", "payout"),
    "budget": ("current_budget", "optimal_budget", "leads", "customers", "revenue"),
    "hiring_plan": ("hires",),
    "incentive_summary": ("value",),
    "cost_of_sales": ("amount",),
    "plan_vs_actual": ("plan", "actual"),
    "forecast_accuracy": ("forecast", "actual", "ape"),
    "resplit": ("plan", "resplit"),
}


def _key(df: pd.DataFrame) -> str | None:
    for c in (
        "customer_id",
        "rep_id",
        "month",
        "period",
        "channel",
        "metric",
        "segment",
        "stage",
        "key",
        "goal",
    ):
        if c in df.columns:
            return c
    return df.columns[0] if len(df.columns) else None


def non_negative(name: str, df: pd.DataFrame | None, columns: tuple[str, ...] | None = None) -> list[Row]:
    """One row per column of artefact `name` that cannot be negative (NON_NEGATIVE): fails naming how many
    rows are below zero, the most negative ones and their total. Blank cells are not judged."""
    columns = NON_NEGATIVE[name] if columns is None else columns
    rule = f"{name}: an amount or count that cannot be negative (METHOD.md; planning/contracts.py)."
    if df is None:
        return [missing(f"non_negative:{name}", name, explanation=rule)]
    key, out = _key(df), []
    for col in columns:
        check = f"non_negative:{name}.{col}"
        if col not in df.columns:
            out.append(skipped(check, f"{name}.csv has no column {col!r}", rule))
            continue
        raw = df[col]
        if raw.dtype.kind in "fiu":  # already numbers: judged on the numpy values (the usual, passing case)
            v = raw.to_numpy()
            if not (v < 0).any():
                n = len(v) if raw.dtype.kind != "f" else int(np.count_nonzero(~np.isnan(v)))
                out.append(row(check, True, f"{n} values >= 0", rule))
                continue
        values = pd.to_numeric(raw, errors="coerce")
        neg = values < 0
        if not neg.any():
            out.append(row(check, True, f"{int(values.notna().sum())} values >= 0", rule))
            continue
        worst = values[neg].sort_values().index
        shown = [f"{df.at[i, key] if key else i}: {num(values[i])}" for i in worst]
        total = num(float(values[neg].sum()))
        out.append(row(check, False, f"{int(neg.sum())} rows < 0 (sum {total}): {listed(shown)}", rule))
    return out


def calibration_totals_non_negative(calibration_dimensions: pd.DataFrame | None) -> list[Row]:
    """Each calibration dimension's total (a revenue the plan can reach) is not negative; its components are
    deltas and may be (METHOD 2, three-dimensional calibration)."""
    check = "non_negative:calibration_dimensions.total"
    rule = (
        "A dimension's total is a revenue and cannot be negative (METHOD 2, three-dimensional calibration)."
    )
    if calibration_dimensions is None:
        return [missing(check, "calibration_dimensions", explanation=rule)]
    cd = calibration_dimensions
    totals = cd[cd["kind"] == "total"] if "kind" in cd.columns else cd[cd["component"] == cd["dimension"]]
    neg = totals[totals["amount"] < 0]
    if neg.empty:
        return [row(check, True, f"{len(totals)} totals >= 0", rule)]
    return [
        row(
            check,
            False,
            listed([f"{d}: {num(a)}" for d, a in zip(neg["dimension"], neg["amount"], strict=True)]),
            rule,
        )
    ]
