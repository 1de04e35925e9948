"""planning/review.py and planning/charts/review.py: tiny hand-checked fixtures, then two real snapshots."""

from __future__ import annotations

import json
import math
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from pydantic import ValidationError

from planning import contracts, params, review
from planning.charts import review as charts

# ------------------------------------------------------------------------------------------------ fixtures


def _orders(rows: list[tuple]) -> pd.DataFrame:
    """(order_id, date, amount, rep_id, product_line, channel[, customer_id])"""
    out = []
    for r in rows:
        oid, d, amount, rep, product, channel, *cust = r
        out.append(
            {
                "order_id": oid,
                "line_no": 1,
                "order_date": pd.Timestamp(d),
                "customer_id": cust[0] if cust else "C1",
                "rep_id": rep,
                "region": "east",
                "product_line": product,
                "channel": channel,
                "quantity": 1.0,
                "unit_price": amount,
                "amount": amount,
                "margin": amount / 2,
            }
        )
    return pd.DataFrame(out)


AS_OF = date(2026, 2, 14)  # 14 of February's 28 days elapsed: half of February's plan is due


@pytest.fixture
def tiny_plan() -> review.Plan:
    # January 100, February 200, March .. December 100 each: 1,300 for the year; R1 carries 60%, R2 40%.
    months = pd.date_range("2026-01-01", periods=12, freq="MS")
    targets = [100.0, 200.0] + [100.0] * 10
    m = pd.DataFrame({"month": months, "target": targets})
    reps = pd.concat(
        [
            pd.DataFrame(
                {"rep_id": r, "team": "east-1", "month": months, "target": [t * share for t in targets]}
            )
            for r, share in (("R1", 0.6), ("R2", 0.4))
        ],
        ignore_index=True,
    )
    return review.Plan("data", 2026, m, reps)


@pytest.fixture
def tiny_orders() -> pd.DataFrame:
    return _orders(
        [
            ("O1", "2025-01-10", 50.0, "R1", "equipment", "direct"),  # last year's window: 50 equipment ...
            ("O2", "2025-02-10", 50.0, "R2", "services", "online"),  # ... and 50 services
            ("O3", "2025-06-10", 999.0, "R2", "services", "online"),  # outside last year's window: ignored
            ("O4", "2026-01-15", 90.0, "R1", "equipment", "direct"),
            ("O5", "2026-02-10", 120.0, "R2", "services", "online"),
        ]
    )


def _row(pva: pd.DataFrame, level: str, key: str) -> pd.Series:
    return pva[(pva["level"] == level) & (pva["key"] == key)].iloc[0]


# ------------------------------------------------------------------------------------------------ plan vs actual


def test_plan_vs_actual_variance_arithmetic(tiny_orders, tiny_plan):
    pva = review.plan_vs_actual(tiny_orders, tiny_plan, AS_OF)
    jan, feb = _row(pva, "month", "2026-01"), _row(pva, "month", "2026-02")
    assert (jan["plan"], jan["actual"], jan["variance"]) == (100.0, 90.0, -10.0)
    assert jan["variance_pct"] == pytest.approx(-0.10)
    # February: 200 * 14/28 = 100 due, 120 sold -> +20, +20%
    assert (feb["plan"], feb["actual"], feb["variance"]) == (100.0, 120.0, 20.0)
    ytd = _row(pva, "ytd", "2026")
    assert (ytd["plan"], ytd["actual"], ytd["completion"]) == (200.0, 210.0, pytest.approx(1.05))
    q = _row(pva, "qtd", "2026-Q1")
    assert (q["plan"], q["actual"]) == (200.0, 210.0)
    # R1: 0.6 * (100 + 100) = 120 due, 90 sold -> -25%; R2: 80 due, 120 sold -> +50%
    r1, r2 = _row(pva, "rep", "R1"), _row(pva, "rep", "R2")
    assert (r1["plan"], r1["variance_pct"]) == (pytest.approx(120.0), pytest.approx(-0.25))
    assert (r2["plan"], r2["variance_pct"]) == (pytest.approx(80.0), pytest.approx(0.5))
    # product lines: the plan of 200 split 50:50 as last year's 1 Jan - 14 Feb (the June order is outside)
    eq = _row(pva, "product_line", "equipment")
    assert (eq["plan"], eq["actual"], eq["plan_basis"]) == (pytest.approx(100.0), 90.0, "mix_last_year")
    # every level of one kind adds up to the year to date
    for level in ("month", "quarter", "rep", "product_line", "channel"):
        assert pva.loc[pva["level"] == level, "plan"].sum() == pytest.approx(200.0)
        assert pva.loc[pva["level"] == level, "actual"].sum() == pytest.approx(210.0)
    assert list(pva.columns[:6]) == list(contracts.required_columns("plan_vs_actual"))


