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
    # what was checked, not only "ok" (issue 23): tables with rows, regions, the orders' date range, warnings
    assert "tables (rows): regions " in ok.stdout and "orders " in ok.stdout
    assert "regions: east (--region: only their rows were read)" in ok.stdout and "orders: 2022-01-06 to 2026-09-30" in ok.stdout
    assert "warnings: " in ok.stdout
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    orders = pd.read_parquet(data / "orders.parquet")
    orders.loc[orders.index[2], "unit_price"] = -1.0
    orders.to_parquet(data / "orders.parquet")
    reps = pd.read_parquet(data / "reps.parquet")
    reps[reps["rep_id"] != orders["rep_id"].iloc[0]].to_parquet(data / "reps.parquet")
    bad = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(data), "-r", "east"])
    assert bad.exit_code == 2
    assert "orders.unit_price row 3" in bad.stderr  # the Parquet file's 3rd row (index 2) and "a rep_id of reps" in bad.stderr, bad.stderr


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


# issue 18, cases 4 and 5: an alias bomb and each rule between keys stop `planning run` and `planning check` before
# any kernel starts (exit 2, one line naming file, keys, values and expectation), with nothing written
HOSTILE_PARAMS = {
    "alias bomb": (
        "l0: &l0 [" + ", ".join(['"lol"'] * 9) + "]\n"
        + "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 9)),
        "local.yaml: holds 490,329,064 values once its 72 aliases are expanded; expected at most 100,000",
    ),
    "plan year before as-of": ("plan_year: 2025\n", "local.yaml: keys 'plan_year' = 2025 and 'as_of' = '2026-09-30'"),
    "min share above max": (
        "resources: {min_share: 0.7, max_share: 0.5}\n",
        "local.yaml: keys 'resources.min_share' = 0.7 and 'resources.max_share' = 0.5: expected min_share <=",
    ),
    "yellow above red": (
        "review: {yellow_below_baseline: 0.3, red_below_baseline: 0.2}\n",
        "expected yellow_below_baseline <= red_below_baseline",
    ),
    "win-rate target of 150%": (
        "review: {kpi_targets: {win_rate: 1.5}}\n",
        "local.yaml: key 'review.kpi_targets.win_rate' = 1.5: expected 0 < win_rate <= 1",
    ),
}  # fmt: skip


