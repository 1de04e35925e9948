"""planning.runner.ahead: each region audited as soon as its steps are done, the same rows as at the end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from planning import audit, store
from planning.audit.snapshot import audit_ahead
from planning.runner.ahead import AuditAhead
from planning.runner.results import StepResult


def test_the_runs_audit_equals_the_audit_read_at_the_end(sample_snapshot: Path, tmp_path: Path):
    manifest = store.read_manifest(sample_snapshot)
    at_end = audit.audit_snapshot(sample_snapshot, manifest)
    store.write_audit(tmp_path, at_end)
    # the run wrote its audit.csv from the regions audited while it ran (runner.ahead): the very same bytes
    assert store.audit_path(sample_snapshot).read_bytes() == store.audit_path(tmp_path).read_bytes()
    ahead = {r: audit_ahead(sample_snapshot / r) for r in manifest["regions"]}
    pd.testing.assert_frame_equal(audit.audit_snapshot(sample_snapshot, manifest, ahead), at_end)
    partly = {r: a for r, a in list(ahead.items())[:1]}  # a region not audited ahead is read at the end
    pd.testing.assert_frame_equal(audit.audit_snapshot(sample_snapshot, manifest, partly), at_end)


def test_each_region_comes_back_audited_with_its_last_step(sample_run, tmp_path: Path):
    """On the process pool the worker audits a region (the review step's own audit, kept in the worker) and
    sends it with the region's last step; the run used those audits, which equal a fresh read of the region."""
    last = {r.region: r for r in sample_run.results if r.step == "05_review"}
    assert sorted(last) == sorted(sample_run.ahead)
    for region, result in last.items():
        assert result.audit is not None and sample_run.ahead[region] is not None
        copy = shutil.copytree(sample_run.snapshot / region, tmp_path / region)  # another path: read anew
        fresh = audit_ahead(copy)
        assert fresh is not result.audit
        assert (sample_run.ahead[region].rows, sample_run.ahead[region].bad) == (fresh.rows, fresh.bad)
        assert sample_run.ahead[region].present == fresh.present
    assert [r.audit for r in sample_run.results if r.step != "05_review"] == [None] * (4 * len(last))


def test_an_audit_a_worker_sent_is_used_as_it_is(sample_snapshot: Path):
    region = next(iter(store.read_manifest(sample_snapshot)["regions"]))
    sent = audit_ahead(sample_snapshot / region)
    ahead = AuditAhead(sample_snapshot, {region: ["04_resources", "05_review"]})
    ahead.saw([StepResult(region, "04_resources", "ok"), StepResult(region, "05_review", "ok", audit=sent)])
    assert ahead.finish()[region] is sent


def test_a_region_is_audited_once_all_its_steps_have_reported(sample_snapshot: Path):
    regions = list(store.read_manifest(sample_snapshot)["regions"])
    ahead = AuditAhead(
        sample_snapshot, {regions[0]: ["01_market_analysis", "02_goals"], regions[1]: ["05_review"]}
    )
    ahead.saw([StepResult(regions[0], "01_market_analysis", "ok"), StepResult("elsewhere", "01", "ok")])
    ahead.saw([StepResult(regions[1], "05_review", "failed")])
    done = ahead.finish()
    assert list(done) == [regions[1]]  # the first region still waits for its 02_goals
    assert done[regions[1]].rows == audit_ahead(sample_snapshot / regions[1]).rows


def test_the_quota_workbooks_written_during_the_run_equal_those_written_at_the_end(
    sample_snapshot: Path, tmp_path: Path
):
    from planning.handover import workbook

    copy = Path(shutil.copytree(sample_snapshot, tmp_path / sample_snapshot.name))
    manifest = store.read_manifest(copy)
    books = sorted(copy.glob("*/quotas.xlsx"))
    assert [b.parent.name for b in books] == sorted(manifest["regions"])  # the run wrote each region's
    for b in [*books, store.quotas_path(copy)]:
        b.unlink()
    workbook.write_all(copy, manifest)  # all of them at the end, as before runner.ahead
    for b in books:
        assert b.read_bytes() == (sample_snapshot / b.parent.name / b.name).read_bytes(), b
    assert store.quotas_path(copy).read_bytes() == store.quotas_path(sample_snapshot).read_bytes()
    # what runner.ahead knows of the manifest before the run: the snapshot's name and the regions' params
    known = {
        "snapshot": manifest["snapshot"],
        "regions": {r: {"params": e["params"]} for r, e in manifest["regions"].items()},
    }
    for b in books:
        b.unlink()
    ahead = AuditAhead(copy, {r: ["05_review"] for r in manifest["regions"]}, known)
    ahead.saw([StepResult(r, "05_review", "ok") for r in manifest["regions"]])
    ahead.finish()
    assert sorted(ahead.books) == sorted(manifest["regions"])
    for b in books:
        assert b.read_bytes() == (sample_snapshot / b.parent.name / b.name).read_bytes(), b