def test_projection_and_resplit(tiny_orders, tiny_plan):
    pva = review.plan_vs_actual(tiny_orders, tiny_plan, AS_OF)
    proj = dict(zip(*review.projection(pva, tiny_plan, AS_OF).T.values, strict=True))
    assert proj["annual_plan"] == 1300.0
    assert proj["linear"] == pytest.approx(210 / 45 * 365)  # 45 days elapsed of 365
    assert proj["seasonal"] == pytest.approx(210 / (200 / 1300))  # 1,365
    rs = review.resplit(pva, tiny_plan, AS_OF)
    # 1,300 - 210 = 1,090 left over February's unelapsed 100 + ten months of 100 = 1,100 of original plan
    assert rs["resplit"].sum() == pytest.approx(1090.0)
    assert rs["plan"].sum() == pytest.approx(1100.0)
    assert rs["resplit"].iloc[0] == pytest.approx(1090 * 100 / 1100)
    assert list(rs["month"])[:2] == ["2026-02", "2026-03"]


@pytest.mark.parametrize(("completion", "required"), [(0.799, True), (0.80, False), (1.2, False)])
def test_resplit_flag_at_the_80_percent_boundary(completion, required):
    pva = pd.DataFrame({"level": ["qtd"], "key": ["2026-Q3"], "completion": [completion]})
    check = review.resplit_check(pva, params.Review())
    assert check.required is required and check.quarter == "2026-Q3"


def test_no_plan_leaves_plan_columns_empty(tiny_orders):
    empty = review.plan_from_table(None, None, 2026)
    pva = review.plan_vs_actual(tiny_orders, empty, AS_OF)
    assert empty.source == "none" and pva["plan"].isna().all()
    assert _row(pva, "ytd", "2026")["actual"] == 210.0
    assert review.resplit(pva, empty, AS_OF).empty
    rc = review.root_causes(
        SimpleNamespace(orders=tiny_orders, opportunities=None), pva, AS_OF, params.Review()
    )
    assert rc.empty and review.five_why(rc, "en").empty
    charts.waterfall(review.waterfall_data(rc, "ytd", "2026"), "en").to_dict()  # an empty chart, not an error


def test_plan_from_table_uses_the_as_of_year_and_teams():
    por = pd.DataFrame(
        {
            "year": [2025, 2026, 2026],
            "month": pd.to_datetime(["2025-01-01", "2026-01-01", "2026-02-01"]),
            "region": "east",
            "rep_id": ["R1", "R1", "R2"],
            "target": [5.0, 10.0, 20.0],
        }
    )
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "team": ["east-1", "east-2"]})
    plan = review.plan_from_table(por, reps, 2026)
    assert plan.source == "data" and plan.annual == 30.0
    assert dict(zip(plan.reps["rep_id"], plan.reps["team"], strict=True)) == {"R1": "east-1", "R2": "east-2"}


# ------------------------------------------------------------------------------------------------ KPI lights


def _values(kpi: str, actual: float, baseline: float, target: float = math.nan) -> pd.DataFrame:
    meta = review.KPI_META[kpi]
    return pd.DataFrame(
        [(kpi, meta["kind"], meta["unit"], meta["higher"], actual, baseline, target)],
        columns=["kpi", "kind", "unit", "higher_is_better", "actual", "baseline", "target"],
    )


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
    board = review.kpi_status(_values(kpi, actual, baseline), red=0.20, yellow=0.10)
    assert board["status"].iloc[0] == status
    assert "20%" in board["rule"].iloc[0] and "last year" in board["rule"].iloc[0]


