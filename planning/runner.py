"""Batch runs: every region x step through papermill into one dated snapshot.

Layout of a snapshot (docs/architecture.md):

    outputs/<as-of>/index.html, manifest.json
    outputs/<as-of>/<region>/<NN_step>.ipynb, <NN_step>.html, params.json, artifacts/*.csv

Reliability rules (README "When things go wrong"):

- Bad input stops the run before any kernel starts (ParamsError, DataError, SnapshotExists, UnsafePath: exit 2)
  and writes nothing to the output folder, except for data problems the validation report
  `<out>/<as-of>.validation.json`.
- The snapshot is assembled in a hidden sibling folder (`.<as-of>.tmp-<pid>-*`) and renamed into place only when
  every file is written; an existing snapshot (`--force`, `--resume`) is swapped out in one atomic exchange, so a
  crash at any moment leaves earlier snapshots byte-identical and never shows a half-written folder under a
  visible name. Hidden folders of runs that died are removed by the next run.
- A failing notebook (error, `run.execution_timeout` exceeded, dead kernel) does not stop other regions: its
  partial notebook is kept, the later steps of that region are skipped, the manifest records region, step, cell
  and error, the snapshot's `manifest.json` says `"status": "incomplete"`, and the run exits 1.
- Ctrl-C (SIGINT) stops every kernel, removes the temp folder, publishes nothing (the CLI exits 130).
- `resume=True` re-runs only the region-steps of an existing snapshot that did not finish or whose inputs (the
  region's params.json, the data fingerprint, the notebook source) changed since, and every later step of the
  same region.

Regions run in parallel worker processes; each kernel talks over IPC sockets in a private folder, which avoids
the TCP port race of parallel papermill runs (papermill#511). Parameters reach notebooks as values: papermill
writes them as escaped Python literals, and everything else travels in the region's params.json.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

from planning import config, sources
from planning import params as params_mod
from planning.errors import SnapshotExists, UnsafePath

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
MANIFEST = "manifest.json"
# Hidden working folders next to the snapshots: `.<as-of>.tmp-<pid>-<random>`.
_WORK_DIR = re.compile(r"^\.\d{4}-\d{2}-\d{2}\.tmp-(\d+)-")


@dataclass
class StepResult:
    region: str
    step: str
    status: str  # ok | failed | skipped
    duration_s: float = 0.0
    error: dict[str, Any] | None = None
    reused: bool = False  # --resume kept the result of an earlier run


@dataclass
class RunResult:
    snapshot: Path
    results: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED


# ------------------------------------------------------------------------------------------------ kernels
def _kernel_manager(sock_dir: str):
    """A kernel manager on IPC transport with its sockets in `sock_dir` (no TCP ports to race for).

    It must be the async manager nbclient itself would create: with the blocking KernelManager's client
    nbclient never fires `execution_timeout` (a stuck cell would run for ever).
    """
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sock_dir, "kernel"))


class _KernelSlot:
    """The kernel a worker reuses for the regions it runs in turn, started on first use.

    After a failed step (error, timeout, dead kernel) the kernel is discarded, so the next region starts in a
    fresh one; otherwise `fresh_namespace` between notebooks is the only reset. `close` stops it (end of the
    worker, Ctrl-C).
    """

    def __init__(self) -> None:
        self.km = None
        self.sock_dir: str | None = None

    def get(self):
        if self.km is None:
            self.sock_dir = tempfile.mkdtemp(prefix="planning-kernel-")
            self.km = _kernel_manager(self.sock_dir)
        return self.km

    def close(self) -> None:
        if self.km is not None:
            _shutdown(self.km)
            self.km = None
        if self.sock_dir is not None:
            shutil.rmtree(self.sock_dir, ignore_errors=True)
            self.sock_dir = None


def _shutdown(km) -> None:
    """Stop the worker's kernel (also after a timeout, a death or an interrupt); never raises.

    The kernel's process is killed when jupyter_client's shutdown did not end it (the shutdown raised, or a
    second Ctrl-C cut it short): a surviving kernel would keep running its cell and hold the run's stdout /
    stderr open after the run has exited.
    """
    from jupyter_core.utils import run_sync

    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # a dead kernel, or a shutdown that failed: the process is checked below
        pass
    except KeyboardInterrupt:  # a second Ctrl-C while stopping: kill without waiting
        pass
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            try:
                process.wait(timeout=5)
            except Exception:  # noqa: BLE001 - an unkillable process is the OS's to reap
                pass


ENGINE = "planning"  # the papermill engine `run_region` uses (registered by `_register_engine`)


@functools.cache
def _register_engine() -> str:
    """Register papermill's nbclient engine with a notebook manager that writes the output notebook once, when
    execution ends (also after an error, a timeout or a dead kernel), instead of before and after every cell.

    papermill's per-cell saves re-serialise and re-validate the whole notebook, charts' data included: ~30 writes
    of up to 0.5 MB per step, measured at 0.2-0.5 s of a step's 1-3 s. Nobody watches a step notebook while the
    run assembles the snapshot in its hidden folder, so the writes in between bought nothing.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class SaveAtEnd(NotebookExecutionManager):
        def save(self, **kwargs: Any) -> None:
            if self.end_time is not None:  # set by notebook_complete, which papermill calls in a `finally`
                super().save(**kwargs)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):  # fmt: skip
            nb_man = SaveAtEnd(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                               autosave_cell_every=autosave_cell_every)  # fmt: skip
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE, Engine)
    return ENGINE


