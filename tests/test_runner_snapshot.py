"""planning.runner.snapshot: the headline of a region, the step inputs `--resume` compares, the manifest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from planning import contracts, params, store
from planning.runner import snapshot
from planning.runner.results import RunResult, StepResult

_BLANK = {"float": 0.0, "int": 0, "bool": False}


def write(region: Path, name: str, **columns: list) -> None:
    """Artefact `name` with the given columns, the contract's other columns blank."""
    n = len(next(iter(columns.values())))
    kinds = contracts.ARTIFACTS[name].columns
    frame = pd.DataFrame({c: columns.get(c, [_BLANK.get(k, "")] * n) for c, k in kinds.items()})
    store.write_artifact(region, name, frame)


def test_headline_reads_the_artefacts_through_the_store(tmp_path: Path):
    region = tmp_path / "east"
    assert snapshot.headline(region) == {}  # no step ran: the index shows dashes
    write(region, "targets", level=["year", "quarter"], target=[120.0, 30.0])
    write(region, "plan_vs_actual", level=["ytd", "month"], plan=[80.0, 10.0], actual=[60.0, 9.0])
    write(region, "kpis", kpi=["a", "b", "c"], status=["green", "red", "red"])
    assert snapshot.headline(region) == {
        "plan_target": 120.0,
        "ytd_plan": 80.0,
        "ytd_actual": 60.0,
        "completion": 0.75,
        "kpi_lights": {"green": 1, "yellow": 0, "red": 2},
    }


def test_step_inputs_change_with_params_data_or_notebook(tmp_path: Path):
    nb = tmp_path / "01.ipynb"
    nb.write_text("{}")
    base = snapshot.step_inputs(b"{}", {"orders": "x"}, nb)
    assert set(base) == {"params", "data", "notebook"}
    assert snapshot.step_inputs(b"{}", {"orders": "x"}, nb) == base
    assert snapshot.step_inputs(b"{ }", {"orders": "x"}, nb)["params"] != base["params"]
    assert snapshot.step_inputs(b"{}", {"orders": "y"}, nb)["data"] != base["data"]
    nb.write_text("{ }")
    assert snapshot.step_inputs(b"{}", {"orders": "x"}, nb)["notebook"] != base["notebook"]


def test_manifest_is_incomplete_when_a_step_failed(tmp_path: Path):
    ri = params.resolve("east")
    results = [
        StepResult("east", "01_market_analysis", "ok", 1.0),
        StepResult("east", "02_goals", "failed", 2.0),
    ]
    inputs = {s.step: {"params": "p"} for s in results}
    entry = snapshot.region_entry(ri, "data", tmp_path / "east", results, inputs)
    assert entry["params"]["region"]["key"] == "east" and entry["params_files"][1].endswith("east.yaml")
    assert entry["steps"]["02_goals"] == {
        "status": "failed",
        "duration_s": 2.0,
        "error": None,
        "inputs": {"params": "p"},
    }
    result = RunResult(tmp_path / "2026-09-30", results)
    m = snapshot.manifest(
        result, {"east": entry}, started_at=datetime(2026, 10, 1, tzinfo=UTC), wall_s=3.456, workers=1,
        commit="abc", steps=["01_market_analysis", "02_goals"], fingerprints={}, data_warnings=[], previous=None,
    )  # fmt: skip
    assert (m["snapshot"], m["status"], m["wall_s"], m["started_at"]) == (
        "2026-09-30",
        "incomplete",
        3.46,
        "2026-10-01T00:00:00+00:00",
    )
    assert "resumed_from" not in m and {"python", "pandas"} <= set(m["versions"])


def test_report_meta_is_in_the_report_language():
    p = params.resolve("east", language="zh").params
    meta = snapshot.report_meta(p, "abc")
    assert meta["company"] == p.company.name_zh and meta["region_name"] == p.region.name_zh
    assert (meta["as_of"], meta["commit"], meta["language"]) == (p.as_of.isoformat(), "abc", "zh")


@pytest.mark.adversarial
def test_error_notebook_points_into_the_published_snapshot(tmp_path: Path):
    """It named the notebook in the hidden work folder, deleted once published (issue 18, case 9); a carried-over
    region's entry (a resumed run) is pointed at the snapshot as well."""
    work = tmp_path / ".2026-09-30.tmp-1-abc"
    err = {"type": "RuntimeError", "message": "boom", "notebook": str(work / "east" / "02_goals.ipynb")}
    results = [StepResult("east", "02_goals", "failed", 1.0, dict(err))]
    entries = {
        "east": {"steps": {"02_goals": {"status": "failed", "error": results[0].error}}},
        "north": {"steps": {"01_market_analysis": {"status": "failed", "error": dict(err)}}},
    }
    final = tmp_path / "2026-09-30"
    m = snapshot.manifest(
        RunResult(final, results), entries, started_at=datetime(2026, 10, 1, tzinfo=UTC), wall_s=1.0, workers=1,
        commit="abc", steps=["02_goals"], fingerprints={}, data_warnings=[], previous=None,
    )  # fmt: skip
    assert m["regions"]["east"]["steps"]["02_goals"]["error"]["notebook"] == str(
        final / "east" / "02_goals.ipynb"
    )
    north = m["regions"]["north"]["steps"]["01_market_analysis"]["error"]["notebook"]
    assert north == str(final / "north" / "01_market_analysis.ipynb")
    assert results[0].error["notebook"] == str(final / "east" / "02_goals.ipynb")
