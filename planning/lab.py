"""`planning lab`: JupyterLab for the analyst, with the committed step notebooks kept output-free on every save.

The step notebooks in `notebooks/` are code (reviewed, paired with their py:percent text, run by papermill);
what an analyst sees in them after "Run all" is not. `planning lab` starts JupyterLab on 127.0.0.1 with a
contents-manager pre-save hook (`pre_save_hook`) that, for a notebook inside the project's `notebooks/` folder,
drops every output, execution count, widget state and the cell / notebook metadata JupyterLab adds, so Ctrl+S
writes the file exactly as committed (`git status` stays clean). Notebooks saved anywhere else (File > Save As
`outputs/interactive/...`) keep their outputs: charts there are small static renderings (`planning.charts`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from planning import config

#: Notebook-level metadata kept in a committed notebook (jupytext.toml's `notebook_metadata_filter`).
NOTEBOOK_METADATA = ("kernelspec", "jupytext")
#: Cell metadata kept in a committed notebook (the papermill `parameters` tag lives in `tags`).
CELL_METADATA = ("tags",)


def is_tracked(path: Path | str, root: Path | str | None = None) -> bool:
    """True when notebook `path` (relative to the server's `root`, or absolute) is inside the project's
    `notebooks/` folder: the committed step notebooks."""
    p = Path(path)
    if not p.is_absolute():
        p = Path(root or config.PROJECT_ROOT) / p
    try:
        p.resolve().relative_to(config.NOTEBOOKS_DIR.resolve())
    except ValueError:
        return False
    return p.suffix == ".ipynb"


def clean(nb: dict) -> dict:
    """Notebook JSON `nb` (nbformat 4, as a dict) changed in place to its committed form: no outputs, no
    execution counts, no widget state, only `NOTEBOOK_METADATA` and `CELL_METADATA`; returns it."""
    meta = nb.get("metadata") or {}
    nb["metadata"] = {k: meta[k] for k in NOTEBOOK_METADATA if k in meta}
    for cell in nb.get("cells", []):
        cmeta = cell.get("metadata") or {}
        cell["metadata"] = {k: cmeta[k] for k in CELL_METADATA if k in cmeta}
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def pre_save_hook(model: dict, path: str, contents_manager: Any = None, **kwargs: Any) -> None:
    """Jupyter server pre-save hook: a notebook saved inside `notebooks/` is written in its committed form
    (`clean`); every other file is saved as it is. Registered by `planning lab` as
    `--ContentsManager.pre_save_hook=planning.lab.pre_save_hook`."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    root = getattr(contents_manager, "root_dir", None)
    if not is_tracked(path, root):
        return
    clean(model["content"])
    log = getattr(contents_manager, "log", None)
    if log is not None:
        log.info(
            "planning: %s saved without outputs (a committed step notebook; save a copy to keep them)", path
        )


def command(port: int = 8888, open_browser: bool = True, root: Path | None = None) -> tuple[list[str], str]:
    """The argv that starts JupyterLab for this project, and a note for the user ("" when none).

    127.0.0.1 only; the project root as the server's root; `pre_save_hook` registered; `--allow-root` added when
    running as root (containers, CI images), which JupyterLab otherwise refuses.
    """
    root = Path(root or config.PROJECT_ROOT)
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root}",
        "--ContentsManager.pre_save_hook=planning.lab.pre_save_hook",
    ]
    if not open_browser:
        argv.append("--no-browser")
    note = ""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
        note = "running as root: JupyterLab started with --allow-root"
    return argv, note
