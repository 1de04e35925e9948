"""The floor: the notebooks' own code executed in plain Python processes, without kernels and without HTML.

Each notebook's cells are read from its jupytext script (`notebooks/<step>.py`) and executed with `exec` in a
fresh namespace, the parameters set after the parameters cell as papermill would inject them (`batch=True`,
`params_json`, `data_dir`, `out_dir`). IPython's `display` is replaced by a no-op, so charts and tables are built
by the same step functions but never serialised. One worker process per worker slot serves several regions in
turn, as `planning run` does with one kernel per region: modules are imported once per process.

The floor is the same code as the notebooks by construction: the harness compares the artefacts it writes with
those of the timed `planning run`.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing as mp
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Cell = tuple[bool, str]  # (is the parameters cell, source)


def notebook_cells(path: str | Path) -> list[Cell]:
    """The code cells of a jupytext script, in order; the flag marks the cell tagged `parameters`."""
    import jupytext

    nb = jupytext.read(path)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "skip-execution" in tags:  # nbclient skips these as well
            continue
        for line in cell.source.splitlines():
            if line.lstrip().startswith(("%", "!")):
                raise ValueError(f"{path}: IPython magic in a cell cannot run in the floor: {line!r}")
        cells.append(("parameters" in tags, cell.source))
    return cells


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


def stub_display() -> None:
    """Make IPython's `display` a no-op everywhere the notebooks' code can reach it (call before importing
    planning: `planning.display` binds `display` at import time)."""
    import IPython.core.display_functions as display_functions
    import IPython.display as ipy_display

    ipy_display.display = _noop
    display_functions.display = _noop
    if "planning.display" in sys.modules:
        sys.modules["planning.display"].display = _noop


def execute(cells: list[Cell], parameters: dict[str, Any], name: str) -> None:
    """Run one notebook's cells in a fresh namespace, injecting `parameters` right after the parameters cell."""
    ns: dict[str, Any] = {"__name__": "__main__"}
    for i, (is_params, source) in enumerate(cells):
        exec(compile(source, f"<{name} cell {i}>", "exec"), ns)
        if is_params:
            ns.update(parameters)


def run_region(spec: dict[str, Any]) -> dict[str, Any]:
    """Worker: run the steps of one region in this process; returns seconds per step and the worker's pid."""
    stub_display()
    os.chdir(spec["notebooks_dir"])  # where papermill runs the kernel (`cwd=notebooks_dir`)
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for step, cells in spec["notebooks"]:
        t0, c0 = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            execute(cells, spec["parameters"], f"{spec['region']}/{step}")
        seconds[step] = time.perf_counter() - t0
        cpu[step] = time.process_time() - c0
    return {"region": spec["region"], "seconds": seconds, "cpu": cpu, "pid": os.getpid()}


@dataclass
class FloorResult:
    wall: float
    seconds: dict[str, dict[str, float]] = field(default_factory=dict)  # region -> step -> seconds
    cpu: dict[str, dict[str, float]] = field(default_factory=dict)  # region -> step -> CPU seconds
    workers: int = 1


def run_floor(
    regions: list[str],
    steps: list[str],
    data_dir: str | Path,
    out_root: str | Path,
    workers: int,
    notebooks_dir: str | Path,
    params_dir: str | Path | None = None,
) -> FloorResult:
    """Run `steps` for `regions` in `workers` fresh Python processes; wall time covers process start to the last
    region's end (parameters are validated and notebooks parsed before the clock starts, like inputs)."""
    from planning import company, runner
    from planning import params as params_mod

    notebooks_dir = Path(notebooks_dir).resolve()
    notebooks = [(s, notebook_cells(notebooks_dir / f"{s}.py")) for s in steps]
    specs, jobs = [], []
    for r in regions:
        region_dir = Path(out_root) / r
        region_dir.mkdir(parents=True, exist_ok=True)
        run_input = params_mod.resolve(r, params_dir=params_dir)
        p = run_input.params
        jobs.append((str(Path(data_dir).resolve()), p.as_of, p.strategy.funnel_months, list(steps)))
        (region_dir / "params.json").write_text(run_input.params.model_dump_json(), encoding="utf-8")
        specs.append(
            {
                "region": r,
                "notebooks": notebooks,
                "notebooks_dir": str(notebooks_dir),
                # what the runner injects (runner.notebook_parameters), so the floor runs the same notebooks
                "parameters": runner.notebook_parameters(
                    run_input.params, region_dir.resolve(), str(Path(data_dir).resolve())
                ),
            }
        )
    n = max(1, min(workers, len(specs)))
    result = FloorResult(wall=0.0, workers=n)
    t0 = time.perf_counter()
    # the company-wide summaries, once, as `planning run` computes them before its notebooks (planning.company)
    company.prepare(Path(out_root), jobs)
    with ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn")) as pool:
        for res in pool.map(run_region, specs):
            result.seconds[res["region"]] = res["seconds"]
            result.cpu[res["region"]] = res["cpu"]
    result.wall = time.perf_counter() - t0
    return result


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.floor --data DIR --out DIR [--region R ...] [--step S ...] [--workers N]`."""
    import argparse

    from planning import config

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--region", action="append")
    ap.add_argument("--step", action="append")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args(argv)
    from planning import params as params_mod

    regions = a.region or params_mod.region_keys()
    steps = [config.step_key(s) for s in a.step] if a.step else list(config.STEPS)
    res = run_floor(regions, steps, a.data, a.out, a.workers, config.NOTEBOOKS_DIR)
    for region, secs in res.seconds.items():
        for step, s in secs.items():
            print(f"{region:<12} {step:<20} {s:7.2f} s")
    print(f"wall {res.wall:.2f} s with {res.workers} workers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
