"""Issue 21: `python -m benchmarks.cluster [--territories N] [--scale S] [--repeat R] [--only SECTION]`.

Prints a table (figure, value, target, pass) and writes it to `benchmarks/results/cluster.json`. Sections, each
measured side by side in one invocation so that ratios hold on a shared machine:

- `throughput`: a company of N territories (`planning sample --regions N`), all five steps, with the process
  pool (`--workers 2`) and with a Dask LocalCluster (`--cluster local:2`: 2 workers x 1 thread), alternating, R
  times each, and each executor's run of a single notebook (its start-up: worker processes, imports, the first
  kernel; for the cluster also the scheduler and nannies). The throughput ratio (target >= 0.9) is taken on the
  marginal cost of a notebook, (wall of N x 5 - wall of 1) / (N x 5 - 1), which is what 200 territories are made
  of; the ratio of whole runs is shown beside it. 200 territories are extrapolated (when N < 200) as the
  one-notebook run + 999 marginal notebooks: the regions are independent tasks of the same kind;
- `killed`: a LocalCluster run of M territories in which one worker process is killed (SIGKILL) while a step
  runs: the run completes, only that step ran again (every step reported once, one `retried`), the region's
  earlier notebooks were not rewritten;
- `locality`: the notebook code (the floor, CPU seconds) of the same two territories in companies of 6, 50 and
  N territories: per notebook it must not grow with N (target <= 1.1x), and the company summaries the run
  computes once for all territories (`planning.company`) are timed beside it;
- `overhead`: `planning run` (process pool, 2 workers) against the floor (`benchmarks/floor.py`: the notebooks'
  code in 2 plain processes) on the six-region sample: run / floor (target <= 1.3) and the overhead per notebook
  ((run - floor) x workers / notebooks, target <= 0.5 s);
- `naive`: the naive loop (`benchmarks/baseline.sh`: papermill CLI + `jupyter nbconvert` per notebook, one after
  the other) on the six regions of the sample (`--naive-regions K` < 6: K of them, scaled to six, quicker but
  rough: the regions' notebooks do not cost the same, and the first, central, is one of the two dearest),
  against the same `planning run` (target >= 15x).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import measure
from benchmarks.run import Figure

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SECTIONS = ("throughput", "killed", "locality", "overhead", "naive")
PLANNING = [sys.executable, "-m", "planning"]


class Table:
    def __init__(self) -> None:
        self.figures: list[Figure] = []
        self.details: dict[str, Any] = {}

    def add(self, *args: Any, **kw: Any) -> Figure:
        fig = Figure(*args, **kw)
        self.figures.append(fig)
        mark = {True: "pass", False: "FAIL", None: ""}[fig.passed]
        print(f"  {fig.label:<70} {fig.value_text():>12} {fig.target_text():>10} {mark}", flush=True)
        return fig


CPU: dict[str, float] = {}  # output folder of a run -> CPU seconds (user + sys) of its process tree


def _cpu_now() -> float:
    """CPU seconds used so far by this process and every descendant it (or they) waited for: a run's CLI,
    worker processes, nannies and kernels are all reaped, so the difference around a run is its tree's CPU."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _run(args: list[str], out: Path) -> float:
    """Wall seconds of `planning run --out OUT ARGS` (its CPU seconds in `CPU[str(out)]`); a failed step (exit
    1) still counts (both executors run the same notebooks; the table says how many were ok)."""
    shutil.rmtree(out, ignore_errors=True)
    c0 = _cpu_now()
    timed = measure.run_timed([*PLANNING, "run", "--out", str(out), *args], cwd=ROOT)
    CPU[str(out)] = _cpu_now() - c0
    if timed.returncode not in (0, 1):
        timed.check()
    return timed.seconds


def _ok(out: Path) -> str:
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text(encoding="utf-8"))
    steps = [e["status"] for r in manifest["regions"].values() for e in r["steps"].values()]
    return f"{steps.count('ok')}/{len(steps)} ok"