# Cells the run adds to a step notebook: the namespace reset, papermill's parameters and error anchors.
_ADDED_TAGS = {"remove-cell", "injected-parameters", "papermill-error-cell-tag"}


def _failed_cell(nb_path: Path) -> dict[str, Any]:
    """Where a notebook stopped: the last cell papermill started, as its 1-based position in the step's own
    notebook (notebooks/<step>.ipynb, not counting the cells the run adds) and its first line.

    Works for all faults: an error marks its cell, while after a timeout or a dead kernel papermill marks the
    interrupted cell "completed" but never starts the cells after it.
    """
    import nbformat

    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception:  # no notebook written (e.g. the kernel never started): nothing to point at
        return {}
    last, position, found = None, 0, 0
    for cell in nb.cells:
        if _ADDED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        position += 1
        pm_meta = cell.get("metadata", {}).get("papermill", {})
        if pm_meta.get("start_time") or pm_meta.get("exception"):
            last, found = cell, position
        if pm_meta.get("exception"):
            break
    if last is None:
        return {}
    source = last.get("source", "").strip().splitlines()
    return {"cell": found, "source": source[0][:120] if source else ""}


def _error_of(exc: BaseException, nb_path: Path, timeout: int | None = None) -> dict[str, Any]:
    """Region/step-level error record: exception name, message and the cell it stopped in."""
    info: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc).strip().splitlines()[-1:] or [""]}
    info["message"] = info["message"][0][:500]
    for attr in ("ename", "evalue", "exec_count"):
        if getattr(exc, attr, None) is not None:
            info[attr] = getattr(exc, attr)
    if getattr(exc, "evalue", None):
        info["message"] = f"{exc.ename}: {exc.evalue}"[:500]
    if isinstance(exc, TimeoutError) and timeout:
        info["message"] = f"cell exceeded run.execution_timeout ({timeout} s)"
    if type(exc).__name__ == "DeadKernelError":
        info["message"] = f"the kernel died ({info['message']})"
    info.update(_failed_cell(nb_path))
    info["notebook"] = str(nb_path)
    return info


RESET_TAG = "remove-cell"  # report.export_html drops cells with this tag


RESET_SOURCE = "from planning.kernel import fresh_namespace\nfresh_namespace()"


