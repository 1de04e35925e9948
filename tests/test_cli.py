"""The `planning` command: exit code 2 and one line per problem for every kind of bad input, nothing written to the
output folder (except, for data problems, the validation report), a traceback only with --debug."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from planning import config
from planning.cli import app

AS_OF = "2026-09-30"


@pytest.fixture
def pdir(tmp_path: Path) -> Path:
    out = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, out, ignore=shutil.ignore_patterns("local.yaml"))
    return out


def invoke(pdir: Path, data: Path, out: Path, *args: str):
    result = CliRunner().invoke(
        app, ["run", "--params", str(pdir), "--data", str(data), "--out", str(out), *args]
    )
    return result


def assert_bad_input(result, fragment: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)  # handled: no traceback
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr, result.stderr


# local.yaml text -> what the message must say (file, key, value, expectation)
PARAMS_CASES = {
    "unknown key": (
        "goals:\n  bufer: 0.1\n",
        "local.yaml: unknown key 'goals.bufer'; expected one of the known keys (did you mean 'buffer'?)",
    ),
    "wrong type": (
        "goals:\n  buffer: lots\n",
        "local.yaml: key 'goals.buffer' = 'lots': Input should be a valid number",
    ),
    "out of range": (
        "goals:\n  buffer: 0.8\n",
        "local.yaml: key 'goals.buffer' = 0.8: Input should be less than or equal to 0.3",
    ),
    "malformed YAML": (
        "goals:\n  buffer: [0.1\nreview: {}\n",
        "local.yaml: line 3, column 7: malformed YAML",
    ),
    "duplicate key": (
        "goals:\n  buffer: 0.1\n  buffer: 0.2\n",
        "local.yaml: line 3, column 3: duplicate key 'buffer'",
    ),
    "date format": ("as_of: 30/09/2026\n", "local.yaml: key 'as_of' = '30/09/2026'"),
}


@pytest.mark.parametrize("case", list(PARAMS_CASES))
def test_bad_parameters_exit_2_with_one_line_and_write_nothing(
    tmp_path: Path, pdir: Path, small_sample: Path, case: str
):
    text, fragment = PARAMS_CASES[case]
    (pdir / "local.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert_bad_input(invoke(pdir, small_sample, out, "-r", "east"), fragment)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["-r", "atlantis"],
            "atlantis.yaml: no parameters for region 'atlantis'; configured regions: central",
        ),
        (["-r", "../etc"], "region '../etc' is not a valid region key"),
        (["-r", "east", "--step", "09"], "--step: unknown step '09'"),
        (["-r", "east", "--as-of", "2026-02-30"], "command line: key 'as_of' = '2026-02-30'"),
    ],
)
def test_bad_command_line_values_exit_2(tmp_path: Path, pdir: Path, small_sample: Path, args, fragment):
    out = tmp_path / "out"
    assert_bad_input(invoke(pdir, small_sample, out, *args), fragment)
    assert not out.exists()


def test_data_problems_exit_2_and_leave_only_the_validation_report(
    tmp_path: Path, pdir: Path, small_sample: Path
):
    out = tmp_path / "out"
    # a region file for a region the data does not have
    (pdir / "west.yaml").write_text("region:\n  name: West China\n", encoding="utf-8")
    assert_bad_input(invoke(pdir, small_sample, out, "-r", "east", "-r", "west"), "no rows for region 'west'")
    assert os.listdir(out) == [f"{AS_OF}.validation.json"]
    # as_of after the data ends
    assert_bad_input(
        invoke(pdir, small_sample, out, "-r", "east", "--as-of", "2027-06-30"), "after the data ends"
    )
    assert sorted(os.listdir(out)) == [f"{AS_OF}.validation.json", "2027-06-30.validation.json"]
    # a missing column
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    pd.read_parquet(data / "orders.parquet").drop(columns=["quantity"]).to_parquet(data / "orders.parquet")
    assert_bad_input(invoke(pdir, data, out, "-r", "east"), "missing required column 'quantity'")
    report = json.loads((out / f"{AS_OF}.validation.json").read_text())
    assert "quantity" in report["errors"][0]["message"]


def test_unsafe_or_occupied_output_folders_exit_2(tmp_path: Path, pdir: Path, small_sample: Path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert_bad_input(invoke(pdir, small_sample, afile, "-r", "east"), "is a file")
    assert_bad_input(invoke(pdir, small_sample, pdir / "out", "-r", "east"), "holds inputs of the run")
    assert not (pdir / "out").exists()
    out = tmp_path / "out"
    (out / AS_OF).mkdir(parents=True)
    (out / AS_OF / "manifest.json").write_text("{}")
    # a full run over a snapshot says how to update part of it or replace it (a subset would update it)
    assert_bad_input(invoke(pdir, small_sample, out), "already exists; to update part of it name the regions")
    (out / AS_OF / "manifest.json").unlink()
    assert_bad_input(invoke(pdir, small_sample, out, "-r", "east", "--force"), "is not a snapshot")
    assert os.listdir(out / AS_OF) == []


def test_check_lists_every_data_error(tmp_path: Path, pdir: Path, small_sample: Path):
    ok = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(small_sample), "-r", "east"])
    assert ok.exit_code == 0 and "data ok" in ok.stdout, ok.output
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    orders = pd.read_parquet(data / "orders.parquet")
    orders.loc[orders.index[2], "unit_price"] = -1.0
    orders.to_parquet(data / "orders.parquet")
    reps = pd.read_parquet(data / "reps.parquet")
    reps[reps["rep_id"] != orders["rep_id"].iloc[0]].to_parquet(data / "reps.parquet")
    bad = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(data), "-r", "east"])
    assert bad.exit_code == 2
    assert "orders.unit_price row 2" in bad.stderr and "a rep_id of reps" in bad.stderr, bad.stderr


def test_traceback_only_with_debug(tmp_path: Path):
    args = [sys.executable, "-m", "planning"]
    plain = subprocess.run([*args, "run", "-r", "../x"], capture_output=True, text=True, timeout=120)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert plain.stderr.strip().splitlines() == [
        "error: region: region '../x' is not a valid region key; expected lower-case letters, digits, '-' or "
        "'_', starting with a letter (at most 40 characters)"
    ]
    debug = subprocess.run(
        [*args, "--debug", "run", "-r", "../x"], capture_output=True, text=True, timeout=120
    )
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "ParamsError" in debug.stderr
