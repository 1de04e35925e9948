"""planning/review/kpis.py: the KPI values, their red / yellow / green lights and the process checks."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from frames_review import AS_OF, kpi_values, tiny_orders, tiny_plan
from pydantic import ValidationError

from planning import params
from planning.review import kpis
from planning.review.variance import plan_vs_actual


@pytest.mark.parametrize(
    ("kpi", "actual", "baseline", "status"),
    [
        ("lead_conversion", 0.080, 0.10, "yellow"),  # exactly 20% below: not "more than 20%" -> yellow
        ("lead_conversion", 0.0799, 0.10, "red"),  # 20.1% below -> red
        ("lead_conversion", 0.090, 0.10, "green"),  # exactly 10% below -> green
        ("lead_conversion", 0.0899, 0.10, "yellow"),
        ("lead_conversion", 0.150, 0.10, "green"),
        ("cycle_time", 120.0, 100.0, "yellow"),  # lower is better: 20% longer -> yellow
        ("cycle_time", 121.0, 100.0, "red"),
        ("cycle_time", 50.0, 100.0, "green"),
    ],
)
def test_kpi_status_boundaries(kpi, actual, baseline, status):
    board = kpis.kpi_status(kpi_values(kpi, actual, baseline), red=0.20, yellow=0.10)
    assert board["status"].iloc[0] == status
    assert board["compared_with"].iloc[0] == "baseline"


def test_kpi_status_prefers_target_and_compares_growth_as_levels():
    # growth 0% against a planned +25%: 1.00 / 1.25 = 0.8 -> exactly 20% short -> yellow
    board = kpis.kpi_status(kpi_values("revenue_growth", 0.0, 0.10, 0.25), red=0.20, yellow=0.10)
    assert board["compared_with"].iloc[0] == "target" and board["status"].iloc[0] == "yellow"
    board = kpis.kpi_status(kpi_values("revenue_growth", -0.01, 0.10, 0.25), red=0.20, yellow=0.10)
    assert board["status"].iloc[0] == "red"


def test_kpi_status_drops_unmeasurable_and_rejects_inverted_thresholds():
    assert kpis.kpi_status(kpi_values("win_rate", math.nan, 0.3), 0.2, 0.1).empty
    with pytest.raises(ValueError, match="yellow threshold"):
        kpis.kpi_status(kpi_values("win_rate", 0.3, 0.3), red=0.1, yellow=0.2)


def test_kpi_values_from_tables():
    orders = tiny_orders()
    opps = pd.DataFrame(
        {
            "opportunity_id": ["A", "B", "C", "D"],
            "source": ["content"] * 4,
            "lead_date": pd.to_datetime(["2025-01-05", "2025-01-06", "2026-01-05", "2026-01-06"]),
            "proposal_date": pd.to_datetime(["2025-01-20", None, "2026-01-20", "2026-01-21"]),
            "close_date": pd.to_datetime(["2025-02-01", "2025-02-01", "2026-02-01", None]),
            "status": ["won", "lost", "won", "open"],
        }
    )
    tables = SimpleNamespace(orders=orders, customers=None, opportunities=opps, marketing=None, reps=None)
    pva = plan_vs_actual(orders, tiny_plan(), AS_OF)
    v = kpis.kpi_values(tables, pva, params.Params(as_of=AS_OF)).set_index("kpi")
    assert (v.at["leads", "actual"], v.at["leads", "baseline"]) == (2.0, 2.0)
    assert (v.at["win_rate", "actual"], v.at["win_rate", "baseline"]) == (1.0, 0.5)  # 1 of 1 vs 1 of 2 closed
    assert (v.at["proposals", "actual"], v.at["proposals", "baseline"]) == (2.0, 1.0)
    assert v.at["cycle_time", "actual"] == 27.0  # 5 Jan -> 1 Feb
    assert v.at["target_completion", "actual"] == pytest.approx(1.05)
    # revenue 210 this year to date vs 100 last year: +110%; the plan (200) asked for +100%
    assert v.at["revenue_growth", "actual"] == pytest.approx(1.10)
    assert v.at["revenue_growth", "target"] == pytest.approx(1.00)
    assert math.isnan(v.at["productivity", "actual"])  # no reps table
    checks = kpis.process_checks(kpis.kpi_status(v.reset_index(), 0.2, 0.1))
    prop = checks.set_index("check").loc["proposal_fit"]
    assert prop["process_change"] == pytest.approx(1.0) and not prop["flagged"]  # win rate rose too


def test_missing_and_absent_kpis():
    board = kpis.kpi_status(kpi_values("win_rate", 0.3, 0.3), 0.2, 0.1)
    assert "win_rate" not in kpis.missing_kpis(board) and "leads" in kpis.missing_kpis(board)
    tables = SimpleNamespace(get=lambda name: None)  # no optional table at all
    absent = kpis.absent_kpis(board, tables)
    assert "leads" in absent and "productivity" in absent and "retention" not in absent  # retention: orders
    assert kpis.absent_kpis(board, None) == []


def test_review_params_reject_bad_entries():
    with pytest.raises(ValidationError):
        params.Risk(risk="x", kind="external", likelihood=6, impact=1, contingency="c", owner="o")
    with pytest.raises(ValidationError, match="unique"):
        r = {"risk": "x", "kind": "internal", "likelihood": 1, "impact": 1, "contingency": "c", "owner": "o"}
        params.Review(risks=[r, r])
    with pytest.raises(ValidationError):
        params.Review(actions={"not_a_kpi": {"act": "stop", "action": "a", "owner": "o"}})
    with pytest.raises(ValidationError):
        params.Review(kpi_targets={"leeds": 10})
    base = params.load("east").params.review
    assert {r.kind for r in base.risks} == {"external", "internal"} and len(base.risks) >= 4
    assert set(base.actions) == set(kpis.KPI_META)


def _leads_from(first: str) -> pd.DataFrame:
    """One lead a day from `first` to the planning date (AS_OF, 14 February 2026), each closed won a week later."""
    days = pd.date_range(first, AS_OF, freq="D")
    return pd.DataFrame(
        {
            "opportunity_id": [f"L{i}" for i in range(len(days))],
            "source": "content",
            "lead_date": days,
            "proposal_date": days + pd.Timedelta(days=3),
            "close_date": days + pd.Timedelta(days=7),
            "status": "won",
        }
    )


@pytest.mark.adversarial
def test_kpis_get_no_baseline_when_last_year_is_only_partly_in_the_data():
    # Issue 17 case 7: "Leads 2,198 vs last year 93 -> On track" where last year held three months of leads.
    # Here the opportunities start on 1 February 2025: last year's window (1 January - 14 February 2025) holds 14
    # days of leads against 45 this year, which read as +221% and green.
    orders = tiny_orders()
    tables = SimpleNamespace(orders=orders, customers=None, opportunities=_leads_from("2025-02-01"), marketing=None,
                             reps=None)  # fmt: skip
    pva = plan_vs_actual(orders, tiny_plan(), AS_OF)
    v = kpis.kpi_values(tables, pva, params.Params(as_of=AS_OF)).set_index("kpi")
    assert v.at["leads", "actual"] == 45.0 and math.isnan(v.at["leads", "baseline"])
    assert math.isnan(v.at["proposals", "baseline"]) and math.isnan(v.at["win_rate", "baseline"])
    board = kpis.kpi_status(v.reset_index(), 0.2, 0.1)
    assert "leads" not in set(board["kpi"])  # not lit green (nor red) against part of a window
    gap = kpis.baseline_gaps(tables, AS_OF)["leads"]
    assert gap.table == "opportunities" and gap.covered.start == pd.Timestamp("2025-02-01")
    assert (gap.start, gap.end) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2026-02-14"))
    # A target still lights it: compared with the target, not with a partial baseline.
    with_target = params.Params(as_of=AS_OF, review={"kpi_targets": {"leads": 50}})
    lit = kpis.kpi_status(kpis.kpi_values(tables, pva, with_target), 0.2, 0.1).set_index("kpi")
    assert lit.at["leads", "compared_with"] == "target" and lit.at["leads", "status"] == "green"


@pytest.mark.adversarial
def test_kpis_keep_the_baseline_when_the_data_covers_last_year():
    orders = tiny_orders()
    tables = SimpleNamespace(orders=orders, customers=None, opportunities=_leads_from("2024-12-01"), marketing=None,
                             reps=None)  # fmt: skip
    pva = plan_vs_actual(orders, tiny_plan(), AS_OF)
    v = kpis.kpi_values(tables, pva, params.Params(as_of=AS_OF)).set_index("kpi")
    assert (v.at["leads", "actual"], v.at["leads", "baseline"]) == (45.0, 45.0)
    assert "leads" not in kpis.baseline_gaps(tables, AS_OF)


@pytest.mark.adversarial
def test_revenue_growth_is_not_computed_on_part_of_last_year():
    # Daily orders from 1 February 2025 only: growth on last year's 1 January - 14 February would be +200%.
    days = pd.date_range("2025-02-01", AS_OF, freq="D")
    orders = tiny_orders().iloc[:0]
    orders = pd.concat([orders, orders.reindex(range(len(days)))], ignore_index=True).assign(
        order_id=[f"O{i}" for i in range(len(days))], order_date=days, amount=10.0, margin=3.0,
        customer_id="C1", rep_id="R1", product_line="equipment", channel="direct",
    )  # fmt: skip
    tables = SimpleNamespace(orders=orders, customers=None, opportunities=None, marketing=None, reps=None)
    pva = plan_vs_actual(orders, tiny_plan(), AS_OF)
    v = kpis.kpi_values(tables, pva, params.Params(as_of=AS_OF)).set_index("kpi")
    assert math.isnan(v.at["revenue_growth", "actual"]) and math.isnan(v.at["revenue_growth", "target"])
    assert "revenue_growth" not in set(kpis.kpi_status(v.reset_index(), 0.2, 0.1)["kpi"])


def test_rep_months_counts_each_month_a_rep_is_employed_in():
    reps = pd.DataFrame(
        {
            "role": ["rep", "rep", "rep", "manager", "rep"],
            "hire_date": pd.to_datetime(["2025-06-01", "2026-02-15", "2026-01-01", "2020-01-01", None]),
            "exit_date": pd.to_datetime([None, None, "2026-02-10", None, None]),
        }
    )
    # Jan..Mar 2026: the first rep 3 months, the second from February 2, the third January and February 2,
    # the manager and the rep without a hire date none
    assert kpis._rep_months(reps, pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31")) == 7.0
