"""planning.runner.checks: what stops a run before any kernel starts (the data checks: tests/test_reliability.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning import config, store
from planning.errors import ParamsError, UnsafePath
from planning.runner import checks


def test_out_root_may_not_hold_the_run_inputs(tmp_path: Path):
    assert checks.check_out_root(tmp_path / "out", [tmp_path / "data"]) == tmp_path / "out"
    with pytest.raises(UnsafePath, match="holds inputs"):
        checks.check_out_root(tmp_path / "data" / "out", [tmp_path / "data"])
    with pytest.raises(UnsafePath, match="holds inputs"):
        checks.check_out_root(config.PARAMS_DIR / "out", [])


def test_only_a_snapshot_is_replaceable(tmp_path: Path):
    folder = tmp_path / "2026-09-30"
    folder.mkdir()
    with pytest.raises(UnsafePath, match="not a snapshot"):
        checks.check_replaceable(folder)
    store.write_manifest(folder, {"status": "complete"})
    checks.check_replaceable(folder)
    link = tmp_path / "link"
    link.symlink_to(folder)
    with pytest.raises(UnsafePath, match="not a snapshot"):
        checks.check_replaceable(link)


# ------------------------------------------------------------------------ issue 18: paths and unsafe input
@pytest.mark.adversarial
def test_every_folder_is_made_absolute_before_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A relative folder reached the kernels (which run in the notebooks folder) unresolved (issue 18, case 1)."""
    monkeypatch.chdir(tmp_path)
    got = checks.absolute("relout", "--out", UnsafePath)
    assert got.is_absolute() and got == tmp_path.resolve() / "relout"
    assert checks.absolute(Path("a/../b"), "--params") == tmp_path.resolve() / "b"
    with pytest.raises(UnsafePath, match="--out 'o\\\\x00ut': a path may not contain a NUL"):
        checks.absolute("o\x00ut", "--out", UnsafePath)


def _outs_holding_the_project() -> dict[str, Path]:
    return {
        "file system root": Path("/"),
        "project root": config.PROJECT_ROOT,
        "home folder": Path.home(),
        "folder holding the home folder": Path.home().parent,
        "folder holding planning/": config.PACKAGE_DIR.parent,
        "folder holding params/": config.PARAMS_DIR.parent,
    }


@pytest.mark.adversarial
@pytest.mark.parametrize("case", list(_outs_holding_the_project()))
def test_out_root_may_not_hold_the_project_or_the_home_folder(case: str):
    """`--out /` and `--out <project root>` were accepted and written to (issue 18, case 6)."""
    out = _outs_holding_the_project()[case]
    with pytest.raises(UnsafePath, match=r"expected a separate folder") as exc:
        checks.check_out_root(out, [])
    assert str(exc.value).startswith(f"--out {out}: ")


@pytest.mark.adversarial
def test_out_root_may_not_hold_the_runs_own_params_or_notebooks(tmp_path: Path):
    project = tmp_path / "plan"
    with pytest.raises(UnsafePath, match=r"holds .*params \(the project's own files"):
        checks.check_out_root(project, [project / "params", tmp_path / "nbs"])
    with pytest.raises(UnsafePath, match=r"holds .*nbs"):
        checks.check_out_root(tmp_path, [tmp_path / "nbs"])
    # beside them is fine, and so is a data folder inside the snapshot root (~/plans/data, --out ~/plans)
    assert checks.check_out_root(project / "out", [project / "params"], [project / "out" / "data"])


@pytest.mark.adversarial
@pytest.mark.parametrize("workers", [-1, 65, 1000])
def test_workers_outside_the_params_range_are_bad_input(workers: int):
    with pytest.raises(ParamsError, match=rf"--workers {workers}: out of range; expected 0 to 64"):
        checks.check_workers(workers)


def test_workers_within_the_range_pass():
    for workers in (None, 0, 1, 64):
        checks.check_workers(workers)


@pytest.mark.adversarial
def test_notebooks_folder_and_each_step_notebook_must_exist(tmp_path: Path):
    """A missing notebooks folder failed every step at run time (exit 1) instead of exit 2 (issue 18, case 6)."""
    steps = list(config.STEPS)
    with pytest.raises(ParamsError, match=rf"--notebooks {tmp_path / 'nope'}: folder not found"):
        checks.check_notebooks(tmp_path / "nope", steps)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ParamsError, match="is a file, not a folder"):
        checks.check_notebooks(tmp_path / "afile", steps)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    (nbs / f"{steps[0]}.ipynb").write_text("{}")
    (nbs / f"{steps[1]}.ipynb").mkdir()
    checks.check_notebooks(nbs, steps[:1])
    with pytest.raises(
        ParamsError, match=rf"{steps[1]}.ipynb: is a folder, not a file; expected the notebook"
    ):
        checks.check_notebooks(nbs, steps[:2])
    with pytest.raises(ParamsError, match=rf"{steps[2]}.ipynb: not found"):
        checks.check_notebooks(nbs, [steps[2]])


@pytest.mark.adversarial
def test_a_snapshot_that_is_a_symlink_is_reported_as_one(tmp_path: Path):
    """It was reported as "no manifest.json", though the target had one (issue 18, case 6)."""
    real = tmp_path / "real"
    real.mkdir()
    store.write_manifest(real, {"status": "complete"})
    link = tmp_path / "2026-09-30"
    link.symlink_to(real)
    with pytest.raises(UnsafePath, match=rf"{link}: is a symlink \(to {real}\), not a snapshot folder"):
        checks.check_replaceable(link)
    assert store.read_manifest(real) == {"status": "complete"}
