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


def _summary() -> pd.DataFrame:
    return pd.DataFrame({"tier": ["strategic", "profit", "nurture", "maintain"], "customers": [1, 2, 3, 4]})


def test_built_in_playbooks_and_health_actions_are_in_the_report_language(p):
    # params without playbook texts (the Superstore example): a Chinese report must not show English playbooks.
    en = narrate.summary_table(_summary(), p, Voice("en", "CNY"))["playbook"].tolist()
    zh = narrate.summary_table(_summary(), p, Voice("zh", "CNY"))["playbook"].tolist()
    assert en[0] == "Dedicated advisor + tailored solution"
    assert all(text and not text.isascii() for text in zh), zh
    assert len(set(zh)) == 4 and not set(zh) & set(en)
    h = pd.DataFrame({"customer_id": ["a", "b", "c"], "risk": ["high", "medium", "low"], "revenue_at_risk": 1.0})
    actions = narrate.health_table(h, p, Voice("zh", "CNY"))["action"].tolist()
    assert all(text and not text.isascii() for text in actions), actions


def test_planner_playbook_text_stays_as_written(p):
    q = p.model_copy(
        update={
            "playbooks": {
                "strategic": params.schema.Playbook(action="Quarterly QBR", touches_per_year=4, headroom_capture=0),
                "profit": params.schema.Playbook(
                    action={"en": "Bundle offer", "zh": "捆绑优惠"}, touches_per_year=4, headroom_capture=0
                ),
                "nurture": params.schema.Playbook(touches_per_year=4, headroom_capture=0),
            },
            "health_actions": {"high": "Call the CEO"},
        }
    )
    shown = narrate.summary_table(_summary(), q, Voice("zh", "CNY"))["playbook"]
    zh = dict(zip(_summary()["tier"], shown, strict=True))
    assert zh["strategic"] == "Quarterly QBR"  # one string for every language: as written
    assert zh["profit"] == "捆绑优惠"
    assert zh["nurture"] == "行业白皮书 + 免费诊断，激活需求"  # no action given: the workbook's text
    assert zh["maintain"] == ""  # no playbook for the tier at all
    h = pd.DataFrame({"customer_id": ["a", "b"], "risk": ["high", "low"], "revenue_at_risk": 1.0})
    assert narrate.health_table(h, q, Voice("zh", "CNY"))["action"].tolist() == ["Call the CEO", "常规服务"]


def test_segments_named_best_only_with_the_deals_coverage_needs():
    """One rule with pipeline coverage: a segment is named best / weakest only with `strategy.min_segment_deals`
    decided deals (it used min(rule, 10): a 12-deal segment was 'best' while coverage ignored its rate)."""
    seg = pd.DataFrame(
        {"industry": ["energy", "retail", "logistics"], "won": [9, 20, 5], "lost": [3, 20, 7],
         "win_rate": [0.75, 0.5, 5 / 12]}
    )  # fmt: skip
    s = params.Strategy(min_segment_deals=30)
    en = narrate.describe_segments(seg, s, Voice("en", "CNY"))
    assert "Retail" in en and "Energy" not in en  # only retail has 40 >= 30 decided deals
    few = narrate.describe_segments(seg, params.Strategy(min_segment_deals=50), Voice("zh", "CNY"))
    assert few == Voice("zh", "CNY").t("strategy.funnel.segments_few", n=50) and "50" in few