def test_kpi_status_prefers_target_and_compares_growth_as_levels():
    # growth 0% against a planned +25%: 1.00 / 1.25 = 0.8 -> exactly 20% short -> yellow
    board = review.kpi_status(_values("revenue_growth", 0.0, 0.10, 0.25), red=0.20, yellow=0.10)
    assert board["compared_with"].iloc[0] == "target" and board["status"].iloc[0] == "yellow"
    board = review.kpi_status(_values("revenue_growth", -0.01, 0.10, 0.25), red=0.20, yellow=0.10)
    assert board["status"].iloc[0] == "red"


def test_kpi_status_drops_unmeasurable_and_rejects_inverted_thresholds():
    assert review.kpi_status(_values("win_rate", math.nan, 0.3), 0.2, 0.1).empty
    with pytest.raises(ValueError, match="yellow threshold"):
        review.kpi_status(_values("win_rate", 0.3, 0.3), red=0.1, yellow=0.2)


def test_kpi_values_from_tables(tiny_orders, tiny_plan):
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
    tables = SimpleNamespace(
        orders=tiny_orders, customers=None, opportunities=opps, marketing=None, reps=None
    )
    pva = review.plan_vs_actual(tiny_orders, tiny_plan, AS_OF)
    v = review.kpi_values(tables, pva, AS_OF, params.Params()).set_index("kpi")
    assert (v.at["leads", "actual"], v.at["leads", "baseline"]) == (2.0, 2.0)
    assert (v.at["win_rate", "actual"], v.at["win_rate", "baseline"]) == (1.0, 0.5)  # 1 of 1 vs 1 of 2 closed
    assert (v.at["proposals", "actual"], v.at["proposals", "baseline"]) == (2.0, 1.0)
    assert v.at["cycle_time", "actual"] == 27.0  # 5 Jan -> 1 Feb
    assert v.at["target_completion", "actual"] == pytest.approx(1.05)
    # revenue 210 this year to date vs 100 last year: +110%; the plan (200) asked for +100%
    assert v.at["revenue_growth", "actual"] == pytest.approx(1.10)
    assert v.at["revenue_growth", "target"] == pytest.approx(1.00)
    assert math.isnan(v.at["productivity", "actual"])  # no reps table
    checks = review.process_checks(review.kpi_status(v.reset_index(), 0.2, 0.1))
    prop = checks.set_index("check").loc["proposal_fit"]
    assert prop["process_change"] == pytest.approx(1.0) and not prop["flagged"]  # win rate rose too


# ------------------------------------------------------------------------------------------------ root causes


def _inputs(leads, orders, share, value):
    revenue = orders * sum(share[k] * value[k] for k in share)
    return review.DriverInputs(leads, orders, revenue, share, value)


def test_decompose_adds_up_to_the_gap():
    # reference: 10 leads -> 5 orders (0.5 per lead), mix a 60% / b 40%, values 100 / 50 -> AOV 80, revenue 400
    ref = _inputs(10.0, 5.0, {"a": 0.6, "b": 0.4}, {"a": 100.0, "b": 50.0})
    # actual: 10 leads -> 6 orders, mix 50/50, values 120 / 50 -> AOV 85, revenue 510; plan 480 (= 1.2 x 400)
    act = _inputs(10.0, 6.0, {"a": 0.5, "b": 0.5}, {"a": 120.0, "b": 50.0})
    d = review.decompose(act, ref, 480.0).set_index("driver")["effect"]
    assert d["leads"] == pytest.approx((10 - 12) * 0.5 * 80)  # -80: 12 leads needed for the plan
    assert d["conversion"] == pytest.approx((6 - 10 * 0.5) * 80)  # +80
    assert d["mix"] == pytest.approx(6 * (75 - 80))  # -30: 0.5*100 + 0.5*50 = 75 at last year's values
    assert d["price"] == pytest.approx(6 * (85 - 75))  # +60
    assert d.sum() == pytest.approx(510 - 480)
    assert review.largest_driver(d.reset_index(), 30.0) == "conversion"
    assert review.largest_driver(d.reset_index(), -30.0) == "leads"


