"""planning.strategy.retention: net revenue retention, gross churn and the first-year revenue factor."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from frames_strategy import full

from planning import params
from planning.strategy import retention


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def _retention_orders() -> pd.DataFrame:
    # Prior 12 months (2024-10 .. 2025-09): C1 100, C2 100. Last 12 months: C1 150, C3 (new) 50; C2 stopped.
    # C4's line of 0 on 2024-10-01 shows the orders cover the prior 12 months from their first day.
    return pd.DataFrame(
        {
            "order_id": ["O0", "O1", "O2", "O3", "O4"],
            "order_date": pd.to_datetime(
                ["2024-10-01", "2025-03-01", "2025-04-01", "2026-05-01", "2026-06-01"]
            ),
            "customer_id": ["C4", "C1", "C2", "C1", "C3"],
            "amount": [0.0, 100.0, 100.0, 150.0, 50.0],
        }
    )


def test_retention_by_hand(p):
    k = retention.retention(_retention_orders(), full(p))
    # NRR = C1's 150 / (100 + 100) = 0.75; gross churn = C2's 100 / 200 = 0.5; expansion 0.75 - 0.5 = 0.25
    assert k["nrr"] == pytest.approx(0.75) and k["gross_churn"] == pytest.approx(0.5)
    assert k["expansion_used"] == pytest.approx(0.25) and k["source"] == "data"
    assert (k["customers_prior"], k["customers_churned"]) == (2, 1)
    over = retention.retention(_retention_orders(), full(p.model_copy(update={"net_retention": 1.1})))
    assert over["nrr_used"] == pytest.approx(1.1) and over["source"] == "params"
    with pytest.raises(ValueError, match="lacks columns"):
        retention.retention(_retention_orders().drop(columns="amount"), full(p))


def test_no_retention_measured_on_part_of_the_prior_year(p):
    # issue 17: an export starting in March 2025 holds 7 of the prior 12 months (2024-10 .. 2025-09); their
    # revenue against a full last year gave an NRR of 600 % in a real run. Not measured: flat, source "none"
    k = retention.retention(_retention_orders().iloc[1:], full(p))
    assert math.isnan(k["nrr"]) and math.isnan(k["gross_churn"])
    assert k["nrr_used"] == 1.0 and k["churn_used"] == 0.0 and k["source"] == "none"
    assert k["customers_prior"] == 0


def _cohort() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # as_of 2026-09-30 -> last complete cohort: first order in (2024-09-30, 2025-09-30].
    # A: first order 2025-01-15, brought by a 100 deal closed that day; first year = [2025-01-15, 2026-01-15):
    #    150 + 100 + 50 = 300 (the 999 on 2026-01-15 is its 13th month); a 500 expansion deal closed 2025-06-01
    #    is more than 31 days after the first order, so it did not bring A.
    # B: first order 2025-09-30 (the cohort's last day), brought by a 200 deal closed 2025-09-10: 300 + 100 = 400.
    # C: first order 2024-09-30 (the day before the cohort), D: no won deal, E: first order after the cohort.
    # -> revenue 300 + 400 = 700 on won 100 + 200 = 300: factor 7 / 3 = 2.33.
    orders = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "A", "B", "B", "C", "D", "E"],
            "order_date": pd.to_datetime(["2025-01-15", "2025-06-01", "2026-01-14", "2026-01-15", "2025-09-30",
                                          "2026-03-01", "2024-09-30", "2025-05-01", "2025-12-01"]),
            "amount": [150.0, 100.0, 50.0, 999.0, 300.0, 100.0, 1000.0, 700.0, 80.0],
        }
    )  # fmt: skip
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "first_order_date": pd.to_datetime(["2025-01-15", "2025-09-30", "2024-09-30", "2025-05-01",
                                                "2025-12-01"]),
        }
    )  # fmt: skip
    opps = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "C", "E", "P1"],
            "status": ["won", "won", "won", "won", "won", "lost"],
            "close_date": pd.to_datetime(["2025-01-15", "2025-06-01", "2025-09-10", "2024-09-30", "2025-12-01",
                                          "2025-03-01"]),
            "amount": [100.0, 500.0, 200.0, 100.0, 40.0, 900.0],
        }
    )  # fmt: skip
    return orders, customers, opps


def test_first_year_revenue_per_won_value_by_hand(p):
    orders, customers, opps = _cohort()
    fy = retention.first_year_revenue(orders, customers, opps, full(p))
    assert (fy["customers"], fy["revenue"], fy["won_value"]) == (2, 700.0, 300.0)
    assert fy["measured"] == pytest.approx(7 / 3) and fy["used"] == pytest.approx(7 / 3)
    assert (
        fy["source"] == "data"
        and str(fy["cohort_start"]) == "2024-10-01"
        and str(fy["cohort_end"]) == "2025-09-30"
    )
    # without the customers table the first order is the first order line (C's is the history's first day: unknown)
    assert retention.first_year_revenue(orders, None, opps, full(p))["measured"] == pytest.approx(7 / 3)


def test_first_year_factor_override_bounds_and_fallback(p):
    orders, customers, opps = _cohort()
    fy = retention.first_year_revenue(
        orders, customers, opps, full(p.model_copy(update={"first_year_revenue_factor": 2.0}))
    )
    assert (fy["used"], fy["source"]) == (2.0, "params") and fy["measured"] == pytest.approx(7 / 3)
    with pytest.raises(ValueError, match="first_year_revenue_factor"):
        params.Strategy(first_year_revenue_factor=0.5)
    # won deals of 10 + 20 against 700 of first-year revenue: 23.3x measured, limited to 5
    small = opps.assign(amount=[10.0, 500.0, 20.0, 100.0, 40.0, 900.0])
    fy = retention.first_year_revenue(orders, customers, small, full(p))
    assert fy["measured"] == pytest.approx(70 / 3) and fy["used"] == retention.FIRST_YEAR_BOUNDS[1]
    # won deals only outside the cohort (C) or lost: nothing to measure either
    fy = retention.first_year_revenue(orders, customers, opps[opps["customer_id"].isin(["C", "P1"])], full(p))
    assert (fy["used"], fy["source"], fy["customers"]) == (1.0, "none", 0)
    # no opportunities: nothing to measure, pipeline = revenue need
    fy = retention.first_year_revenue(orders, customers, None, full(p))
    assert (fy["used"], fy["source"], fy["customers"]) == (1.0, "none", 0)
