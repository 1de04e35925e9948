"""planning.kernel: the namespace reset the runner puts at the top of every step notebook."""

from __future__ import annotations

import gc
import sys

import pytest
from IPython.core.interactiveshell import InteractiveShell

from planning import kernel


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch):
    """An in-process IPython shell. It installs its own `__main__` module (without `__spec__`, which breaks
    multiprocessing's spawn in later tests): the real one is put back afterwards."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    yield InteractiveShell.instance()
    InteractiveShell.clear_instance()


def test_fresh_namespace_empties_the_user_namespace_without_collecting(shell, monkeypatch) -> None:
    ip = shell
    ip.run_cell("import pandas as pd\nframe = pd.DataFrame({'a': [1, 2]})\nframe", store_history=True)
    assert "frame" in ip.user_ns and "pd" in ip.user_ns and len(ip.user_ns["Out"]) >= 1
    calls: list[tuple] = []

    def collect(*args: object) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    kernel.fresh_namespace()
    assert "frame" not in ip.user_ns and "pd" not in ip.user_ns
    assert ip.user_ns["Out"] == {} and ip.displayhook._ == ""  # no hidden reference to the last output
    assert "get_ipython" in ip.user_ns  # a usable namespace, as a fresh kernel's
    assert calls == [] and gc.collect is collect  # %reset -f would collect twice; restored afterwards
    ip.run_cell("b = 1 + 1")
    assert ip.user_ns["b"] == 2


def test_displays_flush_the_streams_only_when_they_hold_text(monkeypatch) -> None:
    """The kernel's display publisher skips the stdout / stderr flush (a round trip to the IO thread) when the
    streams hold nothing, and still flushes a stream holding printed text, so outputs stay in order."""
    from collections import defaultdict
    from io import StringIO

    class Stream:
        def __init__(self) -> None:
            self._buffers: defaultdict = defaultdict(StringIO)
            self.flushes = 0

        def flush(self) -> None:
            self.flushes += 1
            self._buffers.clear()

    class Publisher:
        def _flush_streams(self) -> None:
            raise AssertionError("replaced")

    class Shell:
        display_pub = Publisher()

    out, err = Stream(), Stream()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    ip = Shell()
    kernel.flush_only_written(ip)
    kernel.flush_only_written(ip)  # installed once
    ip.display_pub._flush_streams()
    assert (out.flushes, err.flushes) == (0, 0)
    out._buffers[frozenset()].write("printed")
    ip.display_pub._flush_streams()
    assert (out.flushes, err.flushes) == (1, 0)
    kernel._flush_written_streams()
    assert out.flushes == 1  # emptied by the flush


def test_a_shell_without_a_zmq_display_publisher_is_left_alone(shell) -> None:
    kernel.flush_only_written(shell)
    assert not getattr(shell.display_pub, "_planning_flush", False)
