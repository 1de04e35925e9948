"""The `shell` engine: a step notebook executed by an IPython shell in the worker's own process, not in a kernel.

A kernel is a second process the worker drives over ZeroMQ: every cell is an execute request, every print,
table and chart a message serialised in the kernel, sent, and parsed back by nbclient. For a batch run, where
nobody is attached to the kernel, that costs ~0.2 s of CPU per notebook and ~1 s per worker to start the kernel
(measured in docs/performance.md, issue 21), and brings the failure modes of running kernels in parallel (start
timeouts, papermill#239; port races, papermill#511). Here the worker itself holds one `BatchShell` (IPython's
`InteractiveShell`, the object at the core of ipykernel) and runs each cell with `run_cell`; what the cell
prints or displays becomes the cell's outputs, in the shape nbclient gives them:

- `display(...)` -> `display_data`, an expression's value -> `execute_result`, an exception -> `error` (with
  IPython's own traceback), `print` / stderr -> `stream` (consecutive text of one stream in one output);
- every bundle passes through the JSON the kernel protocol would have used (`jupyter_client.session.json_packer`),
  so the executed notebook holds the same values as after a kernel (tuples as lists, numpy numbers as numbers);
- execution counts start at 1 in every notebook, as in a fresh kernel; the namespace is emptied between notebooks
  by the notebook's reset cell (`kernels.with_reset_cell`), and warnings filters are restored after each notebook
  (a warning shown once in one region's notebook is shown again in the next region's);
- `run.execution_timeout` is enforced with a real-time interval timer (`signal.setitimer`): the cell is
  interrupted with `CellTimeoutError` (a TimeoutError, named as nbclient names it) at its next Python instruction;
- Ctrl-C / SIGTERM (KeyboardInterrupt) stops the run, as with a kernel; it is not recorded as a cell's error.

It is a papermill engine (`ENGINE`, registered with `papermill_engines`), so papermill's parameter injection,
cell metadata and error markers are the same as with a kernel. The process pool's workers (also a one-worker
run: a notebook never runs in the runner's process) and Dask workers (one thread each) use it; `run.engine:
kernel` keeps kernels. Notebooks that need a live kernel (widgets talking to a front end) do not run in batch.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import signal
import sys
import threading
import warnings
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from nbformat import NotebookNode
from traitlets import Type
from traitlets.config import Config

from planning.runner.engines import saving_on_abort

ENGINE = "planning-shell"  # the papermill engine name (`register_engine`)


class CellTimeoutError(TimeoutError):
    """A cell ran longer than `run.execution_timeout`."""


class _Outputs:
    """The outputs of the cell being executed (a list nbformat writes as the cell's `outputs`)."""

    def __init__(self) -> None:
        self.cell: list[NotebookNode] | None = None

    def add(self, out: dict[str, Any]) -> None:
        if self.cell is not None:
            self.cell.append(NotebookNode(out))

    def stream(self, name: str, text: str) -> None:
        if self.cell is None or not text:
            return
        last = self.cell[-1] if self.cell else None
        if last is not None and last.get("output_type") == "stream" and last.get("name") == name:
            last["text"] += text
        else:
            self.cell.append(NotebookNode(output_type="stream", name=name, text=text))


def _json(value: Any) -> Any:
    """`value` as it arrives after the kernel protocol's JSON (what nbclient would have stored)."""
    # lazy: jupyter_client's session module imports zmq; only a process that executes notebooks needs it
    from jupyter_client.session import json_packer, json_unpacker

    return json_unpacker(json_packer(value))


class _Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        if update:  # `update_display`: the batch notebooks never update a display; keep the last value
            return
        self.shell.outputs.add(
            {"output_type": "display_data", "data": _json(data), "metadata": _json(metadata or {})}
        )

    def clear_output(self, wait: bool = False) -> None:
        if self.shell.outputs.cell is not None:
            self.shell.outputs.cell.clear()


class _DisplayHook(DisplayHook):
    """An expression's value at the end of a cell -> `execute_result` (IPython's formatting, as ipykernel)."""

    def start_displayhook(self) -> None:
        self._result: dict[str, Any] = {"data": {}, "metadata": {}}

    def write_output_prompt(self) -> None:
        return None

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self._result = {"data": format_dict, "metadata": md_dict or {}}

    def finish_displayhook(self) -> None:
        if self._result["data"]:
            self.shell.outputs.add(
                {
                    "output_type": "execute_result",
                    "execution_count": self.prompt_count,
                    "data": _json(self._result["data"]),
                    "metadata": _json(self._result["metadata"]),
                }
            )


class _Stream:
    """sys.stdout / sys.stderr while a cell runs: text goes to the cell's outputs."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, outputs: _Outputs, name: str) -> None:
        self._outputs, self.name = outputs, name

    def write(self, text: str) -> int:
        self._outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:  # like ipykernel's OutStream without a captured fd
        raise OSError("a notebook cell's stream has no file descriptor")


class BatchShell(InteractiveShell):
    """The worker's shell: an InteractiveShell whose displays, results and errors become cell outputs."""

    display_pub_class = Type(_Publisher)
    displayhook_class = Type(_DisplayHook)

    def __init__(self, **kwargs: Any) -> None:
        self.outputs = _Outputs()
        super().__init__(**kwargs)
        # A worker runs the same cells for every region it is given. IPython's static input transformations
        # (magics, shell escapes: it tokenizes the whole cell) and its check for a top-level `await` (it
        # compiles the cell) depend on the source alone, so each source is worked on once per worker
        # (~0.02 s of CPU a region); the dynamic transformations of one-line cells still run every time.
        static = self.input_transformer_manager.transform_cell
        self.input_transformer_manager.transform_cell = functools.lru_cache(maxsize=1024)(static)
        self._runs_async: dict[str, bool] = {}

    def should_run_async(self, raw_cell: str, *, transformed_cell=None, preprocessing_exc_tuple=None) -> bool:
        if preprocessing_exc_tuple is not None or transformed_cell is None:
            return super().should_run_async(
                raw_cell, transformed_cell=transformed_cell, preprocessing_exc_tuple=preprocessing_exc_tuple
            )
        if transformed_cell not in self._runs_async:
            self._runs_async[transformed_cell] = super().should_run_async(
                raw_cell, transformed_cell=transformed_cell
            )
        return self._runs_async[transformed_cell]

    def _showtraceback(self, etype, evalue, stb) -> None:
        self.outputs.add(
            {
                "output_type": "error",
                "ename": str(etype.__name__),
                "evalue": str(evalue),
                "traceback": list(stb),
            }
        )

    def init_io(self) -> None:  # the terminal's colour and pager set-up: nothing to do in a worker
        return None

    def execute(self, cell: NotebookNode, timeout: int | None) -> BaseException | None:
        """Run one code cell, its outputs into `cell.outputs`; returns the exception the cell raised, if any."""
        cell.outputs = []
        self.outputs.cell = cell.outputs
        out, err = _Stream(self.outputs, "stdout"), _Stream(self.outputs, "stderr")
        try:
            with _alarm(timeout), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                result = self.run_cell(cell.source, store_history=True, silent=False)
        finally:
            self.outputs.cell = None
        cell.execution_count = self.execution_count - 1
        error = result.error_before_exec or result.error_in_exec
        if isinstance(error, KeyboardInterrupt):  # Ctrl-C / SIGTERM: stop the run, as with a kernel
            raise error
        return error


@contextlib.contextmanager
def _alarm(timeout: int | None):
    """Raise CellTimeoutError in this thread after `timeout` seconds of the cell.

    In the main thread (a process pool's worker) a real-time interval timer's SIGALRM interrupts the cell, also
    inside a blocking call such as `time.sleep`. A Dask worker runs its task in another thread, where a signal
    cannot be delivered: a timer thread raises the exception in the cell's thread (`PyThreadState_SetAsyncExc`),
    which takes effect at the cell's next Python instruction (a call blocked in C code first returns).
    """
    if not timeout:
        yield
        return
    message = f"cell exceeded run.execution_timeout ({timeout} s)"
    if threading.current_thread() is not threading.main_thread():
        target = ctypes.c_ulong(threading.get_ident())
        timer = threading.Timer(
            timeout,
            lambda: ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(CellTimeoutError)),
        )
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)  # one raised after the cell ended: none
        return

    def expire(signum: int, frame: Any) -> None:
        raise CellTimeoutError(message)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def batch_shell() -> BatchShell:
    """The process's BatchShell (created on first use; no history kept)."""
    if BatchShell.initialized():
        return BatchShell.instance()
    if InteractiveShell.initialized():
        raise RuntimeError("another IPython shell runs in this process: the shell engine needs its own")
    config = Config()
    config.HistoryManager.enabled = False  # no history database: execution counts restart in every notebook
    return BatchShell.instance(config=config)


