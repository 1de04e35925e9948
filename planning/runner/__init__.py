"""Batch runs: every region x step through papermill into one dated snapshot (`planning run`).

- `review.py`   `review`: the review step alone against the plan of record (a snapshot of kind review);
- `run.py`      `run`: validate, run regions x steps (in parallel workers), write the manifest, publish;
- `kernels.py`  a worker's kernel (IPC sockets, reused across regions), the papermill engine, `run_region`,
                `notebook_parameters` (what papermill injects: the run input of `params.resolve`);
- `snapshot.py` the manifest's content (headline, versions, commit, step inputs for `--resume`);
- `checks.py`   what stops a run before any kernel starts (unsafe `--out`, not a snapshot, bad data);
- `publish.py`  the hidden work folder and the atomic publish;
- `results.py`  StepResult, RunResult, exit codes, progress lines;
- `pool.py`     the default executor: worker processes of this machine (a dead worker's step retried once);
- `cluster.py`  the Dask executor (`--cluster local:N`, `--scheduler tcp://HOST:PORT`; docs/cluster.md).
"""

from planning.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from planning.runner.checks import check_calendar, check_out_root, validate_data
from planning.runner.kernels import notebook_parameters, run_region
from planning.runner.results import RunResult, StepResult, print_progress
from planning.runner.review import review
from planning.runner.run import run
from planning.runner.snapshot import headline
from planning.runner.watch import Watch

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