def throughput(t: Table, work: Path, n: int, scale: float, repeat: int) -> None:
    company = work / f"t{n}"
    if not (company / "sample.json").is_file():
        secs = (
            measure.run_timed(
                [*PLANNING, "sample", "--regions", str(n), "--scale", str(scale), "--out", str(company)],
                cwd=ROOT,
            )
            .check()
            .seconds
        )
        t.add("sample_s", f"planning sample --regions {n} --scale {scale:g}", secs, "s")
    params = ["--params", str(company / "params")]
    first = ["--region", "east", "--step", "01"]
    executors = {"pool": ["--workers", "2"], "cluster": ["--cluster", "local:2"]}
    walls: dict[str, list[float]] = {k: [] for k in executors}
    starts: dict[str, list[float]] = {k: [] for k in executors}
    cpus: dict[str, list[float]] = {k: [] for k in executors}
    for i in range(repeat):
        for k, opts in executors.items():
            print(f"  {k} #{i + 1}: one notebook, then {n} territories x 5 steps ...", flush=True)
            starts[k].append(_run([*params, *opts, *first], work / f"{k}-1"))
            walls[k].append(_run([*params, *opts], work / k))
            cpus[k].append(CPU[str(work / k)])
    nb = n * 5
    wall = {k: statistics.median(v) for k, v in walls.items()}
    one = {k: statistics.median(v) for k, v in starts.items()}
    # the marginal cost of a notebook once the executor runs: (N notebooks - 1 notebook) / (N - 1)
    per_nb = {k: (wall[k] - one[k]) / (nb - 1) for k in executors}
    t.details["throughput"] = {
        "territories": n,
        "scale": scale,
        "walls": walls,
        "one_notebook": starts,
        "cpu": cpus,
    }
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    cpu_one = {k: CPU[str(work / f"{k}-1")] for k in executors}
    t.details["throughput"]["cpu_one_notebook"] = cpu_one
    t.add("cpu_ratio_marginal", "CPU per notebook beyond the one-notebook run: LocalCluster / process pool",
          (cpu["cluster"] - cpu_one["cluster"]) / (cpu["pool"] - cpu_one["pool"]), "x")  # fmt: skip
    t.add("cpu_ratio", f"CPU seconds of the {nb}-notebook runs: LocalCluster / process pool",
          cpu["cluster"] / cpu["pool"], "x", note=str(cpu))  # fmt: skip
    t.add(
        "pool_wall",
        f"process pool, 2 workers: {n} territories x 5 steps ({_ok(work / 'pool')})",
        wall["pool"],
        "s",
    )
    t.add(
        "cluster_wall",
        f"LocalCluster, 2 x 1 thread: the same ({_ok(work / 'cluster')})",
        wall["cluster"],
        "s",
    )
    t.add("ratio_raw", f"throughput LocalCluster / process pool, whole runs of {nb} notebooks",
          wall["pool"] / wall["cluster"], "x")  # fmt: skip
    t.add("pool_one", "process pool: a run of one notebook (start-up + 1 notebook)", one["pool"], "s")
    t.add(
        "cluster_one",
        "LocalCluster: a run of one notebook (cluster start-up + 1 notebook)",
        one["cluster"],
        "s",
    )
    t.add(
        "pool_rate",
        "process pool: marginal throughput ((N - 1 notebook) runs)",
        60 / per_nb["pool"],
        "nb/min",
    )
    t.add("cluster_rate", "LocalCluster: marginal throughput", 60 / per_nb["cluster"], "nb/min")
    t.add("throughput_ratio", "throughput LocalCluster / process pool (marginal)",
          per_nb["pool"] / per_nb["cluster"], "x", ">=", 0.9)  # fmt: skip
    note = "measured" if n >= 200 else f"one-notebook run + 999 x marginal, from N = {n}"
    for k, label in (("pool", "process pool"), ("cluster", "LocalCluster")):
        est = one[k] + 999 * per_nb[k] if n < 200 else wall[k]
        t.add(f"{k}_200", f"200 territories x 5 steps, {label} ({note})", est, "s")


