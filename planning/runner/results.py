"""What a run returns: one StepResult per region-step, the RunResult holding them, and the exit codes."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planning.errors import EXIT_FAILED, EXIT_OK


@dataclass
class StepResult:
    region: str
    step: str
    status: (
        str  # ok | partial (ran ok without an upstream step: runner.snapshot.mark_partial) | failed | skipped
    )
    duration_s: float = 0.0
    error: dict[str, Any] | None = None
    reused: bool = False  # --resume kept the result of an earlier run
    # its worker process died in it and it ran again: message, worker_deaths (runner.pool)
    retried: dict[str, Any] | None = None
    # the region's audit (audit.snapshot.Ahead), on the region's last step when its worker audited the region
    # (the review step's own audit, kept in the worker: runner.ahead); not in the manifest
    audit: Any = field(default=None, repr=False, compare=False)


@dataclass
class RunResult:
    snapshot: Path
    results: list[StepResult] = field(default_factory=list)
    language: str = "en"  # the run's (params `language` or --language): what its summary lines are worded in
    audit: Any = None  # the plan audit's frame (planning.audit; audit.csv): not part of the exit code
    # `<out>/<as-of>.failed/`: kept = this update failed and is kept there (the snapshot stays as it was);
    # swept = an earlier failed update of the snapshot this run published, removed (it is superseded)
    failed_kept: Path | None = None
    failed_swept: Path | None = None
    # what the run did for each region as soon as its steps were done (runner.ahead): the audit, the workbooks
    ahead: dict[str, Any] = field(default_factory=dict, repr=False)
    books: list[str] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED


def step_line(r: StepResult) -> str:
    """One finished step as the progress shows it: status, region, step, seconds, the error or retry."""
    mark = {"ok": "ok    ", "partial": "PARTIAL", "failed": "FAILED", "skipped": "skip  "}[r.status]
    msg = f"  [{mark}] {r.region:<12} {r.step:<20} {r.duration_s:6.1f} s"
    if r.error and r.status == "failed":
        msg += f"  {r.error.get('message', '')}"
    if r.retried and not (r.error and r.error.get("message") == r.retried["message"]):
        msg += f"  ({r.retried['message']})"
    return msg


def print_progress(results: list[StepResult]) -> None:
    """One line per finished step on stderr (a plain `progress` callback; the CLI uses `watch.Watch`)."""
    for r in results:
        print(step_line(r), file=sys.stderr, flush=True)
