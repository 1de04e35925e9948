"""planning/review/views.py: the review's tables for reading."""

from __future__ import annotations

import pandas as pd

from planning.i18n import Voice
from planning.review import views

EN, ZH = Voice("en", "CNY"), Voice("zh", "CNY")


def test_pva_view_names_levels_keys_and_basis():
    pva = pd.DataFrame({"level": ["ytd", "product_line"], "key": ["2026", "equipment"],
                        "plan_basis": ["plan", "mix_last_year"]})  # fmt: skip
    out = views.pva_view(pva, EN)
    assert list(out["level"]) == ["Year to date", "Product line"] and out["key"].iloc[0] == "2026"
    assert out["plan_basis"].iloc[1] == "Plan split by last year's mix"


def test_kpi_view_formats_by_unit():
    board = pd.DataFrame({"kpi": ["win_rate", "aov"], "kind": ["process", "process"], "unit": ["pct", "money"],
                          "actual": [0.25, 50_000.0], "baseline": [0.2, 40_000.0], "target": [float("nan")] * 2,
                          "status": ["green", "red"], "rule": ["r", "r"]})  # fmt: skip
    out = views.kpi_view(board, EN)
    assert list(out["actual"]) == ["25.0%", "¥50K"] and out["target"].iloc[0] == "—"
    assert out["kpi"].iloc[0] == "Win rate" and views.kpi_view(board, ZH)["kpi"].iloc[0] == "成交率"


def test_five_why_view_keeps_the_largest_driver_per_key():
    rc = pd.DataFrame({"key": ["R1", "R1"], "variance_pct": [-0.2, -0.2], "driver": ["orders", "price"],
                       "largest": [True, False], **{f"why_{i}": ["x", ""] for i in range(1, 6)}})  # fmt: skip
    out = views.five_why_view(rc, EN)
    assert len(out) == 1 and list(out.columns)[:3] == ["key", "variance_pct", "driver"]


def test_risk_and_pdca_views_translate_states():
    reg = pd.DataFrame({"risk": ["a"], "kind": ["external"], "likelihood": [2], "impact": [3], "score": [6],
                        "contingency": ["c"], "owner": ["o"], "status": ["open"], "evidence": [""]})  # fmt: skip
    assert "risk_status" in views.risk_view(reg, EN).columns
    log = pd.DataFrame({"kpi": ["leads"], "act": ["stop"], "state": ["carried"]})
    out = views.pdca_view(log, EN)
    assert out["kpi"].iloc[0] == "Leads" and out["state"].iloc[0] != "carried"
    assert views.projection_view(pd.DataFrame({"item": ["linear"], "amount": [1.0]}), EN)["item"].iloc[0]


def test_the_region_audit_lists_failures_first_with_labels_and_the_summary_counts():
    import pandas as pd

    from planning.i18n import Voice
    from planning.review import narrate as rn
    from planning.review import views as rv

    audit = pd.DataFrame({"region": "east", "check": ["annual_target_shared", "ramp_months_stated",
                          "hires_only_where_short"], "status": ["pass", "skipped", "fail"],
                          "values": ["", "", ""], "explanation": ""})  # fmt: skip
    view = rv.audit_view(audit, Voice("en", "CNY"))
    assert view.to_dict("list") == {
        "status": ["FAIL", "skipped"],
        "check": ["Hires only where capacity falls short", "Ramp length handed on as a value"],
    }
    text = rn.describe_audit(audit, Voice("en", "CNY"))
    assert text.startswith("3 checks on this region's artefacts: 1 pass, 1 FAIL, 1 skipped.")
    assert "no contradiction" in rn.describe_audit(audit[audit["status"] != "fail"], Voice("en", "CNY"))


def _items(decided):
    return pd.DataFrame({"kind": ["health", "stop"], "subject_text": ["C1", "events"], "evidence": ["67 -> 57", "0 won"],
                         "owner": ["KAM", "Marketing"], "opened": ["2026-08-31"] * 2, "due": ["2026-09-07"] * 2,
                         "state": ["open", "done" if decided else "open"], "decided_by": ["", decided]})  # fmt: skip


def test_the_improvement_list_shows_how_an_item_was_decided_only_when_one_was():
    assert "decided_by" not in views.improvements_view(_items(""), ZH).columns
    out = views.improvements_view(_items("data"), EN)
    assert list(out["decided_by"]) == ["", EN.t("review.improve.decided.data")] and out["decided_by"].iloc[1]