def _with_reset_cell(nb_path: Path):
    """The notebook with a first cell that empties the kernel's namespace.

    One kernel serves all the regions and steps of a worker (`_KernelSlot`): imported modules stay loaded (the
    ~2 s of kernel start and `import pandas, altair, statsmodels` is paid once per worker, not once per region or
    notebook), while `planning.kernel.fresh_namespace` (`%reset -f` without its garbage collections) gives every
    notebook a clean namespace, as a fresh kernel would. The report export drops the cell by its tag.
    """
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    cell = nbformat.v4.new_code_cell(RESET_SOURCE, metadata={"tags": [RESET_TAG]})
    nb.cells.insert(0, cell)
    return nb


def notebook_parameters(region: str, region_dir: Path, data_dir: str) -> dict[str, Any]:
    """The values papermill injects into a step notebook (as escaped literals, never as code)."""
    return {
        "region": region,
        "params_json": str(region_dir / "params.json"),
        "data_dir": data_dir,
        "out_dir": str(region_dir),
        "batch": True,
    }


def run_region(spec: dict[str, Any], slot: _KernelSlot | None = None) -> list[StepResult]:
    """Run the steps of one region in order (in a worker process); returns one StepResult per step.

    `slot` is the worker's kernel, kept for its next region; without one the region gets its own kernel, stopped
    at the end. A failed step skips the rest of the region (they read its artefacts) and discards the kernel.
    KeyboardInterrupt (Ctrl-C, or SIGTERM in a worker) propagates after the kernel is shut down.
    """
    import papermill as pm

    from planning import report

    region, steps, region_dir = spec["region"], spec["steps"], Path(spec["region_dir"])
    results: list[StepResult] = []
    failed = False
    own = slot is None
    slot = slot or _KernelSlot()
    try:
        for step in steps:
            if failed:
                results.append(
                    StepResult(region, step, "skipped", error={"message": "an earlier step failed"})
                )
                continue
            out = region_dir / f"{step}.ipynb"
            started = time.perf_counter()
            error = None
            nb = None  # the executed notebook, when papermill returns it (else read back from `out`)
            try:
                nb = pm.execute_notebook(
                    _with_reset_cell(Path(spec["notebooks_dir"]) / f"{step}.ipynb"),
                    str(out),
                    parameters=notebook_parameters(region, region_dir, spec["data_dir"]),
                    kernel_name="python3",
                    engine_name=_register_engine(),
                    progress_bar=False,
                    log_output=False,
                    cwd=spec["notebooks_dir"],
                    execution_timeout=spec["execution_timeout"],
                    km=slot.get(),
                )
            except Exception as exc:  # papermill errors, cell timeouts, dead kernels: recorded, never fatal
                error = _error_of(exc, out, spec["execution_timeout"])
                failed = True
            duration = time.perf_counter() - started
            if out.is_file():
                try:
                    html = report.export_html(nb or out, {**spec["meta"], "step": step, "error": error})
                    out.with_suffix(".html").write_text(html, encoding="utf-8")
                except Exception as exc:  # a report that cannot be rendered is a failure of the step
                    error = error or {"type": type(exc).__name__, "message": f"HTML export failed: {exc}"}
                    failed = True
            results.append(StepResult(region, step, "failed" if error else "ok", round(duration, 2), error))
    except BaseException:
        slot.close()
        raise
    if own or failed:
        slot.close()
    return results