def language_info() -> dict[str, Any]:
    """The `language_info` ipykernel reports (nbclient stores it in the notebook; nbconvert picks its lexer)."""
    return {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": sys.version.split()[0],
    }


def register_engine() -> str:
    """Register the shell engine with papermill (once per process); returns its name."""
    # lazy: papermill, as in kernels.execute_step
    from papermill.engines import Engine, papermill_engines

    if ENGINE in papermill_engines._engines:
        return ENGINE

    class ShellEngine(Engine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, shell=None, execution_timeout=None, **kwargs):
            sh = shell or batch_shell()
            sh.execution_count = 1  # as a fresh kernel counts
            nb_man.nb.metadata["language_info"] = language_info()  # what nbclient records of a kernel's info
            with warnings.catch_warnings():  # filters a notebook sets end with it
                for index, cell in enumerate(nb_man.nb.cells):
                    nb_man.cell_start(cell, index)
                    try:
                        if cell.cell_type != "code" or not cell.source.strip():
                            continue  # as nbclient: markdown and empty cells keep what they hold
                        if "skip-execution" in cell.metadata.get("tags", []):
                            continue
                        error = sh.execute(cell, execution_timeout)
                        if isinstance(error, CellTimeoutError):
                            nb_man.cell_exception(cell, cell_index=index, exception=error)
                            raise error
                        if error is not None:
                            nb_man.cell_exception(cell, cell_index=index, exception=error)
                            break
                    finally:
                        nb_man.cell_complete(cell, cell_index=index)

    papermill_engines.register(ENGINE, saving_on_abort(ShellEngine))
    return ENGINE
