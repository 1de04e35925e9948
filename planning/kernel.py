"""What the batch runner runs inside a kernel between two step notebooks.

`planning run` keeps one kernel per worker process for all the regions and steps the worker runs: modules stay
imported (pandas, altair, statsmodels: ~2 s per kernel start), and the first cell the runner adds to every
notebook empties the namespace, so each notebook starts as it would in a fresh kernel.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from IPython import get_ipython


def fresh_namespace() -> None:
    """Empty the kernel's user namespace and output history, as `%reset -f` does, minus its garbage collections.

    `%reset -f` runs two full `gc.collect()` passes; with pandas, altair and statsmodels loaded each pass walks
    ~150,000 objects for ~0.06 s and finds almost nothing (a step's data frames are freed by reference counting
    when the namespace is cleared; a measured pass after a strategy notebook found 117 objects). Python's own
    collector still runs as usual.
    """
    ip = get_ipython()
    if ip is None:  # not in IPython: nothing to reset
        return
    flush_only_written(ip)
    collect = gc.collect
    gc.collect = _no_collection
    try:
        ip.reset(new_session=False)
    finally:
        gc.collect = collect


def _no_collection(generation: int = 2) -> int:
    return 0


def flush_only_written(ip: Any) -> None:
    """Make the kernel's display publisher flush stdout / stderr before a display only when they hold text.

    ipykernel flushes both streams before every `display` (to keep printed text ahead of the display), and each
    flush is a round trip to the kernel's IO thread even when nothing was printed: two per table, chart or
    sentence, ~60 per step notebook, measured at 1-4 ms each when the kernel shares its cores with other
    processes (0.1-0.4 s per notebook on a loaded 2-core machine). A stream with nothing buffered has nothing to
    put ahead of the display; one with text is flushed as before, so the order of outputs is unchanged.
    Installed once per kernel (the runner's first cell of every notebook calls it through `fresh_namespace`).
    """
    pub = getattr(ip, "display_pub", None)
    if pub is None or not hasattr(pub, "_flush_streams") or getattr(pub, "_planning_flush", False):
        return
    pub._flush_streams = _flush_written_streams
    pub._planning_flush = True


def _flush_written_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        buffers = getattr(stream, "_buffers", None)
        if buffers is None or any(buf.tell() for buf in list(buffers.values())):
            stream.flush()
