"""Batch runs on Dask distributed: `--cluster local:N` (a LocalCluster started for the run) or `--scheduler
tcp://HOST:PORT` / `run.scheduler` (a cluster already running: dask-jobqueue, dask-kubernetes, `dask scheduler`).

A task is one region's chain of steps (`region_task`): the worker runs them with `kernels.run_region` on its own
kernel, kept for the next region as a process-pool worker keeps it, and writes notebooks, reports and artefacts
straight into the run's hidden work folder; the client assembles the manifest and index and publishes the
snapshot atomically, as with the process pool (`run._run_into`). Only paths and parameters travel through the
scheduler (the spec of `run._run_into`: a few kB), and a worker reads only its region's rows from the data folder
(the notebooks' own region / date push-down), so every worker must see the data, notebooks and output folders at
the same paths as the client: a shared filesystem (docs/cluster.md). `check_workers` proves it before any task
starts, with a file the client writes into the work folder and every worker must read back.

Faults:
- A worker lost mid-run (killed, out of memory, its node gone) costs only the task it was running: the scheduler
  gives it to another worker. Each step marks itself in flight in `<region>/.run/<step>.json` and records its
  result there when it ends, so the re-run skips the steps already done, removes what the lost step left half
  written, and runs it and the rest of the region; that step's result carries `retried` (its workers' deaths).
  Retries are bounded: the scheduler's `allowed-failures` (`LOST_WORKER_RETRIES` for `--cluster local:N`); past
  it the step fails (`WorkerKilled`) and the rest of the region is skipped.
- A task that fails on its own (a notebook error is a failed step, not an exception; an exception is a bug or a
  worker that cannot see the folders) is not retried: its step fails with the exception's message.
- Progress: every step's result is sent to the client as a Dask event (`TOPIC`) when the step ends, and printed by
  the CLI at once, as with the process pool.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import secrets
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from planning.errors import ClusterError
from planning.runner.forking import freeze_heap
from planning.runner.kernels import KernelSlot, run_region
from planning.runner.pool import WORKER_KILLED, _remove_partial
from planning.runner.results import StepResult

TOPIC = "planning-step"  # the Dask event topic of finished steps
MARKERS = ".run"  # <region_dir>/.run/<step>.json: in flight or done; removed before the snapshot is published
LOST_WORKER_RETRIES = (
    1  # `--cluster local:N`: a step whose worker was lost runs once more (as the process pool)
)
MAX_LOCAL_WORKERS = 64
CONNECT_TIMEOUT = "15s"  # to reach an existing scheduler
_LOCAL = re.compile(r"^local:(\d+)$")
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/]+:\d{1,5}$")
DOCS = "docs/cluster.md"


@dataclass(frozen=True)
class Target:
    """Where a run's tasks go: a LocalCluster of `n_workers` single-threaded processes, or a scheduler address."""

    local_workers: int = 0
    address: str = ""

    def describe(self) -> str:
        if self.local_workers:
            return f"Dask LocalCluster, {self.local_workers} worker processes x 1 thread"
        return f"Dask scheduler {self.address}"


def parse_target(cluster: str | None, scheduler: str | None, where: str = "--scheduler") -> Target | None:
    """`--cluster local:N` or `--scheduler tcp://HOST:PORT` (`where` names the scheduler's origin: the option or
    `run.scheduler` of a params file) -> Target; None for neither. Bad values: ClusterError (exit 2)."""
    if cluster and scheduler:
        raise ClusterError(f"--cluster {cluster} and {where} {scheduler}: expected one of them, not both")
    if cluster:
        m = _LOCAL.match(cluster)
        if not m or not 1 <= int(m.group(1)) <= MAX_LOCAL_WORKERS:
            raise ClusterError(
                f"--cluster {cluster!r}: expected local:N with N worker processes from 1 to {MAX_LOCAL_WORKERS} "
                "(e.g. local:2); for a cluster that is already running use --scheduler tcp://HOST:PORT"
            )
        return Target(local_workers=int(m.group(1)))
    if scheduler:
        if not _ADDRESS.match(scheduler):
            raise ClusterError(
                f"{where} {scheduler!r}: expected a Dask scheduler address tcp://HOST:PORT (or tls://HOST:PORT), "
                "as `dask scheduler` prints it"
            )
        return Target(address=scheduler)
    return None


