"""Warm worker processes: a fork server that imports what the step notebooks need, started as the CLI starts.

A spawned worker imports pandas, IPython, altair, statsmodels and the step modules before its first notebook
can run: ~1.3 s of CPU in every worker, on the critical path of every run (a worker cannot start before the
runner has checked its inputs, and then each worker imports at once). `prestart` starts multiprocessing's fork
server instead, which imports `PRELOAD` once while the runner parses the parameters and checks the data (the
runner's work is single-threaded, so the server has a core of its own then); the pool's workers are then forked
from it with everything imported (`context`). Measured on the six-region sample, 2 cores: 10.1 -> 8.4 s a run
(median of 5, docs/performance.md, fourth round).

What a forked worker differs in from a spawned one, and how the pool keeps it the same:
- its environment and working directory are the server's, from when the CLI started. The runner does not
  change them during a run, and a pool started in another environment or folder spawns its workers (`context`).
  Only `planning run` and `planning review` prestart: a library caller of `runner.run` gets spawned workers as
  before;
- its parent is the fork server, not the runner. Each process multiprocessing's fork server starts inherits the
  write end of the server's "alive" pipe, so a runner killed with SIGKILL would leave the server waiting for
  the workers and the workers waiting for the runner. A worker closes that pipe as it starts (`release_server`):
  the server then sees the runner die and exits, and the worker, whose parent it is, gets SIGTERM from the
  kernel (PR_SET_PDEATHSIG, `pool._worker_init`), as a spawned worker gets it from the runner;
- its heap was frozen by the server, which imported `PRELOAD` with the garbage collector off
  (`runner.preload`); the worker turns the collector back on as it starts (`freeze_heap`).

Platforms without a fork server (Windows) spawn as before.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing as mp
import os
import signal
from multiprocessing import forkserver

#: What the fork server imports: what a worker runs (the pool's worker, the shell engine, the reports'
#: export), the step notebooks' modules and what they import on first use (statsmodels' SARIMAX for the
#: forecast, the holiday calendars). tests/test_runner_forking.py checks that every `planning` module the step
#: notebooks import is among them.
# fmt: off
PRELOAD = (
    # what a worker runs: the pool, the shell engine, the report export
    "planning.runner.pool", "planning.runner.shell", "papermill", "planning.report", "nbconvert.exporters.html",
    # what the steps import on first use: SARIMAX and Holt (the forecast), the holiday calendars
    "statsmodels.tsa.statespace.sarimax", "statsmodels.tsa.holtwinters", "holidays.countries",
    # the modules the step notebooks import
    "planning.audit", "planning.contracts", "planning.facts",
    "planning.goals.calibration", "planning.goals.charts", "planning.goals.decompose", "planning.goals.facts",
    "planning.goals.forecast", "planning.goals.narrate", "planning.goals.prepare", "planning.goals.smart",
    "planning.goals.summary", "planning.goals.views", "planning.goals.widgets",
    "planning.importer",
    "planning.market.charts", "planning.market.competitors", "planning.market.narrate", "planning.market.needs",
    "planning.market.segments", "planning.market.share", "planning.market.summary", "planning.market.swot",
    "planning.market.trend", "planning.market.views", "planning.market.widgets",
    "planning.notebook",
    "planning.resources.actions", "planning.resources.budget", "planning.resources.capacity",
    "planning.resources.charts", "planning.resources.common", "planning.resources.facts",
    "planning.resources.incentives", "planning.resources.narrate", "planning.resources.summary",
    "planning.resources.views", "planning.resources.widgets",
    "planning.review.accuracy", "planning.review.charts", "planning.review.facts", "planning.review.improve",
    "planning.review.kpis", "planning.review.narrate", "planning.review.pdca", "planning.review.pipeline",
    "planning.review.plan", "planning.review.resplit", "planning.review.risks", "planning.review.root_causes",
    "planning.review.summary", "planning.review.variance", "planning.review.views", "planning.review.widgets",
    "planning.store",
    "planning.strategy.charts", "planning.strategy.coverage", "planning.strategy.facts",
    "planning.strategy.fourp", "planning.strategy.funnel", "planning.strategy.health",
    "planning.strategy.narrate", "planning.strategy.retention", "planning.strategy.scatter",
    "planning.strategy.summary", "planning.strategy.tiers", "planning.strategy.widgets",
)
# fmt: on

_started = False
_server_env: tuple[dict[str, str], str] | None = None  # the environment and folder the server was started in


def _here() -> tuple[dict[str, str], str]:
    return dict(os.environ), os.getcwd()


def prestart() -> bool:
    """Start the fork server now, importing `PRELOAD` in the background; later pool workers fork from it.
    False (nothing started) where the platform has no fork server. A server started in another environment or
    folder (an earlier command in the same process, as in tests) is stopped and started anew."""
    global _started, _server_env
    if "forkserver" not in mp.get_all_start_methods():
        return False
    if _started and _server_env != _here():
        stop()
    if not _started:
        # one module, which imports PRELOAD with the garbage collector off and freezes the result (runner.preload)
        forkserver.set_forkserver_preload(["planning.runner.preload"])
        try:
            forkserver.ensure_running()
        except OSError:  # no socket, no process to start: the pool spawns its workers as before
            return False
        _started, _server_env = True, _here()
        atexit.register(_end_server)
    return True


def _end_server() -> None:
    """At the CLI's exit: end the fork server at once (SIGTERM), not waiting for it. Its workers have stopped by
    then; a run that stopped at its checks (bad input) would otherwise leave it importing `PRELOAD` for a second
    after the CLI, and a finished one leave it ~0.5 s in its interpreter's shutdown."""
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is not None and mp.parent_process() is None:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass


