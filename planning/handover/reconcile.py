"""Top-down meets bottom-up: the managers' rep x month numbers reconciled with the plan, in integer cents.

Pure (arrays in, arrays out). The rule is the parameters' `goals.adjustment` (planning/params/schema.py):
- accept: when the managers' region total is within `tolerance` of the top-down target, their numbers stand (the
  team, region and company totals become their sums);
- otherwise (and always under respread) the top-down totals stand, team by team and month by month: the cells the
  managers edited keep their amounts where the team's month allows (their sum at most the month's target) and
  the rest of the month is re-spread over the other reps by capacity (their shares of the plan, which split the
  month by ramp-adjusted capacity x territory potential; the capacity itself where those are all zero); where the edited cells alone exceed the
  month (or every rep of the team was edited) the month is spread over all its reps in the managers' proportions.
Every split is a largest-remainder split in cents (`goals.decompose.allocate`), so every level sums exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planning.goals.decompose import allocate


@dataclass(frozen=True)
class Reconciled:
    """The reconciled cents (reps x 12) and how they came about."""

    cents: np.ndarray
    accepted: bool  # the managers' numbers taken as they are (rule accept, within tolerance)
    gap: int  # the managers' total minus the top-down total, cents
    held: np.ndarray  # (reps, 12) bool: edited cells that kept the managers' amount


def reconcile(
    plan: np.ndarray,
    managers: np.ndarray,
    capacity: np.ndarray,
    team_of: np.ndarray,
    rule: str = "respread",
    tolerance: float = 0.0,
) -> Reconciled:
    """Reconcile one region: `plan` and `managers` (reps x 12, int cents, >= 0), `capacity` (reps x 12, the
    weights of the re-spread), `team_of` (reps,) team index."""
    plan = np.asarray(plan, dtype=np.int64)
    managers = np.asarray(managers, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=float)
    if plan.shape != managers.shape or plan.shape != capacity.shape:
        raise ValueError(f"plan {plan.shape}, managers {managers.shape} and capacity {capacity.shape} differ")
    if (plan < 0).any() or (managers < 0).any():
        raise ValueError("amounts must not be negative")
    gap = int(managers.sum() - plan.sum())
    edited = managers != plan
    if rule == "accept" and abs(gap) <= tolerance * int(plan.sum()):
        return Reconciled(managers.copy(), True, gap, edited)
    out = np.zeros_like(plan)
    held = np.zeros(plan.shape, dtype=bool)
    for t in np.unique(team_of):
        idx = np.nonzero(team_of == t)[0]
        for m in range(plan.shape[1]):
            total = int(plan[idx, m].sum())
            e = edited[idx, m]
            if not e.any():
                out[idx, m] = plan[idx, m]
                continue
            kept = int(managers[idx[e], m].sum())
            if kept <= total and not e.all():
                out[idx[e], m] = managers[idx[e], m]
                held[idx[e], m] = True
                free = idx[~e]
                weights = plan[free, m].astype(float)  # the plan's split: capacity x territory potential
                if not weights.sum() > 0:
                    weights = capacity[free, m]
                out[free, m] = allocate(total - kept, weights)
            else:
                out[idx, m] = allocate(total, managers[idx, m].astype(float))
                held[idx, m] = e & (out[idx, m] == managers[idx, m])
    return Reconciled(out, False, gap, held)
