"""planning.runner.publish: an existing snapshot is kept, or replaced whole; the atomic swap."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from frames_runner import OK_BODY, run

from planning import runner
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