def killed(t: Table, work: Path, n: int, scale: float) -> None:
    """A LocalCluster run in which the worker running a step is SIGKILLed after the step has run for 1 s."""
    from planning import runner, sample
    from planning.runner.cluster import MARKERS

    company = work / f"killed-t{n}"
    if not (company / "sample.json").is_file():
        keys = sample.territory_keys(n)
        sample.write(company, scale=scale, tables=sample.generate_territories(n, scale=scale), territories=n)
        sample.write_params(company / "params", keys, company)
    out = work / "killed-out"
    shutil.rmtree(out, ignore_errors=True)
    victim: dict[str, Any] = {}
    stop = threading.Event()

    def watch() -> None:
        seen: dict[Path, float] = {}
        while not stop.is_set() and not victim:
            for mark in out.glob(f".*.tmp-*/*/{MARKERS}/*.json"):
                try:
                    info = json.loads(mark.read_text())
                except (OSError, ValueError):
                    continue
                if "result" in info or not info.get("pid"):
                    continue
                first = seen.setdefault(mark, time.monotonic())
                if time.monotonic() - first < 1.0:
                    continue
                region_dir = mark.parent.parent
                step = mark.stem
                earlier = {p.name: p.stat().st_mtime_ns for p in region_dir.glob("*.ipynb") if p.stem < step}
                victim.update(region=region_dir.name, step=step, pid=info["pid"], earlier=earlier)
                os.kill(info["pid"], signal.SIGKILL)
                return
            time.sleep(0.2)

    lines: list[Any] = []
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    t0 = time.perf_counter()
    result = runner.run(params_dir=company / "params", out_root=out, cluster="local:2", progress=lines.extend)
    wall = time.perf_counter() - t0
    stop.set()
    snap = result.snapshot
    reported = [(r.region, r.step) for r in lines]
    retried = [(r.region, r.step) for r in result.results if r.retried]
    killed_at = (victim.get("region"), victim.get("step"))
    rewritten = [
        name for name, mtime in victim.get("earlier", {}).items()
        if (snap / victim["region"] / name).stat().st_mtime_ns != mtime
    ]  # fmt: skip
    ok = (
        bool(victim) and result.ok and retried == [killed_at] and len(reported) == len(set(reported)) == n * 5
    )
    ok = ok and not rewritten
    t.details["killed"] = {"victim": {k: v for k, v in victim.items() if k != "earlier"}, "wall_s": wall,
                           "retried": retried, "rewritten": rewritten, "reported": len(reported)}  # fmt: skip
    where = f"{killed_at[0]} / {killed_at[1]}" if victim else "no step was killed"
    t.add("killed_ok", f"worker killed in {where}: completes, only that step re-ran (1 = yes)", float(ok), "",
          ">=", 1.0, note=str(t.details["killed"]))  # fmt: skip
    t.add(
        "killed_wall",
        f"that run: {n} territories x 5 steps on a LocalCluster with one worker killed",
        wall,
        "s",
    )


def _territories(work: Path, n: int, scale: float) -> Path:
    """A company of `n` territories (`planning sample --regions n`) in `work`, written once."""
    from planning import sample

    company = work / f"t{n}"
    if not (company / "sample.json").is_file():
        sample.write(company, scale=scale, tables=sample.generate_territories(n, scale=scale), territories=n)
        sample.write_params(company / "params", sample.territory_keys(n), company)
    return company


