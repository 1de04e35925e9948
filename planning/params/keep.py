"""Keeping a what-if: a panel's levers written as parameter overrides into params/local.yaml or a region's file.

A what-if panel is a scenario until it is kept. `plan_keep` takes the levers the analyst moved ({dotted key:
value}), edits the chosen file's text (comments and layout kept; a missing section or key is added), and validates
the result with the same loader the run uses (base + region + local, `planning.params.load`). It returns the
change of every key (old effective value, new value) for the analyst to read before `write` replaces the file.

Targets: "local" = params/local.yaml (git-ignored, this machine, every region), "region" = params/<region>.yaml
(committed, that region only) or "scenario" = params/scenarios/<name>.yaml (a named scenario: the plan keeps its
parameters; `planning run --scenario NAME` runs it into a snapshot of its own, `planning.params.scenarios`).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planning import config
from planning.errors import ParamsError
from planning.params import scenarios, yamlsafe
from planning.params.load import load, read_yaml

TARGETS = ("local", "region", "scenario")


@dataclass(frozen=True)
class Change:
    key: str  # dotted key path, e.g. "goals.buffer"
    old: Any  # the value the region's run uses now (after base + region + local)
    new: Any


@dataclass(frozen=True)
class Keep:
    """A validated edit of one params file, not yet written."""

    path: Path
    text: str
    changes: tuple[Change, ...]

    def diff_lines(self) -> list[str]:
        """One line per key: `goals.buffer: 0.12 -> 0.17`."""
        return [f"{c.key}: {_scalar(c.old)} -> {_scalar(c.new)}" for c in self.changes]


def target_path(target: str, region: str, params_dir: Path | str | None = None, name: str = "") -> Path:
    params_dir = Path(params_dir or config.PARAMS_DIR)
    if target == "local":
        return params_dir / "local.yaml"
    if target == "region":
        return params_dir / f"{region}.yaml"
    if target == "scenario":
        return scenarios.path(name, params_dir, where="keep a what-if as a scenario")
    raise ParamsError(f"keep a what-if: target {target!r}; expected one of {', '.join(TARGETS)}")


def moved(start: dict[str, Any], now: dict[str, Any], tolerance: float = 1e-9) -> dict[str, Any]:
    """The levers of `now` that differ from `start` (both {dotted key: value}): only these are written."""
    out = {}
    for key, value in now.items():
        before = start.get(key)
        if isinstance(value, float | int) and isinstance(before, float | int):
            if math.isclose(float(value), float(before), rel_tol=0, abs_tol=tolerance):
                continue
        elif value == before:
            continue
        out[key] = value
    return out


def plan_keep(
    region: str, values: dict[str, Any], target: str, params_dir: Path | str | None = None, name: str = ""
) -> Keep:
    """Edit `target`'s file (see module doc) so that the region's parameters hold `values`; validated, not written.
    `name`: the scenario's name (target "scenario"); an existing scenario file is edited like the others. Each
    change's old value is what the region's plan uses now (a scenario's changes are against the plan).

    Raises ParamsError (file, key, value, what was expected) when a value breaks the schema or the file cannot be
    edited safely (e.g. a section written as a flow mapping `{...}`).
    """
    if not values:
        raise ParamsError("keep a what-if: no lever differs from the parameters; nothing to write")
    path = target_path(target, region, params_dir, name)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    for key, value in values.items():
        text = set_key(text, tuple(key.split(".")), _normalise(value))
    try:
        data = yamlsafe.parse(text) or {}
    except yamlsafe.YamlInputError as exc:
        raise ParamsError(
            f"{path}: cannot add the what-if's keys to this file safely ({exc}); edit it by hand"
        ) from None
    for key, value in values.items():
        if _get(data, key) != _normalise(value):
            raise ParamsError(
                f"{path}: key '{key}' cannot be set to {yamlsafe.clip(value)} by editing the text; edit it by hand"
            )
    before = load(region, params_dir)
    scenario = name if target == "scenario" else ""
    after = load(region, params_dir, contents={path: data}, scenario=scenario)  # validated like a run's
    changes = tuple(
        Change(key, _get(before.params.model_dump(), key), _get(after.params.model_dump(), key))
        for key in values
    )
    return Keep(path=path, text=text, changes=changes)


def write(keep: Keep) -> Path:
    """Replace the file atomically with the edited text (re-read by the next `planning run` or notebook set-up)."""
    keep.path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=keep.path.parent, prefix=f".{keep.path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(keep.text)
        os.replace(tmp, keep.path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    read_yaml(keep.path)  # a parse of the new file, so a broken write fails here rather than in the next run
    return keep.path


# ---------------------------------------------------------------------------------------------- text editing
def _normalise(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return round(float(value), 6)
    return value


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(round(value, 6))
        if "e" in text or "E" in text:  # PyYAML reads "1e-05" as a string: write it with a decimal point
            text = f"{value:.6f}".rstrip("0")
        return text + ("0" if text.endswith(".") else "")
    if isinstance(value, int):
        return str(value)
    return yamlsafe.clip(value)


def _get(data: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


_COMMENT = re.compile(r"^\s*(#.*)?$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def set_key(text: str, path: tuple[str, ...], value: Any) -> str:
    """`text` (block-style YAML) with `path` set to scalar `value`: the key's line replaced (its comment kept),
    or the missing keys inserted at the end of their parent's block (a missing section at the end of the file)."""
    lines = text.splitlines()
    start, end, indent = 0, len(lines), 0
    for depth, key in enumerate(path):
        pattern = re.compile(rf"^ {{{indent}}}{re.escape(key)}:(?=\s|$)")
        found = next((i for i in range(start, end) if pattern.match(lines[i])), None)
        if found is None:
            at = end
            while at > start and _COMMENT.match(
                lines[at - 1]
            ):  # after the block's last value, before its trailing comments
                at -= 1
            new = [" " * (indent + 2 * j) + f"{k}:" for j, k in enumerate(path[depth:-1])]
            new.append(" " * (indent + 2 * (len(path) - depth - 1)) + f"{path[-1]}: {_scalar(value)}")
            lines[at:at] = new
            break
        if depth == len(path) - 1:
            m = re.match(r"^(\s*[^:#]+:\s*)(.*?)(\s+#.*)?$", lines[found])
            assert m is not None  # the pattern above matched this line
            lines[found] = f"{m.group(1).rstrip()} {_scalar(value)}{m.group(3) or ''}"
            break
        block_end = found + 1
        while block_end < end and (_COMMENT.match(lines[block_end]) or _indent(lines[block_end]) > indent):
            block_end += 1
        children = [i for i in range(found + 1, block_end) if not _COMMENT.match(lines[i])]
        start, end = found + 1, block_end
        indent = _indent(lines[children[0]]) if children else indent + 2
    return "\n".join(lines) + "\n"
