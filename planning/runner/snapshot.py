"""What a snapshot records about its run: the manifest (parameters, data, code, per-step results and inputs), the
headline numbers of each region for the index, and the step inputs `--resume` compares.

Manifest entries (docs/architecture.md): `snapshot`, `status` (complete | incomplete), `kind` ("plan": a run;
`store.KINDS`), `started_at`, `wall_s`,
`workers`, `commit`, `versions`, `steps`, `data` (fingerprints), `data_warnings` (keys as
the checks give them, `message` in the run's language), `resumed_from` (resumed and
updated runs), `company_regions` (every region of params/: the index calls a total over fewer a partial one),
`regions` -> {region: {params, params_files, data_dir, headline, steps -> {step: {status, duration_s, error,
inputs, reused, retried}}}}. The manifest itself is read and written by `planning.store`.

Run-time fields (`RUN_TIME_FIELDS`: when the run started, how long it and each step took) are the only values
that differ between two runs of the same inputs; they are kept in the manifest and nowhere else (not in the
executed notebooks, the reports or the index), so a rerun is byte-identical but for them (docs/artifacts.md).
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from planning import config, store
from planning.market import periods
from planning.params import Params, RunInput
from planning.runner.results import RunResult, StepResult

#: The manifest's run-time fields, as paths ("*" = every key at that level): all a rerun may change.
RUN_TIME_FIELDS = ("started_at", "wall_s", "resumed_from", "regions.*.steps.*.duration_s")


def without_run_time(manifest: dict[str, Any]) -> dict[str, Any]:
    """A copy of `manifest` without its run-time fields: equal for two runs of the same inputs."""
    out = json.loads(json.dumps(manifest))
    for field in RUN_TIME_FIELDS:
        _drop(out, field.split("."))
    return out


def _drop(node: Any, path: list[str]) -> None:
    if not isinstance(node, dict) or not path:
        return
    head, rest = path[0], path[1:]
    keys = list(node) if head == "*" else [head]
    for key in keys:
        if not rest:
            node.pop(key, None)
        elif key in node:
            _drop(node[key], rest)


def git_commit() -> str:
    """The short commit of the project's checkout ("-dirty" with uncommitted changes), or "unknown"."""
    try:
        out = subprocess.run(
            ["git", "-C", str(config.PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        commit = out.stdout.strip() or "unknown"
        dirty = subprocess.run(
            ["git", "-C", str(config.PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return commit + ("-dirty" if dirty else "") if commit != "unknown" else commit
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def versions() -> dict[str, str]:
    """Python's and the main libraries' versions, for the manifest."""
    names = ["pandas", "altair", "papermill", "nbconvert", "pydantic", "statsmodels", "scipy", "duckdb"]
    out = {"python": platform.python_version()}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            pass
    return out


def headline(region_dir: Path) -> dict[str, Any]:
    """Headline numbers of a region for the index, read from its artefacts when the steps wrote them."""
    out: dict[str, Any] = {}
    try:
        t = store.read_optional(region_dir, "targets")
        if t is not None:
            year = t[t["level"] == "year"]
            if len(year):
                out["plan_target"] = float(year["target"].iloc[0])
        pva = store.read_optional(region_dir, "plan_vs_actual")
        if pva is not None:
            ytd = pva[pva["level"] == "ytd"]
            if len(ytd):
                out["ytd_plan"] = float(ytd["plan"].iloc[0])
                out["ytd_actual"] = float(ytd["actual"].iloc[0])
                out["completion"] = out["ytd_actual"] / out["ytd_plan"] if out["ytd_plan"] else None
        k = store.read_optional(region_dir, "kpis")
        if k is not None:
            out["kpi_lights"] = {s: int((k["status"] == s).sum()) for s in ("green", "yellow", "red")}
    except (OSError, ValueError, KeyError):  # ArtifactInvalid is a ValueError
        pass  # the index shows a dash for what is missing; the step reports carry the detail
    return out


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def step_inputs(params_json: bytes, data_fingerprint: dict[str, str], notebook: Path) -> dict[str, str]:
    """What a region-step's result depends on, as hashes: `--resume` re-runs the step when one changes."""
    return {
        "params": _sha256(params_json),
        "data": _sha256(json.dumps(data_fingerprint, sort_keys=True).encode()),
        "notebook": _sha256(notebook.read_bytes()),
    }


def report_meta(p: Params, commit: str) -> dict[str, Any]:
    """The page header of a region's step reports (`report.export_html`), in the report language."""
    zh = p.language == "zh"
    return {
        "company": p.company.name_zh if zh else p.company.name,
        "region": p.region.key,
        "region_name": (p.region.name_zh if zh else p.region.name) or p.region.key,
        "as_of": p.as_of.isoformat(),
        "plan_year": p.plan_year,
        "language": p.language,
        "commit": commit,
    }


def mark_partial(results: list[StepResult]) -> None:
    """A step that ran ok while an earlier step it reads (`config.STEP_INPUTS`) has no result in the region
    (never run in this snapshot, or failed) becomes `partial`: its report computed without that step's artefacts
    (`planning run --step 03` alone into a new folder). `results`: one region's step results, this run's and the
    reused ones. The error names the missing steps; the snapshot is then incomplete and the run exits 1."""
    done = {x.step for x in results if x.status in ("ok", "partial")}
    for x in results:
        if x.status != "ok" or x.step not in config.STEP_INPUTS:
            continue
        missing = [s for s in config.STEP_INPUTS[x.step] if s not in done]
        if missing:
            x.status = "partial"
            x.error = {
                "message": f"upstream steps not in the snapshot: {', '.join(missing)}; the report is computed "
                "without their artefacts (run them, e.g. --resume after adding them, for a complete plan)",
                "missing_steps": missing,
            }


def region_entry(
    run_input: RunInput,
    data_dir: str,
    region_dir: Path,
    results: list[StepResult],
    inputs: dict[str, dict[str, str]],
    history_months: int = 0,
) -> dict[str, Any]:
    """A region's manifest entry: its parameters and their files, data folder, headline and step results; with
    the complete months of history the run's check counted (`history_months`, when it did), the plan the region
    got: "minimal" for 3 to 12 months (docs/method.md, short histories), else "full"."""
    history = (
        {"history_months": history_months, "plan": "minimal" if periods.minimal(history_months) else "full"}
        if history_months
        else {}
    )
    return {
        **history,
        "params": json.loads(run_input.params.model_dump_json()),
        "params_files": [str(f) for f in run_input.files],
        "data_dir": data_dir,
        "headline": headline(region_dir),
        "steps": {
            x.step: {
                "status": x.status,
                "duration_s": x.duration_s,
                "error": x.error,
                "inputs": inputs[x.step],
                **({"reused": True} if x.reused else {}),
                **({"retried": x.retried} if x.retried else {}),
            }
            for x in results
        },
    }


def published_notebooks(result: RunResult, region_entries: dict[str, dict[str, Any]]) -> None:
    """Point every step error's `notebook` (this run's results and the manifest's region entries, carried-over
    ones included) at `<snapshot>/<region>/<step>.ipynb` of the published snapshot."""
    errors = [(x.region, x.step, x.error) for x in result.results]
    errors += [
        (r, s, st.get("error")) for r, e in region_entries.items() for s, st in e.get("steps", {}).items()
    ]
    for region, step, error in errors:
        if isinstance(error, dict) and "notebook" in error:
            error["notebook"] = str(result.snapshot / region / f"{step}.ipynb")


def manifest(
    result: RunResult,
    region_entries: dict[str, dict[str, Any]],
    *,
    started_at: datetime,
    wall_s: float,
    workers: int,
    commit: str,
    steps: list[str],
    fingerprints: dict[str, dict[str, str]],
    data_warnings: list[dict[str, Any]],
    previous: dict[str, Any] | None,
    company_regions: list[str] | None = None,
) -> dict[str, Any]:
    """The snapshot's manifest: complete when this run's steps and every carried-over region's steps are ok.

    A failed step's `error.notebook` names its notebook in the published snapshot (`result.snapshot`), not in
    the work folder it ran in, which is gone once the snapshot is published (`published_notebooks`).
    """
    published_notebooks(result, region_entries)
    complete = result.ok and all(
        st.get("status") == "ok" for e in region_entries.values() for st in e.get("steps", {}).values()
    )
    return {
        "snapshot": result.snapshot.name,
        "status": "complete" if complete else "incomplete",
        "kind": "plan",  # store.KINDS: what made the snapshot (`planning adjust` writes "adjusted")
        "started_at": started_at.isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 2),
        "workers": workers,
        "commit": commit,
        "versions": versions(),
        "steps": steps,
        "data": fingerprints,
        "data_warnings": data_warnings,
        **({"resumed_from": previous.get("started_at")} if previous else {}),
        **({"company_regions": company_regions} if company_regions else {}),
        "regions": region_entries,
    }
