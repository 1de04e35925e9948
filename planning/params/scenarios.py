"""Named scenarios: `params/scenarios/<name>.yaml`, a what-if kept under a name instead of in the plan's parameters.

A scenario file holds parameter overrides in the layout of the other params files (`goals: {buffer: 0.17}`). It is
the last layer (base + region + local + scenario, `planning.params.load`), validated by the same schema, and applies
to every region a `planning run --scenario NAME` plans. The run publishes its own snapshot, `<as-of>+<name>/`
(manifest kind `scenario`), never the plan's `<as-of>/`. A scenario changes levers, not what a snapshot is: the
planning date, the plan year and the region block are refused in it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from planning import config
from planning.errors import ParamsError
from planning.params import yamlsafe

FOLDER = "scenarios"  # params/scenarios/
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
#: Keys a scenario cannot set: they decide which snapshot it is (date, year) or whose plan (region).
FIXED_KEYS = ("as_of", "plan_year", "region")
SEPARATOR = "+"  # outputs/<as-of>+<name>/


def folder(params_dir: Path | str | None = None) -> Path:
    return Path(params_dir or config.PARAMS_DIR) / FOLDER


def names(params_dir: Path | str | None = None) -> list[str]:
    """The saved scenarios (file stems of params/scenarios/*.yaml), sorted."""
    d = folder(params_dir)
    return sorted(p.stem for p in d.glob("*.yaml") if p.is_file()) if d.is_dir() else []


def check_name(name: Any, where: str = "--scenario") -> str:
    """A scenario name is part of a file and a folder name: lower-case letters, digits, '-', '_'."""
    if not isinstance(name, str) or not NAME.match(name):
        raise ParamsError(
            f"{where}: scenario name {yamlsafe.clip(name, 60)} is not valid; expected lower-case letters, digits, "
            "'-' or '_', starting with a letter (at most 40 characters), e.g. buffer-17"
        )
    return name


def path(name: str, params_dir: Path | str | None = None, where: str = "--scenario") -> Path:
    """The file of scenario `name` (it may not exist yet)."""
    return folder(params_dir) / f"{check_name(name, where)}.yaml"


def existing(name: str, params_dir: Path | str | None = None) -> Path:
    """The file of a saved scenario; ParamsError naming the file and the saved scenarios when there is none."""
    p = path(name, params_dir)
    if not p.is_file():
        saved = ", ".join(names(params_dir)) or "none"
        raise ParamsError(
            f"{p}: no scenario {name!r}; saved scenarios: {saved} (keep a what-if under a name in a notebook's "
            "panel, or write the file: the keys of params/*.yaml to change)"
        )
    return p


def check_keys(data: dict, source: Path | str) -> None:
    """Refuse the keys a scenario cannot change (`FIXED_KEYS`), naming the file, key and value."""
    for key in FIXED_KEYS:
        if key in data:
            raise ParamsError(
                f"{source}: key '{key}' = {yamlsafe.clip(str(data[key]))}: a scenario cannot set it; expected only the "
                "levers of the plan (goals, strategy, resources, review ...): the planning date, year and region "
                "are the base plan's"
            )


def overrides(data: Any, prefix: str = "") -> dict[str, Any]:
    """A scenario's mapping as {dotted key: value} (lists kept whole): what the manifest records and the diff
    names as the scenario's keys."""
    if not isinstance(data, dict) or not data:
        return {prefix: data} if prefix else {}
    out: dict[str, Any] = {}
    for k, v in data.items():
        out.update(overrides(v, f"{prefix}.{k}" if prefix else str(k)))
    return out


def snapshot_name(as_of: str, name: str) -> str:
    """The folder of a scenario's snapshot under the output root: `<as-of>+<name>`."""
    return f"{as_of}{SEPARATOR}{name}"


def fields(manifest: dict[str, Any]) -> dict[str, str]:
    """A scenario snapshot's name and keys (`goals.buffer = 0.17, ...`) for a sentence; empty for other kinds."""
    entry = manifest.get("scenario") or {}
    keys = ", ".join(f"{k} = {v}" for k, v in (entry.get("overrides") or {}).items())
    return {"name": str(entry.get("name") or ""), "keys": keys}
