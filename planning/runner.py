"""Batch runs: every region x step through papermill into one dated snapshot.

Layout of a snapshot (docs/architecture.md):

    outputs/<as-of>/index.html, manifest.json
    outputs/<as-of>/<region>/<NN_step>.ipynb, <NN_step>.html, params.json, artifacts/*.csv

The snapshot is assembled in a hidden sibling folder (`.<as-of>.tmp-<pid>`) and renamed into place only when
every file is written, so a crash never leaves a half snapshot that looks complete and never touches an earlier
one. A failing notebook does not stop other regions: its partial notebook (with the error) is kept, the later
steps of that region are skipped, the manifest records region, step, cell and error, and the run exits 1.
Regions run in parallel worker processes; each kernel talks over IPC sockets in a private folder, which avoids
the TCP port race of parallel papermill runs (papermill#511).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from planning import config
from planning import params as params_mod

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
MANIFEST = "manifest.json"


class SnapshotExists(FileExistsError):
    exit_code = EXIT_BAD_INPUT


@dataclass
class StepResult:
    region: str
    step: str
    status: str  # ok | failed | skipped
    duration_s: float = 0.0
    error: dict[str, Any] | None = None


@dataclass
class RunResult:
    snapshot: Path
    results: list[StepResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED


# ------------------------------------------------------------------------------------------------ kernels
def _kernel_manager(sock_dir: str):
    """A kernel manager on IPC transport with its sockets in `sock_dir` (no TCP ports to race for)."""
    from jupyter_client.manager import KernelManager

    return KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sock_dir, "kernel"))


def _error_of(exc: BaseException, nb_path: Path) -> dict[str, Any]:
    """Region/step-level error record: exception name, message and the failing cell when papermill knows it."""
    info: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc).strip().splitlines()[-1:] or [""]}
    info["message"] = info["message"][0][:500]
    for attr in ("ename", "evalue", "exec_count", "cell_index"):
        if getattr(exc, attr, None) is not None:
            info[attr] = getattr(exc, attr)
    if getattr(exc, "evalue", None):
        info["message"] = f"{exc.ename}: {exc.evalue}"[:500]
    info["notebook"] = str(nb_path)
    return info


RESET_TAG = "remove-cell"  # report.export_html drops cells with this tag


def _with_reset_cell(nb_path: Path):
    """The notebook with a first cell that empties the kernel's namespace.

    One kernel serves all steps of a region: imported modules stay loaded (the ~2 s of `import pandas, altair`
    is paid once per region, not once per notebook), while `%reset -f` gives every notebook a clean namespace,
    as a fresh kernel would. The report export drops the cell by its tag.
    """
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    cell = nbformat.v4.new_code_cell("%reset -f", metadata={"tags": [RESET_TAG]})
    nb.cells.insert(0, cell)
    return nb


def run_region(spec: dict[str, Any]) -> list[StepResult]:
    """Run the steps of one region in order (in a worker process); returns one StepResult per step.

    A failed step skips the rest of the region (they read its artefacts) and its kernel is discarded.
    """
    import papermill as pm

    from planning import report

    region, steps, region_dir = spec["region"], spec["steps"], Path(spec["region_dir"])
    results: list[StepResult] = []
    failed = False
    sock_dir = tempfile.mkdtemp(prefix="planning-kernel-")
    km = _kernel_manager(sock_dir)
    try:
        for step in steps:
            if failed:
                results.append(
                    StepResult(region, step, "skipped", error={"message": "an earlier step failed"})
                )
                continue
            out = region_dir / f"{step}.ipynb"
            started = time.perf_counter()
            error = None
            try:
                pm.execute_notebook(
                    _with_reset_cell(Path(spec["notebooks_dir"]) / f"{step}.ipynb"),
                    str(out),
                    parameters={
                        "region": region,
                        "params_json": str(region_dir / "params.json"),
                        "data_dir": spec["data_dir"],
                        "out_dir": str(region_dir),
                        "batch": True,
                    },
                    kernel_name="python3",
                    progress_bar=False,
                    log_output=False,
                    cwd=spec["notebooks_dir"],
                    execution_timeout=spec["execution_timeout"],
                    km=km,
                )
            except Exception as exc:  # papermill errors, cell timeouts, dead kernels: recorded, never fatal
                error = _error_of(exc, out)
                failed = True
            duration = time.perf_counter() - started
            if out.is_file():
                try:
                    html = report.export_html(out, {**spec["meta"], "step": step, "error": error})
                    out.with_suffix(".html").write_text(html, encoding="utf-8")
                except Exception as exc:  # a report that cannot be rendered is a failure of the step
                    error = error or {"type": type(exc).__name__, "message": f"HTML export failed: {exc}"}
                    failed = True
            results.append(StepResult(region, step, "failed" if error else "ok", round(duration, 2), error))
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        shutil.rmtree(sock_dir, ignore_errors=True)
    return results


# ------------------------------------------------------------------------------------------------ snapshot
def git_commit() -> str:
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


def _versions() -> dict[str, str]:
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
    import pandas as pd

    art = region_dir / "artifacts"
    out: dict[str, Any] = {}
    try:
        if (art / "targets.csv").is_file():
            t = pd.read_csv(art / "targets.csv")
            year = t[t["level"] == "year"]
            if len(year):
                out["plan_target"] = float(year["target"].iloc[0])
        if (art / "plan_vs_actual.csv").is_file():
            pva = pd.read_csv(art / "plan_vs_actual.csv")
            ytd = pva[pva["level"] == "ytd"]
            if len(ytd):
                out["ytd_plan"] = float(ytd["plan"].iloc[0])
                out["ytd_actual"] = float(ytd["actual"].iloc[0])
                out["completion"] = out["ytd_actual"] / out["ytd_plan"] if out["ytd_plan"] else None
        if (art / "kpis.csv").is_file():
            k = pd.read_csv(art / "kpis.csv")
            out["kpi_lights"] = {s: int((k["status"] == s).sum()) for s in ("green", "yellow", "red")}
    except (OSError, ValueError, KeyError):
        pass  # the index shows a dash for what is missing; the step reports carry the detail
    return out


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
) -> RunResult:
    """Validate everything, run regions x steps, and publish `out_root/<as-of>/` atomically.

    Raises ParamsError / DataError / SnapshotExists (exit code 2) before any kernel starts when the input is bad.
    """
    from planning import data as data_mod
    from planning import report

    params_dir = Path(params_dir or config.PARAMS_DIR)
    out_root = Path(out_root or config.OUTPUTS_DIR)
    regions = regions or params_mod.region_keys(params_dir)
    steps = [config.step_key(s) for s in steps] if steps else list(config.STEPS)
    steps = [s for s in config.STEPS if s in steps]
    overrides: dict[str, Any] = {}
    if as_of:
        overrides["as_of"] = as_of
    if language:
        overrides["language"] = language
    loaded = {r: params_mod.load(r, params_dir, overrides) for r in regions}

    first = loaded[regions[0]].params
    snapshot_name = first.as_of.isoformat()
    final = out_root / snapshot_name
    if final.exists() and not force:
        raise SnapshotExists(
            f"{final}: a snapshot for {snapshot_name} already exists; pass --force to replace it "
            "(the old one is kept until the new one is complete) or --out to write elsewhere"
        )

    data_dirs: dict[str, str] = {}
    for r, ld in loaded.items():
        p = ld.params
        if data_dir:
            d = Path(data_dir).resolve()
        elif p.data.dir:
            d = (config.PROJECT_ROOT / p.data.dir).resolve()
        else:
            from planning import sample

            d = sample.ensure_sample(scale=p.data.sample_scale)
        data_dirs[r] = str(d)
    for d in sorted(set(data_dirs.values())):
        rs = [r for r in regions if data_dirs[r] == d]
        data_mod.check_regions(Path(d), rs)

    out_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{snapshot_name}.tmp-", dir=out_root))
    commit = git_commit()
    started_at = datetime.now(UTC)
    specs = []
    for r in regions:
        p = loaded[r].params
        region_dir = tmp / r
        region_dir.mkdir(parents=True)
        (region_dir / "params.json").write_text(p.model_dump_json(indent=2), encoding="utf-8")
        meta = {
            "company": p.company.name_zh if p.language == "zh" else p.company.name,
            "region": r,
            "region_name": (p.region.name_zh if p.language == "zh" else p.region.name) or r,
            "as_of": p.as_of.isoformat(),
            "plan_year": p.plan_year,
            "language": p.language,
            "commit": commit,
        }
        specs.append(
            {
                "region": r,
                "steps": steps,
                "region_dir": str(region_dir),
                "data_dir": data_dirs[r],
                "execution_timeout": p.run.execution_timeout,
                "notebooks_dir": str(Path(notebooks_dir or config.NOTEBOOKS_DIR)),
                "meta": meta,
            }
        )

    n_workers = workers if workers is not None else (first.run.workers or os.cpu_count() or 1)
    n_workers = max(1, min(n_workers, len(specs)))
    result = RunResult(snapshot=final)
    t0 = time.perf_counter()
    if n_workers == 1:
        for spec in specs:
            res = run_region(spec)
            result.results.extend(res)
            if progress:
                progress(res)
    else:
        import multiprocessing as mp

        with ProcessPoolExecutor(max_workers=n_workers, mp_context=mp.get_context("fork")) as pool:
            futures = {pool.submit(run_region, spec): spec["region"] for spec in specs}
            for fut in as_completed(futures):
                try:
                    res = fut.result()
                except Exception as exc:  # a worker that died takes only its own region with it
                    res = [
                        StepResult(
                            futures[fut], s, "failed", error={"type": type(exc).__name__, "message": str(exc)}
                        )
                        for s in steps
                    ]
                result.results.extend(res)
                if progress:
                    progress(res)
    wall = time.perf_counter() - t0

    order = {r: i for i, r in enumerate(regions)}
    result.results.sort(key=lambda x: (order[x.region], steps.index(x.step)))
    manifest = {
        "snapshot": snapshot_name,
        "status": "complete" if result.ok else "incomplete",
        "started_at": started_at.isoformat(timespec="seconds"),
        "wall_s": round(wall, 2),
        "workers": n_workers,
        "commit": commit,
        "versions": _versions(),
        "steps": steps,
        "data": {d: data_mod.fingerprint(Path(d)) for d in sorted(set(data_dirs.values()))},
        "regions": {
            r: {
                "params": json.loads(loaded[r].params.model_dump_json()),
                "params_files": [str(f) for f in loaded[r].files],
                "data_dir": data_dirs[r],
                "headline": headline(tmp / r),
                "steps": {
                    x.step: {"status": x.status, "duration_s": x.duration_s, "error": x.error}
                    for x in result.results
                    if x.region == r
                },
            }
            for r in regions
        },
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    report.write_index(tmp, manifest, first.language)
    _publish(tmp, final)
    return result


def _publish(tmp: Path, final: Path) -> None:
    """Rename the finished temp folder into place; an existing snapshot is replaced only now (--force)."""
    if final.exists():
        trash = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, trash)
        os.replace(tmp, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(tmp, final)


def print_progress(results: list[StepResult]) -> None:
    for r in results:
        mark = {"ok": "ok    ", "failed": "FAILED", "skipped": "skip  "}[r.status]
        msg = f"  [{mark}] {r.region:<12} {r.step:<20} {r.duration_s:6.1f} s"
        if r.error and r.status == "failed":
            msg += f"  {r.error.get('message', '')}"
        print(msg, file=sys.stderr, flush=True)
