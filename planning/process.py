"""How the `planning` command's process starts and ends (`cli.main`): the fork server and the runner's import
before `planning run` / `planning review`, and an exit without the interpreter's teardown after every command.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
import threading


def import_runner(args: list[str]) -> None:
    """Before `planning run` or `planning review`: start the fork server (unless the run goes to Dask), then
    import the runner (what the command imports lazily, ~0.5 s) with the garbage collector off, and freeze what
    it loaded (`gc.freeze`). The server imports the steps' modules on the other core meanwhile: it is what the
    first notebooks wait for, so it starts first. A full collection would otherwise walk the growing heap again
    and again while the runner loads, and later while the data is checked: 0.84 -> 0.72 s of CPU from the
    command to its first notebook (six-region sample, median of 5). The collector is on again for the run
    itself. The command is the first word that is not an option (`planning --debug run ...`); the command
    itself starts the server as well (`cli._prestart_workers`: a second call does nothing)."""
    command = next((a for a in args if not a.startswith("-")), "")
    if command not in ("run", "review") or "--help" in args:
        return
    if not any(a.startswith(("--cluster", "--scheduler")) for a in args):
        # lazy: as the runner, kept out of `planning --help` (forking itself imports only multiprocessing)
        from planning.runner import forking

        forking.prestart()
    gc.disable()
    try:
        importlib.import_module(f"planning.runner.{command}")
    except ImportError:  # the command says what is missing
        pass
    finally:
        gc.freeze()
        gc.enable()


def leave(code: int | str | None) -> None:
    """Exit with `code` as `sys.exit` would, but without the interpreter's teardown: freeing every module and
    frame of a run (pandas, pyarrow, statsmodels loaded) took ~0.17 s after the run's last line was printed
    (strace, six-region sample). What an exit must still do is done first: other threads joined, the exit
    handlers run (the fork server's end, multiprocessing's, coverage's), the standard streams flushed. Every
    file the commands write is closed by then (snapshots are published by rename after their files are
    written)."""
    if isinstance(code, str):  # sys.exit("message"): printed, exit code 1
        print(code, file=sys.stderr)
        code = 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter runs at exit, in the same order
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`planning ... | head`): nothing more to say
            pass
    os._exit(code or 0)
