"""planning/review/plan.py: the plan of record, from an earlier snapshot or the plan_of_record table."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pandas as pd
import pytest
from frames_review import snapshot

from planning import contracts, store
from planning.review import plan


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
    p = plan.plan_from_table(por, reps, 2026)
    assert p.source == "data" and p.annual == 30.0
    assert dict(zip(p.reps["rep_id"], p.reps["team"], strict=True)) == {"R1": "east-1", "R2": "east-2"}


def test_plan_from_table_without_rows_is_no_plan():
    assert plan.plan_from_table(None, None, 2026).source == "none"
    por = pd.DataFrame({"year": [2025], "month": [pd.Timestamp("2025-01-01")], "region": ["east"],
                        "rep_id": ["R1"], "target": [5.0]})  # fmt: skip
    empty = plan.plan_from_table(por, None, 2026)
    assert (empty.source, empty.exists) == ("none", False) and empty.months.empty


def test_find_plan_prefers_the_latest_snapshot_of_the_year(tmp_path):
    snapshot(tmp_path, "2025-10-31")
    snapshot(tmp_path, "2025-12-31", plan_year=2027)  # a plan for another year: skipped
    snapshot(tmp_path, "2025-11-30", targets=False)  # lacks targets: skipped
    por = pd.DataFrame({"year": [2026], "month": [pd.Timestamp("2026-01-01")], "region": ["east"],
                        "rep_id": ["R1"], "target": [5.0]})  # fmt: skip
    p = plan.find_plan(tmp_path, "east", date(2026, 9, 30), por, None)
    assert (p.source, p.snapshot, p.annual) == ("snapshot", "2025-10-31", 120.0)
    assert len(p.reps) == 12 and p.reps["month"].dt.year.eq(2026).all()
    fallback = plan.find_plan(tmp_path / "none", "east", date(2026, 9, 30), por, None)
    assert (fallback.source, fallback.annual) == ("data", 5.0)


def test_find_plan_skips_incomplete_and_later_snapshots(tmp_path):
    snapshot(tmp_path, "2025-10-31", status="incomplete")
    snapshot(tmp_path, "2026-10-31")  # not earlier than as_of
    assert plan.find_plan(tmp_path, "east", date(2026, 9, 30), None, None).source == "none"


def test_chosen_forecast_keeps_the_chosen_model_by_month():
    fc = pd.DataFrame({"month": ["2026-02", "2026-01", "2026-01"], "model": ["ets", "ets", "sarima"],
                       "forecast": [2.0, 1.0, 9.0], "chosen": [True, True, False]})  # fmt: skip
    out = plan.chosen_forecast(fc)
    assert list(out["forecast"]) == [1.0, 2.0] and list(out["month"].dt.month) == [1, 2]
    assert plan.chosen_forecast(None).empty


def test_snapshot_root_of_a_run_in_progress(tmp_path):
    assert store.snapshot_root(tmp_path / ".2026-09-30.tmp-abc" / "east") == tmp_path.resolve()


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