def locality(t: Table, work: Path, sizes: list[int], scale: float, repeat: int) -> None:
    """The notebook code of the same two territories (east, south: five steps each) in companies of 6 and more
    territories, CPU seconds of the floor per notebook (robust to the machine's load; a third territory runs first
    in the same process and pays the imports). A territory's cost must not grow with the company: its notebooks
    read only its rows, and what they compare it with is computed once per run (`planning.company`, timed too)."""
    from benchmarks import floor
    from planning import company as company_mod
    from planning import config, params

    watched = ["east", "south"]
    per_nb: dict[int, list[float]] = {n: [] for n in sizes}
    summaries: dict[int, float] = {}
    for i in range(repeat):
        for n in sizes:
            folder = _territories(work, n, scale)
            print(
                f"  locality #{i + 1}: {n} territories, floor of north (warm-up), {', '.join(watched)} ...",
                flush=True,
            )
            out = work / f"loc-out{n}"
            shutil.rmtree(out, ignore_errors=True)
            res = floor.run_floor(["north", *watched], list(config.STEPS), folder, out, 1, config.NOTEBOOKS_DIR,
                                  params_dir=folder / "params")  # fmt: skip
            cpu = [res.cpu[r][s] for r in watched for s in config.STEPS]
            per_nb[n].append(sum(cpu) / len(cpu))
            p = params.resolve("east", params_dir=folder / "params").params
            shutil.rmtree(out, ignore_errors=True)
            c0 = time.process_time()
            company_mod.prepare(out, [(str(folder), p.as_of, p.strategy.funnel_months, list(config.STEPS))])
            summaries[n] = time.process_time() - c0
    med = {n: statistics.median(v) for n, v in per_nb.items()}
    t.details["locality"] = {"cpu_per_notebook": per_nb, "summaries_cpu": summaries, "territories": watched}
    for n in sizes:
        t.add(
            f"locality_{n}",
            f"notebook code of east + south, company of {n} territories: CPU per notebook",
            med[n],
            "s",
        )
    for n in sizes[1:]:
        t.add(f"locality_ratio_{n}", f"per-notebook CPU, {n} territories / 6 territories", med[n] / med[sizes[0]], "x",
              "<=", 1.1)  # fmt: skip
        t.add(f"summaries_{n}", f"company summaries of {n} territories, once per run in the client (CPU)",
              summaries[n], "s")  # fmt: skip


def overhead(t: Table, work: Path, repeat: int) -> float:
    """planning run vs the floor on the six-region sample; returns the run's median wall (for `naive`)."""
    from benchmarks import floor
    from planning import config, params, sample

    data = work / "sample-1"
    if not (data / "sample.json").is_file():
        sample.write(data, scale=1.0)
    regions = params.region_keys()
    runs, floors, run_cpus, floor_cpus = [], [], [], []
    for i in range(repeat):
        print(f"  planning run #{i + 1} ...", flush=True)
        runs.append(_run(["--data", str(data), "--workers", "2"], work / "run6"))
        run_cpus.append(CPU[str(work / "run6")])
        print(f"  floor #{i + 1} ...", flush=True)
        shutil.rmtree(work / "floor6", ignore_errors=True)
        c0 = _cpu_now()
        floors.append(
            floor.run_floor(regions, list(config.STEPS), data, work / "floor6", 2, config.NOTEBOOKS_DIR).wall
        )
        floor_cpus.append(_cpu_now() - c0)
    run, fl = statistics.median(runs), statistics.median(floors)
    run_cpu, floor_cpu = statistics.median(run_cpus), statistics.median(floor_cpus)
    nb = len(regions) * len(config.STEPS)
    t.details["overhead"] = {
        "run_s": runs,
        "floor_s": floors,
        "run_cpu_s": run_cpus,
        "floor_cpu_s": floor_cpus,
    }
    t.add("run6_cpu", "planning run: CPU seconds of its process tree (CLI, workers, kernels)", run_cpu, "s")
    t.add("floor6_cpu", "floor: CPU seconds of its processes", floor_cpu, "s")
    t.add("run_floor_cpu", "run / floor, CPU (robust to other load on the machine)", run_cpu / floor_cpu, "x",
          "<=", 1.3)  # fmt: skip
    t.add("overhead_nb_cpu", "overhead per notebook, CPU ((run - floor) / notebooks)", (run_cpu - floor_cpu) / nb,
          "s", "<=", 0.5)  # fmt: skip
    t.add("run6", f"planning run, {len(regions)} regions x 5 steps, 2 workers", run, "s")
    t.add("floor6", "floor: the same notebook code in 2 plain processes", fl, "s")
    t.add("run_floor", "run / floor, wall", run / fl, "x")
    t.add(
        "overhead_nb", "overhead per notebook, wall ((run - floor) x 2 / notebooks)", (run - fl) * 2 / nb, "s"
    )
    return run