@pytest.mark.adversarial
@pytest.mark.parametrize("case", list(HOSTILE_PARAMS))
def test_hostile_params_exit_2_fast_before_any_kernel_and_write_nothing(
    tmp_path: Path, pdir: Path, small_sample: Path, case: str
):
    text, fragment = HOSTILE_PARAMS[case]
    (pdir / "local.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(pdir, small_sample, out, "-r", "east")
    assert_bad_input(result, fragment)
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    checked = CliRunner().invoke(app, ["check", "--params", str(pdir), "-r", "east"])
    assert_bad_input(checked, fragment)


# ------------------------------------------------------------------------ issue 18: paths and unsafe input
def _listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.mark.adversarial
@pytest.mark.parametrize("where", ["root", "project", "home"])
def test_out_at_the_root_the_project_or_home_exits_2_and_writes_nothing(
    pdir: Path, small_sample: Path, where: str, monkeypatch: pytest.MonkeyPatch
):
    """`--out /` and `--out <project root>` wrote a snapshot there and exited 0 (issue 18, case 6)."""
    from planning.runner import publish

    def never(
        out_root: Path, name: str
    ) -> Path:  # should the check regress, fail here rather than write there
        raise AssertionError(f"the run was about to write into {out_root}")

    monkeypatch.setattr(publish, "work_dir", never)
    out = {"root": Path("/"), "project": config.PROJECT_ROOT, "home": Path.home()}[where]
    before = _listing(out)
    assert_bad_input(invoke(pdir, small_sample, out, "-r", "east"), f"error: --out {out}: ")
    assert _listing(out) == before


@pytest.mark.adversarial
@pytest.mark.parametrize("workers", ["-1", "1000"])
def test_workers_out_of_range_exit_2(tmp_path: Path, pdir: Path, small_sample: Path, workers: str):
    out = tmp_path / "out"
    result = invoke(pdir, small_sample, out, "-r", "east", "--workers", workers)
    assert_bad_input(result, f"error: --workers {workers}: out of range; expected 0 to 64")
    assert not out.exists()


@pytest.mark.adversarial
def test_missing_notebooks_folder_exits_2(tmp_path: Path, pdir: Path, small_sample: Path):
    """It failed every step at run time and exited 1 (issue 18, case 6)."""
    out = tmp_path / "out"
    result = invoke(pdir, small_sample, out, "-r", "east", "--notebooks", str(tmp_path / "nope"))
    assert_bad_input(result, f"error: --notebooks {tmp_path / 'nope'}: folder not found")
    assert not out.exists()


@pytest.mark.adversarial
def test_relative_out_params_and_notebooks_run_and_force_keeps_it_complete(
    tmp_path: Path, pdir: Path, small_sample: Path, monkeypatch: pytest.MonkeyPatch
):
    """docs/import.md's example form, `planning run --params <relative> --out outputs/superstore`: every
    notebook failed with FileNotFoundError, and --force published 0/5 ok over a complete snapshot (case 1)."""
    from frames_runner import OK_BODY
    from stand_ins import notebooks as stand_in_notebooks

    stand_in_notebooks(tmp_path / "nbs", OK_BODY)
    monkeypatch.chdir(tmp_path)
    args = [
        "run",
        "--params",
        "params",
        "--data",
        os.path.relpath(small_sample),
        "--out",
        "outputs/superstore",
    ]
    args += ["--notebooks", "nbs", "-r", "east", "-s", "01", "-s", "02", "-w", "1"]
    snap = tmp_path / "outputs" / "superstore" / AS_OF
    for extra in ([], ["--force"]):
        result = CliRunner().invoke(app, args + extra)
        assert result.exit_code == 0, result.output
        assert "2/2 notebooks ok" in result.stderr
        manifest = json.loads((snap / "manifest.json").read_text())
        assert manifest["status"] == "complete"
        assert all(Path(f).is_absolute() for f in manifest["regions"]["east"]["params_files"])


@pytest.mark.adversarial
def test_force_over_a_symlinked_snapshot_says_it_is_a_symlink(tmp_path: Path, pdir: Path, small_sample: Path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "manifest.json").write_text('{"status": "complete"}')
    out = tmp_path / "out"
    out.mkdir()
    (out / AS_OF).symlink_to(real)
    result = invoke(pdir, small_sample, out, "-r", "east", "--force")
    assert_bad_input(result, f"error: {out / AS_OF}: is a symlink (to {real}), not a snapshot folder")
    assert _listing(out) == [AS_OF] and _listing(real) == ["manifest.json"]


# --- issue 17 case 9: regions of the data without a params file; a mapping YAML kept in params/ ---------------
@pytest.mark.adversarial
def test_a_region_of_the_data_without_a_params_file_is_refused_naming_it(
    tmp_path: Path, pdir: Path, small_sample: Path
):
    (pdir / "southwest.yaml").unlink()  # the data still has southwest's orders
    n = int(
        (pd.read_parquet(small_sample / "orders.parquet", columns=["region"])["region"] == "southwest").sum()
    )
    fragment = f"column 'region' has orders of region 'southwest' ({n:,} order lines) without a params file"
    bad = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(small_sample)])
    assert_bad_input(bad, fragment)
    assert "--region naming the regions to plan" in bad.stderr
    out = tmp_path / "out"
    assert_bad_input(invoke(pdir, small_sample, out), fragment)
    assert os.listdir(out) == [f"{AS_OF}.validation.json"]  # before any kernel: no snapshot
    # naming the regions plans that subset, as before
    ok = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(small_sample), "-r", "east"])
    assert ok.exit_code == 0 and "data ok" in ok.stdout, ok.output
    # what was checked, not only "ok" (issue 23): tables with rows, regions, the orders' date range, warnings
    assert "tables (rows): regions " in ok.stdout and "orders " in ok.stdout
    assert "regions: east (--region: only their rows were read)" in ok.stdout and "orders: 2022-01-06 to 2026-09-30" in ok.stdout
    assert "warnings: " in ok.stdout


@pytest.mark.adversarial
def test_an_import_mapping_in_the_params_folder_is_not_read_as_a_region(pdir: Path, small_sample: Path):
    shutil.copy(config.PROJECT_ROOT / "examples" / "superstore" / "mapping.yaml", pdir / "mapping.yaml")
    ok = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(small_sample)])
    assert ok.exit_code == 0, ok.output
    assert "parameters ok: 6 regions" in ok.stdout and "mapping" not in ok.stdout
    assert f"note: {pdir / 'mapping.yaml'}: an import mapping (docs/import.md)" in ok.stderr
    assert "unknown key 'tables'" not in ok.output
    named = CliRunner().invoke(app, ["check", "--params", str(pdir), "-r", "mapping"])
    assert_bad_input(named, "mapping.yaml: is an import mapping (docs/import.md), not a region's parameters")


