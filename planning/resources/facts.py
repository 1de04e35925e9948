"""The shared facts the resources step owns (planning/facts.py): the team's capacity of the plan year, which the
incentive simulation expects, and the attainment that capacity means against the reps' quotas."""

from __future__ import annotations

import pandas as pd

from planning import facts


def resources_facts(capacity: pd.DataFrame, quotas: pd.DataFrame | None) -> pd.DataFrame:
    """facts_resources from capacity.csv (`capacity.capacity_plan`) and the reps' quotas with their expected
    output (`incentives.expected_output`; None without a team). Both facts are empty without a team."""
    has = len(capacity) > 0
    team_capacity = float(capacity["capacity"].sum()) if has else None
    attainment = None
    if has and quotas is not None and float(quotas["quota"].sum()) > 0:
        attainment = float(quotas["expected"].sum()) / float(quotas["quota"].sum())
    return facts.frame("04_resources", {"team_capacity": team_capacity, "expected_attainment": attainment})
