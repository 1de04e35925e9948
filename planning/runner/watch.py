"""What `planning run` shows while it works: a start line, a live progress bar with an ETA, one line per notebook.

On a terminal the bar is drawn by rich (which typer already installs) and the finished notebooks scroll above it;
when stderr is not a terminal (CI logs, pipes) the same information comes as plain lines, each with its count and
the estimated time left, so a log reads top to bottom without control characters.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from planning import i18n
from planning.runner import texts
from planning.runner.results import StepResult, step_line


class Watch:
    """The `progress` callback of `runner.run` for the CLI: `start(...)` once, then called with each region's
    finished steps, `stop()` at the end (the runner calls both)."""

    def __init__(self, stream: IO[str] | None = None, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.total = 0
        self.done = 0
        self.t0 = time.perf_counter()
        self.lang = "en"
        self._bar: Progress | None = None
        self._task: Any = None

    def start(
        self,
        *,
        notebooks: int,
        regions: int,
        steps: int,
        workers: int,
        data: str,
        out: str,
        reused: int = 0,
        lang: str = "en",
    ):
        """The start line in the run's language `lang` (runner.texts), then the bar or plain lines."""
        self.total, self.done, self.t0, self.lang = notebooks, 0, time.perf_counter(), lang
        print(
            texts.run_start(notebooks, regions, steps, workers, reused, data, out, lang), file=self.stream, flush=True
        )
        if self.live and notebooks:
            console = Console(file=self.stream)
            self._bar = Progress(
                TextColumn("  " + i18n.t("check.run.running", lang)),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn(i18n.t("check.run.left", lang)),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._task = self._bar.add_task("run", total=notebooks)
            self._bar.start()

    def eta(self) -> str:
        """Time left at the average pace so far ("—" before the first notebook ends)."""
        if not self.done or self.done >= self.total:
            return "—"
        left = (time.perf_counter() - self.t0) / self.done * (self.total - self.done)
        if left < 90:
            return i18n.t("check.run.seconds", self.lang, n=f"{left:.0f}")
        return i18n.t("check.run.minutes", self.lang, n=f"{left / 60:.1f}")

    def __call__(self, results: list[StepResult]) -> None:
        for r in results:
            self.done += 1
            if self._bar is not None:
                self._bar.console.print(step_line(r), highlight=False, markup=False)
                self._bar.advance(self._task)
            else:
                count = f"[{self.done}/{self.total}]" if self.total else ""
                left = (
                    "  " + i18n.t("check.run.time_left", self.lang, time=self.eta())
                    if self.total and self.done < self.total
                    else ""
                )
                print(f"{step_line(r)}  {count}{left}", file=self.stream, flush=True)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
