"""The batch runner: snapshot layout, isolation of a failing step, manifest, atomic publishing.

Fast tests run fault-injected stand-in notebooks (no step logic); one slow test runs the real five steps for two
regions of the small sample company.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from stand_ins import notebooks as stand_in_notebooks

from planning import config, runner
from planning.runner import SnapshotExists

OK_BODY = (
    "from pathlib import Path\n"
    "import json\n"
    "leftover = globals().get('marker')\n"
    "marker = '{step}'\n"
    "art = Path(out_dir) / 'artifacts'\n"
    "art.mkdir(exist_ok=True)\n"
    "(art / '{step}.txt').write_text(f'{{region}} {{leftover}}')\n"
    "print(json.load(open(params_json))['region']['key'])\n"
)
FAIL_NORTH_STEP2 = (
    OK_BODY + "if region == 'north' and '{step}' == '02_goals':\n    raise RuntimeError('boom in north')\n"
)


@pytest.fixture
def data_dir(small_sample: Path) -> Path:
    return small_sample


def run(tmp_path: Path, body: str, data_dir: Path, **kw):
    nbs = stand_in_notebooks(tmp_path / "nbs", body)
    return runner.run(
        regions=["east", "north"], data_dir=str(data_dir), out_root=tmp_path / "out", notebooks_dir=nbs, **kw
    )


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


PID_BODY = (
    OK_BODY + "import os\n"
    "(art / '{step}.pid').write_text(str(os.getpid()))\n"
    "if region == 'north' and '{step}' == '02_goals':\n    raise RuntimeError('boom in north')\n"
)


def test_a_worker_keeps_its_kernel_across_regions_until_a_step_fails(tmp_path: Path, data_dir: Path):
    """One worker runs east, north, south in turn on one kernel with a clean namespace per notebook; north's
    failure discards that kernel, so south starts in a fresh one."""
    nbs = stand_in_notebooks(tmp_path / "nbs", PID_BODY)
    result = runner.run(
        regions=["east", "north", "south"], data_dir=str(data_dir), out_root=tmp_path / "out",
        notebooks_dir=nbs, workers=1,
    )  # fmt: skip
    snap = tmp_path / "out" / "2026-09-30"
    pids = {
        r: {(snap / r / "artifacts" / f"{s}.pid").read_text() for s in config.STEPS[:2]}
        for r in ("east", "north")
    }
    pids["south"] = {(snap / "south" / "artifacts" / f"{s}.pid").read_text() for s in config.STEPS}
    assert len(pids["east"]) == len(pids["south"]) == 1 and pids["east"] == pids["north"]
    assert pids["south"] != pids["east"]
    assert (snap / "south" / "artifacts" / "01_market_analysis.txt").read_text() == "south None"
    assert {(r.region, r.status) for r in result.results if r.status != "ok"} == {
        ("north", "failed"),
        ("north", "skipped"),
    }


def test_existing_snapshot_is_kept_without_force_and_replaced_whole_with_force(
    tmp_path: Path, data_dir: Path
):
    run(tmp_path, OK_BODY, data_dir, workers=1, steps=["01"])
    snap = tmp_path / "out" / "2026-09-30"
    before = (snap / "manifest.json").read_bytes()
    with pytest.raises(SnapshotExists, match="--force"):
        run(tmp_path, OK_BODY, data_dir, workers=1, steps=["01"])
    assert (snap / "manifest.json").read_bytes() == before
    run(tmp_path, OK_BODY, data_dir, workers=1, steps=["01", "02"], force=True)
    assert (snap / "east" / "02_goals.html").is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-09-30"]


def test_bad_parameters_stop_before_anything_is_written(tmp_path: Path, data_dir: Path):
    pdir = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, pdir, ignore=shutil.ignore_patterns("local.yaml"))
    (pdir / "north.yaml").write_text("goals:\n  buffer: 0.8\n", encoding="utf-8")
    from planning.params import ParamsError

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
