"""Shared builders of the params tests: a copy of the project's params/ to mutate."""

from __future__ import annotations

import shutil
from pathlib import Path

from planning import config


def params_copy(tmp_path: Path, **files: str) -> Path:
    """A copy of params/ (without local.yaml) in `tmp_path / "params"`, with `files` (name -> YAML) over it."""
    pdir = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, pdir, ignore=shutil.ignore_patterns("local.yaml"))
    for name, text in files.items():
        write(pdir / f"{name}.yaml", text)
    return pdir


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
