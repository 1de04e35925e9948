"""planning.runner.forking: the fork server the CLI starts holds every module the step notebooks import, so a
forked worker imports nothing of its own; a library call of runner.run still spawns its workers.

The containment of forked workers (a killed worker retried, the workers gone with a SIGKILLed runner) is tested
with the spawned ones: tests/test_runner_pool.py (both start methods) and tests/test_reliability.py (the CLI)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import jupytext
import pytest

from planning import config
from planning.runner import forking


def notebook_imports() -> set[str]:
    """The modules the step notebooks import (`import a.b`, `from a import b`: a and a.b when b is a module)."""
    found: set[str] = set()
    for step in config.STEPS:
        nb = jupytext.read(config.NOTEBOOKS_DIR / f"{step}.py")
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Import):
                    found |= {a.name for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module:
                    found.add(node.module)
                    found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_the_preload_holds_every_module_the_step_notebooks_import():
    wanted = sorted(m for m in notebook_imports() if m.split(".")[0] in ("planning", "pandas", "numpy"))
    assert "planning.notebook" in wanted and "planning.goals.prepare" in wanted  # the parse found them
    script = (
        "import importlib, importlib.util, json, sys\n"
        "from planning.runner import forking\n"
        "for m in forking.PRELOAD: importlib.import_module(m)\n"
        "loaded = sorted(sys.modules)\n"
        "def is_module(name):\n"
        "    try:\n"
        "        return importlib.util.find_spec(name) is not None\n"
        "    except ImportError:\n"
        "        return False\n"
        f"modules = [m for m in {wanted!r} if is_module(m)]\n"
        "print(json.dumps({'loaded': loaded, 'modules': modules}))\n"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                    check=True).stdout)  # fmt: skip
    loaded = set(out["loaded"])
    # `from planning.market import charts` names a module, `from planning.notebook import Context` a class:
    # every name that is a module must be loaded by the preload
    assert len(out["modules"]) > 30
    assert [m for m in out["modules"] if m not in loaded] == []
    # what the steps import on first use, and what a worker needs to export a report
    for lazy in (
        "statsmodels.tsa.statespace.sarimax",
        "nbconvert.exporters.html",
        "IPython.core.interactiveshell",
    ):
        assert lazy in loaded


def test_a_library_caller_spawns_and_the_cli_forks(monkeypatch: pytest.MonkeyPatch):
    forking.stop()  # what an earlier CLI command of this test process started
    assert forking.context().get_start_method() == "spawn"
    if not forking.prestart():
        pytest.skip("no fork server on this platform")
    try:
        assert forking.context().get_start_method() == "forkserver"
        # a worker forked now would not have the runner's environment: the pool spawns instead
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
        assert forking.context().get_start_method() == "spawn"
        assert forking.prestart()  # a command started in this environment gets a server of its own
        assert forking.context().get_start_method() == "forkserver"
    finally:
        forking.stop()
    assert forking.context().get_start_method() == "spawn"


def test_a_fork_server_that_cannot_start_leaves_the_pool_spawning(monkeypatch: pytest.MonkeyPatch):
    from multiprocessing import forkserver

    forking.stop()

    def refused() -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(forkserver, "ensure_running", refused)
    assert forking.prestart() is False
    assert forking.context().get_start_method() == "spawn"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="adopts orphans with PR_SET_CHILD_SUBREAPER")
def test_the_cli_ends_its_fork_server_when_it_exits(tmp_path):
    """A run stopped by bad input (as any finished run) leaves no fork server behind, importing or idle: the
    harness adopts what the CLI leaves (a child subreaper) and looks for a live fork server among it. (The CLI's
    output goes to /dev/null: a pipe would make the harness wait for every holder of it, the server too.)"""
    harness = (
        "import ctypes, pathlib, subprocess, sys, time\n"
        "ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)\n"
        f"cli = subprocess.run([sys.executable, '-m', 'planning', 'run', '--as-of', 'notadate', '--out', "
        f"{str(tmp_path / 'out')!r}], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "time.sleep(0.2)\n"
        "alive = []\n"
        "for stat in pathlib.Path('/proc').glob('[0-9]*/stat'):\n"
        "    try:\n"
        "        rest = stat.read_text().rsplit(')', 1)[1].split()\n"
        "        cmd = (stat.parent / 'cmdline').read_bytes()\n"
        "    except OSError:\n"
        "        continue\n"
        "    if int(rest[1]) == __import__('os').getpid() and rest[0] != 'Z' and b'forkserver' in cmd:\n"
        "        alive.append(stat.parent.name)\n"
        "print(cli.returncode, len(alive))\n"
    )
    out = subprocess.run([sys.executable, "-c", harness], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2", "0"]


def test_a_frozen_heap_still_collects_the_garbage_made_after_it():
    """`freeze_heap` hides what the worker holds from the cyclic collector (~200,000 objects after the preload),
    and a reference cycle the notebooks make later is collected as before."""
    script = (
        "import gc, weakref\n"
        "from planning.runner import forking\n"
        "for m in forking.PRELOAD: __import__(m)\n"
        "forking.freeze_heap()\n"
        "frozen = gc.get_freeze_count()\n"
        "class Node: pass\n"
        "a = Node(); a.me = a; gone = weakref.ref(a); del a\n"
        "gc.collect()\n"
        "print(frozen, gone() is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    frozen, collected = out.split()
    assert int(frozen) > 100_000 and collected == "True"


def _freeze_count_after_init(conn) -> None:
    import gc

    from planning.runner import pool

    pool._worker_init()
    conn.send((gc.get_freeze_count(), gc.isenabled()))


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_a_pool_worker_freezes_its_heap_as_it_starts(method: str):
    import multiprocessing as mp

    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} on this platform")
    forking.stop()
    try:
        if method == "forkserver":
            assert forking.prestart()
        ctx = forking.context()
        assert ctx.get_start_method() == method
        here, there = ctx.Pipe()
        worker = ctx.Process(target=_freeze_count_after_init, args=(there,))
        worker.start()
        count, collecting = here.recv()
        worker.join(30)
    finally:
        forking.stop()
    # forked: every module of the preload; spawned: what the worker imported to start (pandas, the runner)
    assert count > (200_000 if method == "forkserver" else 20_000)
    assert collecting  # the server preloaded with the collector off (runner.preload); the worker turned it on


def test_the_fork_server_preloads_with_the_collector_off_and_freezes_the_result():
    script = (
        "import gc, sys\n"
        "import planning.runner.preload\n"
        "from planning.runner.forking import PRELOAD\n"
        "print(gc.isenabled(), gc.get_freeze_count(), all(m in sys.modules for m in PRELOAD))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    enabled, frozen, loaded = out.split()
    assert enabled == "False" and int(frozen) > 200_000 and loaded == "True"
