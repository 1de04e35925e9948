"""Reliability and security (issue 10): bad input stops early and clearly, faults mid-run are contained and
recorded, snapshots are atomic and resumable, parameters are values never code, results are deterministic.

Fault tests run stand-in notebooks (a parameters cell plus a few lines, no step logic) through the real runner;
two slow tests run the real steps on the small sample company (determinism).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stand_ins import alive, notebooks, wait_dead

from planning import config, params, runner
from planning.data import DataError
from planning.errors import ParamsError, UnsafePath

AS_OF = "2026-09-30"
# Every stand-in writes where it ran and its kernel's pid (to prove kernels are stopped).
COMMON_CELL = (
    "import os, json, time\n"
    "from pathlib import Path\n"
    "art = Path(out_dir) / 'artifacts'\n"
    "art.mkdir(exist_ok=True)\n"
    "(art / '{step}.txt').write_text(region)\n"
    "(art / 'kernel-{step}.pid').write_text(str(os.getpid()))\n"
)


def params_copy(tmp_path: Path, **files: str) -> Path:
    """A copy of params/ (without local.yaml) with `files` (name -> YAML text) written over it."""
    pdir = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, pdir, ignore=shutil.ignore_patterns("local.yaml"))
    for name, text in files.items():
        (pdir / f"{name}.yaml").write_text(text, encoding="utf-8")
    return pdir


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under `root` by relative path (byte-identity of a snapshot)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def kernel_pids(root: Path) -> list[int]:
    return [int(p.read_text()) for p in root.rglob("kernel-*.pid")]


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planning", *args], capture_output=True, text=True, timeout=timeout
    )


# ============================================================================================ bad parameters
def test_date_in_the_wrong_format_names_file_key_value(tmp_path: Path):
    pdir = params_copy(tmp_path, east="region:\n  name: East China\nas_of: 30/09/2026\n")
    with pytest.raises(ParamsError, match=r"east\.yaml: key 'as_of' = '30/09/2026': .*date"):
        params.load("east", pdir)


def test_regions_with_different_planning_dates_are_refused(tmp_path: Path, small_sample: Path):
    pdir = params_copy(tmp_path, north="region:\n  name: North China\nas_of: 2026-06-30\n")
    with pytest.raises(ParamsError, match="north.yaml: as_of 2026-06-30 .* differ"):
        runner.run(
            regions=["east", "north"], data_dir=str(small_sample), out_root=tmp_path / "out", params_dir=pdir
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("key", ["../east", "/etc/passwd", "east\x00", "con", "East", "a/b", "..", ""])
def test_unsafe_region_keys_are_rejected_before_any_path_is_built(
    tmp_path: Path, small_sample: Path, key: str
):
    with pytest.raises(ParamsError, match="not a valid region key|no region files"):
        runner.run(
            regions=[key] if key else None,
            data_dir=str(small_sample),
            out_root=tmp_path / "out",
            params_dir=tmp_path / "empty" if not key else None,
        )
    assert not (tmp_path / "out").exists()


def test_region_file_for_a_region_absent_from_the_data(tmp_path: Path, small_sample: Path):
    pdir = params_copy(tmp_path, west="region:\n  name: West China\n")
    with pytest.raises(DataError, match=r"orders\.parquet: column 'region' has no rows for region 'west'"):
        runner.run(
            regions=["east", "west"], data_dir=str(small_sample), out_root=tmp_path / "out", params_dir=pdir
        )
    assert os.listdir(tmp_path / "out") == [f"{AS_OF}.validation.json"]


@pytest.mark.parametrize(
    ("as_of", "where"), [("2021-12-31", "before the data starts"), ("2027-06-30", "after the data ends")]
)
def test_as_of_outside_the_data_names_the_data_range(
    tmp_path: Path, small_sample: Path, as_of: str, where: str
):
    out = tmp_path / "out"
    orders = pd.read_parquet(small_sample / "orders.parquet")
    dates = orders.loc[orders["region"] == "east", "order_date"]
    first, last = str(dates.min())[:10], str(dates.max())[:10]
    with pytest.raises(
        DataError, match=f"as_of {as_of} is {where}: .*orders.parquet has order_date from {first} to {last}"
    ):
        runner.run(regions=["east"], as_of=as_of, data_dir=str(small_sample), out_root=out)
    report = json.loads((out / f"{as_of}.validation.json").read_text())
    assert report["status"] == "failed" and report["errors"][0]["column"] == "order_date"
    assert os.listdir(out) == [f"{as_of}.validation.json"]


# A mutation of a valid params file: text edits (slices removed, junk inserted, lines swapped) or structural
# edits (a value replaced by anything YAML can hold, a key removed or renamed).
_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20) | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated_params(draw, base_text: str):
    kind = draw(st.sampled_from(["delete", "insert", "swap", "value", "drop", "rename"]))
    if kind in ("delete", "insert", "swap"):
        if kind == "delete":
            i = draw(st.integers(0, len(base_text) - 1))
            return base_text[:i] + base_text[i + draw(st.integers(1, 40)) :]
        if kind == "insert":
            i = draw(st.integers(0, len(base_text)))
            junk = draw(st.text(alphabet=st.sampled_from(list(":-[]{}#&*!|>'\"%@` \n\té华0.5e")), max_size=8))
            return base_text[:i] + junk + base_text[i:]
        lines = base_text.splitlines()
        a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[a], lines[b] = lines[b], lines[a]
        return "\n".join(lines)
    data = yaml.safe_load(base_text)
    paths = list(_paths(data))
    path = draw(st.sampled_from(paths))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if kind == "value":
        parent[path[-1]] = draw(_yaml_values)
    elif kind == "drop":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(max_size=12))] = parent.pop(path[-1])
    return yaml.safe_dump(data, allow_unicode=True)


_BASE_TEXT = (config.PARAMS_DIR / "base.yaml").read_text(encoding="utf-8")


def test_non_printable_character_in_a_params_file_is_a_params_error(tmp_path: Path):
    (tmp_path / "base.yaml").write_text("company:\n  name: A\x00B\n", encoding="utf-8")
    (tmp_path / "east.yaml").write_text("region:\n  name: East China\n", encoding="utf-8")
    with pytest.raises(
        ParamsError, match=r"base\.yaml: character U\+0000 at position 18: not allowed in YAML"
    ):
        params.load("east", tmp_path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated_params(_BASE_TEXT))
def test_mutated_params_raise_only_params_error(tmp_path_factory: pytest.TempPathFactory, text: str):
    pdir = tmp_path_factory.mktemp("fuzz")
    (pdir / "base.yaml").write_text(text, encoding="utf-8")
    (pdir / "east.yaml").write_text("region:\n  name: East China\n", encoding="utf-8")
    try:
        loaded = params.load("east", pdir)
    except ParamsError as exc:
        assert str(exc).startswith(str(pdir)) or "command line" in str(exc), str(exc)
    else:
        assert isinstance(loaded.params, params.Params)


# ============================================================================================ bad data
def mutate(tmp_path: Path, sample: Path, table: str, change, fmt: str = "parquet") -> Path:
    """A copy of the sample data set with `table` replaced by change(DataFrame) (a DataFrame or raw text)."""
    d = tmp_path / "data"
    shutil.copytree(sample, d)
    df = pd.read_parquet(d / f"{table}.parquet")
    (d / f"{table}.parquet").unlink()
    new = change(df)
    if isinstance(new, str):
        (d / f"{table}.csv").write_text(new, encoding="utf-8")
    elif fmt == "csv":
        new.to_csv(d / f"{table}.csv", index=False)
    else:
        new.to_parquet(d / f"{table}.parquet", index=False)
    return d


def _unparseable_dates(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(order_date="31.02.banana")


def _negative_price(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.loc[df.index[3], "unit_price"] = -5.0
    return df


def _duplicate_customer(df: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([df, df.iloc[[7]]], ignore_index=True)


def _rep_gone(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["rep_id"] != df["rep_id"].iloc[0]]


DATA_CASES = {
    # name: (table, change, fmt, message pattern: file, column, value, expected)
    "missing column": (
        "orders",
        lambda df: df.drop(columns=["amount"]),
        "parquet",
        r"orders\.parquet: missing required column 'amount'; expected columns",
    ),
    "empty file": ("orders", lambda df: "", "csv", r"orders\.csv: the file is empty; expected a header"),
    "all dates unparseable": (
        "orders",
        _unparseable_dates,
        "csv",
        r"orders\.csv.*order_date.*31\.02\.banana.*YYYY-MM-DD",
    ),
    "negative unit price": (
        "orders",
        _negative_price,
        "parquet",
        r"orders\.unit_price row 4: '-5\.0'; expected a unit price >= 0"  # index 3: the file's 4th row,
    ),
    "duplicate ids": (
        "customers",
        _duplicate_customer,
        "parquet",
        r"customers\.customer_id row \d+: '[^']+'; expected unique customer_id",
    ),
    "rep absent from reps": (
        "reps",
        None,  # set below: the reps table loses the rep of the first order
        "parquet",
        r"orders\.rep_id row 1: '[^']+' .*; expected a rep_id of reps",
    ),
}


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_bad_data_stops_with_a_precise_message_and_a_validation_report(
    tmp_path: Path, small_sample: Path, case: str
):
    table, change, fmt, pattern = DATA_CASES[case]
    if case == "rep absent from reps":
        first_rep = pd.read_parquet(small_sample / "orders.parquet")["rep_id"].iloc[0]
        change = lambda df: df[df["rep_id"] != first_rep]  # noqa: E731
    data = mutate(tmp_path, small_sample, table, change, fmt)
    out = tmp_path / "out"
    with pytest.raises(DataError, match=pattern):
        runner.run(regions=["east", "north"], data_dir=str(data), out_root=out, workers=1)
    # nothing but the validation report; it lists the problem
    assert os.listdir(out) == [f"{AS_OF}.validation.json"]
    report = json.loads((out / f"{AS_OF}.validation.json").read_text())
    assert report["status"] == "failed" and report["errors"]
    assert any(re.search(pattern, e["message"]) for e in report["errors"])


def test_region_with_no_orders(tmp_path: Path, small_sample: Path):
    data = mutate(tmp_path, small_sample, "orders", lambda df: df[df["region"] != "north"])
    with pytest.raises(DataError, match=r"orders\.parquet: column 'region' has no rows for region 'north'"):
        runner.validate_data(data, ["east", "north"], date(2026, 9, 30), None)


def test_absurd_amounts_are_rejected(tmp_path: Path, small_sample: Path):
    def absurd(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        i = df.index[5]
        df.loc[i, "unit_price"] = 1e13
        df.loc[i, "amount"] = 1e13 * df.loc[i, "quantity"]
        return df

    data = mutate(tmp_path, small_sample, "orders", absurd)
    with pytest.raises(DataError, match="amount"):
        runner.validate_data(data, ["east"], date(2026, 9, 30), None)


_junk = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "NA", "null", "-", "1e400", "-0", "2026-02-30", "１２３", "¥1,234", "$1,001.18", "nan"]
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.integers(0, 19), st.integers(0, 30), _junk), min_size=1, max_size=4))
def test_junk_cells_in_a_csv_give_data_errors_not_crashes(
    tmp_path_factory: pytest.TempPathFactory, small_sample: Path, cells
):
    from planning import data as data_mod

    frame = pd.read_parquet(small_sample / "orders.parquet").head(20).astype(str)
    for row, col, value in cells:
        frame.iloc[row, col % frame.shape[1]] = value
    d = tmp_path_factory.mktemp("junk")
    frame.to_csv(d / "orders.csv", index=False)
    try:
        tables = data_mod.load_tables(d)
    except DataError:
        return
    assert isinstance(data_mod.validate_tables(tables), list)


# ============================================================================================ safe values, paths
EVIL = "Evil \"Co\" 'Ltd'\n__import__('pathlib').Path('PWNED').write_text('x') #\"\"\" ''' \\ {region}"


def test_parameters_are_values_never_code(tmp_path: Path, small_sample: Path):
    """Quotes, newlines and Python code in a company name, a region label, the data and the output folder names
    reach the notebook as the same strings and execute nothing."""
    evil_name = "d'\"\n__import__('pathlib').Path('PWNED').touch() #"
    data = tmp_path / evil_name
    shutil.copytree(small_sample, data)
    out = tmp_path / ("out'\"\nimport os; os.system('touch PWNED') #")
    local = yaml.safe_dump({"company": {"name": EVIL}, "region": {"name": EVIL}}, allow_unicode=True)
    pdir = params_copy(tmp_path, local=local)
    seen = (
        "p = json.load(open(params_json))\n"
        "(art / 'seen.json').write_text(json.dumps({{'region': region, 'data_dir': data_dir, 'out_dir': out_dir,"
        " 'company': p['company']['name'], 'region_name': p['region']['name']}}))\n"
    )
    nbs = notebooks(tmp_path / "nbs", COMMON_CELL, seen)
    result = runner.run(
        regions=["east"],
        steps=["01"],
        data_dir=str(data),
        out_root=out,
        params_dir=pdir,
        notebooks_dir=nbs,
        workers=1,
    )
    assert result.ok, result.results
    snap = out / AS_OF / "east"
    got = json.loads((snap / "artifacts" / "seen.json").read_text())
    assert got == {
        "region": "east",
        "data_dir": str(data.resolve()),
        "out_dir": got["out_dir"],
        "company": EVIL,
        "region_name": EVIL,
    }
    assert Path(got["out_dir"]).parent.parent == out  # the temp folder it ran in, renamed into out/<as-of>
    assert not list(tmp_path.rglob("PWNED")) and not (nbs / "PWNED").exists()
    assert not (Path.cwd() / "PWNED").exists()


def test_out_folder_safety(tmp_path: Path, small_sample: Path):
    common = {"regions": ["east"], "data_dir": str(small_sample)}
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UnsafePath, match="is a file"):
        runner.run(out_root=tmp_path / "afile", **common)
    with pytest.raises(UnsafePath, match="NUL"):
        runner.run(out_root=str(tmp_path / "o\x00ut"), **common)
    for inside in (config.PARAMS_DIR / "x", config.NOTEBOOKS_DIR, small_sample / "out"):
        with pytest.raises(UnsafePath, match="holds inputs"):
            runner.run(out_root=inside, **common)
    assert not (config.PARAMS_DIR / "x").exists() and not (small_sample / "out").exists()
    # --force replaces a snapshot, never a user's folder that happens to carry the date as its name
    mine = tmp_path / "out" / AS_OF
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("my notes")
    with pytest.raises(UnsafePath, match="not a snapshot"):
        runner.run(out_root=tmp_path / "out", force=True, **common)
    assert (mine / "notes.txt").read_text() == "my notes"
    assert sorted(os.listdir(tmp_path / "out")) == [AS_OF]


# ============================================================================================ faults mid-run
FAULT_CELL = (
    "if '{step}' == '02_goals' and region == 'north':\n"
    "    raise RuntimeError('boom in north')\n"
    "if '{step}' == '02_goals' and region == 'south':\n"
    "    os.kill(os.getpid(), 9)\n"
    "if '{step}' == '02_goals' and region == 'central':\n"
    "    time.sleep(120)\n"
)


@pytest.mark.parametrize("engine", ["shell", "kernel"])
def test_error_timeout_and_killed_kernel_are_contained_and_recorded(tmp_path: Path, small_sample: Path, engine: str):
    """An error, a timeout and a killed process fail only their region's step. With the shell engine the process
    killed is the worker itself: the pool retries the step once on a fresh worker, which dies again."""
    pdir = params_copy(tmp_path, central="region:\n  name: Central China\nrun:\n  execution_timeout: 10\n")
    nbs = notebooks(tmp_path / "nbs", COMMON_CELL, FAULT_CELL)
    out = tmp_path / "out"
    result = runner.run(
        regions=["east", "north", "south", "central"],
        steps=["01", "02", "03"],
        data_dir=str(small_sample),
        out_root=out,
        params_dir=pdir,
        notebooks_dir=nbs,
        workers=2,
        engine=engine,
    )
    assert result.exit_code == 1
    status = {(r.region, r.step): r.status for r in result.results}
    assert [status[("east", s)] for s in config.STEPS[:3]] == ["ok", "ok", "ok"]
    for region in ("north", "south", "central"):
        assert [status[(region, s)] for s in config.STEPS[:3]] == ["ok", "failed", "skipped"], region
    snap = out / AS_OF
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["status"] == "incomplete"
    errors = {r: manifest["regions"][r]["steps"]["02_goals"]["error"] for r in ("north", "south", "central")}
    # the step notebook's cells: 1 parameters, 2 the common cell, 3 the faulty cell
    for region, err in errors.items():
        if engine == "shell" and region == "south":  # the worker died with the cell: no notebook was written
            continue
        assert err["cell"] == 3 and err["source"].startswith("if '02_goals' =="), (region, err)
        assert err["notebook"].endswith(f"{region}/02_goals.ipynb")
        assert (snap / region / "02_goals.ipynb").is_file() and (snap / region / "02_goals.html").is_file()
    assert errors["north"]["ename"] == "RuntimeError" and "boom in north" in errors["north"]["message"]
    if engine == "kernel":
        assert errors["south"]["type"] == "DeadKernelError" and "kernel died" in errors["south"]["message"]
    else:
        assert errors["south"]["type"] == "WorkerKilled"
        assert "killed by signal 9 (SIGKILL)" in errors["south"]["message"], errors["south"]
    assert errors["central"]["type"] == "CellTimeoutError"
    assert "run.execution_timeout (10 s)" in errors["central"]["message"]
    kept = nbformat.read(snap / "north" / "02_goals.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells for o in c.get("outputs", []))
    # the index shows what failed
    index = (snap / "index.html").read_text(encoding="utf-8")
    assert index.count("step status-failed") == 3 and index.count("step status-skipped") == 3
    # no kernel outlives the run, not even the one stuck in time.sleep
    assert wait_dead(kernel_pids(snap)) == []
    assert sorted(os.listdir(out)) == [AS_OF]


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_cleanly_and_publishes_nothing(tmp_path: Path, small_sample: Path, workers: int):
    nbs = notebooks(tmp_path / "nbs", COMMON_CELL, "time.sleep(90)")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "planning",
            "run",
            "-r",
            "east",
            "-r",
            "north",
            "-s",
            "01",
            "-w",
            str(workers),
            "--data",
            str(small_sample),
            "--out",
            str(out),
            "--notebooks",
            str(nbs),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As in a terminal: a test session started in the background (`pytest &`, a non-interactive shell's
        # job) ignores SIGINT, the child would inherit that and Python then installs no Ctrl-C handler.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 90
        while len(kernel_pids(out)) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        pids = kernel_pids(out)
        assert len(pids) == workers, "the stand-in notebooks never started"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert os.listdir(out) == []  # no snapshot, no temp folder
    assert wait_dead(pids) == []


def test_sigkill_at_any_point_leaves_earlier_snapshots_intact(tmp_path: Path, small_sample: Path):
    """Kill the runner (SIGKILL) at several points of a run that replaces a snapshot (--force)."""
    nbs = notebooks(tmp_path / "nbs", COMMON_CELL, "time.sleep(0.5)")
    out = tmp_path / "out"
    args = [
        "run",
        "-r",
        "east",
        "-s",
        "01",
        "-s",
        "02",
        "-w",
        "1",
        "--data",
        str(small_sample),
        "--out",
        str(out),
        "--notebooks",
        str(nbs),
    ]
    assert cli(*args, "--as-of", "2026-06-30").returncode == 0  # an earlier snapshot
    t0 = time.monotonic()
    assert cli(*args).returncode == 0  # the snapshot the killed runs try to replace
    duration = time.monotonic() - t0
    before = {name: tree_digest(out / name) for name in ("2026-06-30", AS_OF)}
    for fraction in (0.2, 0.5, 0.8, 0.95):
        proc = subprocess.Popen(
            [sys.executable, "-m", "planning", *args, "--force"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * fraction)
        proc.kill()
        proc.wait()
        wait_dead(kernel_pids(out), 1.0)
        for pid in kernel_pids(out):  # an orphaned kernel of the killed run
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
        assert visible == ["2026-06-30", AS_OF], visible
        assert tree_digest(out / "2026-06-30") == before["2026-06-30"]
        now = tree_digest(out / AS_OF)
        if now != before[AS_OF]:  # the kill came after the new snapshot was published: it is complete
            manifest = json.loads((out / AS_OF / "manifest.json").read_text())
            assert manifest["status"] == "complete" and (out / AS_OF / "east" / "02_goals.html").is_file()
            before[AS_OF] = now
    # the next run removes the hidden folders the killed runs left behind
    assert cli(*args, "--force").returncode == 0
    assert sorted(os.listdir(out)) == ["2026-06-30", AS_OF]


def descendants(pid: int, depth: int = 99) -> list[int]:
    """The processes below `pid` (from /proc): its children, theirs, ... (`depth` levels)."""
    parent_of = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent_of[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [pid]
    while frontier and depth > 0:
        depth -= 1
        below = [p for p, parent in parent_of.items() if parent in frontier]
        found += below
        frontier = below
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_sigkilled_runner_leaves_no_worker_or_kernel_behind(tmp_path: Path, small_sample: Path):
    nbs = notebooks(tmp_path / "nbs", COMMON_CELL, "time.sleep(90)")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "planning", "run", "-r", "east", "-r", "north", "-s", "01", "-w", "2",
         "--data", str(small_sample), "--out", str(out), "--notebooks", str(nbs)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while len(kernel_pids(out)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        below, kernels = descendants(proc.pid), kernel_pids(out)
        assert len(kernels) == 2 and len(below) >= 2
        # the CLI's workers are forked from a fork server holding the steps' modules (runner.forking): it too
        # must go when the runner dies, and the workers it forked with it
        server = [p for p in descendants(proc.pid, depth=1) if "forkserver" in command_line(p)]
        assert len(server) == 1 and set(kernels) <= set(descendants(server[0]))
    finally:
        proc.kill()
        proc.wait()
    assert wait_dead(below + kernels, 20.0) == []
    assert not [p for p in out.iterdir() if not p.name.startswith(".")]  # nothing published


# ============================================================================================ resume
def test_resume_reruns_only_unfinished_or_changed_region_steps(tmp_path: Path, small_sample: Path):
    log, flag = tmp_path / "runs.log", tmp_path / "fail-north"
    flag.touch()
    body = (
        f"with open({str(log)!r}, 'a') as fh:\n"
        "    fh.write(region + ' {step}\\n')\n"
        f"if region == 'north' and '{{step}}' == '02_goals' and Path({str(flag)!r}).exists():\n"
        "    raise RuntimeError('flaky')\n"
    )
    nbs = notebooks(tmp_path / "nbs", COMMON_CELL, body)
    pdir = params_copy(tmp_path)
    out = tmp_path / "out"

    def run(**kw):
        log.write_text("")
        res = runner.run(
            data_dir=str(small_sample), out_root=out, params_dir=pdir, notebooks_dir=nbs, workers=1, **kw
        )
        ran = sorted(line for line in log.read_text().splitlines())
        return res, ran

    first, ran = run(regions=["east", "north"], steps=["01", "02", "03"])
    assert first.exit_code == 1 and len(ran) == 5
    snap = out / AS_OF
    east_nb = (snap / "east" / "01_market_analysis.ipynb").read_bytes()

    flag.unlink()
    second, ran = run(resume=True)  # regions and steps come from the incomplete snapshot
    assert second.ok and ran == ["north 02_goals", "north 03_strategy"]
    assert [r.reused for r in second.results] == [True, True, True, True, False, False]
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["status"] == "complete" and set(manifest["regions"]) == {"east", "north"}
    assert (snap / "east" / "01_market_analysis.ipynb").read_bytes() == east_nb

    # a changed notebook re-runs that step (and the later ones) in every region
    nb = nbformat.read(nbs / "03_strategy.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("changed = True"))
    nbformat.write(nb, nbs / "03_strategy.ipynb")
    _, ran = run(resume=True)
    assert ran == ["east 03_strategy", "north 03_strategy"]

    # changed parameters of one region re-run that region only
    (pdir / "east.yaml").write_text("region:\n  name: East China\ngoals:\n  buffer: 0.14\n", encoding="utf-8")
    _, ran = run(resume=True)
    assert ran == ["east 01_market_analysis", "east 02_goals", "east 03_strategy"]

    # nothing changed: nothing runs, the snapshot stays complete
    third, ran = run(resume=True)
    assert ran == [] and third.ok and all(r.reused for r in third.results)
    assert sorted(os.listdir(out)) == [AS_OF]


# ============================================================================================ determinism
FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


def differing_columns(one: Path, two: Path) -> list[str]:
    """Columns whose values differ between two versions of an artefact (to name the culprit)."""
    x, y = pd.read_csv(one, dtype=str), pd.read_csv(two, dtype=str)
    if list(x.columns) != list(y.columns) or len(x) != len(y):
        return [f"shape {x.shape} vs {y.shape}"]
    return [c for c in x.columns if not x[c].fillna("").equals(y[c].fillna(""))]


@pytest.mark.slow
@pytest.mark.skipif(not FAKETIME.is_file(), reason="libfaketime (Debian package faketime) is not installed")
def test_artefacts_are_byte_identical_across_runs_workers_and_today(
    tmp_path: Path, small_sample: Path, monkeypatch: pytest.MonkeyPatch
):
    """Two real runs of every step for two regions: one worker today, two workers with kernels that believe
    it is 3 February 2031. Every artefact CSV is byte-identical."""
    common = {"regions": ["east", "northeast"], "data_dir": str(small_sample)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # the pages' "generated" time (report.generated_at)
    one = runner.run(out_root=tmp_path / "a", workers=1, **common)
    monkeypatch.setenv("LD_PRELOAD", str(FAKETIME))
    monkeypatch.setenv("FAKETIME", "@2031-02-03 04:05:06")
    two = runner.run(out_root=tmp_path / "b", workers=2, **common)
    assert one.ok and two.ok, [(r.region, r.step, r.error) for r in one.results + two.results if r.error]
    a, b = tmp_path / "a" / AS_OF, tmp_path / "b" / AS_OF
    csv_a = {k: v for k, v in tree_digest(a).items() if k.endswith(".csv")}
    csv_b = {k: v for k, v in tree_digest(b).items() if k.endswith(".csv")}
    assert len(csv_a) >= 2 * 20 and csv_a.keys() == csv_b.keys()
    for region in common["regions"]:  # issue 22 item 4: the forecast and its intervals are among them
        forecast = pd.read_csv(a / region / "artifacts" / "forecast.csv")
        chosen = forecast[forecast["chosen"].astype(bool)]  # the interval the plan uses (models' or backtest's)
        assert len(chosen) and (chosen["lower"] <= chosen["forecast"]).all()
        assert (chosen["forecast"] <= chosen["upper"]).all()
        assert (chosen["upper"] > chosen["lower"]).any()  # a real interval (a month forecast at 0 has none)
    differ = {k: differing_columns(a / k, b / k) for k in sorted(csv_a) if csv_a[k] != csv_b[k]}
    assert not differ, f"artefacts differ between runs (file: columns): {differ}"
    # the step reports are byte-identical too (chart element ids are hashes of the charts)
    for page in sorted(a.glob("*/*.html")):
        assert page.read_bytes() == (b / page.relative_to(a)).read_bytes(), page.relative_to(a)
    # the processes of run b did live in 2031: the executed notebooks no longer record when their cells ran (a
    # rerun is byte-identical, issue 18), so check the environment its workers and kernels inherited instead
    today = subprocess.run(
        [sys.executable, "-c", "import datetime; print(datetime.date.today())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert today.stdout.strip() == "2031-02-03"
    assert json.loads((b / "manifest.json").read_text())["workers"] == 2