# ------------------------------------------------------------------------------------------------ on a worker
_SLOTS: dict[int, KernelSlot] = {}  # the kernel of each worker thread (one thread per worker: one kernel)
_FROZEN: list[bool] = []  # whether this worker process has frozen its heap (after its first task)


def _slot() -> KernelSlot:
    slot = _SLOTS.get(threading.get_ident())
    if slot is None:
        slot = _SLOTS[threading.get_ident()] = KernelSlot()
        atexit.register(slot.close)  # the kernel also exits by itself when its worker dies (ipykernel)
    return slot


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, value: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    os.replace(tmp, path)


_FIELDS = tuple(f.name for f in fields(StepResult))


def _step_result(value: dict[str, Any]) -> StepResult:
    """A StepResult from its dict (the scheduler adds `worker` to an event's dict)."""
    return StepResult(**{k: v for k, v in value.items() if k in _FIELDS})


def _result_dict(result: StepResult, audit: bool = False) -> dict[str, Any]:
    """A StepResult as a dict for JSON (markers, events); with `audit`, the region's audit too (`Ahead`, in the
    task's return value only)."""
    value = {k: getattr(result, k) for k in _FIELDS if k != "audit"}
    if audit and result.audit is not None:
        value["audit"] = result.audit
    return value


def region_task(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Run one region's steps on this worker (a Dask task); returns their results as dicts (`StepResult`).

    Steps an earlier attempt of this task finished (its worker was lost later) are taken from their markers; the
    step that was in flight is cleaned and run again with the ones after it (module docstring)."""
    # lazy: distributed is only on the workers of a Dask run
    from distributed import get_worker

    worker = get_worker()
    region_dir = Path(spec["region_dir"])
    if not region_dir.is_dir():
        raise ClusterError(
            f"worker {worker.address}: cannot see the run's folder {region_dir}; every worker must see the "
            f"output folder at the same path as the client (a shared filesystem, {DOCS})"
        )
    marks = region_dir / MARKERS
    marks.mkdir(exist_ok=True)
    done: list[StepResult] = []
    left: list[str] = []
    deaths: list[str] = []
    for step in spec["steps"]:
        mark = _read_json(marks / f"{step}.json")
        if not left and mark and "result" in mark:
            done.append(_step_result(mark["result"]))
            continue
        if not left and mark:  # in flight when its worker was lost
            deaths = [*mark.get("deaths", []), f"{mark.get('worker')} (pid {mark.get('pid')}) was lost"]
            _remove_partial(region_dir, step)
        left.append(step)

    def on_start(step: str) -> None:
        _write_json(marks / f"{step}.json", {"worker": worker.address, "pid": os.getpid(),
                                             "deaths": deaths if step == left[0] else []})  # fmt: skip

    def on_step(result: StepResult) -> None:
        if deaths and result.step == left[0]:
            result.retried = retry_record(deaths, result.status)
        value = _result_dict(result)
        _write_json(marks / f"{result.step}.json", {"result": value})
        if result.audit is not None:  # the region's last step comes with the task's result, and its audit with it
            return
        try:
            worker.log_event(TOPIC, value)
        except Exception:  # progress is a courtesy: the result also comes back with the task
            pass

    results = run_region({**spec, "steps": left}, _slot(), on_step=on_step, on_start=on_start) if left else []
    if left and not _FROZEN:  # the steps' modules are imported now: out of the collector's way (runner.forking)
        _FROZEN.append(True)
        freeze_heap()
    return [_result_dict(r, audit=True) for r in [*done, *results]]


def _sees(paths: list[tuple[str, str]], probe: str, token: str) -> list[str]:
    """On a worker: what of `paths` (label, path) it cannot see, and whether it reads the client's `probe` file
    (same folder, not just the same path name) and can write beside it."""
    problems = [f"the {label} {path}" for label, path in paths if not os.path.exists(path)]
    try:
        seen = Path(probe).read_text(encoding="utf-8")
    except OSError:
        seen = None
    if seen != token:
        problems.append(
            f"the output folder {Path(probe).parent} (a file the client wrote there is not there)"
        )
        return problems
    mine = Path(f"{probe}-{os.getpid()}")
    try:
        mine.write_text(token, encoding="utf-8")
        mine.unlink()
    except OSError as exc:
        problems.append(f"the output folder {Path(probe).parent} as writable ({exc.strerror})")
    return problems


# ------------------------------------------------------------------------------------------------ on the client
def retry_message(deaths: list[str], outcome: str) -> str:
    """What happened to a region-step whose worker was lost in it (`deaths`: one phrase per lost worker)."""
    message = f"worker {deaths[0]} during this step; re-run on another worker: {outcome}"
    if len(deaths) > 1:
        message += ", " + ", ".join(f"worker {d} again" for d in deaths[1:])
    return message


def retry_record(deaths: list[str], outcome: str) -> dict[str, Any]:
    return {"message": retry_message(deaths, outcome), "worker_deaths": list(deaths)}


@contextmanager
def connect(target: Target) -> Iterator[Any]:
    """A Dask client for `target` (a LocalCluster is started for the run and closed after it)."""
    try:
        # lazy: distributed (~0.6 s after pandas, ~30 MB installed) only for runs that ask for a cluster
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError(
            f"--cluster / --scheduler need Dask distributed, which is not installed ({exc}); install it with "
            "pip install -e '.[dask]'"
        ) from None
    if target.local_workers:
        config = {
            # a lost worker's step runs once more, as with the process pool; then it fails (WorkerKilled)
            "distributed.scheduler.allowed-failures": LOST_WORKER_RETRIES,
            # one task per single-threaded worker: a lost worker costs only the region it was running
            "distributed.scheduler.worker-saturation": 1.0,
            # the workers' statistical profiler samples every thread's stack every 10 ms, for a dashboard this
            # cluster does not have; the system monitor polls every 0.5 s: ~20 % less idle CPU per worker
            "distributed.worker.profile.enabled": False,
            "distributed.admin.system-monitor.interval": "2s",
            # every process's event loop woke every 20 ms to time itself ("event loop blocked" warnings), and the
            # nannies and workers measured their memory every 100 ms: with notebooks now ~0.3 s each, this idle
            # work was ~14 % of the cluster's CPU per notebook (benchmarks/results/cluster-200.json)
            "distributed.admin.tick.interval": "1s",
            "distributed.worker.memory.monitor-interval": "1s",
        }
        with dask.config.set(config):
            cluster = LocalCluster(
                n_workers=target.local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = Client(target.address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"scheduler {target.address}: cannot connect ({exc}); expected the address of a running Dask "
            "scheduler (`dask scheduler` prints it; docs/cluster.md)"
        ) from None
    try:
        yield client
    finally:
        client.close()


def check_workers(client: Any, paths: list[tuple[str, Path]], work: Path) -> int:
    """Every worker sees `paths` (label, path) and the run's work folder `work` (module docstring); returns the
    number of worker threads. ClusterError naming each worker and what it cannot see otherwise."""
    try:
        client.wait_for_workers(1, timeout=60)
    except TimeoutError:
        raise ClusterError(f"{client.scheduler.address}: no Dask worker joined within 60 s") from None
    token = secrets.token_hex(8)
    probe = work / f".probe-{token}"
    probe.write_text(token, encoding="utf-8")
    try:
        found = client.run(_sees, [(label, str(p)) for label, p in paths], str(probe), token)
    except Exception as exc:  # a worker that cannot even unpickle `_sees` lacks the planning package
        raise ClusterError(
            f"the Dask workers cannot run planning's tasks ({type(exc).__name__}: {exc}); every worker needs the "
            f"same environment as the client (the planning package and its dependencies, {DOCS})"
        ) from None
    finally:
        probe.unlink(missing_ok=True)
    problems = [f"worker {addr} cannot see {what}" for addr, whats in sorted(found.items()) for what in whats]
    if problems:
        raise ClusterError(
            "\n".join(problems)
            + f"\nevery Dask worker must see the data, notebooks and output folders at the same paths as this "
            f"machine (a shared filesystem, {DOCS})"
        )
    return sum(client.nthreads().values())


def run_on_cluster(
    target: Target,
    specs: list[dict[str, Any]],
    paths: list[tuple[str, Path]],
    work: Path,
    progress: Callable[[list[StepResult]], None] | None,
) -> tuple[list[StepResult], int]:
    """Run the regions of `specs` as Dask tasks; one StepResult per region-step, and the number of worker threads
    (the manifest's `workers`). Ctrl-C cancels the tasks (a LocalCluster's workers and kernels stop)."""
    # lazy: as in `connect`
    from distributed import as_completed

    results: list[StepResult] = []
    shown: set[tuple[str, str]] = set()
    lock = threading.Lock()

    def show(res: list[StepResult]) -> None:
        with lock:
            new = [r for r in res if (r.region, r.step) not in shown]
            shown.update((r.region, r.step) for r in new)
        if progress and new:
            progress(new)

    with connect(target) as client:
        n_threads = check_workers(client, paths, work)
        if progress:
            print(f"  {target.describe()}: {n_threads} worker threads", file=sys.stderr, flush=True)
        client.subscribe_topic(TOPIC, lambda event: show([_step_result(event[1])]))
        token = secrets.token_hex(4)
        futures = {
            client.submit(
                region_task, spec, key=f"planning-{spec['region']}-{token}", retries=0, pure=False
            ): spec
            for spec in specs
        }
        try:
            for future in as_completed(futures):
                spec = futures[future]
                try:
                    res = [_step_result(v) for v in future.result()]
                except Exception as exc:  # lost workers past the retries, or the task failed on its own
                    res = _failed_region(spec, exc)
                results.extend(res)
                show(res)
        except BaseException:
            client.cancel(list(futures), force=True)
            raise
        finally:
            client.unsubscribe_topic(TOPIC)
    for spec in specs:
        shutil.rmtree(Path(spec["region_dir"]) / MARKERS, ignore_errors=True)
    return results, n_threads


def _failed_region(spec: dict[str, Any], exc: BaseException) -> list[StepResult]:
    """The results of a region whose task raised: the steps its markers record as done, the step in flight failed
    (WorkerKilled after too many lost workers; else the exception), the rest skipped."""
    region_dir, region = Path(spec["region_dir"]), spec["region"]
    out: list[StepResult] = []
    for step in spec["steps"]:
        mark = _read_json(region_dir / MARKERS / f"{step}.json") or {}
        if out and out[-1].status != "ok":
            out.append(StepResult(region, step, "skipped", error={"message": "an earlier step failed"}))
        elif "result" in mark:
            out.append(_step_result(mark["result"]))
        elif type(exc).__name__ == "KilledWorker":
            deaths = [*mark.get("deaths", []), f"{mark.get('worker')} (pid {mark.get('pid')}) was lost"]
            _remove_partial(region_dir, step)
            err = {"type": WORKER_KILLED, "message": retry_message(deaths, "failed")}
            out.append(StepResult(region, step, "failed", error=err, retried=retry_record(deaths, "failed")))
        else:
            message = (str(exc).strip().splitlines() or [""])[0][:500]
            err = {"type": type(exc).__name__, "message": message or type(exc).__name__}
            out.append(StepResult(region, step, "failed", error=err))
    return out