# --- issue 17 case 12: extreme values are stopped by `planning check` / before any kernel of `planning run` -------
def _orders_edit(tmp_path: Path, small_sample: Path, edit) -> Path:
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    o = pd.read_parquet(data / "orders.parquet")
    o["order_date"] = pd.to_datetime(o["order_date"]).astype("datetime64[s]")
    o = edit(o)
    o.to_parquet(data / "orders.parquet")
    return data


def _east_row(o: pd.DataFrame) -> int:
    return int((o["region"] == "east").to_numpy().nonzero()[0][5])


@pytest.mark.adversarial
@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (
            lambda o: o.assign(
                order_date=o["order_date"].where(o.index != _east_row(o), pd.Timestamp(1900, 1, 2))
            ),
            "'1900-01-02 (order_id ",
        ),
        (
            lambda o: o.assign(
                order_date=o["order_date"].where(
                    o.index != _east_row(o), pd.Timestamp(2300, 1, 2).as_unit("s")
                ),
            ),
            "'2300-01-02 (order_id ",
        ),
        (
            lambda o: o.assign(amount=o["amount"].where(o.index != _east_row(o), 1e308)),
            "'1e+308 (order_id ",
        ),
    ],
    ids=["1900", "2300", "1e308"],
)
def test_extreme_values_stop_check_and_run_naming_row_value_and_expectation(
    tmp_path: Path, pdir: Path, small_sample: Path, edit, fragment
):
    data = _orders_edit(tmp_path, small_sample, edit)
    bad = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(data), "-r", "east"])
    assert_bad_input(bad, fragment)
    assert "orders." in bad.stderr and "expected a" in bad.stderr, bad.stderr
    out = tmp_path / "out"
    assert_bad_input(invoke(pdir, data, out, "-r", "east"), fragment)
    assert os.listdir(out) == [f"{AS_OF}.validation.json"]  # no kernel started, no snapshot


def test_a_region_with_a_short_history_is_checked_with_a_warning_naming_the_minimal_plan(
    tmp_path: Path, pdir: Path, small_sample: Path
):
    """6 complete months: `planning check` passes (exit 0) and warns that the region gets the minimal plan."""

    def edit(o: pd.DataFrame) -> pd.DataFrame:
        return o[(o["region"] != "east") | (o["order_date"] > pd.Timestamp(AS_OF) - pd.DateOffset(months=6))]

    data = _orders_edit(tmp_path, small_sample, edit)
    res = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(data), "-r", "east"])
    assert res.exit_code == 0, res.output
    assert "region east: 6 complete months (2026-04 to 2026-09)" in res.output
    assert "gets the minimal plan" in res.output


@pytest.mark.adversarial
@pytest.mark.parametrize("months", [0, 2])
def test_a_region_with_too_little_history_is_refused_saying_what_cannot_be_computed(
    tmp_path: Path, pdir: Path, small_sample: Path, months: int
):
    def edit(o: pd.DataFrame) -> pd.DataFrame:
        east = o["region"] == "east"
        keep = ~east | (o["order_date"] > pd.Timestamp(AS_OF) - pd.DateOffset(months=months))
        if months == 0:  # a one-line history
            keep.loc[o.index[east][-1]] = True
        return o[keep]

    data = _orders_edit(tmp_path, small_sample, edit)
    bad = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(data), "-r", "east"])
    span = "no complete month of orders (orders from " if months == 0 else f"{months} complete months ("
    assert_bad_input(bad, f"region 'east' has {span}")
    assert "expected at least 3 complete months of orders" in bad.stderr
    assert "cannot be computed" in bad.stderr
    assert "Traceback" not in bad.output and "TypeError" not in bad.output
    out = tmp_path / "out"
    assert_bad_input(invoke(pdir, data, out, "-r", "east"), "cannot be computed")
    assert os.listdir(out) == [f"{AS_OF}.validation.json"]