def test_decompose_without_leads_or_history():
    ref = _inputs(math.nan, 5.0, {"a": 0.6, "b": 0.4}, {"a": 100.0, "b": 50.0})
    act = _inputs(math.nan, 6.0, {"a": 0.5, "b": 0.5}, {"a": 120.0, "b": 50.0})
    d = review.decompose(act, ref, 480.0).set_index("driver")["effect"]
    assert list(d.index) == ["orders", "mix", "price"]
    assert d["orders"] == pytest.approx(0.0)  # 6 orders = 5 x 1.2 needed
    assert d.sum() == pytest.approx(30.0)
    none = review.decompose(act, review.DriverInputs(math.nan, 0.0, 0.0, {}, {}), 480.0)
    assert none.to_dict("records") == [{"driver": "no_history", "effect": pytest.approx(30.0)}]


def test_root_causes_only_beyond_threshold_with_a_five_why(tiny_orders, tiny_plan):
    tables = SimpleNamespace(orders=tiny_orders, opportunities=None)
    pva = review.plan_vs_actual(tiny_orders, tiny_plan, AS_OF)
    rc = review.root_causes(tables, pva, AS_OF, params.Review(root_cause_threshold=0.10))
    keys = set(rc["key"])
    # January -10% is not beyond 10%; February +20%, R1 -25%, R2 +50%, equipment -10% (no), services +20%
    assert "2026-01" not in keys and "equipment" not in keys
    assert {"2026-02", "R1", "R2", "services"} <= keys
    for _key, g in rc.groupby("key"):
        assert g["effect"].sum() == pytest.approx(g["actual"].iloc[0] - g["plan"].iloc[0])
        top = g[g["largest"]]
        assert len(top) == 1 and top["why_1"].iloc[0] and top["why_4"].iloc[0] == ""
    assert list(contracts.required_columns("root_causes")) == [
        c for c in rc.columns if c in contracts.required_columns("root_causes")
    ]


# ------------------------------------------------------------------------------------------------ snapshots


