"""planning.runner.run: snapshot layout, isolation of a failing step, manifest, bad input stops the run.

Fast tests run fault-injected stand-in notebooks (no step logic); one slow test runs the real five steps for two
regions of the small sample company.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from frames_runner import FAIL_NORTH_STEP2, OK_BODY, run

from planning import config
from planning.errors import ParamsError


@pytest.fixture
def data_dir(small_sample: Path) -> Path:
    return small_sample


def test_snapshot_layout_manifest_and_clean_namespace(tmp_path: Path, data_dir: Path):
    result = run(tmp_path, OK_BODY, data_dir, workers=2)
    snap = tmp_path / "out" / "2026-09-30"
    assert result.ok and result.exit_code == 0 and result.snapshot == snap
    assert (snap / "index.html").is_file()
    for region in ("east", "north"):
        for step in config.STEPS:
            assert (snap / region / f"{step}.ipynb").is_file()
            assert (snap / region / f"{step}.html").is_file()
            # one kernel serves the region, but every notebook starts with an empty namespace
            assert (snap / region / "artifacts" / f"{step}.txt").read_text() == f"{region} None"
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["regions"]["north"]["params"]["region"]["key"] == "north"
    assert manifest["regions"]["east"]["steps"]["03_strategy"]["status"] == "ok"
    assert set(manifest["versions"]) >= {"python", "pandas", "papermill"}
    assert manifest["commit"]
    # nothing else is left in the snapshot root: no temp folders
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-09-30"]


def test_failing_step_is_isolated_and_recorded(tmp_path: Path, data_dir: Path):
    result = run(tmp_path, FAIL_NORTH_STEP2, data_dir, workers=2)
    assert not result.ok and result.exit_code == 1
    status = {(r.region, r.step): r.status for r in result.results}
    assert all(status[("east", s)] == "ok" for s in config.STEPS)
    assert status[("north", "01_market_analysis")] == "ok"
    assert status[("north", "02_goals")] == "failed"
    assert status[("north", "03_strategy")] == "skipped"
    snap = tmp_path / "out" / "2026-09-30"
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["status"] == "incomplete"
    err = manifest["regions"]["north"]["steps"]["02_goals"]["error"]
    assert err["ename"] == "RuntimeError" and "boom in north" in err["message"]
    # the failed notebook is kept, with the error in it, and rendered
    failed_nb = nbformat.read(snap / "north" / "02_goals.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in failed_nb.cells for o in c.get("outputs", []))
    assert (snap / "north" / "02_goals.html").is_file()


def test_bad_parameters_stop_before_anything_is_written(tmp_path: Path, data_dir: Path):
    pdir = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, pdir, ignore=shutil.ignore_patterns("local.yaml"))
    (pdir / "north.yaml").write_text("goals:\n  buffer: 0.8\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="north.yaml: key 'goals.buffer' = 0.8"):
        run(tmp_path, OK_BODY, data_dir, params_dir=pdir)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_real_steps_for_two_regions(sample_snapshot: Path):
    from planning import contracts

    manifest = json.loads((sample_snapshot / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["regions"]) == 2
    for region in manifest["regions"]:
        for name, contract in contracts.ARTIFACTS.items():
            step, columns = contract.step, tuple(contract.columns)
            path = sample_snapshot / region / "artifacts" / f"{name}.csv"
            assert path.is_file(), f"{region}: {step} did not write {name}.csv"
            header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
            assert set(columns) <= set(header), (name, set(columns) - set(header))
        for step in config.STEPS:
            assert (sample_snapshot / region / f"{step}.html").stat().st_size < 3_000_000
    assert manifest["regions"]["east"]["headline"].get("plan_target", 0) > 0
