"""planning.runner.pool: a worker process that dies (SIGKILL, as the OOM killer sends) costs only the region-step
it was running, which is retried once on a fresh worker; finished steps keep their result (issue 18, case 3).

The stand-in step kills its own worker process (the kernel's parent, or itself with the shell engine) with SIGKILL; a marker file makes it do so
only once, so the retry succeeds.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import signal
from pathlib import Path

import pytest
from stand_ins import notebooks, wait_dead

from planning import config, runner
from planning.runner import forking
from planning.runner.pool import WORKER_KILLED, death_of, retry_message

AS_OF = "2026-09-30"
STEPS = ["01", "02", "03"]
# Every stand-in writes its worker's and its kernel's pid (which process ran it), then what the test asks.
COMMON_CELL = (
    "import os, signal, time\n"
    "from pathlib import Path\n"
    "art = Path(out_dir) / 'artifacts'\n"
    "art.mkdir(exist_ok=True)\n"
    "(art / '{step}.txt').write_text(region)\n"
    "(art / 'kernel-{step}.pid').write_text(str(os.getpid()))\n"
    "from IPython import get_ipython\n"
    "# the shell engine runs the cell in the worker itself; a kernel is the worker's child\n"
    "worker = os.getpid() if type(get_ipython()).__name__ == 'BatchShell' else os.getppid()\n"
    "(art / 'worker-{step}.pid').write_text(str(worker))\n"
    "parent = Path(f'/proc/{{worker}}/stat').read_text().rsplit(')', 1)[1].split()[1]\n"
    "(art / 'parent-{step}.pid').write_text(parent)\n"
)


def kill_cell(once_marker: Path | None) -> str:
    """North's 02_goals half-writes its report, then SIGKILLs its worker (once when `once_marker` is given)."""
    cond = f"not Path({str(once_marker)!r}).exists()" if once_marker else "True"
    mark = f"        Path({str(once_marker)!r}).write_text('killed')\n" if once_marker else ""
    return (
        "if region == 'north' and '{step}' == '02_goals':\n"
        "    (Path(out_dir) / '{step}.html').write_text('half-written')\n"
        f"    if {cond}:\n" + mark + "        os.kill(worker, signal.SIGKILL)\n"
        "        time.sleep(60)\n"
    )


def run_killing(
    tmp_path: Path, small_sample: Path, once: bool, engine: str = "shell", start_method: str = "spawn"
):
    nbs = notebooks(tmp_path / "nbs", COMMON_CELL, kill_cell(tmp_path / "killed-once" if once else None))
    lines: list[runner.StepResult] = []
    warm(start_method)
    result = runner.run(
        regions=["east", "north"],
        steps=STEPS,
        data_dir=str(small_sample),
        out_root=tmp_path / "out",
        notebooks_dir=nbs,
        workers=2,
        progress=lines.extend,
        engine=engine,
    )
    snap = tmp_path / "out" / AS_OF
    return result, snap, json.loads((snap / "manifest.json").read_text()), lines


@pytest.fixture(params=["spawn", "forkserver"])
def start_method(request):
    """The pool's workers spawned (a library call of runner.run) or forked from the fork server the CLI starts
    (runner.forking): the same containment either way. `warm(start_method)` starts the server in the test's own
    environment (pytest names the test's phase in it), right before the run."""
    forking.stop()
    if request.param == "forkserver" and "forkserver" not in mp.get_all_start_methods():
        pytest.skip("no fork server on this platform")
    yield request.param
    forking.stop()


def warm(start_method: str) -> None:
    if start_method == "forkserver":
        assert forking.prestart() and forking.context().get_start_method() == "forkserver"


def pid(snap: Path, region: str, kind: str, step: str) -> int:
    return int((snap / region / "artifacts" / f"{kind}-{step}.pid").read_text())


@pytest.mark.adversarial
@pytest.mark.parametrize("engine", ["shell", "kernel"])
def test_killed_worker_retries_only_the_step_in_flight(
    tmp_path: Path, small_sample: Path, engine: str, start_method: str
):
    result, snap, manifest, lines = run_killing(
        tmp_path, small_sample, once=True, engine=engine, start_method=start_method
    )
    assert (tmp_path / "killed-once").is_file(), "the stand-in never killed its worker"
    assert result.ok and result.exit_code == 0
    assert manifest["status"] == "complete"
    steps = config.STEPS[:3]
    for region in ("east", "north"):
        for step in steps:
            entry = manifest["regions"][region]["steps"][step]
            assert entry["status"] == "ok", (region, step, entry)
            assert (snap / region / f"{step}.ipynb").is_file() and (snap / region / f"{step}.html").is_file()
    # only the region-step in flight was retried, and the manifest says what happened
    retried = {
        (r, s) for r in ("east", "north") for s in steps if "retried" in manifest["regions"][r]["steps"][s]
    }
    assert retried == {("north", "02_goals")}
    record = manifest["regions"]["north"]["steps"]["02_goals"]["retried"]
    assert record["worker_deaths"] == ["killed by signal 9 (SIGKILL)"]
    assert record["message"] == (
        "worker process killed by signal 9 (SIGKILL) during this step; retried once on a fresh worker: ok"
    )
    # the retry ran on a fresh worker and kernel, from the killed step on; the step before it was not re-run
    assert pid(snap, "north", "worker", "02_goals") != pid(snap, "north", "worker", "01_market_analysis")
    assert pid(snap, "north", "kernel", "02_goals") != pid(snap, "north", "kernel", "01_market_analysis")
    assert pid(snap, "north", "worker", "03_strategy") == pid(snap, "north", "worker", "02_goals")
    # the other worker went on undisturbed: one kernel for all of east's steps
    assert len({pid(snap, "east", "kernel", s) for s in steps}) == 1
    # the half-written report of the killed attempt was replaced by the retry's
    assert "half-written" not in (snap / "north" / "02_goals.html").read_text(encoding="utf-8")
    # the printed progress: one line per region-step, the retried one saying so
    assert sorted((r.region, r.step) for r in lines) == sorted(
        (r, s) for r in ("east", "north") for s in steps
    )
    [line] = [r for r in lines if r.retried]
    assert (line.region, line.step, line.status) == ("north", "02_goals", "ok")
    # the killed worker's kernel does not outlive it
    assert wait_dead([pid(snap, "north", "kernel", "01_market_analysis")]) == []


