"""Layered loading of params/*.yaml into a validated `Params`.

Parameters are layered YAML: `params/base.yaml` (company-wide defaults, committed), `params/<region>.yaml` (one
per region, overriding base), and an optional git-ignored `params/local.yaml` overriding both. Mappings merge
key by key; lists and scalars replace. The merged result is validated by the schema (`planning.params.schema`)
before any kernel starts. Every error names the file, the key path, the value and what was expected.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from planning import config
from planning.errors import ParamsError
from planning.params import scenarios, yamlsafe
from planning.params.schema import Params

REGION_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
RESERVED_FILES = {"base", "local"}
OVERRIDE_SOURCE = "command line"  # what an error names for a value set by `planning run --as-of ...` or a notebook parameter
# Names that are unsafe as a folder name on some system a report may be copied to.
RESERVED_NAMES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


# Parsed params files by (path, text): `planning run` loads base.yaml once per region, and PyYAML's pure-Python
# parser takes ~0.15 s for it; the text is read every time, so an edited file is parsed again. Room for every
# file of a company of 1,000 territories: a run reads each region file four times (region keys, skipped files,
# resolve), and with room for 64 a company of 200 parsed all 201 files each time (~0.9 s of the run's start).
_PARSED: dict[tuple[str, str], dict] = {}
_PARSED_KEEP = 2048


def read_yaml(path: Path) -> dict:
    """Parse one params file into a mapping (empty file = {}); errors carry file, line and column.

    The file is refused when it is not a regular file, or exceeds the limits of `planning.params.yamlsafe`
    (1 MiB, 100 aliases, 100,000 values with aliases expanded, 64 levels): a guard against alias bombs.
    """
    try:
        if not path.exists():
            raise ParamsError(f"{path}: file not found")
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file"
            raise ParamsError(f"{path}: {what}; expected a YAML file")
        yamlsafe.check_size(path)
        text = path.read_text(encoding="utf-8")
    except yamlsafe.YamlInputError as exc:
        raise ParamsError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ParamsError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ParamsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    key = (str(path), text)
    if key not in _PARSED:
        if len(_PARSED) > _PARSED_KEEP:
            _PARSED.clear()
        _PARSED[key] = _parse_yaml(path, text)
    return copy.deepcopy(_PARSED[key])  # callers may change what they get


def _parse_yaml(path: Path, text: str) -> dict:
    try:
        data = yamlsafe.parse(text)
    except yamlsafe.YamlInputError as exc:
        raise ParamsError(f"{path}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: top level is a {type(data).__name__}, expected a mapping of keys")
    return data


def merge(base: dict, override: dict, source: str, origin: dict, prefix: tuple = ()) -> dict:
    """Deep-merge `override` into a copy of `base`, recording in `origin` which file set each key path."""
    out = dict(base)
    for key, value in override.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value, source, origin, path)
        else:
            if isinstance(
                out.get(key), dict
            ):  # a mapping replaced: nothing below it comes from an earlier file
                _forget_below(origin, path)
            out[key] = value
            if isinstance(value, dict):  # record its keys: a later file merging into it must not claim them
                merge({}, value, source, origin, path)
        origin[path] = source
    return out


def _forget_below(origin: dict, path: tuple) -> None:
    n = len(path)
    for key in [k for k in origin if len(k) > n and k[:n] == path]:
        del origin[key]


def _source_of(loc: tuple, origin: dict, default: str) -> str:
    for n in range(len(loc), 0, -1):
        if loc[:n] in origin:
            return origin[loc[:n]]
    return default


def _fields_at(loc: tuple) -> list[str]:
    """Names of the keys allowed where an unknown key `loc[-1]` was found (for "did you mean")."""
    model: Any = Params
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = field.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
    return list(getattr(model, "model_fields", {}))


def describe(exc: ValidationError, origin: dict, default: str) -> str:
    """One line per error: the file that set the key, the key path, the value (cut to 200 characters by
    `yamlsafe.clip`) and what was expected. A rule between keys (`schema.cross_key`) names every key it involves,
    led by the file latest in the layering (the one a planner most likely just edited)."""
    layer = {src: i for i, src in enumerate(dict.fromkeys(origin.values()))}
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc)
        source = _source_of(loc, origin, default)
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            hint = difflib.get_close_matches(str(loc[-1]), _fields_at(loc), n=1)
            expected = f"one of the known keys{f' (did you mean {hint[0]!r}?)' if hint else ''}"
            lines.append(f"{source}: unknown key '{yamlsafe.clip_text(key)}'; expected {expected}")
        elif err["type"] == "cross_key":
            keys = [((*loc, *rel.split(".")), v) for rel, v in err["ctx"]["keys"].items()]
            sources = [_source_of(k, origin, default) for k, _ in keys]
            lead = max(sources, key=lambda src: layer.get(src, -1))
            named = [
                f"'{'.'.join(map(str, k))}' = {yamlsafe.clip(v)}" + ("" if src == lead else f" (from {src})")
                for (k, v), src in zip(keys, sources, strict=True)
            ]
            what = "key" if len(named) == 1 else "keys"
            lines.append(f"{lead}: {what} {' and '.join(named)}: {yamlsafe.clip_text(err['msg'], 400)}")
        else:
            lines.append(
                f"{source}: key '{yamlsafe.clip_text(key)}' = {yamlsafe.clip(value)}: "
                f"{yamlsafe.clip_text(err['msg'], 400)}"
            )
    return "\n".join(lines)


@dataclass(frozen=True)
class Loaded:
    """Merged, validated parameters of one region with the files they came from."""

    params: Params
    files: tuple[Path, ...]
    raw: dict


# Top-level keys that mark a YAML file as something other than a region's parameters (what it is, for the note).
NOT_REGION_MARKERS = {"tables": "an import mapping (docs/import.md)"}


def not_region(path: Path) -> str:
    """What a YAML file of params/ is when it is not a region's parameters ("" = a region file): an import
    mapping placed next to the params (top-level key `tables`) is kept out of the regions, not read as one."""
    data = read_yaml(path)
    for key, what in NOT_REGION_MARKERS.items():
        if key in data and key not in Params.model_fields:
            return f"{what}, not a region's parameters (top-level key {key!r})"
    return ""


def skipped_files(params_dir: Path | None = None) -> list[tuple[Path, str]]:
    """The YAML files of `params/` that `region_keys` leaves out, each with what it is (for a note)."""
    params_dir = Path(params_dir or config.PARAMS_DIR)
    out = []
    for p in sorted(params_dir.glob("*.yaml")):
        if p.stem not in RESERVED_FILES and p.is_file() and (what := not_region(p)):
            out.append((p, what))
    return out


def region_keys(params_dir: Path | None = None) -> list[str]:
    """Regions configured in `params/`: every `<key>.yaml` except base.yaml, local.yaml and the files
    `skipped_files` lists (an import mapping kept beside the params), sorted."""
    params_dir = Path(params_dir or config.PARAMS_DIR)
    skipped = {p.stem for p, _ in skipped_files(params_dir)}
    keys = sorted(p.stem for p in params_dir.glob("*.yaml") if p.stem not in RESERVED_FILES | skipped)
    for key in keys:
        check_region_key(key, params_dir / f"{key}.yaml")
    return keys


def check_region_key(key: str, where: Any = "region") -> str:
    """A region key is used in paths: lower-case ASCII word, no separators, no reserved device names."""
    if not isinstance(key, str) or not REGION_KEY.match(key) or key in RESERVED_NAMES:
        raise ParamsError(
            f"{where}: region {yamlsafe.clip(key, 60)} is not a valid region key; expected lower-case letters, digits, '-' or '_', "
            "starting with a letter (at most 40 characters)"
        )
    return key


def load(
    region: str,
    params_dir: Path | str | None = None,
    overrides: dict | None = None,
    contents: dict[Path, dict] | None = None,
    scenario: str = "",
) -> Loaded:
    """Load base.yaml + <region>.yaml + local.yaml (+ scenarios/<scenario>.yaml, + `overrides`, e.g. from the
    CLI) and validate them.

    `contents` replaces what a file holds ({path: parsed mapping}), e.g. a what-if about to be kept
    (`planning.params.keep`), so a file is validated before it is written; local.yaml and the scenario's file count
    when given there. `scenario`: a named scenario (`planning.params.scenarios`), the last file layer.

    Raises ParamsError naming the file, key path, value and what was expected.
    """
    params_dir = Path(params_dir or config.PARAMS_DIR)
    check_region_key(region)
    base_file = params_dir / "base.yaml"
    region_file = params_dir / f"{region}.yaml"
    if not region_file.is_file():
        known = ", ".join(region_keys(params_dir)) or "none"
        raise ParamsError(f"{region_file}: no parameters for region {region!r}; configured regions: {known}")
    if what := not_region(region_file):
        known = ", ".join(region_keys(params_dir)) or "none"
        raise ParamsError(
            f"{region_file}: is {what}; expected the parameters of region {region!r} (configured regions: {known})"
        )
    origin: dict = {}
    merged: dict = {}
    files = [base_file, region_file]
    contents = contents or {}
    local = params_dir / "local.yaml"
    if local.is_file() or local in contents:
        files.append(local)
    if scenario:
        scenario_file = scenarios.path(scenario, params_dir)
        files.append(scenario_file if scenario_file in contents else scenarios.existing(scenario, params_dir))
    for f in files:
        data = contents[f] if f in contents else read_yaml(f)
        if scenario and f == files[-1]:
            scenarios.check_keys(data, f)
        merged = merge(merged, data, str(f), origin)
    if overrides:
        merged = merge(merged, overrides, OVERRIDE_SOURCE, origin)
    region_block = merged.setdefault("region", {})
    if not isinstance(region_block, dict):
        raise ParamsError(
            f"{_source_of(('region',), origin, str(region_file))}: key 'region' must be a mapping"
        )
    if region_block.get("key", region) != region:
        raise ParamsError(
            f"{region_file}: key 'region.key' = {yamlsafe.clip(region_block['key'])}: expected {region!r} (the file name)"
        )
    region_block["key"] = region
    try:
        params = Params.model_validate(merged)
    except ValidationError as exc:
        raise ParamsError(describe(exc, origin, str(region_file))) from None
    return Loaded(params=params, files=tuple(files), raw=merged)


def load_json(text: str) -> Params:
    """Re-validate parameters the runner serialised for a notebook (`Params.model_dump_json`)."""
    return Params.model_validate_json(text)
