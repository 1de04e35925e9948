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


def goals_panel(params_dir: Path, monkeypatch, region: str = "east"):
    """02's what-if panel on a tiny plan with `region`'s params from `params_dir` (display silenced, the keep row
    writing into `params_dir`), for the keep and scenario tests."""
    import types

    from frames_goals import tiny

    from planning import i18n
    from planning.goals import widgets
    from planning.params import load

    monkeypatch.setattr(widgets, "display", lambda *a, **k: None)
    monkeypatch.setattr(config, "PARAMS_DIR", params_dir)
    _, p, _, inputs = tiny()
    p = p.model_copy(update={"region": load(region, params_dir).params.region})
    ctx = types.SimpleNamespace(p=p, voice=i18n.Voice("en", "CNY"), t=lambda key, **f: i18n.t(key, "en", **f))
    return widgets.whatif_panel(ctx, inputs)
