"""planning/lab.py: saving an executed step notebook through the Jupyter contents API leaves the repository clean."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from planning import config, lab

NOTEBOOK = "notebooks/02_goals.ipynb"


def _executed(nb: dict) -> dict:
    """What JupyterLab sends on Ctrl+S after "Run all": outputs, counts, widget state, added metadata."""
    nb = copy.deepcopy(nb)
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.13"}
    nb["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {"x": {"big": "y" * 9000}}}
    }
    for n, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = n + 1
        cell["metadata"]["execution"] = {"iopub.status.busy": "2026-12-05T01:00:00Z"}
        cell["metadata"]["scrolled"] = True
        cell["outputs"] = [
            {"output_type": "display_data", "metadata": {},
             "data": {"image/svg+xml": "<svg/>", "text/plain": "<chart>"}},
            {"output_type": "stream", "name": "stderr", "text": "EstimationWarning\n"},
        ]  # fmt: skip
    return nb


def _git_status(path: str) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--", path],
        cwd=config.PROJECT_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def _manager(root: Path):
    """The contents manager JupyterLab uses here (jupytext's, pairing .ipynb with .py) with the hook set."""
    from jupyter_server.services.contents.filemanager import FileContentsManager

    try:
        from jupytext.contentsmanager import build_jupytext_contents_manager_class

        cls = build_jupytext_contents_manager_class(FileContentsManager)
    except ImportError:  # pragma: no cover - jupytext is a dev dependency
        cls = FileContentsManager
    return cls(root_dir=str(root), pre_save_hook="planning.lab.pre_save_hook")


def test_saving_an_executed_step_notebook_leaves_git_status_clean(tmp_path: Path):
    pytest.importorskip("jupyter_server")
    if shutil.which("git") is None or _git_status(NOTEBOOK) != "":
        pytest.skip("needs git and a committed, unmodified notebooks/02_goals.ipynb")
    target = config.PROJECT_ROOT / NOTEBOOK
    paired = target.with_suffix(".py")
    before = target.read_bytes(), paired.read_bytes()
    cm = _manager(config.PROJECT_ROOT)
    model = cm.get(NOTEBOOK)
    executed = _executed(json.loads(nbformat.writes(model["content"])))
    try:
        saved = cm.save({"type": "notebook", "format": "json", "content": executed}, NOTEBOOK)
        assert saved["type"] == "notebook"
        assert _git_status("notebooks/") == ""
        # a copy saved outside notebooks/ keeps what the analyst ran
        out = tmp_path / "copy"
        out.mkdir()
        other = _manager(tmp_path)
        other.save({"type": "notebook", "format": "json", "content": _executed(executed)}, "copy/02.ipynb")
        kept = json.loads((out / "02.ipynb").read_text(encoding="utf-8"))
        assert any(c.get("outputs") for c in kept["cells"])
    finally:
        target.write_bytes(before[0])
        paired.write_bytes(before[1])


def test_clean_keeps_sources_tags_and_ids_only():
    nb = _executed(json.loads((config.PROJECT_ROOT / NOTEBOOK).read_text(encoding="utf-8")))
    cleaned = lab.clean(copy.deepcopy(nb))
    assert set(cleaned["metadata"]) == {"kernelspec", "jupytext"}
    assert all(
        c["outputs"] == [] and c["execution_count"] is None for c in cleaned["cells"] if "outputs" in c
    )
    assert cleaned["cells"][0]["metadata"] == {"tags": ["parameters"]}
    assert [c["source"] for c in cleaned["cells"]] == [c["source"] for c in nb["cells"]]
    assert [c["id"] for c in cleaned["cells"]] == [c["id"] for c in nb["cells"]]


def test_only_notebooks_in_the_step_folder_are_cleaned(tmp_path: Path):
    root = config.PROJECT_ROOT
    assert lab.is_tracked("notebooks/01_market_analysis.ipynb", root)
    assert lab.is_tracked(root / "notebooks" / "sub" / "x.ipynb")
    assert not lab.is_tracked("outputs/interactive/east/01.ipynb", root)
    assert not lab.is_tracked("notebooks/../outputs/x.ipynb", root)
    assert not lab.is_tracked("notebooks/01_market_analysis.py", root)
    model = {"type": "notebook", "content": {"metadata": {"widgets": {}}, "cells": []}}
    lab.pre_save_hook(
        model, "elsewhere.ipynb", contents_manager=type("CM", (), {"root_dir": str(tmp_path)})()
    )
    assert "widgets" in model["content"]["metadata"]  # not a step notebook: saved as it is


def test_lab_command_listens_on_localhost_with_the_hook(monkeypatch):
    monkeypatch.setattr(lab.os, "geteuid", lambda: 0)
    argv, note = lab.command(port=8899, open_browser=False)
    assert "--ServerApp.ip=127.0.0.1" in argv and "--ServerApp.port=8899" in argv and "--no-browser" in argv
    assert "--ContentsManager.pre_save_hook=planning.lab.pre_save_hook" in argv
    assert "--allow-root" in argv and "--allow-root" in note
    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000)
    argv, note = lab.command()
    assert "--allow-root" not in argv and note == ""


def test_every_chart_of_a_run_draws_with_jupyterlabs_vega_lite_5(sample_snapshot: Path):
    """JupyterLab renders `charts.LAB_MIMETYPE` with its bundled Vega-Lite 5; every chart of the five steps must
    compile with Vega-Lite 5 (5.8, the oldest vl-convert has), and its saved output (spec + static SVG, the SVG
    being the batch page's fallback of the same spec) stay small."""
    import re

    import vl_convert as vlc

    from planning import charts

    specs = []
    for page in sorted((sample_snapshot / "east").glob("*.ipynb")):
        nb = nbformat.read(page, as_version=4)
        for out in (o for cell in nb.cells for o in cell.get("outputs", [])):
            html = out.get("data", {}).get("text/html", "")
            for _svg, spec in re.findall(
                r'<div class="chart-fallback">(.*?)</div></div>\n<script type="application/json"[^>]*>(.*?)</script>',
                html,
            ):
                lab_spec = {**json.loads(spec), "$schema": charts.LAB_SCHEMA}
                assert vlc.vegalite_to_vega(lab_spec, vl_version="5.8")["marks"]
                specs.append(json.loads(spec))
    assert len(specs) >= 20
    # the saved output of the three largest specs, SVG included (vl-convert takes ~1 s a chart on a busy runner)
    largest = sorted(specs, key=lambda s: len(json.dumps(s)))[-3:]
    sizes = [len(json.dumps(charts._lab_renderer(s), ensure_ascii=False).encode("utf-8")) for s in largest]
    assert all(n < 250_000 for n in sizes), sizes  # far below the ~1 MB of widget state a JupyterChart saved
    print(f"{len(specs)} charts; saved size of the three largest: {[round(n / 1e3) for n in sizes]} KB")
