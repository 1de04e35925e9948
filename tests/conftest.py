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


SAMPLE_REGIONS = ("east", "northeast")  # on plan, and behind plan and losing share: both stories


@pytest.fixture(scope="session")
def sample_run(small_sample: Path, tmp_path_factory: pytest.TempPathFactory):
    """One real run of all five steps for two regions of the small sample, shared by every smoke test: its
    RunResult. Tests must only read it."""
    from planning import runner

    root = tmp_path_factory.mktemp("snapshots")
    result = runner.run(regions=list(SAMPLE_REGIONS), data_dir=str(small_sample), out_root=root, workers=2)
    failed = [(r.region, r.step, (r.error or {}).get("message")) for r in result.results if r.status != "ok"]
    assert not failed, failed
    return result


@pytest.fixture(scope="session")
def sample_snapshot(sample_run) -> Path:
    """The published snapshot folder (`<root>/<as-of>/`) of `sample_run`. Tests must only read it."""
    return sample_run.snapshot


@pytest.fixture(scope="session")
def small() -> dict:
    """The sample company's tables at the small scale, generated once (tests/frames_sample.py)."""
    from frames_sample import small_company

    return small_company()


@pytest.fixture(scope="session")
def full() -> dict:
    """The sample company's tables at full scale, generated once (tests/frames_sample.py)."""
    from frames_sample import full_company

    return full_company()
