"""planning/audit/snapshot.py and `planning audit`: the audit of a whole snapshot, its exit codes and audit.csv."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pandas as pd
import pytest
from frames_audit import targets, targets_rep
from typer.testing import CliRunner

from planning import display, store
from planning.audit import snapshot as audit_snapshot
from planning.cli import app


def tiny_snapshot(
    root: Path, steps: dict | None = None, status: str = "complete", year_headline: float = 240.0
) -> Path:
    """A snapshot of one region with a consistent target breakdown and nothing else."""
    snap = root / "2026-09-30"
    region = store.region_dir(snap, "east")
    store.write_artifact(region, "targets", targets())
    store.write_artifact(region, "targets_rep", targets_rep())
    snap.mkdir(parents=True, exist_ok=True)
    manifest = {
        "snapshot": "2026-09-30",
        "status": status,
        "regions": {"east": {"headline": {"plan_target": year_headline}, "steps": steps or {}}},
    }
    store.write_manifest(snap, manifest)
    return snap


def audit(*args: str):
    return CliRunner().invoke(app, ["audit", *args])


def test_a_consistent_snapshot_passes_exits_0_and_writes_audit_csv(tmp_path: Path):
    snap = tiny_snapshot(tmp_path)
    result = audit(str(snap))
    assert result.exit_code == 0, result.output
    assert "fail:" not in result.output
    written = pd.read_csv(store.audit_path(snap))
    assert list(written.columns) == ["region", "check", "status", "values", "explanation"]
    assert set(written["status"]) <= {"pass", "skipped"}
    assert {"east", "company"} == set(written["region"])


def test_a_broken_breakdown_exits_1_naming_region_check_and_values(tmp_path: Path):
    snap = tiny_snapshot(tmp_path)
    broken = targets()
    broken.loc[broken["period"] == "2027-03", "target"] = 31.0
    store.write_artifact(store.region_dir(snap, "east"), "targets", broken)
    result = audit(str(snap))
    assert result.exit_code == 1
    assert (
        "fail: east / targets_months_sum_to_quarters: 2027-Q1: 60.00 vs months 61.00 (diff 1.00)"
        in result.output
    )
    assert (
        "fail: east / targets_reps_sum_to_months: 2027-03: 31.00 vs reps 30.00 (diff -1.00)" in result.output
    )


def test_a_regions_audit_is_kept_until_one_of_its_artefact_files_changes(tmp_path: Path):
    """The review step audits its region in its notebook; the worker hands that audit to the runner when no
    artefact file changed since (audit.snapshot.audit_ahead), and reads the region again when one did."""
    region = store.region_dir(tiny_snapshot(tmp_path), "east")
    first = audit_snapshot.audit_ahead(region)
    shown = audit_snapshot.audit_region(region, "east")  # what the review report shows: the same audit
    assert audit_snapshot.audit_ahead(region) is first
    assert shown.to_dict("records") == audit_snapshot.frame(first.bad + first.rows, "east").to_dict("records")
    broken = targets()
    broken.loc[broken["period"] == "2027-03", "target"] = 31.0  # same file size: 30.0 -> 31.0
    store.write_artifact(region, "targets", broken)
    again = audit_snapshot.audit_ahead(region)
    assert again is not first
    failed = {r["check"] for r in again.rows if r["status"] == "fail"}
    assert "targets_months_sum_to_quarters" in failed and "targets_months_sum_to_quarters" not in {
        r["check"] for r in first.rows if r["status"] == "fail"
    }
    (region / "artifacts" / "hiring_plan.csv").write_text("not,a,contract\n", encoding="utf-8")  # a new file
    assert audit_snapshot.audit_ahead(region) is not again


def test_an_index_headline_that_differs_from_the_artefact_fails(tmp_path: Path):
    snap = tiny_snapshot(tmp_path, year_headline=250.0)
    rows = audit_snapshot.audit_snapshot(snap, store.read_manifest(snap))
    (r,) = rows[rows["check"] == "index_headline"].to_dict("records")
    assert (r["region"], r["status"]) == ("company", "fail")
    assert r["values"] == "east plan_target: index 250.00 vs artefact 240.00"


def test_a_complete_snapshot_with_a_failed_step_fails(tmp_path: Path):
    snap = tiny_snapshot(tmp_path, steps={"02_goals": {"status": "failed"}})
    result = audit(str(snap))
    assert result.exit_code == 1
    assert (
        "fail: company / snapshot_status_consistent: manifest status 'complete'; steps not ok: east / 02_goals: failed"
        in result.output
    )


def test_a_missing_folder_or_one_without_a_manifest_exits_2(tmp_path: Path):
    gone = audit(str(tmp_path / "2026-09-30"))
    assert gone.exit_code == 2
    assert "does not exist" in gone.output
    not_snap = audit(str(tmp_path))
    assert not_snap.exit_code == 2
    assert "is not a snapshot" in not_snap.output


def test_without_an_argument_the_latest_snapshot_is_audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from planning import config

    tiny_snapshot(tmp_path)
    monkeypatch.setattr(config, "OUTPUTS_DIR", tmp_path)
    assert audit().exit_code == 0
    assert store.audit_path(tmp_path / "2026-09-30").is_file()
    monkeypatch.setattr(config, "OUTPUTS_DIR", tmp_path / "none")
    assert audit().exit_code == 2


@pytest.mark.slow
def test_the_sample_snapshot_passes_the_audit(sample_snapshot: Path, tmp_path: Path):
    """Issue 16, done when: the audit passes on the sample regions (east and northeast of the shared run)."""
    snap = tmp_path / sample_snapshot.name
    shutil.copytree(sample_snapshot, snap, ignore=shutil.ignore_patterns("*.html", "*.ipynb"))
    result = audit(str(snap))
    written = pd.read_csv(store.audit_path(snap))
    failed = written.query("status == 'fail'")
    assert result.exit_code == 0 and failed.empty, failed[["region", "check", "values"]].to_string()
    passed = written.query("status == 'pass'")
    assert {"targets_quarters_sum_to_year", "targets_reps_sum_to_months", "hires_goals_vs_resources"} <= set(
        passed["check"]
    )
    # The checks of issue 16 pass on both regions: target and quotas stated against every dimension and the
    # forecast, SMART achievable consistent with them, hires only where short, no negative money, shared facts.
    mine = {"target_vs_market", "target_vs_team", "target_vs_resources", "quota_vs_team",
            "target_vs_forecast_interval", "quota_vs_forecast_interval", "target_months_vs_forecast_interval",
            "smart_achievable_within_capacity", "smart_achievable_vs_dimensions_and_forecast",
            "hires_only_where_short", "non_negative:health.revenue_at_risk",
            "non_negative:customer_tiers.monetary", "non_negative:tier_summary.expected_gain",
            "non_negative:tier_summary.expected_revenue", "team_capacity_shared", "ramp_months_shared",
            "attrition_shared", "existing_customer_revenue_shared", "root_cause_count_shared"}  # fmt: skip
    for region in ("east", "northeast"):
        assert mine <= set(passed.loc[passed["region"] == region, "check"]), region


@pytest.mark.slow
def test_both_snapshots_of_a_two_date_run_pass_the_audit(small_sample: Path, tmp_path: Path):
    """Issue 16, done when: the audit passes on both snapshots of a two-as-of run (the second one reads the first
    as its plan of record and earlier forecast)."""
    from planning import runner

    for as_of in ("2026-03-31", "2026-09-30"):
        result = runner.run(regions=["east"], data_dir=str(small_sample), out_root=tmp_path, as_of=as_of)
        assert result.ok, [(r.step, r.error) for r in result.results if r.error]
        checked = audit(str(tmp_path / as_of))
        written = pd.read_csv(store.audit_path(tmp_path / as_of))
        failed = written.query("status == 'fail'")
        assert checked.exit_code == 0 and failed.empty, (as_of, failed[["check", "values"]].to_string())


def _superstore() -> Path | None:
    from benchmarks.forecast import superstore_dir

    return superstore_dir()[0]


@pytest.mark.slow
@pytest.mark.skipif(_superstore() is None, reason="the Superstore export (../shared/data/superstore) is absent")
def test_the_superstore_example_passes_the_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Issue 16, done when: the audit passes on the Superstore example (a real public export, examples/superstore)."""
    from planning import config, runner

    monkeypatch.setenv("SUPERSTORE_DIR", str(_superstore()))
    result = runner.run(params_dir=config.PROJECT_ROOT / "examples" / "superstore" / "params", out_root=tmp_path)
    assert result.ok, [(r.region, r.step, r.error) for r in result.results if r.error]
    checked = audit(str(result.snapshot))
    failed = pd.read_csv(store.audit_path(result.snapshot)).query("status == 'fail'")
    assert checked.exit_code == 0 and failed.empty, failed[["region", "check", "values"]].to_string()


@pytest.mark.slow
def test_the_run_writes_the_audit_and_the_index_names_every_failure(sample_snapshot: Path):
    # The run audits the snapshot it publishes: audit.csv beside the manifest, the index's first section.
    written = pd.read_csv(store.audit_path(sample_snapshot))
    failed = written[written["status"] == "fail"]
    index = (sample_snapshot / "index.html").read_text(encoding="utf-8")
    assert 'section class="audit audit-pass"' in index
    assert f"{len(written)} checks: " in index and f"{len(failed)} fail" in index
    for check, values in zip(failed["check"], failed["values"], strict=True):
        assert f"<td>{display.audit_check(check)}</td>" in index and html.escape(values) in index
    assert index.index('class="audit') < index.index('class="rollup"')
    # Each region's review report audits its region.
    review = (sample_snapshot / "east" / "05_review.html").read_text(encoding="utf-8")
    assert "Plan audit" in review and "pass, no contradiction" in review
