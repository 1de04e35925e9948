"""The box the goals report opens with: the target, its growth and baseline, what sets it; decisions: a target
above the team's capacity, goals not achievable as written. Narrate layer, reads the step's artefacts."""

from __future__ import annotations

import pandas as pd

from planning import i18n

Summary = tuple[list[tuple[str, str]], list[str]]


def _amount(dims: pd.DataFrame, dimension: str, component: str) -> float | None:
    row = dims[(dims["dimension"] == dimension) & (dims["component"] == component)]
    return float(row["amount"].iloc[0]) if len(row) else None


def summary(
    targets: pd.DataFrame, dims: pd.DataFrame, goals: pd.DataFrame, plan_year: int, voice: i18n.Voice
) -> Summary:
    """Key numbers and decisions from targets.csv, calibration_dimensions.csv and goals.csv."""
    year = targets[targets["level"] == "year"]
    target = float(year["target"].iloc[0]) if len(year) else float("nan")
    last12 = _amount(dims, "ambition", "last12")
    run_rate = _amount(dims, "ambition", "run_rate")  # the minimal plan's start instead (docs/method.md)
    baseline = _amount(dims, "market", "baseline")
    numbers = [(voice.t("summary.goals.target", year=plan_year), voice.money(target))]
    if last12:
        numbers.append((voice.t("summary.goals.growth"), voice.pct(target / last12 - 1, signed=True)))
    if run_rate:
        numbers.append(
            (voice.t("summary.goals.growth_run_rate"), voice.pct(target / run_rate - 1, signed=True))
        )
    if baseline is not None:
        numbers.append((voice.t("summary.goals.baseline"), voice.money(baseline)))
    decisions = []
    capacity = goals.loc[goals["metric"] == "revenue", "capacity"] if len(goals) else pd.Series(dtype=float)
    if len(capacity) and pd.notna(capacity.iloc[0]) and target > float(capacity.iloc[0]) * 1.005:
        decisions.append(
            voice.t(
                "summary.goals.above_capacity",
                gap=voice.money(target - float(capacity.iloc[0])),
                capacity=voice.money(float(capacity.iloc[0])),
            )
        )
    if len(goals) and "achievable" in goals:
        # goals the data gives no number for are named apart in the report (`smart.unset`), not decided here
        valued = pd.to_numeric(goals["value"], errors="coerce").notna() if "value" in goals else True
        failing = goals[~goals["achievable"].astype(bool) & valued]
        # no limit to check against (a minimal plan without reps or marketing data): unchecked, not "not achievable"
        capacity = failing["capacity"] if "capacity" in failing else pd.Series(0.0, index=failing.index)
        unchecked = pd.to_numeric(capacity, errors="coerce").isna() & (failing["metric"] == "revenue")
        for g, open_ in zip(failing["goal"], unchecked, strict=True):
            decisions.append(
                voice.t("summary.goals.unchecked" if open_ else "summary.goals.not_achievable", goal=g)
            )
    return numbers, decisions
