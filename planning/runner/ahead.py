"""Each region's plan audit and quota workbook while the other regions run (`planning run`).

The audit reads every artefact of every region and checks them (~0.3 s of CPU a region at the sample's scale),
which the run did after its last notebook, with the workers idle. A region's artefacts do not change once its
steps are done, so it is audited then (`audit.snapshot.audit_ahead`), while the workers run the other regions:
- by the worker (a pool's process, a Dask task), which sends the audit with the region's last step. The review
  step has just audited its region for its report in that very process (the shell engine), and the worker
  hands over that audit when no artefact file changed since: the region is read and checked once, not twice;
- else (a worker's audit failed, a region's last step taken from a lost Dask task's markers) by a thread of
  the runner.
The audit at the end adds the manifest's step statuses and the company's checks to what is ready and reads the
rest (a carried-over region, one whose audit failed here). Same rows either way.
A plan's quota workbook of the region (`handover.workbook.write_region`) is written then too: it needs only the
region's parameters and the snapshot's name of the manifest (`manifest`), known before the run; the company's
workbook, of every region, is still written at the end (same bytes either way, tested).
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from planning.audit.snapshot import Ahead, audit_ahead
from planning.handover import workbook
from planning.runner.results import StepResult


class AuditAhead:
    """Audits, in a thread, each region of `steps_of` (region -> the steps this run gives it) once every step
    of it has reported (`saw`); `finish` waits for the audits under way and returns them by region."""

    def __init__(self, work_dir: Path, steps_of: dict[str, list[str]], manifest: dict | None = None) -> None:
        self.work_dir = work_dir
        self.left = {region: set(steps) for region, steps in steps_of.items() if steps}
        self.done: dict[str, Ahead] = {}
        self.given: dict[str, Ahead] = {}  # audits a worker sent with a region's last step
        self.manifest = manifest  # what the workbooks read of the manifest; None: no workbooks (not a plan)
        self.books: list[str] = []  # regions whose quota workbook is written
        self.queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._audit, name="audit-ahead", daemon=True)
        self.thread.start()

    def saw(self, results: list[StepResult]) -> None:
        for r in results:
            left = self.left.get(r.region)
            if left is None:
                continue
            if r.audit is not None:  # its worker audited it (the review step's own audit): not read again
                self.given[r.region] = r.audit
            left.discard(r.step)
            if not left:
                del self.left[r.region]
                self.queue.put(r.region)

    def _audit(self) -> None:
        while (region := self.queue.get()) is not None:
            try:
                self.done[region] = self.given.get(region) or audit_ahead(self.work_dir / region)
            except Exception:  # noqa: BLE001 - the audit at the end reads this region itself and says what fails
                pass
            if self.manifest is None:
                continue
            try:
                if workbook.write_region(self.work_dir, self.manifest, region) is not None:
                    self.books.append(region)
            except Exception:  # noqa: BLE001 - written at the end with the others, which says what fails
                pass

    def finish(self) -> dict[str, Ahead]:
        self.queue.put(None)
        self.thread.join()
        return self.done
