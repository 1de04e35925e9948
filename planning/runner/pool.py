"""The worker processes of a parallel run: one region at a time each, on the worker's own kernel.

Each worker is a spawned process the runner talks to over its own pipe: the runner sends a region (`run_region`'s
spec), the worker sends back every step's result as soon as the step ends, then `done`. So the runner knows at
any moment which region-step each worker is in, and a worker that dies (the OOM killer's SIGKILL, a crash) costs
only that region-step, not the run:

- the steps the worker had finished keep their result (their notebook and HTML are on disk);
- the step in flight is retried once, with the rest of its region, on a fresh worker (a new process, so a new
  kernel); its partial artefacts are removed first;
- if the fresh worker dies in the same step too, that step fails with what happened ("worker process killed by
  signal 9 (SIGKILL) ...; retried once on a fresh worker, killed by signal 9 (SIGKILL) again") and the later steps
  of the region are skipped, as after any failed step;
- the other workers go on with their regions.

A region-step that was retried carries `StepResult.retried` (also in the manifest and the printed progress).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from planning import store
from planning.errors import EXIT_INTERRUPTED
from planning.runner import forking
from planning.runner.kernels import KernelSlot, run_region
from planning.runner.results import StepResult

WORKER_KILLED = "WorkerKilled"  # error type of a region-step whose worker process died twice in it


# ------------------------------------------------------------------------------------------------ in the worker
def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _worker_init() -> KernelSlot:
    """Workers leave Ctrl-C to the parent, which stops them with SIGTERM (-> KeyboardInterrupt -> kernel shutdown).

    On Linux a worker also gets SIGTERM when its parent (the runner, or the fork server, which exits with the
    runner: `runner.forking`) dies, so a runner killed with SIGKILL leaves no worker (and, through the worker's
    kernel shutdown, no kernel) behind. A worker's kernel, in turn, exits
    when its worker dies (ipykernel watches its parent process).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    forking.release_server()  # forked by the fork server: let the server exit with the runner (runner.forking)
    forking.freeze_heap()  # what it inherited or imported, out of the garbage collector's way (runner.forking)
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    slot = KernelSlot()
    atexit.register(slot.close)
    return slot


def _worker_main(conn: Connection) -> None:
    """A worker process: run the regions the runner sends (None: stop) on the worker's kernel, reporting every
    step's result at once. Once stopped (SIGTERM) and its kernel shut down, it exits at once."""
    slot = None
    try:
        slot = _worker_init()
        while (spec := conn.recv()) is not None:
            results = run_region(spec, slot, on_step=lambda result: conn.send(("step", result)))
            conn.send(("done", None))
            if spec.get("engine") == "shell" and any(r.status == "failed" for r in results):
                break  # the step ran in this process: the next region starts in a fresh worker, as in a fresh kernel
    except KeyboardInterrupt:
        if slot is not None:
            slot.close()
        os._exit(EXIT_INTERRUPTED)
    except (EOFError, BrokenPipeError):  # the runner is gone
        pass
    finally:
        if slot is not None:
            slot.close()


# ------------------------------------------------------------------------------------------------ in the runner
def death_of(exitcode: int | None) -> str:
    """How a worker process ended, for messages: "killed by signal 9 (SIGKILL)" or "exited with code 1"."""
    if exitcode is not None and exitcode < 0:
        try:
            name = f" ({signal.Signals(-exitcode).name})"
        except ValueError:
            name = ""
        return f"killed by signal {-exitcode}{name}"
    return f"exited with code {exitcode}"


@dataclass
class _Worker:
    proc: Any  # multiprocessing's SpawnProcess
    conn: Connection
    spec: dict[str, Any] | None = None  # the region it runs
    done: list[str] = field(default_factory=list)  # the steps of `spec` it reported
    released: bool = False  # sent None: stopping

    @classmethod
    def start(cls, ctx) -> _Worker:
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=_worker_main, args=(theirs,), name="planning-worker", daemon=True)
        proc.start()
        theirs.close()
        return cls(proc, mine)

    def give(self, spec: dict[str, Any]) -> bool:
        """Send a region; False when the worker is already dead (the death is handled as any other)."""
        self.spec, self.done = spec, []
        try:
            self.conn.send(spec)
        except OSError:
            return False
        return True

    def release(self) -> None:
        """No region left for it: it stops its kernel and exits (while the other workers finish theirs)."""
        if not self.released:
            self.released = True
            try:
                self.conn.send(None)
            except OSError:
                pass

    def stop(self, timeout: float) -> None:
        self.release()
        self.proc.join(timeout)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(10)
        self.conn.close()


def join_all(workers: list[_Worker], timeout: float = 30) -> None:
    """Wait for released workers to stop their kernels and exit (`run_parallel(..., stopping=...)`)."""
    for w in workers:
        w.stop(timeout=timeout)
    workers.clear()


