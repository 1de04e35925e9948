"""planning/params/scenarios.py and `planning run --scenario NAME` (issue 24): a what-if kept under a name runs into
a snapshot of its own, never the plan's, and `planning diff` names the scenario's keys as the cause."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from frames_params import goals_panel
from typer.testing import CliRunner

from planning import config, diff, store
from planning.cli import app
from planning.errors import ParamsError
from planning.params import keep, load, scenarios


@pytest.fixture
def params_dir(tmp_path: Path) -> Path:
    out = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, out, ignore=shutil.ignore_patterns("local.yaml", "scenarios"))
    return out


def _write(params_dir: Path, name: str, text: str) -> Path:
    path = params_dir / "scenarios" / f"{name}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_scenario_is_the_last_layer_and_changes_nothing_else(params_dir: Path):
    (params_dir / "local.yaml").write_text(
        "goals:\n  buffer: 0.11\n  growth_ambition: 0.3\n", encoding="utf-8"
    )
    path = _write(params_dir, "buffer-17", "goals:\n  buffer: 0.17\n")
    base, scenario = load("east", params_dir), load("east", params_dir, scenario="buffer-17")
    assert (base.params.goals.buffer, scenario.params.goals.buffer) == (0.11, 0.17)
    assert scenario.params.goals.growth_ambition == 0.3 and scenario.files[-1] == path
    assert scenario.params.model_copy(update={"goals": base.params.goals}) == base.params
    assert scenarios.names(params_dir) == ["buffer-17"]
    assert load("east", params_dir).params.goals.buffer == 0.11  # no scenario: the plan's parameters
    assert path not in load("east", params_dir).files


@pytest.mark.parametrize(
    "name, text, fragment",
    [
        ("Buffer 17", None, "--scenario: scenario name 'Buffer 17' is not valid; expected lower-case letters"),
        ("../east", None, "--scenario: scenario name '../east' is not valid"),
        ("nope", None, "scenarios/nope.yaml: no scenario 'nope'; saved scenarios: typo"),
        ("typo", "goals:\n  bufer: 0.2\n", "scenarios/typo.yaml: unknown key 'goals.bufer'; expected one of the "
                                           "known keys (did you mean 'buffer'?)"),
        ("typo", "goals:\n  buffer: 2.5\n", "scenarios/typo.yaml: key 'goals.buffer' = 2.5"),
        ("typo", "as_of: 2026-03-31\n", "scenarios/typo.yaml: key 'as_of' = '2026-03-31': a scenario cannot set it"),
    ],
)  # fmt: skip
def test_a_bad_scenario_names_file_key_and_value(
    params_dir: Path, name: str, text: str | None, fragment: str
):
    _write(params_dir, "typo", text or "goals:\n  buffer: 0.2\n")
    with pytest.raises(ParamsError) as err:
        load("east", params_dir, scenario=name)
    assert fragment in str(err.value)


def test_planning_run_refuses_a_bad_scenario_with_exit_2(
    params_dir: Path, small_sample: Path, tmp_path: Path
):
    _write(params_dir, "typo", "goals:\n  bufer: 0.2\n")
    for name, fragment in [
        ("typo", "unknown key 'goals.bufer'"),
        ("Bad!", "scenario name 'Bad!' is not valid"),
    ]:
        args = ["run", "--params", str(params_dir), "--data", str(small_sample), "--out", str(tmp_path / "o")]
        result = CliRunner().invoke(app, [*args, "--scenario", name, "-r", "east"])
        assert result.exit_code == 2 and fragment in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and not (tmp_path / "o").exists()


def test_keeping_a_what_if_as_a_named_scenario_leaves_the_plan_parameters(params_dir: Path):
    plan_files = {p: p.read_bytes() for p in params_dir.glob("*.yaml")}
    planned = keep.plan_keep("east", {"goals.buffer": 0.2}, "scenario", params_dir, name="buffer-20")
    assert planned.path == params_dir / "scenarios" / "buffer-20.yaml"
    assert planned.diff_lines() == [f"goals.buffer: {load('east', params_dir).params.goals.buffer} -> 0.2"]
    keep.write(planned)
    assert planned.path.read_text(encoding="utf-8") == "goals:\n  buffer: 0.2\n"
    assert {p: p.read_bytes() for p in params_dir.glob("*.yaml")} == plan_files
    assert load("east", params_dir, scenario="buffer-20").params.goals.buffer == 0.2
    with pytest.raises(ParamsError, match="scenario name 'Up!' is not valid"):
        keep.plan_keep("east", {"goals.buffer": 0.2}, "scenario", params_dir, name="Up!")
    with pytest.raises(ParamsError, match=r"buffer-20\.yaml: key 'goals\.buffer' = -1"):
        keep.plan_keep("east", {"goals.buffer": -1.0}, "scenario", params_dir, name="buffer-20")


def test_a_panel_keeps_a_named_scenario_that_runs_into_its_own_snapshot_and_diffs_with_the_plan(
    params_dir: Path, small_sample: Path, sample_snapshot: Path, tmp_path: Path, monkeypatch
):
    """02's flex buffer kept as scenario "buffer-up"; `planning run --scenario buffer-up` beside the plan: its own
    folder <as-of>+buffer-up (kind scenario), the plan untouched and still the plan of record, and the comparison
    with the plan names goals.buffer as the scenario's cause."""
    pytest.importorskip("ipywidgets")
    panel = goals_panel(params_dir, monkeypatch)
    new_buffer = round(load("east", params_dir).params.goals.buffer + 0.05, 2)
    panel.children[1].value = new_buffer
    _, row, message = panel.children[-1].children
    target, name, show, write = row.children
    target.value = "scenario"
    show.click()
    assert "Give the scenario a name first" in message.value and write.disabled
    name.value = "buffer-up"
    show.click()
    assert "scenarios/buffer-up.yaml" in message.value and f"-&gt; {new_buffer}" in message.value
    write.click()
    assert "planning run --scenario buffer-up --region east" in message.value

    root = tmp_path / "out"
    shutil.copytree(sample_snapshot, root / sample_snapshot.name)  # the base plan of that date
    plan_manifest = store.manifest_path(root / sample_snapshot.name).read_bytes()
    args = ["run", "--params", str(params_dir), "--data", str(small_sample), "--out", str(root)]
    result = CliRunner().invoke(app, [*args, "--scenario", "buffer-up", "-r", "east", "-s", "01", "-s", "02",
                                      "-w", "1"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    folder = root / f"{sample_snapshot.name}+buffer-up"
    page = store.diff_dir(folder, sample_snapshot.name) / "index.html"
    assert f"scenario buffer-up: changes since {sample_snapshot.name} -> {page}" in result.stderr
    manifest = store.read_manifest(folder)
    assert manifest["kind"] == "scenario" and manifest["plan_of_record"] == sample_snapshot.name
    assert manifest["scenario"]["name"] == "buffer-up"
    assert manifest["scenario"]["overrides"] == {"goals.buffer": new_buffer}
    assert store.manifest_path(root / sample_snapshot.name).read_bytes() == plan_manifest  # never overwritten
    assert [s.path.name for s in store.snapshots(root)] == [sample_snapshot.name]
    assert store.plan_of_record(root, sample_snapshot.name).path.name == sample_snapshot.name

    def year(snapshot: Path) -> pd.Series:
        t = pd.read_csv(snapshot / "east" / "artifacts" / "targets.csv")
        return t[t["level"] == "year"].iloc[0]

    assert year(folder)["quota"] == pytest.approx(year(folder)["target"] * (1 + new_buffer), rel=1e-6)
    assert year(folder)["quota"] > year(sample_snapshot)["quota"]
    causes = pd.read_csv(store.diff_dir(folder, sample_snapshot.name) / "causes.csv", dtype=str)
    east = causes[causes["scope"] == "east"]
    assert east[["cause", "item"]].values.tolist() == [["scenario", "goals.buffer"]], east
    text = (store.diff_dir(folder, sample_snapshot.name) / "index.html").read_text(encoding="utf-8")
    assert "Cause: scenario buffer-up (goals.buffer: " in text
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert (
        f"Scenario buffer-up (goals.buffer = {new_buffer}) of the plan of record {sample_snapshot.name}"
        in index
    )

    # `planning diff` by folder name, the plan first
    again = CliRunner().invoke(app, ["diff", sample_snapshot.name, folder.name, "--out", str(root)])
    assert again.exit_code == 0, again.stderr
    assert json.loads(store.manifest_path(folder).read_text())["kind"] == "scenario"
    assert diff.open_snapshot(folder.name, root).scenario_keys == {"goals.buffer"}
