"""planning/review/facts.py and root_causes.deviating: one root-cause count in the report, the artefact and the
what-if panel at its default."""

from __future__ import annotations

import pandas as pd

from planning import facts
from planning.review import facts as review_facts
from planning.review import root_causes


def pva() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": ["ytd", "quarter", "qtd", "month", "rep"],
            "key": ["2026", "2026-Q3", "2026-Q3", "2026-07", "R1"],
            "variance_pct": [-0.12, -0.2, -0.2, 0.04, 0.3],
        }
    )


def test_the_quarter_to_date_line_is_counted_once_as_its_quarter():
    rows = root_causes.deviating(pva(), 0.1)
    assert list(rows["level"]) == ["ytd", "quarter", "rep"]
    assert facts.value(review_facts.review_facts(pva(), 0.1), "root_cause_count") == 3
    assert facts.value(review_facts.review_facts(pva(), 0.5), "root_cause_count") == 0
