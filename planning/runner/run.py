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
- A subset (`regions` and/or `steps`) into an existing snapshot updates it: those region-steps run again with the
  later steps of the same region (and any earlier one `resume` would re-run); the other regions and steps are
  carried over byte-identical, so the snapshot never shrinks (`force` changes nothing there; `force` without a
  subset replaces the snapshot whole; neither: SnapshotExists). An update that fails a step of a complete
  snapshot is kept as `<out>/<as-of>.failed/` (one per as-of: the latest) and not published, until a run of that
  as-of publishes, which removes it; one that finds the snapshot replaced meanwhile publishes nothing
  (SnapshotExists).

Every region's parameters are resolved once, before any kernel starts (`params.resolve`), and reach its notebooks
as values: papermill writes every parameter of the parameters cell as an escaped Python literal
(`kernels.notebook_parameters`), and the whole of them travels in the region's params.json. Regions run in
parallel worker processes, each with its own kernel (`kernels`); a worker process that dies costs only the
region-step it was running, which is retried once on a fresh worker (`pool`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from planning import audit, company, config, diff, importer, report, sources, store
from planning import data as data_mod
from planning import params as params_mod
from planning.diff import page as diff_page
from planning.errors import ParamsError, SnapshotExists, UnsafePath
from planning.handover import workbook
from planning.params import RunInput, scenarios
from planning.runner import checks, publish, snapshot, texts
from planning.runner import cluster as cluster_mod
from planning.runner.ahead import AuditAhead
from planning.runner.kernels import KernelSlot, notebook_parameters, run_region
from planning.runner.pool import join_all, run_parallel
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
    kind: str = "plan",
    plan_of_record: str = "",
    plan_year: int = 0,
    cluster: str | None = None,
    scheduler: str | None = None,
    scenario: str = "",
    engine: str | None = None,
) -> RunResult:
    """Validate everything, run regions x steps, and publish `out_root/<as-of>/` atomically.

    Raises ParamsError / DataError / SnapshotExists / UnsafePath (exit code 2) before any kernel starts when the
    input is bad, and KeyboardInterrupt (after removing the temp folder, nothing published) on Ctrl-C.
    `resume=True` completes an existing snapshot of the same date; `regions` / `steps` update it (see the module
    docstring). `kind` and `plan_of_record` go into the manifest (docs/rhythm.md "Snapshot kinds": a review run
    is kind "review" with the path of the plan version it was checked against). `cluster` ("local:N") or `scheduler` ("tcp://HOST:PORT", else `run.scheduler` of the params
    unless `workers` is given) run the regions as Dask tasks (`runner.cluster`) instead of the process pool.
    `scenario`: a named scenario (params/scenarios/<name>.yaml) as the last parameter layer, published as
    `out_root/<as-of>+<name>/` with kind "scenario" (`scenario_kind`), compared with its base plan. `engine`
    ("shell" / "kernel") overrides the params' `run.engine`.
    """
    # absolute before anything uses them: the kernels run in the notebooks folder (checks.absolute)
    params_dir = checks.absolute(params_dir or config.PARAMS_DIR, "--params")
    out_root = checks.absolute(out_root or config.OUTPUTS_DIR, "--out", UnsafePath)
    notebooks_dir = checks.absolute(notebooks_dir or config.NOTEBOOKS_DIR, "--notebooks")
    data_dir = str(checks.absolute(data_dir, "--data")) if data_dir else None
    checks.check_workers(workers)
    if cluster and workers is not None:
        raise ParamsError(
            f"--cluster {cluster} and --workers {workers}: expected one of them (local:N sets N)"
        )
    target = cluster_mod.parse_target(cluster, scheduler)
    try:
        step_list = [config.step_key(s) for s in steps] if steps else list(config.STEPS)
    except ValueError as exc:
        raise ParamsError(f"--step: {exc}") from None
    step_list = [s for s in config.STEPS if s in step_list]
    checks.check_notebooks(notebooks_dir, step_list)
    wanted = list(dict.fromkeys(regions or params_mod.region_keys(params_dir)))
    if not wanted:
        raise ParamsError(f"{params_dir}: no region files (<region>.yaml); nothing to run")
    inputs = {
        r: params_mod.resolve(
            r,
            as_of=as_of or "",
            plan_year=plan_year,
            language=language or "",
            params_dir=params_dir,
            scenario=scenario,
        )
        for r in wanted
    }
    checks.set_engine(inputs, engine)
    checks.check_calendar(inputs)
    first = inputs[wanted[0]].params
    for ri in inputs.values():
        if (ri.as_of, ri.plan_year) != (first.as_of, first.plan_year):
            raise ParamsError(
                f"{ri.files[1]}: as_of {ri.as_of} / plan_year {ri.plan_year} differ from region "
                f"{wanted[0]!r} ({first.as_of} / {first.plan_year}); expected one planning date per snapshot"
            )
    final = store.snapshot_dir(out_root, first.as_of)
    extra: dict[str, Any] = {"kind": kind, **({"plan_of_record": plan_of_record} if plan_of_record else {})}
    if scenario:  # its own folder, never the plan's: <as-of>+<name>
        final = out_root / scenarios.snapshot_name(first.as_of.isoformat(), scenario)
        extra = scenario_kind(scenario, params_dir, out_root, first.as_of)
    if target is None and workers is None and first.run.scheduler:
        target = cluster_mod.parse_target(None, first.run.scheduler, "params run.scheduler")

    previous = None
    forced: dict[str, set[str]] = {}
    if final.exists() or final.is_symlink():
        subset = bool(regions or steps)
        if not (resume or subset or force):
            raise SnapshotExists(
                f"{final}: a snapshot for {final.name} already exists; to update part of it name the regions or "
                "steps to run again (--region east, --step 03: the rest of the snapshot is kept), --resume to "
                "complete it, --force to replace it whole (the old one is kept until the new one is complete), "
                "or --out to write elsewhere"
            )
        checks.check_replaceable(final)
        if resume or subset:  # update the snapshot in place of replacing it (`_update_plan`)
            previous = store.read_manifest(final) or {}
            if kind == "plan" and not scenario and store.snapshot_kind(previous) != "plan":  # an update keeps
                kind = store.snapshot_kind(previous)  # what made it
                base = previous.get("plan_of_record")
                extra = {"kind": kind, **({"plan_of_record": base} if base else {})}
            wanted, step_list, forced = _update_plan(
                previous,
                wanted,
                step_list,
                inputs,
                final,
                regions=bool(regions),
                steps=bool(steps),
                resume=resume,
            )

    data_dirs = {r: str(sources.resolve_dir(inputs[r].params, data_dir)) for r in wanted}
    checks.check_out_root(out_root, [params_dir, notebooks_dir], [*map(Path, data_dirs.values())])
    validation_report = out_root / f"{final.name}.validation.json"
    data_warnings: list[Any] = []
    history: dict[str, int] = {}  # complete months of orders per region: the minimal plan below 13 (checks)
    # a run of every region of params/ plans every region of the data: one without a params file is refused
    configured = None if (regions or resume) else params_mod.region_keys(params_dir)
    for d in sorted(set(data_dirs.values())):
        rs = [r for r in wanted if data_dirs[r] == d]
        data_warnings += checks.validate_data(
            Path(d), rs, first.as_of, validation_report, configured, lang=first.language, history=history
        )
    fingerprints = {d: data_mod.fingerprint(Path(d)) for d in sorted(set(data_dirs.values()))}

    tmp = publish.work_dir(out_root, final.name)
    stopping: list[Any] = []  # the pool's workers, stopping their kernels while the snapshot is assembled
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
            forced,
            _company_regions(params_dir, wanted),
            notebooks_dir,
            workers,
            progress,
            data_warnings,
            extra,
            target,
            history,
            stopping,
        )
        importer.write_snapshot_report(  # <snapshot>/validation.json, its sentences in the run's language
            tmp, sorted(set(data_dirs.values())), lambda r: texts.import_report(r, first.language)
        )
        if kind == "plan" and not scenario:  # a review holds no plan to hand over (its plan of record does)
            _hand_over(tmp, final, out_root, result.books)
        if scenario:  # "changes since" its base plan, the scenario's keys named as the cause
            _compare_with_base(tmp, final, out_root, extra.get("plan_of_record", ""))
        manifest = store.read_manifest(tmp) or {}
        result.audit = plan_audit(tmp, manifest, result.ahead)
        report.write_index(tmp, manifest, first.language, result.audit)
        if previous is not None and previous.get("status") == "complete" and not result.ok:
            result.snapshot = _keep_failed(tmp, final)  # the complete snapshot stays as it was
            result.failed_kept = result.snapshot if result.snapshot != final else None
            return result
        if previous is not None and store.read_manifest(final) != previous:
            raise SnapshotExists(
                f"{final}: the snapshot was replaced by another run while this one was updating it; nothing was "
                "published (this run's changes would have undone the other's): run the same command again"
            )
        publish.publish(tmp, final, replace=force or previous is not None)
        result.failed_swept = _sweep_failed(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        join_all(stopping)
    return result


def plan_audit(snapshot_dir: Path, manifest: dict[str, Any], ahead: dict[str, Any] | None = None) -> pd.DataFrame:
    """The plan audit of the snapshot being published (every region's checks and the company's), written as its
    audit.csv. It does not change the run's exit code: the snapshot is published with its contradictions named
    in the index; `planning audit` exits 1 on them (README "Plan audit"). An audit that cannot run (a bug) is
    one failed company row naming the error, so the run still publishes what its steps produced."""
    try:
        frame = audit.audit_snapshot(snapshot_dir, manifest, ahead)
    except Exception as exc:  # the steps' results stay; the index shows the audit could not run
        frame = pd.DataFrame(
            [("company", "audit_ran", "fail", f"{type(exc).__name__}: {exc}", "The plan audit runs to its end.")],
            columns=list(audit.COLUMNS),
        )
    store.write_audit(snapshot_dir, frame)
    return frame


def _update_plan(
    previous: dict[str, Any],
    wanted: list[str],
    step_list: list[str],
    inputs: dict[str, RunInput],
    final: Path,
    *,
    regions: bool,
    steps: bool,
    resume: bool,
) -> tuple[list[str], list[str], dict[str, set[str]]]:
    """What a run into the existing snapshot `final` (manifest `previous`) does: its regions, its steps and, per
    region, the steps that run again even when they could be reused.

    The snapshot never shrinks: every step it holds stays a step of it (`--step` may add one), and its regions
    that the run does not name are carried over unchanged (`_run_into`).
    - A subset (`--region` and/or `--step`, with or without `--force`) runs the named steps (every step of the
      snapshot with `--region` alone) of the named regions (every region of params/ with `--step` alone) again,
      with the later steps of the same region (they read the earlier steps' artefacts) and any earlier step of
      that region the snapshot lacks or holds out of date (failed, or its inputs changed: as `--resume`).
    - `--resume` runs nothing again that is up to date; without `--region` it covers the snapshot's regions.
    A region carried over must plan the same year in the same language as this run: else SnapshotExists.
    """
    prev_regions = previous.get("regions") or {}
    prev_steps = [s for s in config.STEPS if s in (previous.get("steps") or [])]
    named_steps = step_list if steps else []
    if prev_steps:
        step_list = [s for s in config.STEPS if s in prev_steps or s in named_steps]
    if resume and not regions and prev_regions:
        wanted = [r for r in prev_regions if r in inputs] or wanted
    forced = {} if resume else {r: set(named_steps or step_list) for r in wanted}
    first = inputs[wanted[0]].params
    for r, entry in prev_regions.items():
        old = entry.get("params") or {} if isinstance(entry, dict) else {}
        if r in wanted or not old:
            continue
        if (old.get("plan_year"), old.get("language")) != (first.plan_year, first.language):
            raise SnapshotExists(
                f"{final}: region {r!r} of the snapshot plans {old.get('plan_year')} in language "
                f"{old.get('language')!r}, this run {first.plan_year} in {first.language!r}; expected one plan "
                "year and language per snapshot: run every region with --force to replace the snapshot, or "
                "--out to write elsewhere"
            )
    return wanted, step_list, forced


def _keep_failed(tmp: Path, final: Path) -> Path:
    """An update (a subset, `--resume`) of a complete snapshot in which a step failed is not published: the
    snapshot stays complete, and the run is kept as `<out>/<as-of>.failed/` (replacing an earlier one) so that
    its failed notebooks can be read. Returns that folder (the snapshot itself where it cannot be written)."""
    failed = final.with_name(f"{final.name}.failed")
    if failed.is_dir() and not failed.is_symlink() and store.is_snapshot(failed):
        shutil.rmtree(failed, ignore_errors=True)
    if failed.exists() or failed.is_symlink():  # not a failed run of ours: leave it alone
        shutil.rmtree(tmp, ignore_errors=True)
        return final
    os.replace(tmp, failed)
    return failed


def _sweep_failed(final: Path) -> Path | None:
    """Once a run of an as-of date is published, its `<as-of>.failed/` (an earlier update that failed, kept for
    reading its notebooks) shows a state the snapshot has left behind: removed. Only a failed run of ours (a
    folder with a manifest) is removed; returns it, or None."""
    failed = final.with_name(f"{final.name}.failed")
    if not failed.is_dir() or failed.is_symlink() or not store.is_snapshot(failed):
        return None
    shutil.rmtree(failed, ignore_errors=True)
    return None if failed.exists() else failed


def _company_regions(params_dir: Path, wanted: list[str]) -> list[str] | None:
    """Every region of params/ and the run's (for the index: is a total over the snapshot's regions the
    company's?); None when params/ holds a file that is not a region (the run names its regions itself)."""
    try:
        return list(dict.fromkeys([*params_mod.region_keys(params_dir), *wanted]))
    except ParamsError:
        return None


def _run_into(
    tmp: Path,
    final: Path,
    regions: list[str],
    steps: list[str],
    inputs: dict[str, RunInput],
    data_dirs: dict[str, str],
    fingerprints: dict[str, dict[str, str]],
    previous: dict[str, Any] | None,
    forced: dict[str, set[str]],
    company_regions: list[str] | None,
    notebooks_dir: Path,
    workers: int | None,
    progress,
    data_warnings: list[Any],
    kind: dict[str, Any] | None = None,
    target: cluster_mod.Target | None = None,
    history: dict[str, int] | None = None,
    stopping: list[Any] | None = None,
) -> RunResult:
    """Run what has to run into `tmp`, reuse what `previous` already has (but the steps `forced` per region), carry
    over the regions of `previous` this run does not name, and write the manifest. `history`: each region's
    complete months of orders (`checks.short_history`), injected into its notebooks and named in its entry."""
    history = history or {}
    commit = snapshot.git_commit()
    started_at = datetime.now(UTC)
    first = inputs[regions[0]].params
    prev_regions = (previous or {}).get("regions", {})
    result = RunResult(snapshot=final, language=first.language)
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
        old_steps = prev_regions.get(r, {}).get("steps", {})
        to_run = steps_to_run(steps, hashes[r], old_steps, region_dir, forced.get(r, set()))
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
                "parameters": notebook_parameters(p, region_dir, data_dirs[r], history.get(r, 0)),
                "execution_timeout": p.run.execution_timeout,
                "engine": p.run.engine,
                "notebooks_dir": str(notebooks_dir),
                "meta": snapshot.report_meta(p, commit),
                "audit": True,  # the region's audit comes back with its last step (runner.ahead)
            }
        )

    n_workers = workers if workers is not None else (first.run.workers or os.cpu_count() or 1)
    n_workers = max(1, min(n_workers, len(specs) or 1))
    # the company-wide summaries (pooled season, funnel benchmark) once for the run, so that a region's notebook
    # reads only its region's rows (planning.company; removed before the snapshot is published)
    company.prepare(tmp, [(data_dirs[s["region"]], inputs[s["region"]].params.as_of,
                           inputs[s["region"]].params.strategy.funnel_months, s["steps"]) for s in specs])  # fmt: skip
    if specs:  # the reports' JS bundle, cached on disk while the first notebooks run (report.vega_bundle)
        threading.Thread(target=_warm_bundle, name="vega-bundle", daemon=True).start()
    t0 = time.perf_counter()
    if progress is not None and hasattr(progress, "start"):  # runner.watch.Watch: the start line and the bar
        progress.start(
            notebooks=sum(len(s["steps"]) for s in specs),
            regions=len(specs),
            steps=len(steps),
            workers=target.local_workers if target is not None and target.local_workers else n_workers,
            data=", ".join(sorted({data_dirs[s["region"]] for s in specs})) or "-",
            out=str(final),
            reused=len(result.results),
            lang=first.language,
        )
    books = None  # a plan's quota workbooks: what they read of the manifest is known now (runner.ahead)
    if (kind or {}).get("kind", "plan") == "plan":
        books = {"snapshot": final.name,
                 "regions": {r: {"params": json.loads(inputs[r].params.model_dump_json())} for r in regions}}  # fmt: skip
    ahead = AuditAhead(tmp, {s["region"]: s["steps"] for s in specs}, books)

    def seen(results: list[StepResult]) -> None:  # each region audited once its steps are done (runner.ahead)
        ahead.saw(results)
        if progress is not None:
            progress(results)

    try:
        if target is not None and specs:  # Dask: the workers must see these folders (runner.cluster)
            paths = [
                ("notebooks folder", notebooks_dir),
                *(("data folder", Path(d)) for d in sorted(set(data_dirs.values()))),
            ]
            ran, n_workers = cluster_mod.run_on_cluster(target, specs, paths, tmp, seen)
            result.results.extend(ran)
        else:
            _execute(specs, n_workers, seen, result, stopping)
        result.ahead = ahead.finish()
        result.books = list(ahead.books)
    finally:
        company.remove(tmp)
        if progress is not None and hasattr(progress, "stop"):
            progress.stop()
    wall = time.perf_counter() - t0

    order = {r: i for i, r in enumerate(regions)}
    result.results.sort(key=lambda x: (order[x.region], steps.index(x.step)))
    # a step that ran without its upstream steps is partial, not ok; a review run reads its upstream steps from
    # the plan of record instead (`planning review`, docs/rhythm.md)
    if (kind or {}).get("kind", "plan") in ("plan", "scenario"):
        for r in regions:
            snapshot.mark_partial([x for x in result.results if x.region == r])
    # every region of the earlier snapshot stays, in its place: the regions this run does not name are carried
    # over unchanged (files byte-identical, manifest entry as it was); new regions follow
    region_entries: dict[str, dict[str, Any]] = {}
    for r in [*prev_regions, *(r for r in regions if r not in prev_regions)]:
        if r in order:
            results = [x for x in result.results if x.region == r]
            region_entries[r] = snapshot.region_entry(
                inputs[r], data_dirs[r], tmp / r, results, hashes[r], history.get(r, 0)
            )
        elif (final / r).is_dir():
            shutil.copytree(final / r, tmp / r, symlinks=True)
            region_entries[r] = prev_regions[r]
    manifest = snapshot.manifest(
        result,
        region_entries,
        started_at=started_at,
        wall_s=wall,
        workers=n_workers,
        commit=commit,
        steps=steps,
        fingerprints={**(previous or {}).get("data", {}), **fingerprints},
        # keys and values as they are; the sentence in the run's language (runner.texts)
        data_warnings=[checks.problem_dict(w, texts.problem_message(w, first.language)) for w in data_warnings[:100]],
        previous=previous,
        company_regions=company_regions,
    )
    manifest.update(kind or {"kind": "plan"})
    store.write_manifest(tmp, manifest)
    return result


