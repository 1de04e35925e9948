"""The shared facts the review step owns (planning/facts.py): how many plan-vs-actual lines need a 5-Why."""

from __future__ import annotations

import pandas as pd

from planning import facts
from planning.review.root_causes import deviating


def review_facts(pva: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """facts_review from the plan-vs-actual frame and `review.root_cause_threshold`: root_cause_count, the lines
    `root_causes.deviating` selects (the report's count and the what-if panel's at its default)."""
    return facts.frame("05_review", {"root_cause_count": len(deviating(pva, threshold))})
