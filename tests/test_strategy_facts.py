"""planning/strategy/facts.py: strategy's installed base is the goals step's existing-customer revenue, and the
facts the strategy step owns (measured retention, the two win rates named apart)."""

from __future__ import annotations

import math

import pytest
from frames_strategy import full, opps

from planning import facts
from planning.strategy import coverage, funnel
from planning.strategy import facts as strategy_facts

KEPT = {"nrr": 1.04, "gross_churn": 0.08, "nrr_used": 1.04, "churn_used": 0.08, "expansion_used": 0.12,
        "customers_prior": 10, "source": "data"}  # fmt: skip


def goals_facts(existing: float | None):
    values = dict.fromkeys(facts.of_step("02_goals"))
    values["existing_revenue"] = existing
    return facts.frame("02_goals", values)


def test_the_installed_base_is_goals_existing_revenue():
    kept = strategy_facts.planned_retention(KEPT, goals_facts(353.2), revenue_12m=356.1)
    assert kept["nrr_used"] == pytest.approx(353.2 / 356.1)  # the retention the plan assumes
    assert 356.1 * kept["nrr_used"] == pytest.approx(353.2)  # what the tiers then expect in all
    assert kept["nrr"] == 1.04 and kept["source"] == "plan"  # the measured one kept beside it, named apart
    assert kept["expansion_used"] == pytest.approx(kept["nrr_used"] - 1 + 0.08)


def test_without_the_goals_fact_the_measured_retention_stays():
    assert strategy_facts.planned_retention(KEPT, None, 356.1) is KEPT
    assert strategy_facts.planned_retention(KEPT, goals_facts(None), 356.1) is KEPT
    assert strategy_facts.planned_retention(KEPT, goals_facts(353.2), 0.0) is KEPT


def test_strategy_facts_name_the_two_win_rates_apart():
    p = full()
    df = strategy_facts.strategy_facts(KEPT, opps(), p)
    stats = funnel.win_stats(opps(), p).iloc[0]
    assert facts.value(df, "nrr_measured") == 1.04
    assert facts.value(df, "win_rate") == pytest.approx(stats["won"] / (stats["won"] + stats["lost"]))
    assert facts.value(df, "coverage_win_rate") == coverage.pipeline_win_rate(opps(), p)
    empty = strategy_facts.strategy_facts({**KEPT, "nrr": math.nan}, None, p)
    assert all(facts.value(empty, n) is None for n in facts.of_step("03_strategy"))
