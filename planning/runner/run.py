"""A batch run: every region x step through papermill into one dated snapshot.

Layout of a snapshot (docs/architecture.md):

    outputs/<as-of>/index.html, manifest.json
    outputs/<as-of>/<region>/<NN_step>.ipynb, <NN_step>.html, params.json, artifacts/*.csv

Reliability rules (README "When things go wrong"):

- Bad input stops the run before any kernel starts (ParamsError, DataError, SnapshotExists, UnsafePath: exit 2)
  and writes nothing to the output folder, except for data problems the validation report
  `<out>/<as-of>.validation.json` (`checks`).
- The snapshot is assembled in a hidden sibling folder and published atomically (`publish`).
- A failing notebook (error, `run.execution_timeout` exceeded, dead kernel) does not stop other regions: its
  partial notebook is kept, the later steps of that region are skipped, the manifest records region, step, cell
  and error, the snapshot's manifest says `"status": "incomplete"`, and the run exits 1.
- Ctrl-C (SIGINT) stops every kernel, removes the temp folder, publishes nothing (the CLI exits 130).
- `resume=True` re-runs only the region-steps of an existing snapshot that did not finish or whose inputs (the
  region's params.json, the data fingerprint, the notebook source) changed since, and every later step of the
  same region.

Every region's parameters are resolved once, before any kernel starts (`params.resolve`), and reach its notebooks
as values: papermill writes every parameter of the parameters cell as an escaped Python literal
(`kernels.notebook_parameters`), and the whole of them travels in the region's params.json. Regions run in
parallel worker processes, each with its own kernel (`kernels`); a worker process that dies costs only the
region-step it was running, which is retried once on a fresh worker (`pool`).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planning import config, importer, report, sources, store
from planning import data as data_mod
from planning import params as params_mod
from planning.errors import ParamsError, SnapshotExists
from planning.params import RunInput
from planning.runner import checks, publish, snapshot
from planning.runner.kernels import KernelSlot, notebook_parameters, run_region
from planning.runner.pool import run_parallel
from planning.runner.results import RunResult, StepResult


def run(
    regions: list[str] | None = None,
    steps: list[str] | None = None,
    as_of: str | None = None,
    data_dir: str | None = None,
    out_root: Path | str | None = None,
    workers: int | None = None,
    language: str | None = None,
    force: bool = False,
    params_dir: Path | str | None = None,
    notebooks_dir: Path | str | None = None,
    progress=None,
    resume: bool = False,
) -> RunResult:
    """Validate everything, run regions x steps, and publish `out_root/<as-of>/` atomically.

    Raises ParamsError / DataError / SnapshotExists / UnsafePath (exit code 2) before any kernel starts when the
    input is bad, and KeyboardInterrupt (after removing the temp folder, nothing published) on Ctrl-C.
    `resume=True` completes an existing snapshot of the same date (see the module docstring).
    """
    params_dir = Path(params_dir or config.PARAMS_DIR)
    out_root = Path(out_root or config.OUTPUTS_DIR)
    notebooks_dir = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    try:
        step_list = [config.step_key(s) for s in steps] if steps else list(config.STEPS)
    except ValueError as exc:
        raise ParamsError(f"--step: {exc}") from None
    step_list = [s for s in config.STEPS if s in step_list]
    wanted = list(dict.fromkeys(regions or params_mod.region_keys(params_dir)))
    if not wanted:
        raise ParamsError(f"{params_dir}: no region files (<region>.yaml); nothing to run")
    inputs = {
        r: params_mod.resolve(r, as_of=as_of or "", language=language or "", params_dir=params_dir)
        for r in wanted
    }
    first = inputs[wanted[0]].params
    for ri in inputs.values():
        if (ri.as_of, ri.plan_year) != (first.as_of, first.plan_year):
            raise ParamsError(
                f"{ri.files[1]}: as_of {ri.as_of} / plan_year {ri.plan_year} differ from region "
                f"{wanted[0]!r} ({first.as_of} / {first.plan_year}); expected one planning date per snapshot"
            )
    final = store.snapshot_dir(out_root, first.as_of)

    previous = None
    if final.exists() or final.is_symlink():
        if resume:
            checks.check_replaceable(final)
            previous = store.read_manifest(final) or {}
            if not regions and previous.get("regions"):
                wanted = [r for r in previous["regions"] if r in inputs] or wanted
            if not steps and previous.get("steps"):
                step_list = [s for s in config.STEPS if s in previous["steps"]]
        elif not force:
            raise SnapshotExists(
                f"{final}: a snapshot for {final.name} already exists; pass --force to replace it "
                "(the old one is kept until the new one is complete), --resume to complete it, or --out to "
                "write elsewhere"
            )
        else:
            checks.check_replaceable(final)

    data_dirs = {r: str(sources.resolve_dir(inputs[r].params, data_dir)) for r in wanted}
    checks.check_out_root(out_root, [params_dir, notebooks_dir, *map(Path, data_dirs.values())])
    validation_report = out_root / f"{final.name}.validation.json"
    data_warnings: list[Any] = []
    for d in sorted(set(data_dirs.values())):
        rs = [r for r in wanted if data_dirs[r] == d]
        data_warnings += checks.validate_data(Path(d), rs, first.as_of, validation_report)
    fingerprints = {d: data_mod.fingerprint(Path(d)) for d in sorted(set(data_dirs.values()))}

    tmp = publish.work_dir(out_root, final.name)
    try:
        result = _run_into(
            tmp,
            final,
            wanted,
            step_list,
            inputs,
            data_dirs,
            fingerprints,
            previous,
            notebooks_dir,
            workers,
            progress,
            data_warnings,
        )
        importer.write_snapshot_report(tmp, sorted(set(data_dirs.values())))  # <snapshot>/validation.json
        report.write_index(tmp, store.read_manifest(tmp) or {}, first.language)
        publish.publish(tmp, final, replace=force or previous is not None)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result


def _run_into(
    tmp: Path,
    final: Path,
    regions: list[str],
    steps: list[str],
    inputs: dict[str, RunInput],
    data_dirs: dict[str, str],
    fingerprints: dict[str, dict[str, str]],
    previous: dict[str, Any] | None,
    notebooks_dir: Path,
    workers: int | None,
    progress,
    data_warnings: list[Any],
) -> RunResult:
    """Run what has to run into `tmp`, reuse what `previous` already has, and write the manifest."""
    commit = snapshot.git_commit()
    started_at = datetime.now(UTC)
    first = inputs[regions[0]].params
    prev_regions = (previous or {}).get("regions", {})
    result = RunResult(snapshot=final)
    specs = []
    hashes: dict[str, dict[str, dict[str, str]]] = {}
    for r in regions:
        p = inputs[r].params
        region_dir = tmp / r
        if r in prev_regions and (final / r).is_dir():
            shutil.copytree(final / r, region_dir, symlinks=True)
        region_dir.mkdir(parents=True, exist_ok=True)
        params_json = p.model_dump_json(indent=2).encode("utf-8")
        (region_dir / "params.json").write_bytes(params_json)
        hashes[r] = {
            s: snapshot.step_inputs(params_json, fingerprints[data_dirs[r]], notebooks_dir / f"{s}.ipynb")
            for s in steps
        }
        to_run = steps_to_run(steps, hashes[r], prev_regions.get(r, {}).get("steps", {}), region_dir)
        for s in steps[: len(steps) - len(to_run)]:
            old = prev_regions[r]["steps"][s]
            result.results.append(StepResult(r, s, "ok", old.get("duration_s", 0.0), None, reused=True))
        remove_outputs(region_dir, to_run)
        if not to_run:
            continue
        specs.append(
            {
                "region": r,
                "steps": to_run,
                "region_dir": str(region_dir),
                "parameters": notebook_parameters(p, region_dir, data_dirs[r]),
                "execution_timeout": p.run.execution_timeout,
                "notebooks_dir": str(notebooks_dir),
                "meta": snapshot.report_meta(p, commit),
            }
        )

    n_workers = workers if workers is not None else (first.run.workers or os.cpu_count() or 1)
    n_workers = max(1, min(n_workers, len(specs) or 1))
    if specs:  # the reports' JS bundle, cached on disk while the first notebooks run (report.vega_bundle)
        threading.Thread(target=_warm_bundle, name="vega-bundle", daemon=True).start()
    t0 = time.perf_counter()
    if n_workers == 1:
        slot = KernelSlot()
        try:
            for spec in specs:
                res = run_region(spec, slot)
                result.results.extend(res)
                if progress:
                    progress(res)
        finally:
            slot.close()
    else:
        result.results.extend(run_parallel(specs, n_workers, progress))
    wall = time.perf_counter() - t0

    order = {r: i for i, r in enumerate(regions)}
    result.results.sort(key=lambda x: (order[x.region], steps.index(x.step)))
    region_entries = {
        r: snapshot.region_entry(
            inputs[r], data_dirs[r], tmp / r, [x for x in result.results if x.region == r], hashes[r]
        )
        for r in regions
    }
    # regions of the resumed snapshot that this run does not cover are carried over unchanged
    for r, entry in prev_regions.items():
        if r not in region_entries and (final / r).is_dir():
            shutil.copytree(final / r, tmp / r, symlinks=True)
            region_entries[r] = entry
    manifest = snapshot.manifest(
        result,
        region_entries,
        started_at=started_at,
        wall_s=wall,
        workers=n_workers,
        commit=commit,
        steps=steps,
        fingerprints=fingerprints,
        data_warnings=[checks.problem_dict(p) for p in data_warnings[:100]],
        previous=previous,
    )
    store.write_manifest(tmp, manifest)
    return result


def steps_to_run(
    steps: list[str], inputs: dict[str, dict[str, str]], previous: dict[str, Any], region_dir: Path
) -> list[str]:
    """The steps from the first one that cannot be reused onwards (a later step reads the earlier's artefacts)."""
    for i, s in enumerate(steps):
        old = previous.get(s) or {}
        reusable = (
            old.get("status") == "ok"
            and old.get("inputs") == inputs[s]
            and (region_dir / f"{s}.ipynb").is_file()
            and (region_dir / f"{s}.html").is_file()
        )
        if not reusable:
            return steps[i:]
    return []


def remove_outputs(region_dir: Path, steps: list[str]) -> None:
    """Delete what a resumed snapshot holds of steps that run again (their notebook, report, artefacts)."""
    for s in steps:
        for suffix in (".ipynb", ".html"):
            (region_dir / f"{s}{suffix}").unlink(missing_ok=True)
        store.remove_step_outputs(region_dir, s)


# ------------------------------------------------------------------------------------------------ workers
def _warm_bundle() -> None:
    """Build the reports' JS bundle into its disk cache, so that workers read it instead of each building it."""
    try:
        report.vega_bundle()
    except Exception:  # a worker builds it itself (and reports a real failure through its step)
        pass
