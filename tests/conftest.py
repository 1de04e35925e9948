"""Shared fixtures: one small sample company per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

SMALL_SCALE = 0.05  # ~5k order lines, ~150 customers: every step has data, runs take seconds


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the sample company's tables at a small scale (generated once per session)."""
    from planning import sample

    out = tmp_path_factory.mktemp("sample")
    sample.write(out, scale=SMALL_SCALE)
    return out