def run_parallel(
    specs: list[dict[str, Any]],
    n_workers: int,
    progress: Callable[[list[StepResult]], None] | None,
    stopping: list[_Worker] | None = None,
) -> list[StepResult]:
    """Run the regions of `specs` on `n_workers` worker processes; one StepResult per region-step.

    With `stopping`, the released workers are appended to it instead of waited for: the runner writes the index
    and the workbooks while their kernels shut down (~0.7 s), and joins them before it returns (`join_all`).
    Workers are spawned, or forked from the fork server the CLI started with the steps' modules imported
    (`runner.forking`), never forked from the runner: that is unsafe once it has threads (kernel clients, the
    audit thread, a caller's own threads), as a lock held by another thread at fork time deadlocks the child.
    """
    ctx = forking.context()
    pending = deque(specs)
    workers: list[_Worker] = []
    results: list[StepResult] = []
    deaths: dict[tuple[str, str], list[str]] = {}  # region-step -> how its workers died in it

    def report(res: list[StepResult]) -> None:
        for r in res:
            if (r.region, r.step) in deaths:
                r.retried = _retry_record(deaths[(r.region, r.step)], r)
        results.extend(res)
        if progress and res:
            progress(res)

    def receive(w: _Worker) -> None:
        """Every message the worker has sent (also after it died: the pipe keeps them)."""
        try:
            while w.conn.poll():
                kind, value = w.conn.recv()
                if kind == "step":
                    w.done.append(value.step)
                    report([value])
                else:
                    w.spec, w.done = None, []
        except (EOFError, OSError):  # the worker died; what it sent before is read
            pass

    def buried(w: _Worker) -> None:
        """A worker died: the step in flight runs again once on a fresh worker, or fails the second time."""
        workers.remove(w)
        w.proc.join()
        w.conn.close()
        spec = w.spec
        if spec is None:
            return
        left = [s for s in spec["steps"] if s not in w.done]
        if not left:
            return
        region, step = spec["region"], left[0]
        deaths.setdefault((region, step), []).append(death_of(w.proc.exitcode))
        _remove_partial(Path(spec["region_dir"]), step)  # a killed process may leave half-written files
        if len(deaths[(region, step)]) == 1:
            fresh = _Worker.start(ctx)
            workers.append(fresh)
            fresh.give({**spec, "steps": left})
            return
        err = {"type": WORKER_KILLED, "message": retry_message(deaths[(region, step)], "failed")}
        if (w.proc.exitcode or 0) < 0:
            err["signal"] = -w.proc.exitcode
        skipped = [
            StepResult(region, s, "skipped", error={"message": "an earlier step failed"}) for s in left[1:]
        ]
        report([StepResult(region, step, "failed", error=err), *skipped])

    try:
        while pending or any(w.spec is not None for w in workers):
            for w in [w for w in workers if w.spec is None and not w.proc.is_alive()]:
                workers.remove(w)  # died between two regions: nothing of the run was lost
                w.conn.close()
            while pending and len(workers) < n_workers:
                workers.append(_Worker.start(ctx))
            for w in workers:
                if w.spec is None and pending:
                    w.give(pending.popleft())
                elif w.spec is None:  # its kernel's shutdown (~0.7 s) overlaps the other workers' last region
                    w.release()
            busy = [w for w in workers if w.spec is not None]
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy])
            for w in busy:
                receive(w)
                if not w.proc.is_alive():
                    receive(w)
                    buried(w)
    except BaseException:
        for w in workers:
            if w.proc.is_alive():
                w.proc.terminate()  # SIGTERM: the worker stops its kernel and exits
        for w in workers:
            w.proc.join(30)
        raise
    for w in workers:
        w.release()  # all at once: the kernels shut down in parallel
    if stopping is not None:  # the caller joins them (`join_all`) once it has done its own work meanwhile
        stopping.extend(workers)
    else:
        join_all(workers)
    return results


def retry_message(deaths: list[str], outcome: str) -> str:
    """What happened to a region-step whose worker process died in it (`deaths`: `death_of` each time)."""
    message = f"worker process {deaths[0]} during this step; retried once on a fresh worker: {outcome}"
    if len(deaths) > 1:
        message += f", worker process {deaths[1]} again"
    return message


def _retry_record(deaths: list[str], result: StepResult) -> dict[str, Any]:
    """`StepResult.retried` of a region-step whose worker died in it: the message and how each worker ended."""
    return {"message": retry_message(deaths, result.status), "worker_deaths": list(deaths)}


def _remove_partial(region_dir: Path, step: str) -> None:
    """What a step killed with its worker may have left: its notebook, report and artefacts."""
    for suffix in (".ipynb", ".html"):
        (region_dir / f"{step}{suffix}").unlink(missing_ok=True)
    store.remove_step_outputs(region_dir, step)
