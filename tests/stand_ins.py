"""Stand-in step notebooks for runner and reliability tests: the real parameters cell, then test cells."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat

from planning import config

PARAMS_CELL = (
    'region: str = "east"  # region\n'
    'as_of: str = ""  # date\n'
    "plan_year: int = 0  # year\n"
    'language: str = ""  # language\n'
    'data_dir: str = ""  # data\n'
    'out_dir: str = ""  # out\n'
    'params_json: str = ""  # params\n'
    "batch: bool = False  # batch\n"
)


def notebooks(folder: Path, *cells: str) -> Path:
    """Five step notebooks in `folder`: the parameters cell, then `cells` (formatted with the step name)."""
    folder.mkdir(parents=True, exist_ok=True)
    for step in config.STEPS:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(PARAMS_CELL, metadata={"tags": ["parameters"]})]
        nb.cells += [nbformat.v4.new_code_cell(c.format(step=step)) for c in cells]
        nbformat.write(nb, folder / f"{step}.ipynb")
    return folder


def alive(pid: int) -> bool:
    """A process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_dead(pids: list[int], seconds: float = 10.0) -> list[int]:
    """`pids` still alive after waiting up to `seconds` for them to end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.2)
    return [p for p in pids if alive(p)]
