"""The run input: one function turns a notebook's parameters into the validated `Params` a run of a region uses.

`planning run` calls `resolve` for every region before any kernel starts and injects the result into each step
notebook (`planning.runner.notebook_parameters`: region, as_of, plan_year, language with their resolved values,
plus the region's `params.json`); the notebook's setup cell (`planning.notebook.setup`) passes every parameter it
got back through `resolve`. So what papermill injects is exactly what the notebook uses, in batch and when an
analyst opens the notebook by hand (no `params_json`: params/ is loaded).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planning.errors import ParamsError
from planning.params.load import OVERRIDE_SOURCE, describe, load, load_json, merge
from planning.params.schema import Params


@dataclass(frozen=True)
class RunInput:
    """The validated parameters of one region's run and the files they came from (params/*.yaml, or the
    `params.json` the runner wrote)."""

    params: Params
    files: tuple[Path, ...]

    @property
    def region(self) -> str:
        return self.params.region.key

    @property
    def as_of(self) -> date:
        return self.params.as_of

    @property
    def plan_year(self) -> int:
        return self.params.plan_year

    @property
    def language(self) -> str:
        return self.params.language


def overrides_of(as_of: str = "", plan_year: int = 0, language: str = "") -> dict[str, Any]:
    """The run-level overrides a caller set: empty / 0 means "the value in params"."""
    out: dict[str, Any] = {}
    if as_of:
        out["as_of"] = as_of
    if plan_year:
        out["plan_year"] = plan_year
    if language:
        out["language"] = language
    return out


def resolve(
    region: str,
    as_of: str = "",
    plan_year: int = 0,
    language: str = "",
    params_dir: Path | str | None = None,
    params_json: str = "",
    scenario: str = "",
) -> RunInput:
    """The run input of `region`: params/ (base + region + local, `params_dir`) or, when given, the `params_json`
    file the runner wrote, with non-empty `as_of`, `plan_year`, `language` overriding what they hold. `scenario`:
    a named scenario's file as the last layer of params/ (`planning run --scenario NAME`).

    Raises ParamsError naming the file, key, value and what was expected; for `params_json` also when it belongs
    to another region than `region`.
    """
    overrides = overrides_of(as_of, plan_year, language)
    if not params_json:
        loaded = load(region, params_dir, overrides, scenario=scenario)
        return RunInput(loaded.params, loaded.files)
    path = Path(params_json)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParamsError(f"{path}: cannot read the run's parameters ({exc.strerror or exc})") from None
    p = load_json(text)
    if p.region.key != region:
        raise ParamsError(
            f"{path}: parameters of region {p.region.key!r}; expected {region!r} (the notebook's region)"
        )
    if any(getattr(p, key) != _typed(key, value) for key, value in overrides.items()):
        origin: dict = {}
        merged = merge(json.loads(text), overrides, OVERRIDE_SOURCE, origin)
        try:
            p = Params.model_validate(merged)
        except ValidationError as exc:
            raise ParamsError(describe(exc, origin, str(path))) from None
    return RunInput(p, (path,))


def _typed(key: str, value: Any) -> Any:
    """An override as the schema types it (as_of is a date), to tell whether it changes anything."""
    if key == "as_of" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value  # not a date: validation reports it
    return value
