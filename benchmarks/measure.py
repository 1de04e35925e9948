"""Measuring tools: wall-clock medians, timed subprocesses and the peak memory of a process tree.

Peak memory is the largest *sum* of resident set sizes over the process and all its descendants (workers,
kernels), sampled from /proc every `interval` seconds: `resource.getrusage(RUSAGE_CHILDREN)` only knows the
largest single process, and a run's footprint is spread over a CLI, worker processes and one kernel per region.
"""

from __future__ import annotations

import ctypes
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
VENV_BIN = Path(sys.executable).parent


def median_time(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Median wall time of `fn()` in seconds over `repeat` calls after `warmup` untimed calls; and all samples."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc/<pid>/stat (field 4 is the parent)."""
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name (field 2) may hold spaces and parentheses: split after its closing bracket
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(name))
    return tree


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` plus all its descendants right now (0 when it is gone)."""
    return tree_memory(pid)[0]


def _pss(pid: int) -> int | None:
    """Proportional set size of `pid` in bytes (a page shared by k processes counts 1/k), None when unknown."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return None


def tree_memory(pid: int) -> tuple[int, int]:
    """(resident bytes, proportional bytes) of `pid` plus all its descendants right now ((0, 0) when gone).

    The resident sizes' sum counts a page shared by several processes once for each: the pages a worker forked
    from `planning run`'s fork server shares with it (the imported modules, ~0.3 GB) are counted twice. The sum
    of the proportional set sizes counts every page once (where /proc/PID/smaps_rollup is missing, Linux < 4.14,
    it is the resident sum)."""
    tree = _children_map()
    rss, pss, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                resident = int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            resident = 0
        rss += resident
        proportional = _pss(p) if resident else None
        pss += resident if proportional is None else proportional
        todo.extend(tree.get(p, []))
    return rss, pss


@dataclass
class TreeSampler:
    """Samples the memory of a process tree in a background thread: `peak` (the sum of the processes'
    proportional set sizes, `tree_memory`) and `peak_resident` (the sum of their resident sizes), in bytes."""

    pid: int
    interval: float = 0.2
    peak: int = 0
    peak_resident: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> TreeSampler:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            rss, pss = tree_memory(self.pid)
            self.peak, self.peak_resident = max(self.peak, pss), max(self.peak_resident, rss)
            self.samples += 1
            self._stop.wait(self.interval)

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


@dataclass
class Timed:
    """A finished subprocess: wall seconds, peak tree memory (bytes: `peak_memory` the proportional set sizes'
    sum, which counts a shared page once, `TreeSampler.peak`; `peak_resident` the resident sizes' sum), exit code
    and the tail of its output."""

    cmd: list[str]
    seconds: float
    peak_memory: int
    returncode: int
    output: str
    peak_resident: int = 0

    def check(self) -> Timed:
        if self.returncode != 0:
            raise RuntimeError(
                f"command failed with exit code {self.returncode}: {' '.join(self.cmd)}\n{self.output[-3000:]}"
            )
        return self


def run_timed(
    cmd: Sequence[str],
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    interval: float = 0.2,
) -> Timed:
    """Run `cmd`, timing its wall clock and sampling its process tree's memory; output is captured (merged).

    The processes `cmd` leaves behind (`planning run`'s fork server, which exits after the CLI) are adopted by
    this process (a child subreaper, Linux) and waited for after the clock stops: their CPU time counts in this
    process's RUSAGE_CHILDREN, as that of every process the run started must (`cluster._cpu_now`)."""
    _adopt_orphans()
    known = _children()
    full_env = {**os.environ, **(env or {})}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=full_env,
        cwd=cwd,
        text=True,
    )
    with TreeSampler(proc.pid, interval) as sampler:
        out, _ = proc.communicate()
    seconds = time.perf_counter() - t0
    _reap_adopted(known)
    return Timed(list(cmd), seconds, sampler.peak, proc.returncode, out or "", sampler.peak_resident)


def _adopt_orphans() -> None:
    if sys.platform.startswith("linux"):
        pr_set_child_subreaper = 36
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _children() -> set[int]:
    me, found = os.getpid(), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == me:
                found.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _reap_adopted(known: set[int], timeout: float = 30.0) -> None:
    """Wait for the children this process adopted during a command (not those it had before)."""
    deadline = time.monotonic() + timeout
    while (adopted := _children() - known) and time.monotonic() < deadline:
        for pid in adopted:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    time.sleep(0.02)
            except ChildProcessError:
                pass


def machine() -> dict[str, Any]:
    """What the figures ran on: CPU model and count, memory, Python, load average, kernel."""
    import platform

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem / 2**30, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_avg": [round(x, 2) for x in os.getloadavg()],
    }