@pytest.mark.adversarial
def test_worker_killed_again_fails_the_step_skips_the_rest_of_the_region(
    tmp_path: Path, small_sample: Path, start_method: str
):
    result, snap, manifest, _ = run_killing(tmp_path, small_sample, once=False, start_method=start_method)
    assert not result.ok and result.exit_code == 1
    assert manifest["status"] == "incomplete"
    status = {(r.region, r.step): r.status for r in result.results}
    assert [status[("east", s)] for s in config.STEPS[:3]] == ["ok", "ok", "ok"]
    assert [status[("north", s)] for s in config.STEPS[:3]] == ["ok", "failed", "skipped"]
    north = manifest["regions"]["north"]["steps"]
    err = north["02_goals"]["error"]
    assert err["type"] == WORKER_KILLED and err["signal"] == signal.SIGKILL
    assert err["message"] == (
        "worker process killed by signal 9 (SIGKILL) during this step; retried once on a fresh worker: failed, "
        "worker process killed by signal 9 (SIGKILL) again"
    )
    assert north["03_strategy"]["error"]["message"] == "an earlier step failed"
    # the step that had finished keeps its status, notebook and report; nothing half-written is published
    assert north["01_market_analysis"]["status"] == "ok" and "retried" not in north["01_market_analysis"]
    assert (snap / "north" / "01_market_analysis.html").is_file()
    assert not (snap / "north" / "02_goals.html").exists()
    assert not (snap / "north" / "02_goals.ipynb").exists()
    for s in config.STEPS[:3]:
        assert (snap / "east" / f"{s}.html").is_file()
    index = (snap / "index.html").read_text(encoding="utf-8")
    assert index.count("step status-failed") == 1 and index.count("step status-skipped") == 1


@pytest.mark.adversarial
def test_printed_progress_says_the_step_was_retried(capsys):
    """The printed progress line of the failed region-step says what happened (runner.print_progress)."""
    failed = runner.StepResult(
        "north",
        "02_goals",
        "failed",
        error={"type": WORKER_KILLED, "message": retry_message(["a", "b"], "failed")},
    )
    failed.retried = {"message": failed.error["message"], "worker_deaths": ["a", "b"]}
    ok = runner.StepResult("east", "02_goals", "ok", 1.0)
    ok.retried = {"message": retry_message(["killed by signal 9 (SIGKILL)"], "ok"), "worker_deaths": []}
    runner.print_progress([failed, ok])
    err = capsys.readouterr().err.splitlines()
    assert err[0].count("retried once") == 1 and "FAILED" in err[0] and "worker process a during" in err[0]
    assert "[ok    ] east" in err[1]
    assert err[1].endswith("(worker process killed by signal 9 (SIGKILL) during this step; retried once on a "
                           "fresh worker: ok)")  # fmt: skip


@pytest.mark.adversarial
@pytest.mark.parametrize(
    ("exitcode", "text"),
    [
        (-9, "killed by signal 9 (SIGKILL)"),
        (-15, "killed by signal 15 (SIGTERM)"),
        (-99, "killed by signal 99"),
        (1, "exited with code 1"),
        (130, "exited with code 130"),
    ],
)
def test_how_a_worker_died_is_named(exitcode: int, text: str):
    assert death_of(exitcode) == text


@pytest.mark.adversarial
def test_the_retry_message_names_both_deaths():
    assert retry_message(["killed by signal 9 (SIGKILL)", "exited with code 1"], "failed") == (
        "worker process killed by signal 9 (SIGKILL) during this step; retried once on a fresh worker: failed, "
        "worker process exited with code 1 again"
    )


def test_the_workers_have_stopped_when_the_run_returns(tmp_path: Path, small_sample: Path, start_method: str):
    """The runner writes the index and the workbooks while its released workers stop their kernels, and joins
    them before it returns: no worker process is left, not even as a zombie."""
    import os

    nbs = notebooks(tmp_path / "nbs", COMMON_CELL)
    warm(start_method)
    result = runner.run(regions=["east", "north"], steps=STEPS, data_dir=str(small_sample),
                        out_root=tmp_path / "out", notebooks_dir=nbs, workers=2)  # fmt: skip
    assert result.ok
    snap = tmp_path / "out" / AS_OF
    workers = {pid(snap, r, "worker", s) for r in ("east", "north") for s in config.STEPS[:3]}
    assert len(workers) == 2
    # spawned by the runner, or forked by the fork server (the runner's child)
    parents = {pid(snap, r, "parent", s) for r in ("east", "north") for s in config.STEPS[:3]}
    assert (parents == {os.getpid()}) == (start_method == "spawn")
    for w in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(w, 0)  # reaped: a zombie would still take the signal