def naive(t: Table, work: Path, k: int, run6: float | None) -> None:
    from planning import params, sample

    data = work / "sample-1"
    if not (data / "sample.json").is_file():
        sample.write(data, scale=1.0)
    regions = params.region_keys()
    if run6 is None:
        run6 = _run(["--data", str(data), "--workers", "2"], work / "run6")
    out = work / "naive"
    shutil.rmtree(out, ignore_errors=True)
    env = {"PATH": f"{measure.VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    print(f"  naive loop on {k} region(s) ...", flush=True)
    c0 = _cpu_now()
    secs = (
        measure.run_timed(
            ["bash", str(ROOT / "benchmarks" / "baseline.sh"), str(data), str(out), *regions[:k]], env=env
        )
        .check()
        .seconds
    )
    cpu = (_cpu_now() - c0) * len(regions) / k
    full = secs * len(regions) / k
    run_cpu = CPU.get(str(work / "run6"))
    if run_cpu:
        t.add("naive_cpu", "naive loop: CPU seconds, 6 regions (scaled as the wall)", cpu, "s")
        # on 2 idle cores the loop (one notebook at a time) takes about its CPU time, the run about half of its
        t.add("naive_ratio_cpu", "naive loop / planning run on 2 idle cores (CPU loop / (CPU run / 2))",
              cpu / (run_cpu / 2), "x", ">=", 15.0)  # fmt: skip
    t.details["naive"] = {
        "regions_run": regions[:k],
        "seconds": secs,
        "scaled_to_6": full,
        "planning_run_s": run6,
    }
    what = "measured" if k == len(regions) else f"{secs:.0f} s for {k} region(s) x {len(regions) / k:g}"
    t.add("naive_s", f"naive loop papermill + nbconvert CLI, 6 regions ({what})", full, "s")
    t.add("naive_ratio", "naive loop / planning run, wall (6 regions, 2 workers)", full / run6, "x")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--territories", type=int, default=20, help="N of the throughput section (200 in the issue)"
    )
    ap.add_argument("--scale", type=float, default=0.25, help="scale of each batch of six territories")
    ap.add_argument("--killed-territories", type=int, default=4)
    ap.add_argument("--naive-regions", type=int, default=6, help="regions the naive loop runs (< 6: scaled to 6)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", action="append", choices=SECTIONS)
    ap.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed)")
    a = ap.parse_args(argv)
    only = a.only or list(SECTIONS)
    work = a.work or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    t = Table()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    print(
        f"benchmarks.cluster {started}, load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores",
        flush=True,
    )
    try:
        if "throughput" in only:
            throughput(t, work, a.territories, a.scale, a.repeat)
        if "killed" in only:
            killed(t, work, a.killed_territories, a.scale)
        if "locality" in only:
            sizes = sorted({6, 50, a.territories} - {n for n in (a.territories,) if n < 6})
            locality(t, work, sizes, a.scale, a.repeat)
        run6 = overhead(t, work, a.repeat) if "overhead" in only else None
        if "naive" in only:
            naive(t, work, a.naive_regions, run6)
    finally:
        if a.work is None:
            shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {
        "started": started,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "load_average_end": os.getloadavg(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(a).items()},
        "figures": [{**f.__dict__, "passed": f.passed} for f in t.figures],
        "details": t.details,
    }
    (RESULTS / "cluster.json").write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    print("\n| figure | value | target | pass |\n|---|---:|---:|:---:|")
    for f in t.figures:
        mark = {True: "pass", False: "**no**", None: ""}[f.passed]
        print(f"| {f.label} | {f.value_text()} | {f.target_text()} | {mark} |")
    return 0 if all(f.passed is not False for f in t.figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
