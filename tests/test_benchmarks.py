"""Smoke tests of the performance harness (benchmarks/): its parts work and measure what they claim.

The benchmarks themselves are not run here (minutes); `python -m benchmarks --quick` does that.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]

from benchmarks import aggregates, floor, measure, whatif  # noqa: E402
from benchmarks import run as bench_run  # noqa: E402


# ------------------------------------------------------------------------------------------------ table
def test_figure_pass_fail_and_informative() -> None:
    assert bench_run.Figure("a", "a", 7.0, "x", ">=", 6.0).passed is True
    assert bench_run.Figure("a", "a", 5.9, "x", ">=", 6.0).passed is False
    assert bench_run.Figure("a", "a", 3.0, "MB", "<", 3.0).passed is False  # strict: 3.0 is not under 3
    assert bench_run.Figure("a", "a", None, "s", "<=", 1.0).passed is False  # not measured = not passed
    assert bench_run.Figure("a", "a", 1.0, "s").passed is None
    assert bench_run.Figure("a", "a", 21.74, "ms", "<=", 50.0).target_text() == "<= 50.0 ms"


def test_results_json_and_markdown(tmp_path: Path) -> None:
    cfg = bench_run.Config(
        quick=True, regions=["east"], scale=0.1, large_scale=2.0, large_region="east", workers=2, repeat=1,
        whatif_repeat=3, reps=1000, customers=100_000, work=tmp_path / "work", keep=False, only=["whatif"],
    )  # fmt: skip
    b = bench_run.Bench(cfg)
    b.add("ok", "a passing figure", 10.0, "ms", "<=", 50.0)
    b.add("bad", "a failing figure", 2.5, "x", "<=", 2.0, note="why")
    b.add("info", "an informative figure", 1.5, "s")
    out = bench_run.write_results(b, tmp_path / "latest.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["passed"] for f in doc["figures"]] == [True, False, None]
    assert doc["mode"] == "quick" and doc["machine"]["cores"] >= 1
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "| a failing figure (why) | 2.50 x | <= 2.00 x | **FAIL** |" in md
    assert "| an informative figure | 1.50 s |  |  |" in md


# ------------------------------------------------------------------------------------------------ measuring
def test_median_time_counts_warmup_and_repeats() -> None:
    calls = []
    med, samples = measure.median_time(lambda: calls.append(1), repeat=5, warmup=2)
    assert len(calls) == 7 and len(samples) == 5 and min(samples) <= med <= max(samples)


def test_peak_memory_covers_grandchildren() -> None:
    # The grandchild holds 200 MB for a second; its parent holds nothing: only a tree sum sees 200 MB.
    inner = "x = bytearray(200_000_000); import time; time.sleep(1.0)"
    outer = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {inner!r}], check=True)"
    t = measure.run_timed([sys.executable, "-c", outer], interval=0.05).check()
    assert t.peak_memory >= 200_000_000 and t.peak_resident >= 200_000_000
    assert t.peak_memory < 1_000_000_000
    assert t.seconds >= 1.0


def test_failed_command_raises_with_its_output() -> None:
    t = measure.run_timed([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])
    assert t.returncode == 3
    with pytest.raises(RuntimeError, match="exit code 3"):
        t.check()


# ------------------------------------------------------------------------------------------------ floor
NOTEBOOK = """\
# %% tags=["parameters"]
x: int = 1  # a parameter
out: str = ""  # where to write

# %%
from IPython.display import display

display("shown in a kernel, nothing in the floor")
y = x * 2

# %%
from pathlib import Path

