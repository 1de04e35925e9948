"""The sample run's artefacts, pinned byte for byte.

A restructuring must not change a single number: every artefact CSV of the shared small-sample run (two regions,
five steps) is hashed and compared with `tests/pinned/artifacts.sha256`. A change that is meant to change numbers
refreshes the list deliberately and says why in its commit:

    PIN_ARTIFACTS=write .venv/bin/pytest tests/test_pinned_artifacts.py

Every file is pinned whole: the forecast's prediction intervals (`forecast.csv` `lower`, `upper`), once simulated
with fresh randomness and left out of the hash, are drawn with a fixed seed since issue 18 (docs/artifacts.md
"Reruns").
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PINNED = Path(__file__).parent / "pinned" / "artifacts.sha256"


def artifact_hashes(snapshot: Path) -> dict[str, str]:
    """{"<region>/artifacts/<name>.csv": sha256} of every artefact in `snapshot`, byte for byte."""
    return {
        path.relative_to(snapshot).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(snapshot.glob("*/artifacts/*.csv"))
    }


def test_sample_run_artifacts_are_unchanged(sample_snapshot: Path) -> None:
    got = artifact_hashes(sample_snapshot)
    if os.environ.get("PIN_ARTIFACTS") == "write":
        PINNED.write_text("".join(f"{h}  {name}\n" for name, h in got.items()), encoding="utf-8")
    pinned = dict(reversed(line.split("  ", 1)) for line in PINNED.read_text(encoding="utf-8").splitlines())
    assert sorted(got) == sorted(pinned), "artefact files added or removed"
    changed = [name for name in pinned if got[name] != pinned[name]]
    assert not changed, f"artefacts changed: {changed}"
