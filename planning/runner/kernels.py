"""The kernels of a run: one per worker, on IPC sockets, and the papermill engine that executes a step in it.

A worker keeps its kernel for the regions it runs in turn (`KernelSlot`); the first cell the run adds to every
step notebook (`with_reset_cell`) empties the namespace, so each notebook starts as in a fresh kernel while the
~2 s of kernel start and `import pandas, altair, statsmodels` are paid once per worker. IPC sockets in a private
folder avoid the TCP port race of parallel papermill runs (papermill#511). The `planning` engine writes the
output notebook once, at the end. A failed step is recorded as an error dict naming the cell it stopped in.
The executed notebook is then made reproducible (`tidy_notebook`): no timestamp or duration, fixed ids for the
cells the run adds, and paths that name the published snapshot, so a rerun gives the same bytes.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbformat.v4 import nbbase

from planning import report
from planning.audit.snapshot import audit_ahead
from planning.params import Params
from planning.runner.engines import saving_on_abort
from planning.runner.publish import published_path
from planning.runner.results import StepResult


def _kernel_manager(sock_dir: str):
    """A kernel manager on IPC transport with its sockets in `sock_dir` (no TCP ports to race for).

    It must be the async manager nbclient itself would create: with the blocking KernelManager's client
    nbclient never fires `execution_timeout` (a stuck cell would run for ever).
    """
    return AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sock_dir, "kernel"))


class KernelSlot:
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
            shutdown(self.km)
            self.km = None
        if self.sock_dir is not None:
            shutil.rmtree(self.sock_dir, ignore_errors=True)
            self.sock_dir = None


def shutdown(km) -> None:
    """Stop the worker's kernel (also after a timeout, a death or an interrupt); never raises.

    The kernel's process is killed when jupyter_client's shutdown did not end it (the shutdown raised, or a
    second Ctrl-C cut it short): a surviving kernel would keep running its cell and hold the run's stdout /
    stderr open after the run has exited.
    """
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


ENGINE = "planning"  # the papermill engine `run_region` uses (registered by `register_engine`)


@functools.cache
def register_engine() -> str:
    """Register papermill's nbclient engine with a notebook manager that writes the output notebook only when
    execution stops on a timeout or a dead kernel (the partial notebook the step's error points into), instead of
    before and after every cell.

    papermill's per-cell saves re-serialise and re-validate the whole notebook, charts' data included: ~30 writes
    of up to 0.5 MB per step, measured at 0.2-0.5 s of a step's 1-3 s. Nobody watches a step notebook while the
    run assembles the snapshot in its hidden folder, so the writes in between bought nothing; the notebook that
    ran through (or stopped at a cell's error: `execute_step`) is written once, tidied, by `run_region`.
    """
    # lazy: papermill, as in `execute_step`
    from papermill.engines import NBClientEngine, papermill_engines

    papermill_engines.register(ENGINE, saving_on_abort(NBClientEngine))
    return ENGINE



@functools.lru_cache(maxsize=16)
def _step_notebook(path: str, mtime_ns: int):
    """The step notebook with the reset cell, loaded as papermill loads it (kept per worker: every region runs
    the same five notebooks; `execute_step` runs a copy: papermill changes the notebook it is given)."""
    # lazy: papermill, as in `execute_step`
    from papermill.iorw import load_notebook_node

    return load_notebook_node(with_reset_cell(Path(path)))


def execute_step(nb_path: Path, out: Path, parameters: dict[str, Any], cwd: str, timeout: int, km, shell=None):
    """Execute the step notebook `nb_path` (with the reset cell) on the kernel `km` with `parameters` injected;
    returns the executed notebook, unwritten. papermill's `execute_notebook` minus its three writes of the
    output notebook (before the first cell, at the end, and again after its own end: 0.1-0.2 s per step with
    their validations) and its check of the parameter names (tests/test_runner_kernels.py checks them). A cell's
    error raises PapermillExecutionError after papermill has written the notebook with its error markers to `out`;
    a timeout or a dead kernel raises with the partial notebook written to `out` (`register_engine`).
    With `shell` (a `runner.shell.BatchShell`; `km` is then None) the cells run in this process instead
    (the `shell` engine), with the same parameters, metadata and error markers.
    """
    # lazy: papermill (+ nbclient) adds ~0.1 s CPU to the runner's ~0.4 s import, and only a process that executes
    # notebooks needs it: not `planning check`, nor the parent of a parallel run
    from papermill import engines, execute, utils

    nb = copy.deepcopy(_step_notebook(str(nb_path), nb_path.stat().st_mtime_ns))  # a few ms: no outputs yet
    if shell is not None:
        # lazy: IPython's shell (~0.2 s), only in a process that executes notebooks
        from planning.runner import shell as shell_engine

        engine, where = shell_engine.register_engine(), {"shell": shell}
    else:
        engine, where = register_engine(), {"km": km}
    nb = execute.parameterize_notebook(
        nb, parameters, kernel_name="python3", language="python", engine_name=engine
    )
    nb = execute.remove_error_markers(execute.prepare_notebook_metadata(nb, str(nb_path), str(out)))
    with utils.chdir(cwd), _outputs_unvalidated():
        nb = engines.papermill_engines.execute_notebook_with_engine(
            engine,
            nb,
            input_path=str(nb_path),
            output_path=str(out),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            record_timing=False,  # nbclient's per-cell timestamps: run-time, not part of the notebook
            **where,
        )
    execute.raise_for_execution_errors(nb, str(out))
    return nb


@contextlib.contextmanager
def _outputs_unvalidated():
    """nbformat's `new_output` / `new_code_cell` without their JSON-schema validation, while a step executes.

    nbclient builds every output of every cell with `nbformat.v4.output_from_msg`, which validates it against the
    notebook schema (~0.5-1 ms an output, ~40-60 outputs a step: 2-5 % of the run's CPU). The outputs come from
    the kernel's own messages and the executed notebook is written and exported without validation anyway
    (`_tidy_written`, `report.export_html`); the step notebook itself was read and validated whole. One worker
    executes one step at a time (its event loop runs in this thread), so the swap is seen by nothing else.
    """
    original = nbbase.validate
    nbbase.validate = _no_validation
    try:
        yield
    finally:
        nbbase.validate = original


def _no_validation(node: Any, ref: str | None = None) -> None:
    return None


# Cells the run adds to a step notebook: the namespace reset, papermill's parameters and error anchors.
_ADDED_TAGS = {"remove-cell", "injected-parameters", "papermill-error-cell-tag"}


def _failed_cell(nb_path: Path) -> dict[str, Any]:
    """Where a notebook stopped: the last cell papermill started, as its 1-based position in the step's own
    notebook (notebooks/<step>.ipynb, not counting the cells the run adds) and its first line.

    Works for all faults: an error marks its cell, while after a timeout or a dead kernel papermill marks the
    interrupted cell "completed" but never starts the cells after it.
    """
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


def error_of(exc: BaseException, nb_path: Path, timeout: int | None = None) -> dict[str, Any]:
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


def with_reset_cell(nb_path: Path):
    """The notebook with a first cell that empties the kernel's namespace.

    One kernel serves all the regions and steps of a worker (`KernelSlot`): imported modules stay loaded (the
    ~2 s of kernel start and `import pandas, altair, statsmodels` is paid once per worker, not once per region or
    notebook), while `planning.kernel.fresh_namespace` (`%reset -f` without its garbage collections) gives every
    notebook a clean namespace, as a fresh kernel would. The report export drops the cell by its tag.
    """
    nb = nbformat.read(nb_path, as_version=4)
    cell = nbformat.v4.new_code_cell(RESET_SOURCE, metadata={"tags": [RESET_TAG]})
    cell.id = RESET_TAG  # a fixed id: nbformat would draw a random one in every run
    nb.cells.insert(0, cell)
    return nb


#: What papermill records of when a notebook and each of its cells ran: dropped from the executed notebook (the
#: manifest keeps each step's duration; docs/artifacts.md "Reruns").
RUN_TIME_KEYS = ("start_time", "end_time", "duration")


def tidy_notebook(nb, work_dir: Path):
    """The executed notebook `nb` made the same in every run of the same inputs (changed in place, returned).

    - papermill's `start_time`, `end_time` and `duration` (of the notebook and of every cell) and nbclient's
      `execution` timings are removed;
    - the cells the run adds (the namespace reset, the injected parameters, papermill's error markers) get fixed
      ids `<tag>` / `<tag>-<n>` instead of random ones;
    - the hidden working folder `work_dir` (`.<as-of>.tmp-...`) in any text (the injected `out_dir` and
      `params_json`, papermill's `output_path`, a traceback) becomes the published snapshot folder.
    """
    pm_meta = nb.metadata.get("papermill")
    if isinstance(pm_meta, dict):
        for key in RUN_TIME_KEYS:
            pm_meta.pop(key, None)
    seen: dict[str, int] = {}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell_pm = cell.metadata.get("papermill")
        if isinstance(cell_pm, dict):
            for key in RUN_TIME_KEYS:
                cell_pm.pop(key, None)
        added = [t for t in cell.metadata.get("tags", []) if t in _ADDED_TAGS]
        if added:
            n = seen[added[0]] = seen.get(added[0], 0) + 1
            cell.id = added[0] if n == 1 else f"{added[0]}-{n}"
    final = published_path(work_dir)
    if final != work_dir:
        olds = {str(work_dir), str(work_dir.resolve())}
        _replace_text(nb, [(old, str(final)) for old in sorted(olds, key=len, reverse=True)])
    return nb


def _replace_text(node: Any, pairs: list[tuple[str, str]]) -> Any:
    """Every string in a notebook node (dicts, lists, strings), with each `old` replaced by its `new`."""
    if isinstance(node, str):
        for old, new in pairs:
            if old in node:
                node = node.replace(old, new)
        return node
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = _replace_text(value, pairs)
    elif isinstance(node, list):
        node[:] = [_replace_text(value, pairs) for value in node]
    return node


def _tidy_written(out: Path, nb, work_dir: Path):
    """Tidy the executed notebook `nb` (or, without one, the partial notebook at `out`: `tidy_notebook`) and write
    it to `out`; returns it (None without one). Written as `nbformat.write` writes it, minus its validation of
    the whole notebook: the notebook nbclient returns was valid when it started, and ran."""
    if nb is None:
        try:
            nb = nbformat.read(out, as_version=4)
        except Exception:  # an unreadable partial notebook stays as it is; the step has failed anyway
            return None
    text = nbformat.v4.nbjson.writes(tidy_notebook(nb, work_dir))
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    os.replace(tmp, out)
    return nb


def notebook_parameters(
    p: Params, region_dir: Path, data_dir: str, history_months: int = 0
) -> dict[str, Any]:
    """The values papermill injects into a step notebook (as escaped literals, never as code): every parameter of
    the notebooks' parameters cell, in its order, with the run's resolved values (`params.resolve`), which the
    setup cell passes back through `params.resolve` (tests/test_runner_kernels.py checks the names match).
    `history_months`: the region's complete months of orders the run's check counted (`checks.short_history`;
    3 to 12 make the minimal plan; 0 lets the notebook count them itself)."""
    return {
        "region": p.region.key,
        "as_of": p.as_of.isoformat(),
        "plan_year": p.plan_year,
        "language": p.language,
        "data_dir": data_dir,
        "out_dir": str(region_dir),
        "params_json": str(region_dir / "params.json"),
        "batch": True,
        "history_months": history_months,
    }


def _audit(region_dir: Path) -> Any:
    """The region's audit for the runner (`spec["audit"]`, runner.ahead), once its last step is done: the review
    step's own when it ran in this process (audit.snapshot.audit_ahead keeps it), else read now. None when it
    fails: the runner then reads the region itself, and says what fails."""
    try:
        return audit_ahead(region_dir)
    except Exception:  # noqa: BLE001 - the runner's own audit of the region names the problem
        return None


def run_region(
    spec: dict[str, Any],
    slot: KernelSlot | None = None,
    on_step: Callable[[StepResult], None] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> list[StepResult]:
    """Run the steps of one region in order (in a worker process); returns one StepResult per step.

    `spec`: region, steps, region_dir, notebooks_dir, parameters (`notebook_parameters`), execution_timeout and
    meta (the reports' page header). `slot` is the worker's kernel, kept for its next region; without one the
    region gets its own kernel, stopped at the end. A failed step skips the rest of the region (they read its
    artefacts) and discards the kernel. KeyboardInterrupt (Ctrl-C, or SIGTERM in a worker) propagates after the
    kernel is shut down. `on_step` is called with each step's result as soon as it is known (a parallel run's
    worker sends it to the runner, which so knows what finished should the worker process die); `on_start` with
    each step's name before its kernel runs it (a Dask task marks the step in flight, `runner.cluster`).
    """
    region, steps, region_dir = spec["region"], spec["steps"], Path(spec["region_dir"])
    results: list[StepResult] = []

    def record(result: StepResult) -> None:
        results.append(result)
        if on_step:
            on_step(result)

    failed = False
    own = slot is None
    slot = slot or KernelSlot()
    shell = None  # the `shell` engine: this process's IPython shell instead of the slot's kernel (runner.shell)
    if spec.get("engine") == "shell":
        # lazy: IPython's shell (~0.2 s), only in a process that executes notebooks
        from planning.runner import shell as shell_engine

        shell = shell_engine.batch_shell()
    try:
        for step in steps:
            if failed:
                record(StepResult(region, step, "skipped", error={"message": "an earlier step failed"}))
                continue
            if on_start:
                on_start(step)
            out = region_dir / f"{step}.ipynb"
            started = time.perf_counter()
            error = None
            nb = None  # the executed notebook, when papermill returns it (else read back from `out`)
            try:
                nb = execute_step(
                    Path(spec["notebooks_dir"]) / f"{step}.ipynb",
                    out,
                    spec["parameters"],
                    spec["notebooks_dir"],
                    spec["execution_timeout"],
                    None if shell else slot.get(),
                    shell=shell,
                )
            except Exception as exc:  # papermill errors, cell timeouts, dead kernels: recorded, never fatal
                error = error_of(exc, out, spec["execution_timeout"])
                failed = True
            duration = time.perf_counter() - started
            if nb is not None or out.is_file():
                try:
                    nb = _tidy_written(out, nb, region_dir.parent)
                    html = report.export_html(nb or out, {**spec["meta"], "step": step, "error": error})
                    out.with_suffix(".html").write_text(html, encoding="utf-8")
                except Exception as exc:  # a report that cannot be rendered is a failure of the step
                    error = error or {"type": type(exc).__name__, "message": f"HTML export failed: {exc}"}
                    failed = True
            result = StepResult(region, step, "failed" if error else "ok", round(duration, 2), error)
            if spec.get("audit") and step == steps[-1]:
                result.audit = _audit(region_dir)
            record(result)
    except BaseException:
        slot.close()
        raise
    if own or failed:
        slot.close()
    return results