def _warm_bundle() -> None:
    """Build the reports' JS bundle into its disk cache, so that workers read it instead of each building it."""
    from planning import report

    try:
        report.vega_bundle()
    except Exception:  # a worker builds it itself (and reports a real failure through its step)
        pass


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops them with SIGTERM (-> KeyboardInterrupt -> kernel shutdown).

    On Linux a worker also gets SIGTERM when its parent, the runner, dies, so a runner killed with SIGKILL leaves
    no worker (and, through the worker's kernel shutdown, no kernel) behind.
    """
    global _WORKER_SLOT
    import atexit

    _WORKER_SLOT = _KernelSlot()
    atexit.register(_WORKER_SLOT.close)  # a worker exits normally when the pool shuts down
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


_WORKER_SLOT: _KernelSlot | None = None  # the worker process's kernel (set by `_worker_init`)


def _region_worker(spec: dict[str, Any]) -> list[StepResult]:
    """run_region in a worker process, on the worker's kernel; once stopped (SIGTERM) and its kernel shut down,
    the worker exits at once instead of waiting for more work from a runner that is gone or stopping."""
    try:
        return run_region(spec, _WORKER_SLOT)
    except KeyboardInterrupt:
        os._exit(EXIT_INTERRUPTED)


def _run_parallel(specs: list[dict[str, Any]], n_workers: int, progress) -> list[StepResult]:
    import multiprocessing as mp

    # Workers are spawned: forking the runner is unsafe once it has threads (kernel clients, a caller's own
    # threads), as a lock held by another thread at fork time deadlocks the child for ever; a fork server would
    # outlive a runner killed with SIGKILL. Spawned workers are the runner's children and die with it.
    ctx = mp.get_context("spawn")
    results: list[StepResult] = []
    pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_worker_init)
    try:
        futures = {pool.submit(_region_worker, spec): spec for spec in specs}
        for fut in as_completed(futures):
            try:
                res = fut.result()
            except Exception as exc:  # a worker that died takes only its own region with it
                spec = futures[fut]
                err = {"type": type(exc).__name__, "message": str(exc) or "the worker process died"}
                res = [StepResult(spec["region"], s, "failed", error=err) for s in spec["steps"]]
            results.extend(res)
            if progress:
                progress(res)
    except BaseException:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            if proc.is_alive():
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results


# ------------------------------------------------------------------------------------------------ snapshot
def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(config.PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        commit = out.stdout.strip() or "unknown"
        dirty = subprocess.run(
            ["git", "-C", str(config.PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return commit + ("-dirty" if dirty else "") if commit != "unknown" else commit
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _versions() -> dict[str, str]:
    names = ["pandas", "altair", "papermill", "nbconvert", "pydantic", "statsmodels", "scipy", "duckdb"]
    out = {"python": platform.python_version()}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            pass
    return out


def headline(region_dir: Path) -> dict[str, Any]:
    """Headline numbers of a region for the index, read from its artefacts when the steps wrote them."""
    import pandas as pd

    art = region_dir / "artifacts"
    out: dict[str, Any] = {}
    try:
        if (art / "targets.csv").is_file():
            t = pd.read_csv(art / "targets.csv")
            year = t[t["level"] == "year"]
            if len(year):
                out["plan_target"] = float(year["target"].iloc[0])
        if (art / "plan_vs_actual.csv").is_file():
            pva = pd.read_csv(art / "plan_vs_actual.csv")
            ytd = pva[pva["level"] == "ytd"]
            if len(ytd):
                out["ytd_plan"] = float(ytd["plan"].iloc[0])
                out["ytd_actual"] = float(ytd["actual"].iloc[0])
                out["completion"] = out["ytd_actual"] / out["ytd_plan"] if out["ytd_plan"] else None
        if (art / "kpis.csv").is_file():
            k = pd.read_csv(art / "kpis.csv")
            out["kpi_lights"] = {s: int((k["status"] == s).sum()) for s in ("green", "yellow", "red")}
    except (OSError, ValueError, KeyError):
        pass  # the index shows a dash for what is missing; the step reports carry the detail
    return out


# ------------------------------------------------------------------------------------------------ inputs
def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def step_inputs(params_json: bytes, data_fingerprint: dict[str, str], notebook: Path) -> dict[str, str]:
    """What a region-step's result depends on, as hashes: `--resume` re-runs the step when one changes."""
    return {
        "params": _sha256(params_json),
        "data": _sha256(json.dumps(data_fingerprint, sort_keys=True).encode()),
        "notebook": _sha256(notebook.read_bytes()),
    }


def read_manifest(snapshot: Path) -> dict[str, Any] | None:
    """The manifest of a published snapshot, or None when it is missing or unreadable."""
    try:
        manifest = json.loads((snapshot / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


# ------------------------------------------------------------------------------------------------ checks
def check_out_root(out_root: Path, inputs: list[Path]) -> Path:
    """Refuse an output folder that is not a folder, holds NUL, or lies inside the package or one of the run's
    `inputs` folders (params, notebooks, data: a `--force` there would replace inputs)."""
    text = str(out_root)
    if "\x00" in text:
        raise UnsafePath(f"--out {text!r}: a path may not contain a NUL character")
    if out_root.exists() and not out_root.is_dir():
        raise UnsafePath(f"--out {text}: is a file; expected a folder for the snapshots")
    resolved = out_root.resolve()
    for inner in [config.PARAMS_DIR, config.NOTEBOOKS_DIR, config.PACKAGE_DIR, *inputs]:
        inner = inner.resolve()
        if resolved == inner or inner in resolved.parents:
            raise UnsafePath(
                f"--out {text}: lies inside {inner}, which holds inputs of the run; expected a separate folder "
                "such as outputs/"
            )
    return out_root


def _check_replaceable(final: Path) -> None:
    """Only a snapshot (a folder with a manifest) may be replaced: never a user's folder or a symlink."""
    if final.is_symlink() or not final.is_dir() or not (final / MANIFEST).is_file():
        raise UnsafePath(
            f"{final}: exists but is not a snapshot (no {MANIFEST}); refusing to replace it; move it away or "
            "choose another --out"
        )


def _sweep_dead_work_dirs(out_root: Path) -> None:
    """Remove hidden working folders left by runs that were killed (their process no longer exists)."""
    for entry in out_root.iterdir() if out_root.is_dir() else ():
        m = _WORK_DIR.match(entry.name)
        if not m or not entry.is_dir() or entry.is_symlink():
            continue
        pid = int(m.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except PermissionError:
            pass  # a live process of another user


AS_OF_GRACE_DAYS = 31


def validate_data(data_dir: Path, regions: list[str], as_of, report_path: Path | None) -> list[Any]:
    """Load and validate the data the run will use, before any kernel starts.

    In: the data folder, the regions to plan, the planning date, where to write the validation report.
    Checks: the tables load (columns, types, dates), `data.validate_tables`, every region has orders, and
    `as_of` lies within the orders' date range. Out: the warnings (`data.Problem`). On an error writes
    `report_path` (JSON: every problem; None = no report) and raises DataError naming the first problem.
    A single-region run loads only that region (large histories).
    """
    from planning import data as data_mod

    problems: list[dict[str, Any]] = []
    warnings: list[Any] = []
    try:
        data_mod.check_regions(data_dir, regions)
        tables = data_mod.load_tables(data_dir, region=regions[0] if len(regions) == 1 else None)
        found = data_mod.validate_tables(tables)
        warnings = [p for p in found if p.severity != "error"]
        problems = [_problem_dict(p) for p in found if p.severity == "error"]
        dates = tables.orders["order_date"].dropna()
        first, last = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)
        # A quiet region (or a small export) may book its last order some days before the planning date; a
        # month without any order at all means the data ends before as_of.
        if first is not None and not first <= as_of <= last + timedelta(days=AS_OF_GRACE_DAYS):
            where = "before the data starts" if as_of < first else "after the data ends"
            problems.append(
                {
                    "severity": "error",
                    "table": "orders",
                    "column": "order_date",
                    "message": f"as_of {as_of.isoformat()} is {where}: {data_mod.table_file(data_dir, 'orders')} "
                    f"has order_date from {first.isoformat()} to {last.isoformat()}; expected an as_of within "
                    f"that range or at most {AS_OF_GRACE_DAYS} days after it (as_of in params/base.yaml or --as-of)",
                }
            )
    except data_mod.DataError as exc:
        problems.append({"severity": "error", "message": str(exc)})
    if not problems:
        if report_path is not None:
            report_path.unlink(missing_ok=True)  # a report of an earlier failed attempt no longer applies
        return warnings
    more = f" ({len(problems)} errors)" if len(problems) > 1 else ""
    if report_path is None:
        exc = data_mod.DataError(f"{problems[0]['message']}{more}")
        exc.problems = problems  # every error, for `planning check`
        raise exc
    report = {
        "data_dir": str(data_dir),
        "regions": regions,
        "as_of": as_of.isoformat(),
        "status": "failed",
        "errors": problems,
        "warnings": [_problem_dict(p) for p in warnings],
    }
    report_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = report_path.with_name(f".{report_path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, report_path)
    raise data_mod.DataError(f"{problems[0]['message']}{more}; validation report: {report_path}")


def _problem_dict(p: Any) -> dict[str, Any]:
    return {
        "severity": p.severity,
        "table": p.table,
        "column": p.column,
        "row": p.row,
        "value": p.value,
        "expected": p.expected,
        "count": p.count,
        "message": str(p),
    }


# ------------------------------------------------------------------------------------------------ run
def run(
    regions: list[str] | None = None,
    steps: list[str] | None = None,
    as_of: str | None = None,
    data_dir: str | None = None,
    out_root: Path | str | None = None,
    workers: int | None = None,
    language: str | None = None,
    force: bool = False,
    params_dir: Path | str | None = None,
    notebooks_dir: Path | str | None = None,
    progress=None,
    resume: bool = False,
) -> RunResult:
    """Validate everything, run regions x steps, and publish `out_root/<as-of>/` atomically.

    Raises ParamsError / DataError / SnapshotExists / UnsafePath (exit code 2) before any kernel starts when the
    input is bad, and KeyboardInterrupt (after removing the temp folder, nothing published) on Ctrl-C.
    `resume=True` completes an existing snapshot of the same date (see the module docstring).
    """
    from planning import data as data_mod
    from planning import report

    params_dir = Path(params_dir or config.PARAMS_DIR)
    out_root = Path(out_root or config.OUTPUTS_DIR)
    notebooks_dir = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    try:
        step_list = [config.step_key(s) for s in steps] if steps else list(config.STEPS)
    except ValueError as exc:
        raise params_mod.ParamsError(f"--step: {exc}") from None
    step_list = [s for s in config.STEPS if s in step_list]
    overrides: dict[str, Any] = {}
    if as_of:
        overrides["as_of"] = as_of
    if language:
        overrides["language"] = language
    wanted = list(dict.fromkeys(regions or params_mod.region_keys(params_dir)))
    if not wanted:
        raise params_mod.ParamsError(f"{params_dir}: no region files (<region>.yaml); nothing to run")
    loaded = {r: params_mod.load(r, params_dir, overrides) for r in wanted}
    first = loaded[wanted[0]].params
    for ld in loaded.values():
        if (ld.params.as_of, ld.params.plan_year) != (first.as_of, first.plan_year):
            raise params_mod.ParamsError(
                f"{ld.files[1]}: as_of {ld.params.as_of} / plan_year {ld.params.plan_year} differ from region "
                f"{wanted[0]!r} ({first.as_of} / {first.plan_year}); expected one planning date per snapshot"
            )
    snapshot_name = first.as_of.isoformat()
    final = out_root / snapshot_name

    previous = None
    if final.exists() or final.is_symlink():
        if resume:
            _check_replaceable(final)
            previous = read_manifest(final) or {}
            if not regions and previous.get("regions"):
                wanted = [r for r in previous["regions"] if r in loaded] or wanted
            if not steps and previous.get("steps"):
                step_list = [s for s in config.STEPS if s in previous["steps"]]
        elif not force:
            raise SnapshotExists(
                f"{final}: a snapshot for {snapshot_name} already exists; pass --force to replace it "
                "(the old one is kept until the new one is complete), --resume to complete it, or --out to "
                "write elsewhere"
            )
        else:
            _check_replaceable(final)

    data_dirs = {r: str(sources.resolve_dir(loaded[r].params, data_dir)) for r in wanted}
    check_out_root(out_root, [params_dir, notebooks_dir, *map(Path, data_dirs.values())])
    validation_report = out_root / f"{snapshot_name}.validation.json"
    data_warnings: list[Any] = []
    for d in sorted(set(data_dirs.values())):
        rs = [r for r in wanted if data_dirs[r] == d]
        data_warnings += validate_data(Path(d), rs, first.as_of, validation_report)
    fingerprints = {d: data_mod.fingerprint(Path(d)) for d in sorted(set(data_dirs.values()))}

    out_root.mkdir(parents=True, exist_ok=True)
    _sweep_dead_work_dirs(out_root)
    tmp = Path(tempfile.mkdtemp(prefix=f".{snapshot_name}.tmp-{os.getpid()}-", dir=out_root))
    try:
        result = _run_into(
            tmp,
            final,
            wanted,
            step_list,
            loaded,
            data_dirs,
            fingerprints,
            previous,
            notebooks_dir,
            workers,
            progress,
            data_warnings,
        )
        from planning import importer

        importer.write_snapshot_report(tmp, sorted(set(data_dirs.values())))  # <snapshot>/validation.json
        report.write_index(tmp, read_manifest(tmp) or {}, first.language)
        _publish(tmp, final, replace=force or previous is not None)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result


def _run_into(
    tmp: Path,
    final: Path,
    regions: list[str],
    steps: list[str],
    loaded: dict[str, Any],
    data_dirs: dict[str, str],
    fingerprints: dict[str, dict[str, str]],
    previous: dict[str, Any] | None,
    notebooks_dir: Path,
    workers: int | None,
    progress,
    data_warnings: list[Any],
) -> RunResult:
    """Run what has to run into `tmp`, reuse what `previous` already has, and write the manifest."""
    commit = git_commit()
    started_at = datetime.now(UTC)
    first = loaded[regions[0]].params
    prev_regions = (previous or {}).get("regions", {})
    result = RunResult(snapshot=final)
    specs = []
    inputs: dict[str, dict[str, dict[str, str]]] = {}
    for r in regions:
        p = loaded[r].params
        region_dir = tmp / r
        if r in prev_regions and (final / r).is_dir():
            shutil.copytree(final / r, region_dir, symlinks=True)
        region_dir.mkdir(parents=True, exist_ok=True)
        params_json = p.model_dump_json(indent=2).encode("utf-8")
        (region_dir / "params.json").write_bytes(params_json)
        inputs[r] = {
            s: step_inputs(params_json, fingerprints[data_dirs[r]], notebooks_dir / f"{s}.ipynb")
            for s in steps
        }
        to_run = _steps_to_run(steps, inputs[r], prev_regions.get(r, {}).get("steps", {}), region_dir)
        for s in steps[: len(steps) - len(to_run)]:
            old = prev_regions[r]["steps"][s]
            result.results.append(StepResult(r, s, "ok", old.get("duration_s", 0.0), None, reused=True))
        _remove_outputs(region_dir, to_run)
        if not to_run:
            continue
        meta = {
            "company": p.company.name_zh if p.language == "zh" else p.company.name,
            "region": r,
            "region_name": (p.region.name_zh if p.language == "zh" else p.region.name) or r,
            "as_of": p.as_of.isoformat(),
            "plan_year": p.plan_year,
            "language": p.language,
            "commit": commit,
        }
        specs.append(
            {
                "region": r,
                "steps": to_run,
                "region_dir": str(region_dir),
                "data_dir": data_dirs[r],
                "execution_timeout": p.run.execution_timeout,
                "notebooks_dir": str(notebooks_dir),
                "meta": meta,
            }
        )

    n_workers = workers if workers is not None else (first.run.workers or os.cpu_count() or 1)
    n_workers = max(1, min(n_workers, len(specs) or 1))
    if specs:  # the reports' JS bundle, cached on disk while the first notebooks run (report.vega_bundle)
        threading.Thread(target=_warm_bundle, name="vega-bundle", daemon=True).start()
    t0 = time.perf_counter()
    if n_workers == 1:
        slot = _KernelSlot()
        try:
            for spec in specs:
                res = run_region(spec, slot)
                result.results.extend(res)
                if progress:
                    progress(res)
        finally:
            slot.close()
    else:
        result.results.extend(_run_parallel(specs, n_workers, progress))
    wall = time.perf_counter() - t0

    order = {r: i for i, r in enumerate(regions)}
    result.results.sort(key=lambda x: (order[x.region], steps.index(x.step)))
    region_entries = {
        r: {
            "params": json.loads(loaded[r].params.model_dump_json()),
            "params_files": [str(f) for f in loaded[r].files],
            "data_dir": data_dirs[r],
            "headline": headline(tmp / r),
            "steps": {
                x.step: {
                    "status": x.status,
                    "duration_s": x.duration_s,
                    "error": x.error,
                    "inputs": inputs[r][x.step],
                    **({"reused": True} if x.reused else {}),
                }
                for x in result.results
                if x.region == r
            },
        }
        for r in regions
    }
    # regions of the resumed snapshot that this run does not cover are carried over unchanged
    for r, entry in prev_regions.items():
        if r not in region_entries and (final / r).is_dir():
            shutil.copytree(final / r, tmp / r, symlinks=True)
            region_entries[r] = entry
    complete = result.ok and all(
        st.get("status") == "ok" for e in region_entries.values() for st in e.get("steps", {}).values()
    )
    manifest = {
        "snapshot": final.name,
        "status": "complete" if complete else "incomplete",
        "started_at": started_at.isoformat(timespec="seconds"),
        "wall_s": round(wall, 2),
        "workers": n_workers,
        "commit": commit,
        "versions": _versions(),
        "steps": steps,
        "data": fingerprints,
        "data_warnings": [_problem_dict(p) for p in data_warnings[:100]],
        **({"resumed_from": previous.get("started_at")} if previous else {}),
        "regions": region_entries,
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return result


def _steps_to_run(
    steps: list[str], inputs: dict[str, dict[str, str]], previous: dict[str, Any], region_dir: Path
) -> list[str]:
    """The steps from the first one that cannot be reused onwards (a later step reads the earlier's artefacts)."""
    for i, s in enumerate(steps):
        old = previous.get(s) or {}
        reusable = (
            old.get("status") == "ok"
            and old.get("inputs") == inputs[s]
            and (region_dir / f"{s}.ipynb").is_file()
            and (region_dir / f"{s}.html").is_file()
        )
        if not reusable:
            return steps[i:]
    return []


def _remove_outputs(region_dir: Path, steps: list[str]) -> None:
    """Delete what a resumed snapshot holds of steps that run again (their notebook, report, artefacts)."""
    from planning import store

    for s in steps:
        for suffix in (".ipynb", ".html"):
            (region_dir / f"{s}{suffix}").unlink(missing_ok=True)
        store.remove_step_outputs(region_dir, s)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _publish(tmp: Path, final: Path, replace: bool) -> None:
    """Rename the finished temp folder into place.

    An existing snapshot is replaced only with `replace` (--force, --resume), in one atomic exchange where the
    system supports it (else two renames: for an instant no snapshot of that date is visible, but no half one).
    """
    if final.exists() or final.is_symlink():
        if not replace:
            raise SnapshotExists(f"{final}: a snapshot for {final.name} appeared while this run was working")
        if _exchange(tmp, final):
            shutil.rmtree(tmp, ignore_errors=True)  # now holds the old snapshot under the hidden name
            return
        trash = tmp.with_name(tmp.name + "-old")
        os.replace(final, trash)
        os.replace(tmp, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(tmp, final)


def print_progress(results: list[StepResult]) -> None:
    for r in results:
        mark = {"ok": "ok    ", "failed": "FAILED", "skipped": "skip  "}[r.status]
        msg = f"  [{mark}] {r.region:<12} {r.step:<20} {r.duration_s:6.1f} s"
        if r.error and r.status == "failed":
            msg += f"  {r.error.get('message', '')}"
        print(msg, file=sys.stderr, flush=True)