Path(out).write_text(str(y))
"""


def test_floor_injects_parameters_after_the_parameters_cell(tmp_path: Path, monkeypatch) -> None:
    import IPython.core.display_functions as display_functions
    import IPython.display as ipy_display

    # restore IPython's display after the test: stub_display replaces it process-wide
    monkeypatch.setattr(ipy_display, "display", ipy_display.display)
    monkeypatch.setattr(display_functions, "display", display_functions.display)
    nb = tmp_path / "nb.py"
    nb.write_text(NOTEBOOK, encoding="utf-8")
    cells = floor.notebook_cells(nb)
    assert [is_params for is_params, _ in cells] == [True, False, False]
    floor.stub_display()
    assert ipy_display.display("anything") is None
    floor.execute(cells, {"x": 21, "out": str(tmp_path / "y.txt")}, "nb")
    assert (tmp_path / "y.txt").read_text() == "42"  # 21 * 2: the injected value, not the default 1


def test_floor_rejects_magics(tmp_path: Path) -> None:
    nb = tmp_path / "nb.py"
    nb.write_text('# %% tags=["parameters"]\nx: int = 1\n\n# %%\n%reset -f\n', encoding="utf-8")
    with pytest.raises(ValueError, match="magic"):
        floor.notebook_cells(nb)


def test_floor_reads_every_step_notebook() -> None:
    from planning import config

    for step in config.STEPS:
        cells = floor.notebook_cells(config.NOTEBOOKS_DIR / f"{step}.py")
        assert sum(p for p, _ in cells) == 1, step  # exactly one parameters cell to inject after


# ------------------------------------------------------------------------------------------------ what-if
@dataclass
class _Inputs:
    roster: pd.DataFrame
    tenure: np.ndarray
    elapsed: np.ndarray
    teams: list[str]
    team_of: np.ndarray
    other: list[str] = field(default_factory=lambda: ["kept"])


def test_widen_repeats_reps_into_teams_of_ten() -> None:
    ros = pd.DataFrame({"rep_id": ["R1", "R2", "R3"], "name": list("abc"), "team": ["t1", "t1", "t2"],
                        "kind": ["current", "current", "hire"], "start": ["2020-01"] * 3,
                        "potential": [0.5, 1.0, 1.5]})  # fmt: skip
    tenure = np.arange(36, dtype=float).reshape(3, 12)
    inp = _Inputs(ros, tenure, tenure / 2, ["t1", "t2"], np.array([0, 0, 1]))
    w = whatif.widen(inp, reps=25, team_size=10)
    assert len(w.roster) == 25 and w.roster["rep_id"].is_unique
    # 25 reps in teams of 10 -> teams of 10, 10, 5
    assert w.teams == ["team-001", "team-002", "team-003"]
    assert np.bincount(w.team_of).tolist() == [10, 10, 5]
    assert w.roster["team"].tolist()[9:11] == ["team-001", "team-002"]
    # rep 4 (index 3) is rep 1 again: same tenure row, kind and potential
    assert (w.tenure[3] == tenure[0]).all() and (w.elapsed[5] == tenure[2] / 2).all()
    assert w.roster["kind"].tolist()[:4] == ["current", "current", "hire", "current"]
    assert w.roster["potential"].sum() == pytest.approx(8 * 3.0 + 0.5)  # 8 full cycles of (0.5+1+1.5) + R1
    assert w.other == ["kept"]
    with pytest.raises(ValueError, match="no quota reps"):
        whatif.widen(_Inputs(ros.iloc[:0], tenure[:0], tenure[:0], [], np.array([], int)), 10)


# ------------------------------------------------------------------------------------------------ aggregates
def test_duckdb_query_computes_the_market_steps_numbers(small_sample: Path) -> None:
    as_of = date(2026, 9, 30)
    f = small_sample / "orders.parquet"
    ours = aggregates.market_side(f, "east", as_of)
    theirs = aggregates.duckdb_side(f, "east", as_of)
    assert aggregates.check_same(ours, theirs) == []
    assert len(theirs["trend"]) > 24 and set(theirs["channel"]["channel"]) <= {"direct", "partner", "online"}
    # negative controls: one order more in a month, a cent more in one product line's month
    t = theirs["trend"].copy()
    t.loc[3, "orders"] += 1
    assert aggregates.check_same(ours, {**theirs, "trend": t}) == ["trend orders differ"]
    pl = theirs["product_line"].copy()
    pl.loc[0, "sales"] += 0.01
    assert aggregates.check_same(ours, {**theirs, "product_line": pl}) == ["product_line: sales differ"]


# ------------------------------------------------------------------------------------------------ smoke
@pytest.mark.slow
def test_floor_runs_a_step_and_writes_its_artifacts(small_sample: Path, tmp_path: Path) -> None:
    from planning import config

    res = floor.run_floor(["east"], ["01_market_analysis"], small_sample, tmp_path, 1, config.NOTEBOOKS_DIR)
    assert res.wall > res.seconds["east"]["01_market_analysis"] > 0
    assert (tmp_path / "east" / "artifacts" / "market_trend.csv").is_file()


@pytest.mark.slow
def test_harness_command_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "benchmarks", "--quick", "--only", "imports", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["figures"][0]["key"] == "import_planning" and doc["figures"][0]["value"] > 0
    assert out.with_suffix(".md").is_file()
    assert "| figure | value | target | pass |" in out.with_suffix(".md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------ forecast
def test_forecast_section_scores_the_sample_and_skips_an_absent_export(
    small_sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from conftest import SAMPLE_REGIONS, SMALL_SCALE

    from benchmarks import forecast as bench_forecast

    monkeypatch.setenv("SUPERSTORE_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(bench_forecast, "ROOT", tmp_path / "project")  # no shared/data above it either
    assert bench_forecast.superstore_dir()[0] is None
    work = tmp_path / "work"
    work.mkdir()
    (work / f"sample-{SMALL_SCALE:g}").symlink_to(small_sample)
    cfg = bench_run.Config(
        quick=True, regions=list(SAMPLE_REGIONS), scale=SMALL_SCALE, large_scale=2.0, large_region="east",
        workers=1, repeat=1, whatif_repeat=3, reps=1000, customers=100_000, work=work, keep=False,
        only=["forecast"],
    )  # fmt: skip
    b = bench_run.Bench(cfg)
    b.forecast()
    out = capsys.readouterr().out
    assert "superstore: skipped: 'Sample - Superstore.csv' not found ($SUPERSTORE_DIR;" in out
    keys = [f.key for f in b.figures]
    assert keys == [*(f"fc_sample_{r}_gain" for r in SAMPLE_REGIONS), "fc_sample_mean_gain", "fc_sample_coverage",
                    "fc_mean_gain", "fc_worst_gain", "fc_coverage_min", "fc_coverage_max"]  # fmt: skip
    details = b.details["forecast"]
    assert details["superstore"]["skipped"].startswith("'Sample - Superstore.csv' not found")
    assert [r["region"] for r in details["sample"]["regions"]] == list(SAMPLE_REGIONS)
    assert details["all"]["months"] == 12 * len(SAMPLE_REGIONS)
    for r in SAMPLE_REGIONS:
        assert f"sample: {r:<10} " in out and len(details["sample"]["months"][r]) == 12