# --- issue 17: an export imported through a mapping (case 2: dates, case 10: messages) ------------------
def _mapped_params(tmp_path: Path, export: str, date_format: str = "") -> Path:
    (tmp_path / "x.csv").write_text(export, encoding="utf-8")
    extra = f"    date_format: '{date_format}'\n" if date_format else ""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        f"cache_dir: {tmp_path / 'cache'}\ntables:\n  orders:\n    file: x.csv\n{extra}"
        "    columns: {order_id: id, order_date: d, customer_id: c, region: r, amount: a, rep_id: p}\n",
        encoding="utf-8",
    )
    pd_ = tmp_path / "params"
    pd_.mkdir()
    (pd_ / "base.yaml").write_text(
        "company: {name: T, currency: USD}\nas_of: 2019-12-31\nplan_year: 2020\n"
        f"data: {{mapping: '{mapping}'}}\n",
        encoding="utf-8",
    )
    (pd_ / "east.yaml").write_text("region: {name: East}\n", encoding="utf-8")
    return pd_


def test_check_refuses_a_date_format_that_does_not_fit_the_export(tmp_path: Path) -> None:
    export = "id,d,c,r,a,p\n1,01/02/19,c,east,1,R1\n2,12/31/19,c,east,2,R1\n"
    result = CliRunner().invoke(app, ["check", "--params", str(_mapped_params(tmp_path, export, "%d/%m/%y"))])
    assert_bad_input(result, "tables.orders.date_format %d/%m/%y does not fit the dates row 3 '12/31/19'")
    assert "expected date_format: '%m/%d/%y'" in result.stderr


def test_check_names_the_export_file_mapping_key_and_line_of_a_bad_imported_row(tmp_path: Path) -> None:
    # order 7 twice with the same line_no: lines 2-9 are central / east orders, the repeat is line 10; the
    # canonical table is sorted by region and date, so its positions say nothing to the user
    rows = [(i, f"2019-{10 - i:02d}-01", "central" if i < 4 else "east") for i in range(1, 9)]
    rows.append((7, "2019-01-05", "east"))
    export = "id,d,c,r,a,p,n\n" + "".join(f"{i},{d},c,{r},1,R1,1\n" for i, d, r in rows)
    pdir_ = _mapped_params(tmp_path, export)
    (pdir_ / "central.yaml").write_text("region: {name: Central}\n", encoding="utf-8")
    m = tmp_path / "mapping.yaml"
    m.write_text(
        m.read_text(encoding="utf-8").replace("rep_id: p}", "rep_id: p, line_no: n}"), encoding="utf-8"
    )
    for args in ([], ["-r", "east"]):
        result = CliRunner().invoke(app, ["check", "--params", str(pdir_), *args])
        assert_bad_input(result, f"{tmp_path / 'x.csv'} (tables.orders of {m}): orders.order_id row ")
        assert "error: error:" not in result.stderr and ".parquet" not in result.stderr
        line = int(result.stderr.split("orders.order_id row ")[1].split(":")[0])
        assert export.splitlines()[line - 1].startswith("7,"), (line, result.stderr)  # a line holding order 7


def test_check_names_the_export_not_the_cache_when_as_of_is_outside_the_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["check", "--params", str(_mapped_params(tmp_path, "id,d,c,r,a,p\n1,2018-01-01,c,east,1,R1\n"))]
    )
    assert_bad_input(
        result, f"after the data ends: {tmp_path / 'x.csv'} (tables.orders of {tmp_path / 'mapping.yaml'})"
    )
    assert ".parquet" not in result.stderr and str(tmp_path / "cache") not in result.stderr


def test_check_does_not_echo_a_non_yaml_file_given_as_the_mapping(tmp_path: Path) -> None:
    pdir_ = _mapped_params(tmp_path, "id,d,c,r,a,p\n1,2019-12-01,c,east,1,R1\n")
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 50, encoding="utf-8")
    base = pdir_ / "base.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace(str(tmp_path / "mapping.yaml"), str(secret)))
    result = CliRunner().invoke(app, ["check", "--params", str(pdir_)])
    assert_bad_input(
        result, f"{secret}: not a mapping file: it holds plain text; expected YAML with a 'tables:' key"
    )
    assert "root:" not in result.stderr