def context():
    """The multiprocessing context the pool starts its workers with: the fork server once `prestart`ed (and
    while the environment and folder are still those it was started in: a forked worker inherits the server's,
    not the runner's), else spawn (a fresh interpreter per worker)."""
    return mp.get_context("forkserver" if _started and _server_env == _here() else "spawn")


def stop() -> None:
    """Stop the fork server and wait for it (tests; later pools spawn). The CLI ends it at its exit instead,
    without waiting (`_end_server`)."""
    global _started, _server_env
    _started, _server_env = False, None
    server = forkserver._forkserver
    if getattr(server, "_forkserver_pid", None) is not None and mp.parent_process() is None:
        server._stop()  # multiprocessing's own way to stop its server (its tests use it)


def release_server() -> None:
    """In a worker forked by the fork server: close the inherited write end of the server's "alive" pipe, so
    that the server exits when the runner does (see the module's docstring). Nothing in a spawned worker."""
    server = forkserver._forkserver  # multiprocessing keeps the fd here in a forked child (_serve_one)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None and mp.parent_process() is not None:
        try:
            os.close(fd)
        except OSError:
            pass
        server._forkserver_alive_fd = None


def freeze_heap() -> None:
    """In a worker, before its notebooks: move every object the process holds (the modules it inherited from the
    fork server, or imported) out of the cyclic garbage collector's sight (`gc.freeze`, which Python's
    documentation recommends for processes forked without exec), with the collector on.

    A worker forked from the fork server inherits a heap the server froze with the collector off
    (`runner.preload`): it only turns the collector back on. A spawned pool worker collects first, then
    freezes, as it starts; a Dask worker does so after its first task, when the steps' modules are imported
    (`runner.cluster`).

    A full collection otherwise walks those ~230,000 objects every time, and the notebooks' pandas work
    triggers several per region: 0.92 s of the six regions' ~9.2 s of notebook code in one process, 0.07 s
    frozen (docs/performance.md, fifth round). Frozen objects are still freed by reference counting; only a
    reference cycle among them would outlive its use, and modules, classes and functions live as long as the
    worker anyway. It also spares the collector's writes to the pages a forked worker shares with the server."""
    if gc.isenabled():  # not forked from the preloaded server: what the imports left behind is collected first
        gc.collect()
    gc.freeze()
    gc.enable()