def _snapshot(
    root: Path, name: str, status: str = "complete", plan_year: int = 2026, forecast=None, targets=True
):
    d = root / name
    art = d / "east" / "artifacts"
    art.mkdir(parents=True)
    manifest = {"status": status, "regions": {"east": {"params": {"plan_year": plan_year}}}}
    (d / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (
        forecast
        if forecast is not None
        else pd.DataFrame({"month": [], "model": [], "forecast": [], "chosen": []})
    ).to_csv(art / "forecast.csv", index=False)
    if targets:
        months = [f"2026-{m:02d}" for m in range(1, 13)]
        pd.DataFrame(
            {
                "level": "month",
                "period": months,
                "start": [f"{m}-01" for m in months],
                "end": [f"{m}-28" for m in months],
                "target": 10.0,
            }
        ).to_csv(art / "targets.csv", index=False)
        pd.DataFrame({"rep_id": "R1", "team": "east-1", "month": months, "target": 10.0}).to_csv(
            art / "targets_rep.csv", index=False
        )
    return d


def test_forecast_accuracy_from_a_hand_made_snapshot_folder(tmp_path):
    fc = pd.DataFrame(
        {
            "month": ["2026-01", "2026-02", "2026-02", "2026-03", "2026-04"],
            "model": ["ets", "ets", "sarima", "ets", "ets"],
            "forecast": [1.0, 110.0, 999.0, 90.0, 100.0],
            "lower": 0.0,
            "upper": 0.0,
            "chosen": [True, True, False, True, True],
        }
    )
    _snapshot(tmp_path, "2026-01-31", forecast=fc)
    _snapshot(tmp_path, "2025-12-31", status="incomplete")  # ignored: not complete
    _snapshot(tmp_path, "2026-03-31")  # ignored: not earlier than as_of
    (tmp_path / ".2026-03-31.tmp-123").mkdir()  # ignored: a run in progress
    (tmp_path / "interactive").mkdir()  # ignored: not a date
    orders = _orders([("A", "2026-02-05", 100.0, "R1", "equipment", "direct"),
                      ("B", "2026-03-05", 100.0, "R1", "equipment", "direct"),
                      ("C", "2026-04-05", 50.0, "R1", "equipment", "direct")])  # fmt: skip
    as_of = date(2026, 3, 31)
    assert [s.as_of for s in review.earlier_snapshots(tmp_path, as_of)] == [date(2026, 1, 31)]
    acc = review.forecast_accuracy(review.snapshot_forecasts(tmp_path, "east", as_of), orders, as_of)
    # January is not after the snapshot's as_of; April has not happened: February and March remain
    assert list(acc["month"]) == ["2026-02", "2026-03"]
    assert list(acc["forecast"]) == [110.0, 90.0]  # the chosen model only
    assert list(acc["ape"]) == pytest.approx([0.10, 0.10])
    assert list(acc["horizon_months"]) == [1, 2]
    s = review.accuracy_summary(acc).iloc[0]
    assert (s["months"], s["mape"], s["bias"]) == (2, pytest.approx(0.10), pytest.approx(0.0))


def test_find_plan_prefers_the_latest_snapshot_of_the_year(tmp_path):
    _snapshot(tmp_path, "2025-10-31")
    _snapshot(tmp_path, "2025-12-31", plan_year=2027)  # a plan for another year: skipped
    _snapshot(tmp_path, "2025-11-30", targets=False)  # lacks targets: skipped
    por = pd.DataFrame({"year": [2026], "month": [pd.Timestamp("2026-01-01")], "region": ["east"],
                        "rep_id": ["R1"], "target": [5.0]})  # fmt: skip
    plan = review.find_plan(tmp_path, "east", date(2026, 9, 30), por, None)
    assert (plan.source, plan.snapshot, plan.annual) == ("snapshot", "2025-10-31", 120.0)
    assert len(plan.reps) == 12 and plan.reps["month"].dt.year.eq(2026).all()
    fallback = review.find_plan(tmp_path / "none", "east", date(2026, 9, 30), por, None)
    assert (fallback.source, fallback.annual) == ("data", 5.0)


def test_snapshot_root_of_a_run_in_progress(tmp_path):
    assert review.snapshot_root(tmp_path / ".2026-09-30.tmp-abc" / "east") == tmp_path.resolve()


# ------------------------------------------------------------------------------------------------ risks and PDCA


def test_risk_register_raises_likelihood_on_a_fired_signal():
    risks = [
        params.Risk(
            risk="Staff loss",
            kind="internal",
            likelihood=5,
            impact=4,
            contingency="pool",
            owner="HR",
            signal="attrition",
        ),  # fmt: skip
        params.Risk(
            risk="Price war",
            kind="external",
            likelihood=2,
            impact=3,
            contingency="value",
            owner="S",
            signal="price",
        ),  # fmt: skip
        params.Risk(risk="Supply", kind="internal", likelihood=2, impact=5, contingency="backup", owner="SC"),
    ]
    signals = pd.DataFrame(
        {
            "signal": ["attrition", "price"],
            "value": [0.3, 0.9],
            "reference": [0.15, 1.0],
            "triggered": [True, True],
            "evidence_key": ["attrition", "price"],
        }  # fmt: skip
    )
    reg = review.risk_register(params.Review(risks=risks, signal_uplift=1), signals).set_index("risk")
    assert reg.at["Staff loss", "likelihood"] == 5  # capped at 5
    assert (reg.at["Price war", "likelihood"], reg.at["Price war", "score"]) == (3, 9)
    assert reg.at["Supply", "score"] == 10 and reg.at["Supply", "evidence"] == ""
    assert "0.900" in reg.at["Price war", "evidence"]


def test_pdca_log_new_carried_resolved():
    board = pd.DataFrame(
        {
            "kpi": ["leads", "lead_conversion", "retention"],
            "status": ["red", "red", "green"],
            "shortfall": [0.3, 0.25, -0.1],
        }  # fmt: skip
    )
    prev = pd.DataFrame(
        {
            "kpi": ["leads", "retention"],
            "act": ["stop", "fix"],
            "action": ["old leads action", "call"],
            "owner": ["M", "CS"],
            "opened": ["2026-06-30", "2026-06-30"],
            "due": ["2026-07-30", "2026-07-30"],
            "state": ["new", "carried"],
            "status_now": ["red", "red"],
        }  # fmt: skip
    )
    p = params.load("east").params.review
    log = review.pdca_log(board, prev, date(2026, 9, 30), p).set_index("kpi")
    assert log.at["leads", "state"] == "carried" and log.at["leads", "opened"] == "2026-06-30"
    assert log.at["leads", "action"] == "old leads action" and log.at["leads", "due"] == "2026-10-30"
    assert log.at["lead_conversion", "state"] == "new" and log.at["lead_conversion", "act"] == "stop"
    assert log.at["lead_conversion", "owner"] == p.actions["lead_conversion"].owner
    assert log.at["retention", "state"] == "resolved" and log.at["retention", "status_now"] == "green"


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
    assert set(base.actions) == set(review.KPI_META)


# ------------------------------------------------------------------------------------------------ charts


def test_chart_specs(tiny_orders, tiny_plan):
    pva = review.plan_vs_actual(tiny_orders, tiny_plan, AS_OF)
    spec = charts.plan_actual_months(pva, "zh").to_dict()
    assert spec["title"] == "月度销售额：计划与实际" and len(spec["layer"]) == 2
    assert {v["key"] for v in spec["datasets"][next(iter(spec["datasets"]))]} == {"2026-01", "2026-02"}
    board = review.kpi_status(_values("lead_conversion", 0.0799, 0.10), 0.2, 0.1)
    k = charts.kpi_chart(board, 0.2, 0.1, "en").to_dict()
    assert k["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["green", "yellow", "red"]
    rules = next(iter(v for key, v in k["datasets"].items() if len(v) == 2))
    assert sorted(r["x"] for r in rules) == [-0.2, -0.1]
    wf = pd.DataFrame({"level": "ytd", "key": "2026", "plan": 480.0, "actual": 510.0,
                       "driver": ["leads", "conversion"], "effect": [-50.0, 80.0]})  # fmt: skip
    data = review.waterfall_data(wf, "ytd", "2026")
    assert list(data["end"]) == [480.0, 430.0, 510.0, 510.0]
    w = charts.waterfall(data, "en").to_dict()
    assert w["layer"][0]["encoding"]["y2"]["field"] == "end"
    reg = pd.DataFrame({"risk": ["a", "b"], "likelihood": [3, 3], "impact": [4, 4]})
    h = charts.risk_heatmap(reg, "en").to_dict()
    cells = next(iter(h["datasets"].values()))
    assert len(cells) == 25 and {c["label"] for c in cells} == {"", "2"}


# ------------------------------------------------------------------------------------------------ notebooks


@pytest.mark.slow
def test_two_snapshots_second_review_uses_first_plan_and_forecast(small_sample, tmp_path):
    """Plan 2026 at 2025-12-31, then review at 2026-08-31: the review compares with that snapshot's plan."""
    from planning import config, runner

    pdir = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, pdir, ignore=shutil.ignore_patterns("local.yaml"))
    (pdir / "local.yaml").write_text("plan_year: 2026\n", encoding="utf-8")
    out = tmp_path / "outputs"
    steps = ["01", "02", "05"]
    first = runner.run(regions=["east"], steps=steps, as_of="2025-12-31", data_dir=str(small_sample),
                       out_root=out, workers=1, params_dir=pdir)  # fmt: skip
    assert first.ok, [r.error for r in first.results if r.error]
    (pdir / "local.yaml").unlink()
    # the small sample's last order may fall before the default as_of (30 September): review at the end of August
    second = runner.run(regions=["east"], steps=steps, as_of="2026-08-31", data_dir=str(small_sample),
                        out_root=out, workers=1, params_dir=pdir)  # fmt: skip
    assert second.ok, [r.error for r in second.results if r.error]

    art1, art2 = out / "2025-12-31" / "east" / "artifacts", out / "2026-08-31" / "east" / "artifacts"
    for name in ("plan_vs_actual", "kpis", "root_causes", "forecast_accuracy", "risks"):
        df = pd.read_csv(art2 / f"{name}.csv")
        assert set(contracts.required_columns(name)) <= set(df.columns), name
    pva = pd.read_csv(art2 / "plan_vs_actual.csv", dtype={"key": str})
    targets = pd.read_csv(art1 / "targets.csv")
    months = targets[targets["level"] == "month"].set_index("period")["target"]
    pva_m = pva[pva["level"] == "month"].set_index("key")["plan"]
    # the plan of record is the first snapshot's monthly targets (every month to August is complete)
    assert pva_m.to_dict() == pytest.approx({k: months[k] for k in pva_m.index})
    ytd = pva[pva["level"] == "ytd"]
    assert len(ytd) == 1 and ytd["key"].iloc[0] == "2026"
    assert ytd["variance"].iloc[0] == pytest.approx(ytd["actual"].iloc[0] - ytd["plan"].iloc[0])
    acc = pd.read_csv(art2 / "forecast_accuracy.csv")
    assert set(acc["snapshot"]) == {"2025-12-31"} and set(acc["source"]) == {"snapshot"}
    fc = pd.read_csv(art1 / "forecast.csv")
    fc = fc[fc["chosen"]].set_index("month")["forecast"]
    assert acc.set_index("month")["forecast"].to_dict() == pytest.approx({m: fc[m] for m in acc["month"]})
    assert len(acc) == 8  # January .. August 2026
    kpis = pd.read_csv(art2 / "kpis.csv")
    assert set(kpis["status"]) <= {"green", "yellow", "red"} and "target_completion" in set(kpis["kpi"])
    manifest = json.loads((out / "2026-08-31" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["regions"]["east"]["headline"]["ytd_plan"] == pytest.approx(ytd["plan"].iloc[0])
    html = (out / "2026-08-31" / "east" / "05_review.html").read_text(encoding="utf-8")
    assert "snapshot of 2025-12-31" in html


def _pva_with_reps(n: int) -> pd.DataFrame:
    """Two period rows, `n` reps with variance % (i - 12) / 100 for rep i (r00: -12 %, r12: 0 %, r24: +12 %), a
    rep without a plan, and one product line row."""
    rows = [{"level": "ytd", "key": "2026", "variance_pct": -0.05}, {"level": "month", "key": "2026-01",
            "variance_pct": 0.01}]  # fmt: skip
    rows += [{"level": "rep", "key": f"r{i:02d}", "variance_pct": (i - 12) / 100} for i in range(n)]
    rows += [{"level": "rep", "key": "r99", "variance_pct": math.nan}, {"level": "product_line", "key": "pumps",
             "variance_pct": 0.02}]  # fmt: skip
    return pd.DataFrame(rows)


def test_pva_shown_keeps_all_rows_up_to_twice_the_ends() -> None:
    pva = _pva_with_reps(19)  # 19 reps + the one without a plan = 20 = 2 x 10: all shown
    assert review.pva_shown(pva).equals(pva)


def test_pva_shown_keeps_the_reps_furthest_below_and_above_plan_in_their_order() -> None:
    pva = _pva_with_reps(25)  # 26 reps: r00..r09 (-12 .. -3 %) and r15..r24 (+3 .. +12 %) shown
    shown = review.pva_shown(pva)
    reps = shown.loc[shown["level"] == "rep", "key"].tolist()
    assert reps == [
        f"r{i:02d}" for i in [*range(10), *range(15, 25)]
    ]  # r10..r14 (-2 .. +2 %) and r99 left out
    assert shown["level"].tolist()[:2] == ["ytd", "month"] and shown["level"].iloc[-1] == "product_line"
    assert len(review.pva_shown(pva, shown=3)) == 2 + 6 + 1
    with pytest.raises(ValueError, match="positive"):
        review.pva_shown(pva, shown=0)


def test_describe_pva_reps_says_how_many_and_where_the_rest_is() -> None:
    pva = _pva_with_reps(25)
    text = review.describe_pva_reps(pva, review.pva_shown(pva), "en")
    assert "10 of the 26 reps furthest below plan and 10 furthest above" in text
    assert "artifacts/plan_vs_actual.csv" in text
    zh = review.describe_pva_reps(pva, review.pva_shown(pva), "zh")
    assert "26 名" in zh and "10 人" in zh
    small = _pva_with_reps(5)
    assert review.describe_pva_reps(small, review.pva_shown(small), "en").startswith("All 6 reps are shown")
