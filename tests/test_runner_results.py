"""planning.runner.results: a run is ok only when every step is, and its exit code says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from planning import runner
from planning.runner.results import RunResult, StepResult


def test_exit_codes_follow_the_step_results():
    ok = RunResult(Path("s"), [StepResult("east", "01_market_analysis", "ok", 1.0)])
    assert ok.ok and ok.exit_code == runner.EXIT_OK == 0
    ok.results.append(StepResult("east", "02_goals", "skipped"))
    assert not ok.ok and ok.exit_code == runner.EXIT_FAILED == 1
    assert (runner.EXIT_BAD_INPUT, runner.EXIT_INTERRUPTED) == (2, 130)


def test_progress_lines_name_region_step_and_error(capsys: pytest.CaptureFixture[str]):
    runner.print_progress(
        [
            StepResult("east", "01_market_analysis", "ok", 1.25),
            StepResult("north", "02_goals", "failed", 2.0, {"message": "boom"}),
        ]
    )
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].split() == ["[ok", "]", "east", "01_market_analysis", "1.2", "s"]
    assert "[FAILED] north" in lines[1] and lines[1].endswith("boom")
