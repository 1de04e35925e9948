"""The summary box each report opens with (planning/<step>/summary.py, display.summary_html, report): key numbers
and the items for decision, read from the step's artefacts, shown first in the exported page."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from planning import display, store
from planning.goals import summary as goals_summary
from planning.i18n import Voice
from planning.market import summary as market_summary
from planning.resources import summary as resources_summary
from planning.review import summary as review_summary
from planning.strategy import summary as strategy_summary

EN, ZH = Voice("en", "CNY"), Voice("zh", "CNY")


def test_market_summary_names_segments_losing_share_in_a_growing_market_and_the_icp():
    trend = pd.DataFrame({"month": range(24), "sales": [10.0] * 12 + [12.0] * 12, "complete": True})
    segments = pd.DataFrame({"segment": ["energy/large"], "sales": [5.0], "growth": [0.2], "icp_rank": [1]})
    share = pd.DataFrame(
        {
            "segment": ["energy", "manufacturing", "total"],
            "market_size": [100.0, 100.0, 200.0],
            "our_sales": [10.0, 5.0, 15.0],
            "share_change": [0.01, -0.02, -0.01],
            "market_growth": [0.1, 0.05, 0.07],
            "status": ["gaining", "losing", "losing"],
        }
    )
    numbers, decisions = market_summary.summary(trend, segments, share, EN)
    assert numbers[0][1] == EN.money(144.0) and numbers[1][1] == "+20.0%" and numbers[2][1] == "7.5%"
    assert len(decisions) == 2 and "Manufacturing: share -2.0 pp" in decisions[0] and "total" not in " ".join(decisions)
    assert decisions[1].startswith("Prioritise Energy")


def test_goals_summary_flags_a_target_above_capacity_and_unachievable_goals():
    targets = pd.DataFrame({"level": ["year"], "target": [120.0]})
    dims = pd.DataFrame(
        {"dimension": ["ambition", "market"], "component": ["last12", "baseline"], "amount": [100.0, 105.0],
         "kind": ["start", "start"]}
    )  # fmt: skip
    goals = pd.DataFrame(
        {"goal": ["Reach 120", "Win 5"], "metric": ["revenue", "new_customers"], "capacity": [110.0, 9.0],
         "achievable": [False, True]}
    )  # fmt: skip
    numbers, decisions = goals_summary.summary(targets, dims, goals, 2027, EN)
    assert [n[1] for n in numbers] == [EN.money(120.0), "+20.0%", EN.money(105.0)]
    assert "above the team's capacity" in decisions[0] and decisions[1].endswith("Reach 120.")
    ok = goals.assign(capacity=[130.0, 9.0], achievable=True)
    assert goals_summary.summary(targets, dims, ok, 2027, EN)[1] == []


def test_resources_summary_lists_hires_in_order_and_channels_to_cut():
    capacity = pd.DataFrame({"target": [100.0, 100.0], "capacity": [90.0, 95.0], "gap": [10.0, 5.0]})
    hiring = pd.DataFrame(
        {"start_month": ["2027-07", "2027-03"], "hires": [1, 2], "requisition_by": ["2027-05", "2027-01"],
         "productive_from": ["2027-12", "2027-08"]}
    )  # fmt: skip
    costs = pd.DataFrame({"category": ["total"], "amount": [20.0]})
    budget = pd.DataFrame(
        {"channel": ["events"], "current_budget": [10.0], "optimal_budget": [2.0], "stopped": [True]}
    )
    numbers, decisions = resources_summary.summary(capacity, hiring, costs, budget, EN)
    assert numbers[0][1] == "92.5%" and numbers[1][1] == "3" and numbers[2][1] == "10.0%"
    assert decisions[0].startswith("Hire 2 by 2027-01") and decisions[1].startswith("Hire 1 by 2027-05")
    assert "capacity stays" in decisions[2].lower() and "Events" in decisions[3]
    assert "招聘" in resources_summary.summary(capacity, hiring, costs, budget, ZH)[1][0]


def test_strategy_and_review_summaries_read_their_artefacts():
    tiers = pd.DataFrame({"tier": ["strategic", "profit", "strategic"]})
    funnel = pd.DataFrame(
        {"stage": ["lead", "proposal"], "bottleneck": [False, True], "conversion_rate": [0.6, 0.3],
         "benchmark_rate": [0.6, 0.59]}
    )  # fmt: skip
    coverage = pd.DataFrame(
        {"period": ["2027-Q1"], "win_rate": [0.1], "coverage_ratio": [0.5], "leads_needed": [40.0],
         "leads_by": ["2027-01-04"]}
    )  # fmt: skip
    health = pd.DataFrame({"risk": ["high", "low"], "revenue_at_risk": [7.0, 0.0]})
    numbers, decisions = strategy_summary.summary(tiers, funnel, coverage, health, 12, EN)
    assert numbers[0][1] == "2" and numbers[2][1] == "Proposal"
    assert decisions[0].startswith("Fix the bottleneck at Proposal") and "1 high-risk customer carries" in decisions[1]
    pva = pd.DataFrame({"level": ["ytd", "qtd"], "completion": [0.6, 0.7], "key": ["2026", "2026-Q3"]})
    kpis = pd.DataFrame(
        {"kpi": ["target_completion", "leads"], "status": ["red", "green"], "actual": [0.6, 10.0],
         "reference": [1.0, 9.0], "unit": ["pct", "count"]}
    )  # fmt: skip
    resplit = pd.DataFrame({"required": [True], "quarter_completion": [0.7]})
    numbers, decisions = review_summary.summary(pva, kpis, pd.DataFrame(), resplit, pd.DataFrame(), EN)
    assert [n[1] for n in numbers] == ["60.0%", "70.0%", "1"]
    assert decisions[0].startswith("The quarter stands at 70.0%") and decisions[1].startswith("Target completion")


def test_summary_box_escapes_caps_its_list_and_says_when_nothing_is_to_decide():
    html = display.summary_html([("<b>", "1")], [f"item {i} <x>" for i in range(8)], "en")
    assert "&lt;b&gt;" in html and "&lt;x&gt;" in html and html.count("<li>") == 6
    assert "and 3 more items" in html
    assert "Nothing in this part needs a decision." in display.summary_html([], [], "en")


def test_every_report_of_a_snapshot_opens_with_its_summary(sample_snapshot: Path):
    for page in store.report_pages(sample_snapshot)[1:]:
        body = page.read_text(encoding="utf-8").split('<main class="report-body">', 1)[1]
        first_h2 = body.find("<h2")
        box = body.find('class="summary-box"')
        assert 0 <= box < first_h2, f"{page.name}: the summary box is not first"
        assert body.count('class="summary-box"') == 1


def test_the_index_lists_every_regions_items_for_decision(sample_snapshot: Path):
    """Issue 23: the index opens with the company summary and the attention list across regions, read from the
    summary artefacts the step reports wrote (one fact, one home: the same sentences as the reports' boxes)."""
    index = (sample_snapshot / "index.html").read_text(encoding="utf-8")
    assert '<section class="attention">' in index
    assert index.index('class="rollup"') < index.index('class="attention"') < index.index('class="regions"')
    for region in ("east", "northeast"):
        items = []
        for step in ("05_review", "04_resources", "02_goals", "03_strategy", "01_market_analysis"):
            df = pd.read_csv(sample_snapshot / region / "artifacts" / f"summary_{step[3:]}.csv")
            assert set(df["kind"]) <= {"number", "decision"} and (df["kind"] == "number").sum() >= 2
            items += df.loc[df["kind"] == "decision", "text"].tolist()
        for text in items[:4]:
            assert html.escape(text, quote=False) in index.replace("&#x27;", "'"), text
