"""planning.strategy.narrate: sentences and the planner's texts put into the compute frames."""

from __future__ import annotations

import pandas as pd
import pytest
from frames_strategy import full

from planning import params
from planning.i18n import Voice
from planning.strategy import coverage, narrate


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def test_coverage_sentence_states_leads_ratio_and_pipeline_timing(p):
    cov = pd.DataFrame(
        {"period": ["2027-Q1"], "target": [1000.0], "pipeline_target": [200.0], "win_rate": [0.25],
         "required_pipeline": [800.0], "open_pipeline": [0.0], "leads_needed": [40.0], "leads_by": ["2026-12-01"]}
    )  # fmt: skip
    timing = {"n_open": 3, "open_amount": 500.0, "before_plan": 500.0, "in_plan": 0.0, "latest": "2026-12-15"}
    kept = {"source": "data", "nrr_used": 1.04, "churn_used": 0.09, "customers_prior": 600}
    text = narrate.describe_coverage(cov, 2027, kept, 10.0, timing, None, Voice("en", "CNY"))
    assert "4.0× the 10 qualified leads" in text  # 40 / 10
    assert "0 open pipeline" in text and "2026-12-15" in text
    assert "104" in text  # net revenue retention 104%
    assert coverage.leads_last_12m(pd.DataFrame({"month": pd.to_datetime(["2025-09-01", "2025-10-01",
                                   "2026-09-01"]), "leads": [5, 7, 3]}), None, full(p)) == 10  # fmt: skip