# --- issue 17 case 13: `planning check` and the validation reports in the run's language ------------------
def _has_english_sentence(text: str) -> list[str]:
    """Lines of `text` holding a word of the English texts of locale/check.yaml (4+ letters) that is not also a
    key the output keeps (a table or column name)."""
    import re

    import yaml

    from planning import data

    def leaves(node):
        if isinstance(node, dict):
            if "en" in node and isinstance(node["en"], str):
                yield node["en"]
            else:
                for v in node.values():
                    yield from leaves(v)

    check = yaml.safe_load((config.PROJECT_ROOT / "planning" / "locale" / "check.yaml").read_text("utf-8"))
    english = {w for en in leaves(check) for w in re.findall(r"[a-z]{4,}", re.sub(r"\{[^}]*\}", "", en))}
    keys = set(data.SCHEMA) | {c for cols in data.SCHEMA.values() for c in cols} | {"region", "language"}
    words = english - keys
    return [line for line in text.splitlines() if set(re.findall(r"(?<![A-Za-z_])[a-z]{4,}(?![A-Za-z_])", line)) & words]


def test_check_speaks_chinese_with_language_zh_keeping_keys(tmp_path: Path, pdir: Path, small_sample: Path):
    ok = CliRunner().invoke(
        app, ["check", "--params", str(pdir), "--data", str(small_sample), "-r", "east", "--language", "zh"]
    )
    assert ok.exit_code == 0, ok.output
    assert "参数检查通过：1 个区域（east）" in ok.stdout and f"数据检查通过：{small_sample}" in ok.stdout
    assert "订单：2022-01-06 至 2026-09-30" in ok.stdout and "区域：east（--region" in ok.stdout
    assert "product_line" in ok.stdout  # a dimension's key stays as it is
    assert not _has_english_sentence(ok.stdout), _has_english_sentence(ok.stdout)
    en_ok = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(small_sample), "-r", "east"])
    assert len(_has_english_sentence(en_ok.stdout)) >= 5  # the scan finds the English lines it must not see
    # the same from params' language, and an error naming table.column, row and value in Chinese
    (pdir / "local.yaml").write_text("language: zh\n", encoding="utf-8")
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    orders = pd.read_parquet(data / "orders.parquet")
    orders.loc[orders.index[2], "unit_price"] = -1.0
    orders.to_parquet(data / "orders.parquet")
    bad = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(data), "-r", "east"])
    assert_bad_input(bad, "orders.unit_price 第 3 行：'-1.0'；应为不小于 0 的单价")
    # --language en wins over params
    en = CliRunner().invoke(app, ["check", "--params", str(pdir), "--data", str(data), "-r", "east", "--language", "en"])
    assert_bad_input(en, "orders.unit_price row 3: '-1.0'; expected a unit price >= 0")
    assert_bad_input(CliRunner().invoke(app, ["check", "--params", str(pdir), "--language", "fr"]), "'fr'")


def test_run_writes_its_validation_report_in_the_runs_language(tmp_path: Path, pdir: Path, small_sample: Path):
    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    orders = pd.read_parquet(data / "orders.parquet")
    orders.loc[orders.index[2], "unit_price"] = -1.0
    orders.to_parquet(data / "orders.parquet")
    out = tmp_path / "out"
    assert_bad_input(invoke(pdir, data, out, "-r", "east", "--language", "zh"), "应为不小于 0 的单价")
    report = json.loads((out / f"{AS_OF}.validation.json").read_text(encoding="utf-8"))
    assert report["language"] == "zh" and report["status"] == "failed"
    error = report["errors"][0]
    assert (error["severity"], error["table"], error["column"], error["row"]) == ("error", "orders", "unit_price", 3)
    assert error["expected"] == "a unit price >= 0"  # the machine's fields as before; the sentence in Chinese
    assert "第 3 行" in error["message"]


def test_check_of_an_import_in_chinese(tmp_path: Path) -> None:
    export = "id,d,c,r,a,p\n1,2019-01-05,c,east,1,R1\n1,2019-01-05,c,east,1,R1\n2,2019-02-05,c,east,x,R1\n"
    pdir_ = _mapped_params(tmp_path, export)
    (pdir_ / "base.yaml").write_text(
        (pdir_ / "base.yaml").read_text(encoding="utf-8") + "language: zh\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["check", "--params", str(pdir_)])
    assert "导入完成：" in result.stdout, result.output
    assert "orders：从 x.csv 读取 3 行：保留 1 行" in result.stdout
    assert "剔除 orders.amount：1 行：" in result.stdout and "第 4 行" in result.stdout
    assert "重复" in result.stdout or "相同" in result.stdout

