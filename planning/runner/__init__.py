"""Batch runs: every region x step through papermill into one dated snapshot (`planning run`).

- `review.py`   `review`: the review step alone against the plan of record (a snapshot of kind review);
- `run.py`      `run`: validate, run regions x steps (in parallel workers), write the manifest, publish;
- `kernels.py`  `run_region`, a worker's kernel (IPC sockets, reused across regions) and its papermill engine,
                `notebook_parameters` (what papermill injects: the run input of `params.resolve`);
- `engines.py`  what the two papermill engines share (the output notebook written once);
- `shell.py`    the default engine (`run.engine: shell`): a worker's own IPython shell runs the notebooks, with
                the outputs a kernel would give, no kernel to start or talk to;
- `snapshot.py` the manifest's content (headline, versions, commit, step inputs for `--resume`);
- `checks.py`   what stops a run before any kernel starts (unsafe `--out`, not a snapshot, bad data);
- `publish.py`  the hidden work folder and the atomic publish;
- `results.py`  StepResult, RunResult, exit codes, progress lines;
- `pool.py`     the default executor: worker processes of this machine (a dead worker's step retried once);
- `cluster.py`  the Dask executor (`--cluster local:N`, `--scheduler tcp://HOST:PORT`; docs/cluster.md).
"""

import importlib
import sys
import types

from planning.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK

#: name -> the module of this package that defines it, imported on first use: a worker process (pool.py,
#: cluster.py) imports only what runs a notebook (kernels, report), not the checks, the importer, the
#: handover workbooks and the run's orchestration (~0.5-1 s of CPU in every worker)
_FROM = {
    "check_calendar": "checks",
    "check_out_root": "checks",
    "validate_data": "checks",
    "notebook_parameters": "kernels",
    "run_region": "kernels",
    "RunResult": "results",
    "StepResult": "results",
    "print_progress": "results",
    "review": "review",
    "run": "run",
    "headline": "snapshot",
    "Watch": "watch",
}


class _Package(types.ModuleType):
    """This package's module: `run` and `review` name the functions, as they always have, also once the import
    system has loaded the modules of the same names (it binds a loaded submodule to its package's attribute)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("run", "review") and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    if name in _FROM:
        value = getattr(importlib.import_module(f"{__name__}.{_FROM[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "RunResult",
    "StepResult",
    "check_out_root",
    "headline",
    "notebook_parameters",
    "print_progress",
    "review",
    "run",
    "run_region",
    "validate_data",
    "Watch",
    "check_calendar",
]
