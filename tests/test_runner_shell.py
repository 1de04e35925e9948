"""planning.runner.shell: a step notebook executed by the worker's own IPython shell gives the notebook a kernel
gives, and is contained as a kernel is (errors, timeouts, a fresh namespace per notebook)."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import nbformat
import pytest
from stand_ins import notebooks

from planning import config, runner
from planning.errors import ParamsError
from planning.runner import shell

AS_OF = "2026-09-30"

# Every kind of output a cell can make: printed text on both streams (split over several writes), a display with
# JSON and a tuple in it, a table, an expression's value, warnings, and numpy numbers that only JSON turns into
# plain numbers.
OUTPUTS_CELL = (
    "import sys, warnings\n"
    "import numpy as np\n"
    "import pandas as pd\n"
    "from IPython.display import display, HTML\n"
    "print('first', end='')\n"
    "print(' line')\n"
    "print('to stderr', file=sys.stderr)\n"
    "display({{'application/json': {{'a': (1, 2), 'n': np.int64(3).item()}}, 'text/plain': 'json'}}, raw=True)\n"
    "display(HTML('<b>{step}</b>'))\n"
    "display(pd.DataFrame({{'x': [1, 2]}}))\n"
    "warnings.warn('careful in {step}')\n"
    "print('after')\n"
    "region * 2\n"
)
SECOND_CELL = "leftover = 'set in {step}'\n'leftover' in dir()"
# the first cell after the parameters: a notebook must not see what an earlier one (same process) defined
NAMESPACE_CELL = "defined_before = [n for n in ('leftover', 'np', 'pd') if n in globals()]\ndefined_before"


def executed(snap: Path, region: str, step: str):
    nb = nbformat.read(snap / region / f"{step}.ipynb", as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def comparable(cells, engine: str) -> list[dict]:
    """Cells as the two engines should agree on them: execution counts aside (a kept kernel counts on), and the
    snapshot folder (each engine ran into its own) named alike."""
    out = []
    for c in cells:
        c = json.loads(json.dumps(c).replace(f"/{engine}/{AS_OF}/", f"/ENGINE/{AS_OF}/"))
        c.pop("execution_count", None)
        streams: dict[str, str] = {}
        for o in c.get("outputs", []):
            o.pop("execution_count", None)
            if o["output_type"] == "stream":
                streams[o["name"]] = streams.get(o["name"], "") + "".join(o["text"])
        # a kernel sends stdout and stderr as its IO thread flushes them (the shell keeps the order they were
        # written in), and names a cell's code after a temporary file (the shell: <ipython-input-N-hash>)
        c["outputs"] = [o for o in c.get("outputs", []) if o["output_type"] != "stream"]
        c["streams"] = {k: re.sub(r"^\S+:(\d+): ", r"CELL:\1: ", v, flags=re.M) for k, v in streams.items()}
        out.append(c)
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory, small_sample: Path) -> dict[str, Path]:
    """The same stand-in notebooks run by each engine (one worker: the regions run in turn in one process)."""
    base = tmp_path_factory.mktemp("engines")
    nbs = notebooks(base / "nbs", NAMESPACE_CELL, OUTPUTS_CELL, SECOND_CELL)
    snaps = {}
    for engine in ("shell", "kernel"):
        result = runner.run(
            regions=["east", "north"], steps=["01", "02"], data_dir=str(small_sample),
            out_root=base / engine, notebooks_dir=nbs, workers=1, engine=engine,
        )  # fmt: skip
        assert result.ok, [r.error for r in result.results if r.error]
        snaps[engine] = base / engine / AS_OF
    return snaps


def test_the_shell_gives_the_notebook_a_kernel_gives(both: dict[str, Path]):
    for region in ("east", "north"):
        for step in config.STEPS[:2]:
            got, want = executed(both["shell"], region, step), executed(both["kernel"], region, step)
            assert comparable(got, "shell") == comparable(want, "kernel"), (region, step)


def test_outputs_have_the_kernel_shapes(both: dict[str, Path]):
    cells = executed(both["shell"], "north", "02_goals")
    # after the reset cell, the parameters, the injected parameters and the namespace check
    outputs = cells[4].outputs
    kinds = [(o.output_type, o.get("name")) for o in outputs]
    assert kinds[:2] == [("stream", "stdout"), ("stream", "stderr")]
    assert outputs[0].text == "first line\n"
    assert outputs[2].data["application/json"] == {"a": [1, 2], "n": 3}  # the tuple as JSON gives it back
    assert outputs[3].data["text/html"] == "<b>02_goals</b>"
    assert "text/html" in outputs[4].data  # the data frame's table
    assert any(o.get("name") == "stderr" and "careful in 02_goals" in o.text for o in outputs)
    assert outputs[-1].output_type == "execute_result" and outputs[-1].data["text/plain"] == "'northnorth'"


def test_every_notebook_starts_fresh(both: dict[str, Path]):
    for region in ("east", "north"):
        for step in config.STEPS[:2]:
            cells = executed(both["shell"], region, step)
            assert cells[3].outputs[-1].data["text/plain"] == "[]", (region, step)
            counts = [c.execution_count for c in cells if c.source.strip()]
            assert counts == list(range(1, len(counts) + 1)), (region, step)  # as a fresh kernel counts
            # a warning shown in an earlier notebook of the same process is shown again
            assert any("careful in" in o.get("text", "") for o in cells[4].outputs), (region, step)


def test_language_info_is_the_kernels(both: dict[str, Path]):
    shell_nb = nbformat.read(both["shell"] / "east" / "01_market_analysis.ipynb", as_version=4)
    kernel_nb = nbformat.read(both["kernel"] / "east" / "01_market_analysis.ipynb", as_version=4)
    assert shell_nb.metadata.language_info == kernel_nb.metadata.language_info == shell.language_info()


def test_a_failed_step_is_recorded_and_its_worker_replaced(tmp_path: Path, small_sample: Path):
    """An error in east's 02 fails that step only; north, next on the same worker, runs in a fresh process."""
    cell = (
        "import os\nfrom pathlib import Path\n"
        "(Path(out_dir) / 'artifacts').mkdir(exist_ok=True)\n"
        "(Path(out_dir) / 'artifacts' / '{step}.pid').write_text(str(os.getpid()))\n"
        "if region == 'east' and '{step}' == '02_goals':\n    raise ValueError('no such month: 13')\n"
    )
    nbs = notebooks(tmp_path / "nbs", cell)
    result = runner.run(
        regions=["east", "north"], steps=["01", "02", "03"], data_dir=str(small_sample),
        out_root=tmp_path / "out", notebooks_dir=nbs, workers=1,
    )  # fmt: skip
    status = {(r.region, r.step): r.status for r in result.results}
    assert [status[("east", s)] for s in config.STEPS[:3]] == ["ok", "failed", "skipped"]
    assert [status[("north", s)] for s in config.STEPS[:3]] == ["ok", "ok", "ok"]
    [err] = [r.error for r in result.results if r.status == "failed"]
    assert err["ename"] == "ValueError" and "no such month: 13" in err["message"] and err["cell"] == 2
    snap = tmp_path / "out" / AS_OF
    pid = {r: (snap / r / "artifacts" / "01_market_analysis.pid").read_text() for r in ("east", "north")}
    assert pid["east"] != pid["north"]
    kept = nbformat.read(snap / "east" / "02_goals.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in kept.cells for o in c.get("outputs", []))
    assert "papermill-error-cell-tag" in json.dumps(kept.cells[0].metadata)  # papermill's error marker


def test_an_unknown_engine_is_bad_input(tmp_path: Path, small_sample: Path):
    with pytest.raises(ParamsError, match="--engine thread: expected one of shell, kernel"):
        runner.run(regions=["east"], data_dir=str(small_sample), out_root=tmp_path / "out", engine="thread")


def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # Python instructions: where a timer thread's exception takes effect
        pass


def test_a_cell_past_its_timeout_is_stopped_in_the_main_thread_and_in_a_worker_thread():
    """The process pool runs cells in the main thread (SIGALRM, which also ends a sleep); a Dask worker in a task
    thread (an exception raised in that thread by a timer)."""
    started = time.monotonic()
    with pytest.raises(shell.CellTimeoutError), shell._alarm(1):
        time.sleep(30)
    assert time.monotonic() - started < 5
    caught: list[BaseException] = []

    def task() -> None:
        try:
            with shell._alarm(1):
                _busy(30)
        except BaseException as exc:  # noqa: BLE001 - the test looks at what was raised
            caught.append(exc)

    thread = threading.Thread(target=task)
    started = time.monotonic()
    thread.start()
    thread.join(20)
    assert not thread.is_alive() and time.monotonic() - started < 5
    assert len(caught) == 1 and isinstance(caught[0], shell.CellTimeoutError)
    with shell._alarm(5):  # a cell that ends in time is not interrupted afterwards
        _busy(0.1)
    time.sleep(0.2)


def test_a_cell_run_again_is_transformed_and_awaited_as_the_first_time():
    """The shell keeps IPython's static transformations and top-level-await check per cell source (a worker runs
    the same cells for every region): a magic, a shell escape, a top-level await and a one-line cell whose
    meaning depends on the namespace behave the same the second time."""
    import subprocess
    import sys

    script = (
        "import nbformat\n"
        "from planning.runner import shell\n"
        "sh = shell.batch_shell()\n"
        "cells = ['x = 2\\n%time y = x * 3\\ny', 'import asyncio\\nawait asyncio.sleep(0)\\n5', '!echo escaped',\n"
        "         'pwd = \\'a name, not the magic\\'', 'pwd']\n"
        "for round in (1, 2):\n"
        "    for source in cells:\n"
        "        cell = nbformat.v4.new_code_cell(source)\n"
        "        error = sh.execute(cell, None)\n"
        "        assert error is None, error\n"
        "        text = [o.get('text') or o.get('data', {}).get('text/plain') for o in cell.outputs]\n"
        "        print(round, repr([t for t in text if t and 'Wall time' not in t and 'CPU times' not in t]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    first = [line[2:] for line in out.splitlines() if line.startswith("1 ")]
    second = [line[2:] for line in out.splitlines() if line.startswith("2 ")]
    assert first == second and len(first) == 5
    assert first[0] == "['6']" and first[1] == "['5']" and "escaped" in first[2]
    assert first[4] == "[\"'a name, not the magic'\"]"
