"""planning.runner.checks: what stops a run before any kernel starts (the data checks: tests/test_reliability.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning import config, store
from planning.errors import UnsafePath
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