def steps_to_run(
    steps: list[str],
    inputs: dict[str, dict[str, str]],
    previous: dict[str, Any],
    region_dir: Path,
    forced: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """The steps from the first one that cannot be reused onwards (a later step reads the earlier's artefacts).

    A step is reused when it finished ok, its inputs are unchanged, its notebook and report are on disk, and it
    is not one of the `forced` steps (named by a subset run)."""
    for i, s in enumerate(steps):
        old = previous.get(s) or {}
        reusable = (
            s not in forced
            and old.get("status") == "ok"
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


# ------------------------------------------------------------------------------------------------ hand-over
def _hand_over(tmp: Path, final: Path, out_root: Path, written: tuple[str, ...] | list[str] = ()) -> None:
    """What a snapshot hands on besides its reports (docs/handover.md): the managers' quota workbooks
    (`<region>/quotas.xlsx` for every region with a rep split, the company's `quotas.xlsx`) and, for a complete
    snapshot, "changes since" the previous complete one (`planning diff`, into `<snapshot>/diff_<OLD>/`).
    Neither can fail the run: a problem is one `note:` line on stderr."""
    manifest = store.read_manifest(tmp) or {}
    try:
        workbook.write_all(tmp, manifest, written)  # but the regions' written during the run (runner.ahead)
    except Exception as exc:  # a workbook never costs the run its snapshot; the artefacts hold the plan
        print(f"note: quota workbooks not written: {type(exc).__name__}: {exc}", file=sys.stderr)
    if manifest.get("status") != "complete":
        return
    earlier = store.snapshots(out_root, before=date.fromisoformat(final.name))
    if not earlier:
        return
    try:
        old = earlier[-1]
        diff_page.diff_snapshots(
            diff.Side(old.path.name, old.path, old.manifest), diff.Side(final.name, tmp, manifest)
        )
    except Exception as exc:  # a comparison never costs the run its snapshot
        print(
            f"note: changes since {earlier[-1].path.name} not written: {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )


def scenario_kind(name: str, params_dir: Path, out_root: Path, as_of: date) -> dict[str, Any]:
    """The manifest entries of a scenario's snapshot: kind "scenario", its name, file and overrides ({dotted key:
    value}), and `plan_of_record`: the plan version it is a variant of (the plan of record for its date), if any."""
    path = scenarios.existing(name, params_dir)
    base = store.plan_of_record(out_root, as_of)
    entry = {"name": name, "file": str(path), "overrides": scenarios.overrides(params_mod.read_yaml(path))}
    out: dict[str, Any] = {"kind": "scenario", "scenario": entry}
    if base is not None:
        out["plan_of_record"] = store.relative_to_root(out_root, base.path)
    return out


def _compare_with_base(tmp: Path, final: Path, out_root: Path, base: str) -> None:
    """A scenario's comparison with its base plan (`planning diff BASE SCENARIO`), into `<scenario>/diff_<BASE>/`;
    a problem is one `note:` line on stderr (the scenario's snapshot is published all the same)."""
    manifest = store.read_manifest(tmp) or {}
    if not base or manifest.get("status") != "complete":
        return
    try:
        old = diff.open_snapshot(out_root / base, out_root)
        diff_page.diff_snapshots(old, diff.Side(final.name, tmp, manifest))
    except Exception as exc:  # a comparison never costs the run its snapshot
        print(f"note: changes since {base} not written: {type(exc).__name__}: {exc}", file=sys.stderr)


# ------------------------------------------------------------------------------------------------ workers
def _execute(specs: list[dict[str, Any]], n_workers: int, progress, result: RunResult, stopping=None) -> None:
    """Run the region chains of `specs` in the worker pool (its released workers go to `stopping`, joined by the
    caller); one worker on kernels runs them from this process. The shell engine always runs in worker processes:
    a notebook never runs in the runner's own process, and a worker whose step failed is replaced (`pool`)."""
    if n_workers == 1 and not any(spec.get("engine") == "shell" for spec in specs):
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
        result.results.extend(run_parallel(specs, n_workers, progress, stopping))


def _warm_bundle() -> None:
    """Build the reports' JS bundle into its disk cache, so that workers read it instead of each building it."""
    try:
        report.vega_bundle()
    except Exception:  # a worker builds it itself (and reports a real failure through its step)
        pass
