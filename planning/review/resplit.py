"""Re-split: when the quarter to date is below `review.resplit_completion` (80%) of plan, the remaining annual
target is spread again over the remaining months."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from planning.review.periods import isnan
from planning.review.plan import Plan
from planning.review.variance import prorated

if TYPE_CHECKING:
    from planning.params import Review


@dataclass(frozen=True)
class ResplitCheck:
    """Quarter-to-date completion against the re-split threshold."""

    quarter: str
    completion: float
    threshold: float

    @property
    def required(self) -> bool:
        return not isnan(self.completion) and self.completion < self.threshold


def resplit_check(pva: pd.DataFrame, p: Review) -> ResplitCheck:
    """Quarter-to-date completion against `review.resplit_completion` (below it: re-split the remaining target)."""
    qtd = pva[pva["level"] == "qtd"]
    if qtd.empty:
        return ResplitCheck("", math.nan, p.resplit_completion)
    return ResplitCheck(str(qtd["key"].iloc[0]), float(qtd["completion"].iloc[0]), p.resplit_completion)


def resplit(pva: pd.DataFrame, plan: Plan, as_of: date) -> pd.DataFrame:
    """The remaining annual target (annual plan - YTD actual, at least 0) spread over the rest of the year in
    proportion to the plan's remaining months (the current month counts with its unelapsed share).

    Out: month "YYYY-MM", plan (original, remaining part), resplit, change. Sums: resplit = remaining target.
    """
    cols = ["month", "plan", "resplit", "change"]
    if not plan.exists:
        return pd.DataFrame(columns=cols)
    pm = prorated(plan.months[plan.months["month"].dt.year == as_of.year], as_of)
    pm["remaining"] = pm["target"] * (1 - pm["elapsed"])
    rest = pm[pm["remaining"] > 0]
    if rest.empty:
        return pd.DataFrame(columns=cols)
    ytd_actual = float(pva.loc[pva["level"] == "ytd", "actual"].iloc[0])
    left = max(plan.annual - ytd_actual, 0.0)
    new = left * rest["remaining"] / rest["remaining"].sum()
    return pd.DataFrame(
        {
            "month": rest["month"].dt.strftime("%Y-%m").to_numpy(),
            "plan": rest["remaining"].to_numpy(),
            "resplit": new.to_numpy(),
            "change": (new - rest["remaining"]).to_numpy(),
        }
    )
