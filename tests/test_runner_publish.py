"""planning.runner.publish: an existing snapshot is kept, or replaced whole; the atomic swap."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from frames_runner import FAIL_NORTH_STEP2, OK_BODY, run
from stand_ins import notebooks as stand_in_notebooks

from planning import runner, store
from planning.errors import SnapshotExists
from planning.runner import publish


@pytest.fixture
def data_dir(small_sample: Path) -> Path:
    return small_sample


def test_existing_snapshot_is_kept_without_force_and_replaced_whole_with_force(
    tmp_path: Path, data_dir: Path
):
    run(tmp_path, OK_BODY, data_dir, workers=1, steps=["01"])
    snap = tmp_path / "out" / "2026-09-30"
    before = (snap / "manifest.json").read_bytes()
    with pytest.raises(SnapshotExists, match="--force"):  # a full run (no --region, no --step)
        runner.run(
            data_dir=str(data_dir), out_root=tmp_path / "out", notebooks_dir=tmp_path / "nbs", workers=1
        )
    assert (snap / "manifest.json").read_bytes() == before
    run(tmp_path, OK_BODY, data_dir, workers=1, steps=["01", "02"], force=True)
    assert (snap / "east" / "02_goals.html").is_file()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-09-30"]


def test_publish_renames_into_place_and_swaps_an_existing_snapshot(tmp_path: Path):
    tmp = publish.work_dir(tmp_path, "2026-09-30")
    assert tmp.name.startswith(".2026-09-30.tmp-") and tmp.parent == tmp_path
    (tmp / "new.txt").write_text("new")
    final = tmp_path / "2026-09-30"
    publish.publish(tmp, final, replace=False)
    assert (final / "new.txt").read_text() == "new" and not tmp.exists()
    tmp2 = publish.work_dir(tmp_path, "2026-09-30")
    (tmp2 / "newer.txt").write_text("newer")
    with pytest.raises(SnapshotExists, match="appeared while this run was working"):
        publish.publish(tmp2, final, replace=False)
    publish.publish(tmp2, final, replace=True)
    assert sorted(p.name for p in final.iterdir()) == ["newer.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-09-30"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_swaps_two_folders(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    if publish.exchange(a, b):  # False where the file system cannot
        assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


def test_work_dirs_of_dead_runs_are_swept(tmp_path: Path):
    dead = tmp_path / ".2026-09-30.tmp-999999999-abc"  # no such pid
    dead.mkdir()
    user = tmp_path / ".keep"
    user.mkdir()
    publish.sweep_dead_work_dirs(tmp_path)
    assert not dead.exists() and user.exists()


def test_a_named_scenarios_work_dir_is_published_as_its_own_folder_and_swept_when_dead(tmp_path: Path):
    work = publish.work_dir(tmp_path, "2026-09-30+buffer-17")
    assert publish.published_path(work) == tmp_path / "2026-09-30+buffer-17"  # not the plan's 2026-09-30
    dead = tmp_path / ".2026-09-30+buffer-17.tmp-999999999-abc"
    dead.mkdir()
    publish.sweep_dead_work_dirs(tmp_path)
    assert not dead.exists() and work.exists()  # this process's own folder stays


# ------------------------------------------------------------------------ issue 18: paths and records
@pytest.mark.adversarial
def test_relative_out_runs_and_force_over_it_keeps_a_complete_snapshot(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    """With a relative --out every notebook failed (the temp path reached the kernel, which runs in the notebooks
    folder, unresolved) and --force replaced a complete snapshot by one with 0/5 ok (issue 18, case 1)."""
    stand_in_notebooks(tmp_path / "nbs", OK_BODY)
    monkeypatch.chdir(tmp_path)
    common = {"regions": ["east"], "steps": ["01", "02"], "workers": 1, "notebooks_dir": "nbs"}
    first = runner.run(data_dir=os.path.relpath(data_dir), out_root="relout", **common)
    assert first.ok, [r.error for r in first.results]
    snap = tmp_path / "relout" / "2026-09-30"
    assert first.snapshot == snap.resolve() and first.snapshot.is_absolute()
    assert store.read_manifest(snap)["status"] == "complete"
    second = runner.run(data_dir=str(data_dir), out_root=Path("relout"), force=True, **common)
    assert second.ok, [r.error for r in second.results]
    assert store.read_manifest(snap)["status"] == "complete"
    assert (snap / "east" / "artifacts" / "02_goals.txt").is_file()
    assert sorted(os.listdir(tmp_path / "relout")) == ["2026-09-30"]


@pytest.mark.adversarial
def test_error_notebook_names_the_notebook_in_the_published_snapshot(tmp_path: Path, data_dir: Path):
    """`error.notebook` pointed into the deleted temp folder (issue 18, case 9)."""
    result = run(tmp_path, FAIL_NORTH_STEP2, data_dir, workers=1, steps=["01", "02"])
    error = store.read_manifest(result.snapshot)["regions"]["north"]["steps"]["02_goals"]["error"]
    published = result.snapshot / "north" / "02_goals.ipynb"
    assert error["notebook"] == str(published) and published.is_file()
    assert "boom in north" in published.read_text()
    failed = [r for r in result.results if r.status == "failed"]
    assert [r.error["notebook"] for r in failed] == [str(published)]


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.adversarial
def test_published_snapshot_honours_the_umask(tmp_path: Path, umask_022):
    """Snapshot folders were published mode 700 (tempfile.mkdtemp), the manifest and artefacts 600 (mkstemp):
    other users of a shared reports server could not read them (issue 18, case 9)."""
    assert publish.umask() == 0o022
    tmp = publish.work_dir(tmp_path / "out", "2026-09-30")
    (tmp / "east" / "artifacts").mkdir(parents=True)
    store.write_json(tmp / "east" / "artifacts" / "x.json", {})  # a temp file renamed: 600
    store.write_manifest(tmp, {"status": "complete"})
    (tmp / "link").symlink_to("/nonexistent")
    final = tmp_path / "out" / "2026-09-30"
    publish.publish(tmp, final, replace=False)
    modes = {
        str(p.relative_to(final)): stat.S_IMODE(p.lstat().st_mode)
        for p in [final, *final.rglob("*")]
        if not p.is_symlink()
    }
    assert modes == {
        ".": 0o755,
        "east": 0o755,
        "east/artifacts": 0o755,
        "east/artifacts/x.json": 0o644,
        "manifest.json": 0o644,
    }


@pytest.mark.adversarial
def test_a_strict_umask_is_honoured_too(tmp_path: Path):
    old = os.umask(0o077)
    try:
        tmp = publish.work_dir(tmp_path, "2026-09-30")
        (tmp / "f").write_text("x")
        os.chmod(tmp / "f", 0o666)
        publish.publish(tmp, tmp_path / "2026-09-30", replace=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "2026-09-30").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "2026-09-30" / "f").stat().st_mode) == 0o600
