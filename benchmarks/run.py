"""The performance harness of issue 11: `python -m benchmarks [--quick]`.

Runs every benchmark in one invocation (so that ratios hold on a noisy machine), prints a table
figure / value / target / pass and writes it to `benchmarks/results/latest.json` and `latest.md`.

Sections (each can be chosen with `--only`):
- imports: what a region's kernel pays to import `planning` and the step modules;
- batch (targets 1, 2): `planning run` for the regions and all steps, against the plain shell loop
  (`benchmarks/baseline.sh`: papermill CLI + `jupyter nbconvert --to html` per notebook) and against the floor
  (`benchmarks/floor.py`: the notebooks' code in plain Python processes, same worker count);
- whatif (target 3): `goals.decompose.whatif` with 1,000 reps, `strategy.tiers.tier_customers` with 100,000 customers;
- large (targets 4, 5): a generated history of ~10 million order lines: generation, `planning run` for one
  region (wall, peak memory of the process tree), the market step's aggregations against DuckDB,
  `planning check`, and the report weight against the ~100,000-line history of the batch section;
- forecast (issue 22): the goals step's forecast scored out of sample on each region's last 12 complete months
  against seasonal naive, with the coverage of its 80% intervals, for the sample company and the Superstore
  example (`benchmarks/forecast.py`);
- review (issue 20): a review-only run (`planning review`) against the full run it is checked against
  (`benchmarks/review.py`).
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import measure

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SECTIONS = ("imports", "batch", "whatif", "large", "forecast", "review")
OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}
MB = 1_000_000
GB = 1_000_000_000


@dataclass
class Figure:
    """One line of the table. `op` and `limit` make it a target (pass/fail); without them it is informative."""

    key: str
    label: str
    value: float | None
    unit: str
    op: str | None = None
    limit: float | None = None
    note: str = ""
    failed: bool = False  # the measurement itself failed (a section raised)

    @property
    def passed(self) -> bool | None:
        if self.failed:
            return False
        if self.op is None or self.limit is None:
            return None
        return self.value is not None and OPS[self.op](self.value, self.limit)

    def value_text(self) -> str:
        return "-" if self.value is None else f"{_num(self.value)} {self.unit}".strip()

    def target_text(self) -> str:
        return "" if self.op is None else f"{self.op} {_num(self.limit)} {self.unit}".strip()


STEP_PACKAGES = ("market", "goals", "strategy", "resources", "review")


def _step_modules() -> list[str]:
    """Every module of the step packages a batch kernel imports (the what-if widgets only load in JupyterLab)."""
    root = ROOT / "planning"
    return [
        f"planning.{pkg}" + ("" if f.stem == "__init__" else f".{f.stem}")
        for pkg in STEP_PACKAGES
        for f in sorted((root / pkg).glob("*.py"))
        if f.stem != "widgets"
    ]


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 0.1 else f"{x:.3f}"


@dataclass
class Config:
    quick: bool
    regions: list[str]
    scale: float
    large_scale: float
    large_region: str
    workers: int
    repeat: int
    whatif_repeat: int
    reps: int
    customers: int
    work: Path
    keep: bool
    only: list[str]
    out: Path | None = None


class Bench:
    """Collects figures and details while the sections run."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.figures: list[Figure] = []
        self.details: dict[str, Any] = {}
        self.started = datetime.now(UTC)

    def add(self, *args: Any, **kw: Any) -> Figure:
        fig = Figure(*args, **kw)
        self.figures.append(fig)
        mark = {True: "pass", False: "FAIL", None: ""}[fig.passed]
        print(f"  {fig.label:<58} {fig.value_text():>14} {fig.target_text():>12} {mark}", flush=True)
        return fig

    # ------------------------------------------------------------------------------------------ data
    def sample(self, scale: float) -> Path:
        """The sample company at `scale` in the work folder (generated once per invocation)."""
        out = self.cfg.work / f"sample-{scale:g}"
        if not (out / "sample.json").is_file():
            from planning import sample

            sample.write(out, scale=scale)
        return out

    # ------------------------------------------------------------------------------------------ sections
    def imports(self) -> None:
        """Import cost of the planning modules in a fresh process that has IPython loaded (as a kernel has)."""
        mods = [
            "planning.notebook",
            "planning.data",
            "planning.display",
            "planning.charts",
            *_step_modules(),
        ]
        code = (
            "import time, sys, IPython.display, ipykernel\n"
            "t = time.perf_counter()\n"
            f"import {', '.join(mods)}\n"
            "print(time.perf_counter() - t, 'rfc3987_syntax' in sys.modules)"
        )
        walls, rfc = [], False
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
            )
            secs, flag = out.stdout.split()
            walls.append(float(secs))
            rfc = rfc or flag == "True"
        prof = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=ROOT
        )
        heavy = []
        for line in prof.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                heavy.append((int(parts[1]), parts[2].rstrip()))
        top = [{"module": m.strip(), "cumulative_s": round(us / 1e6, 3), "depth": (len(m) - len(m.lstrip()))}
               for us, m in sorted(heavy, reverse=True) if (len(m) - len(m.lstrip())) <= 3][:12]  # fmt: skip
        self.details["imports"] = {"walls": walls, "rfc3987_syntax_imported": rfc, "top": top}
        self.add("import_planning", "import planning + step modules in a kernel (median of 3)",
                 statistics.median(walls), "s", note="rfc3987_syntax imported" if rfc else "")  # fmt: skip

    def batch(self) -> None:
        """Targets 1 and 2: planning run vs the shell loop and vs the floor, same data, regions and workers."""
        from benchmarks import floor
        from planning import config

        cfg = self.cfg
        data = self.sample(cfg.scale)
        steps = list(config.STEPS)
        n_nb = len(cfg.regions) * len(steps)
        runs, floors = [], []
        for i in range(cfg.repeat):
            out = cfg.work / f"run-{i}"
            cmd = [str(measure.VENV_BIN / "planning"), "run", "--data", str(data), "--out", str(out), "--force",
                   "--workers", str(cfg.workers)] + [a for r in cfg.regions for a in ("--region", r)]  # fmt: skip
            print(f"  planning run #{i + 1} ...", flush=True)
            runs.append(measure.run_timed(cmd, cwd=ROOT).check())
            print(f"  floor #{i + 1} ...", flush=True)
            floors.append(floor.run_floor(cfg.regions, steps, data, cfg.work / f"floor-{i}", cfg.workers,
                                          config.NOTEBOOKS_DIR))  # fmt: skip
        snapshot = _snapshot(cfg.work / "run-0")
        self.details["batch_snapshot"] = str(snapshot)
        print("  baseline shell loop ...", flush=True)
        base_out = cfg.work / "baseline"
        env = {"PATH": f"{measure.VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        baseline = measure.run_timed(
            ["bash", str(ROOT / "benchmarks" / "baseline.sh"), str(data), str(base_out), *cfg.regions],
            env=env,
        ).check()

        run_wall = statistics.median(r.seconds for r in runs)
        floor_wall = statistics.median(f.wall for f in floors)
        manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
        per_step = {}
        for step in steps:
            run_s = [manifest["regions"][r]["steps"][step]["duration_s"] for r in cfg.regions]
            floor_s = [f.seconds[r][step] for f in floors for r in cfg.regions]
            per_step[step] = {
                "run_execute_s": statistics.median(run_s),
                "floor_s": statistics.median(floor_s),
            }
        same, compared = _compare_artifacts(snapshot, cfg.work / "floor-0", cfg.regions)
        self.details["batch"] = {
            "regions": cfg.regions,
            "notebooks": n_nb,
            "workers": cfg.workers,
            "run_walls": [r.seconds for r in runs],
            "floor_walls": [f.wall for f in floors],
            "baseline_wall": baseline.seconds,
            "floor_seconds": [f.seconds for f in floors],
            "per_step": per_step,
            "floor_artifacts_identical": f"{same}/{compared}",
        }
        self.add(
            "baseline_s", f"shell loop papermill + nbconvert CLI ({n_nb} notebooks)", baseline.seconds, "s"
        )
        self.add("run_s", f"planning run, {len(cfg.regions)} regions x {len(steps)} steps, {cfg.workers} workers",
                 run_wall, "s")  # fmt: skip
        self.add("floor_s", f"floor: notebook code in {cfg.workers} plain processes", floor_wall, "s",
                 note=f"artefacts identical to the run's: {same}/{compared}")  # fmt: skip
        self.add(
            "speedup_vs_loop", "1. shell loop / planning run", baseline.seconds / run_wall, "x", ">=", 6.0
        )
        self.add("run_vs_floor", "2. planning run / floor", run_wall / floor_wall, "x", "<=", 2.0)
        self.add("overhead_per_notebook", "2. overhead per notebook ((run - floor) x workers / notebooks)",
                 (run_wall - floor_wall) * cfg.workers / n_nb, "s")  # fmt: skip
        for step, v in per_step.items():
            self.add(f"overhead_{step}", f"   {step}: kernel execute - floor compute (median)",
                     v["run_execute_s"] - v["floor_s"], "s", note=f"floor {v['floor_s']:.1f} s")  # fmt: skip

    def whatif(self) -> None:
        """Target 3: median recompute time of the what-if functions."""
        from benchmarks import whatif

        cfg = self.cfg
        data = self.sample(cfg.scale)
        inputs, levers = whatif.goals_inputs(data, cfg.large_region, cfg.reps)
        med, samples = measure.median_time(lambda: whatif.goals_recompute(inputs, levers), cfg.whatif_repeat)
        bare, _ = measure.median_time(
            lambda: whatif.goals_recompute(inputs, levers, False), cfg.whatif_repeat
        )
        plan = whatif.goals_recompute(inputs, levers)
        self.add("whatif_goals_ms", f"3. goals.decompose.whatif, {len(inputs.roster)} reps / {len(inputs.teams)} teams, "
                 f"{len(inputs.week_labels)} weeks (median)", med * 1000, "ms", "<=", 50.0,
                 note=f"without texts {bare * 1000:.1f} ms")  # fmt: skip
        features, sp = whatif.strategy_features(data, cfg.customers)
        med_t, samples_t = measure.median_time(lambda: whatif.strategy_recompute(features, sp),
                                               cfg.whatif_repeat)  # fmt: skip
        from planning.strategy import health

        med_h, _ = measure.median_time(lambda: health.health(features, sp), cfg.whatif_repeat)
        self.add("whatif_tiers_ms", f"3. strategy.tiers.tier_customers, {len(features):,} customers (median)",
                 med_t * 1000, "ms", "<=", 100.0, note=f"+ health() {med_h * 1000:.1f} ms")  # fmt: skip
        self.details["whatif"] = {
            "goals_samples_ms": [round(s * 1000, 2) for s in samples],
            "goals_rep_rows": len(plan.targets_rep),
            "tiers_samples_ms": [round(s * 1000, 2) for s in samples_t],
            "health_median_ms": round(med_h * 1000, 2),
        }

    def large(self) -> None:
        """Targets 4 and 5 on a generated history of `large_scale` (100 = ~10 million order lines)."""
        from benchmarks import aggregates
        from planning import params

        cfg = self.cfg
        big = cfg.work / f"sample-{cfg.large_scale:g}"
        gen = measure.run_timed([str(measure.VENV_BIN / "planning"), "sample", "--scale", f"{cfg.large_scale:g}",
                                 "--out", str(big)], cwd=ROOT).check()  # fmt: skip
        meta = json.loads((big / "sample.json").read_text(encoding="utf-8"))
        lines = meta["rows"]["orders"]
        region_lines = _region_rows(big / "orders.parquet", cfg.large_region)
        self.add("large_lines", f"order lines generated (scale {cfg.large_scale:g})", lines / 1e6, "M",
                 note=f"{cfg.large_region}: {region_lines / 1e6:.2f} M")  # fmt: skip
        self.add("large_generate_s", "4. planning sample (generate + write)", gen.seconds, "s", "<=", 60.0)

        out = cfg.work / "run-large"
        cmd = [str(measure.VENV_BIN / "planning"), "run", "--data", str(big), "--out", str(out), "--force",
               "--region", cfg.large_region]  # fmt: skip
        print("  planning run on the large history ...", flush=True)
        run = measure.run_timed(cmd, cwd=ROOT).check()
        snapshot = _snapshot(out)
        manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
        steps = manifest["regions"][cfg.large_region]["steps"]
        self.add("large_run_s", f"4. planning run --region {cfg.large_region} (all steps, HTML, index)",
                 run.seconds, "s", "<=", 120.0,
                 note=", ".join(f"{s[:2]} {v['duration_s']:.0f}s" for s, v in steps.items()))  # fmt: skip
        self.add("large_run_peak_gb", "4. peak memory of the run's process tree (PSS)", run.peak_memory / GB, "GB",
                 "<=", 4.0, note=f"resident sum {run.peak_resident / GB:.2f} GB")  # fmt: skip

        as_of = params.load(cfg.large_region).params.as_of
        orders_file = big / "orders.parquet"
        ours = aggregates.market_side(orders_file, cfg.large_region, as_of)
        theirs = aggregates.duckdb_side(orders_file, cfg.large_region, as_of)
        problems = aggregates.check_same(ours, theirs)
        t_market, t_duck = [], []
        for _ in range(3):  # alternate, so that load on the machine hits both sides alike
            t0 = time.perf_counter()
            aggregates.market_side(orders_file, cfg.large_region, as_of)
            t_market.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            aggregates.duckdb_side(orders_file, cfg.large_region, as_of)
            t_duck.append(time.perf_counter() - t0)
        from planning import data as data_mod

        loaded = data_mod.read_table(orders_file, "orders", region=cfg.large_region, as_of=as_of)
        t_compute, _ = measure.median_time(lambda: aggregates.market_compute_only(loaded, as_of), 3, warmup=0)
        m, d = statistics.median(t_market), statistics.median(t_duck)
        self.add("agg_market_s", "   market step aggregates from the file (median of 3)", m, "s",
                 note=f"of which in-memory compute {t_compute:.2f} s")  # fmt: skip
        self.add("agg_duckdb_s", "   hand-written DuckDB query, same file (median of 3)", d, "s",
                 note="same numbers" if not problems else "; ".join(problems))  # fmt: skip
        self.add("agg_ratio", "4. market aggregations / DuckDB", m / d, "x", "<=", 1.5)

        check = measure.run_timed([str(measure.VENV_BIN / "planning"), "check", "--data", str(big)], cwd=ROOT)
        self.add("large_check_s", f"4. planning check --data ({lines / 1e6:.1f} M lines)", check.seconds, "s", "<=", 60.0,
                 note="" if check.returncode == 0 else f"exit code {check.returncode}")  # fmt: skip

        imported = self.import_run(big)
        self.weight(snapshot)
        self.details["large"] = {
            "import_run": imported,
            "scale": cfg.large_scale,
            "order_lines": lines,
            "region_order_lines": region_lines,
            "generate_s": gen.seconds,
            "run_s": run.seconds,
            "run_peak_bytes": run.peak_memory, "run_peak_resident_bytes": run.peak_resident,
            "run_steps": {s: v["duration_s"] for s, v in steps.items()},
            "market_s": t_market,
            "duckdb_s": t_duck,
            "market_compute_only_s": t_compute,
            "aggregates_differences": problems,
            "check_s": check.seconds,
            "check_exit": check.returncode,
        }

    def import_run(self, big: Path) -> dict[str, Any]:
        """Issue 9 at scale: the large history as a user's export (every table mapped column by column with
        `data.mapping`, nothing imported yet), `planning run --region R`: import + validation + the five steps."""
        import pyarrow.parquet as pq
        import yaml

        cfg = self.cfg
        tables = {}
        for f in sorted(big.glob("*.parquet")):
            if f.stem == "regions":  # not an import table: regions come from params
                continue
            tables[f.stem] = {"file": str(f), "columns": {c: c for c in pq.read_schema(f).names},
                              "duplicates": "keep"}  # fmt: skip
        mapping = cfg.work / "export-mapping.yaml"
        mapping.write_text(yaml.safe_dump({"tables": tables, "cache_dir": str(cfg.work / "imported")},
                                          sort_keys=False), encoding="utf-8")  # fmt: skip
        params_dir = cfg.work / "params-export"
        shutil.copytree(ROOT / "params", params_dir, dirs_exist_ok=True)
        (params_dir / "local.yaml").write_text(
            f"data: {{mapping: {json.dumps(str(mapping))}}}\n", encoding="utf-8"
        )
        out = cfg.work / "run-export"
        print("  planning run on the large history as a mapped export ...", flush=True)
        run = measure.run_timed([str(measure.VENV_BIN / "planning"), "run", "--params", str(params_dir),
                                 "--out", str(out), "--force", "--region", cfg.large_region], cwd=ROOT).check()  # fmt: skip
        manifest = json.loads((_snapshot(out) / "manifest.json").read_text(encoding="utf-8"))
        notebooks_s = manifest["wall_s"]
        self.add("export_run_s", f"4. planning run --region {cfg.large_region} from a mapped export (import + run)",
                 run.seconds, "s", "<=", 120.0, note=f"notebooks {notebooks_s:.0f} s")  # fmt: skip
        self.add("export_run_peak_gb", "4. peak memory of that run's process tree (PSS)", run.peak_memory / GB,
                 "GB", "<=", 4.0, note=f"resident sum {run.peak_resident / GB:.2f} GB")  # fmt: skip
        return {"seconds": run.seconds, "peak_bytes": run.peak_memory, "peak_resident_bytes": run.peak_resident,
                "notebooks_s": notebooks_s}

    def weight(self, large_snapshot: Path) -> None:
        """Target 5: step HTML sizes, and their growth from the batch section's history to the large one."""
        cfg = self.cfg
        small_snapshot = (
            Path(self.details.get("batch_snapshot", "")) if "batch_snapshot" in self.details else None
        )
        if small_snapshot is None:  # large section alone: run the region on the small history for the sizes
            out = cfg.work / "run-small-weight"
            subprocess.run([str(measure.VENV_BIN / "planning"), "run", "--data", str(self.sample(cfg.scale)),
                            "--out", str(out), "--force", "--region", cfg.large_region],
                           cwd=ROOT, check=True, capture_output=True)  # fmt: skip
            small_snapshot = _snapshot(out)
        sizes = {}
        for html in sorted(large_snapshot.glob(f"{cfg.large_region}/*.html")):
            small = small_snapshot / cfg.large_region / html.name
            sizes[html.stem] = {"small": small.stat().st_size, "large": html.stat().st_size}
        all_html = list(small_snapshot.glob("*/*.html")) + list(large_snapshot.glob("*/*.html"))
        largest = max(all_html, key=lambda p: p.stat().st_size)
        self.add("html_max_mb", "5. largest step HTML (both histories)", largest.stat().st_size / MB, "MB",
                 "<", 3.0, note=f"{largest.parent.name}/{largest.name}")  # fmt: skip
        growth = {k: v["large"] / v["small"] - 1 for k, v in sizes.items()}
        worst = max(growth, key=growth.get)
        self.add("html_growth_pct", f"5. HTML growth, scale {cfg.scale:g} -> {cfg.large_scale:g} (worst step)",
                 growth[worst] * 100, "%", "<", 10.0, note=worst)  # fmt: skip
        self.details["weight"] = {"sizes": sizes, "growth": growth}

    def forecast(self) -> None:
        """Issue 22: out-of-sample accuracy and interval coverage of the goals step's forecast."""
        from benchmarks import forecast

        forecast.section(self)

    def review(self) -> None:
        """Issue 20: a review-only run against a full run (`benchmarks/review.py`)."""
        from benchmarks import review

        review.section(self)


# ---------------------------------------------------------------------------------------------- helpers
def _snapshot(out_root: Path) -> Path:
    """The snapshot folder `planning run --out out_root` wrote (the one holding manifest.json)."""
    found = sorted(out_root.glob("*/manifest.json"))
    if not found:
        raise RuntimeError(f"no snapshot with a manifest under {out_root}")
    return found[-1].parent


def _compare_artifacts(snapshot: Path, floor_root: Path, regions: list[str]) -> tuple[int, int]:
    """(identical, compared) artefact files between the run's snapshot and the floor's output."""
    same = compared = 0
    for r in regions:
        for f in sorted((snapshot / r / "artifacts").glob("*.csv")):
            other = floor_root / r / "artifacts" / f.name
            compared += 1
            same += other.is_file() and other.read_bytes() == f.read_bytes()
    return same, compared


def _region_rows(orders_file: Path, region: str) -> int:
    import duckdb

    q = "SELECT count(*) FROM read_parquet($f) WHERE region = $r"
    return int(duckdb.connect().execute(q, {"f": str(orders_file), "r": region}).fetchone()[0])


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=5)  # fmt: skip
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def table_markdown(figures: list[Figure]) -> str:
    rows = ["| figure | value | target | pass |", "|---|---:|---:|:---:|"]
    for f in figures:
        mark = {True: "pass", False: "**FAIL**", None: ""}[f.passed]
        label = f.label.strip() + (f" ({f.note})" if f.note else "")
        rows.append(f"| {label} | {f.value_text()} | {f.target_text()} | {mark} |")
    return "\n".join(rows) + "\n"


def write_results(bench: Bench, path: Path | None = None) -> Path:
    """Write the table and details as JSON (and Markdown beside it)."""
    path = path or RESULTS / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    cfg = asdict(bench.cfg)
    cfg["work"], cfg["out"] = str(cfg["work"]), str(cfg["out"] or "")
    doc = {
        "mode": "quick" if bench.cfg.quick else "full",
        "started": bench.started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": os.environ.get("BENCH_COMMIT") or _git_commit(),
        "machine": measure.machine(),
        "config": cfg,
        "figures": [{**asdict(f), "passed": f.passed} for f in bench.figures],
        "details": bench.details,
    }
    path.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    m = doc["machine"]
    head = (
        f"Benchmark ({doc['mode']}) {doc['started']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, "
        f"Python {m['python']}, commit {doc['commit']}; load average at the end {m['load_avg']}.\n\n"
    )
    path.with_suffix(".md").write_text(head + table_markdown(bench.figures), encoding="utf-8")
    return path


def parse(argv: list[str] | None = None) -> Config:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2 regions, small samples, fewer repetitions")
    ap.add_argument("--only", action="append", choices=SECTIONS, help="run only these sections (repeatable)")
    ap.add_argument("--region", action="append", help="regions of the batch section (default: all)")
    ap.add_argument("--scale", type=float, help="sample scale of the batch section (default 1 = ~100k lines)")
    ap.add_argument("--large-scale", type=float, help="scale of the large history (default 100 = ~10M lines)")
    ap.add_argument("--large-region", default="east", help="region run on the large history")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--repeat", type=int, help="repetitions of planning run and floor, median (default 3; quick 1)"
    )
    ap.add_argument("--work", type=Path, help="work folder (default: a temporary folder, removed at the end)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--out", type=Path, help="JSON result file (default benchmarks/results/latest.json)")
    a = ap.parse_args(argv)
    from planning import params

    regions = a.region or params.region_keys()
    if a.quick and not a.region:
        regions = sorted({a.large_region, *[r for r in regions if r != a.large_region][:1]})
    work = a.work or Path(tempfile.mkdtemp(prefix="planning-bench-"))
    cfg = Config(
        quick=a.quick,
        regions=regions,
        scale=a.scale or (0.1 if a.quick else 1.0),
        large_scale=a.large_scale or (2.0 if a.quick else 100.0),
        large_region=a.large_region,
        workers=a.workers,
        repeat=a.repeat or (1 if a.quick else 3),
        whatif_repeat=20 if a.quick else 50,
        reps=1000,
        customers=100_000,
        work=work,
        keep=a.keep or a.work is not None,
        only=a.only or list(SECTIONS),
        out=a.out,
    )
    return cfg


def main(argv: list[str] | None = None) -> int:
    # every process started from here (CLI, workers, kernels) resolves paths against this tree
    os.environ.setdefault("PLANNING_ROOT", str(ROOT))
    cfg = parse(argv)
    bench = Bench(cfg)
    m = measure.machine()
    print(f"benchmarks ({'quick' if cfg.quick else 'full'}) on {m['cpu']}, {m['cores']} cores; "
          f"load average {m['load_avg']}; work folder {cfg.work}", flush=True)  # fmt: skip
    print(f"  {'figure':<58} {'value':>14} {'target':>12}")
    try:
        for section in SECTIONS:
            if section not in cfg.only:
                continue
            print(f"[{section}]", flush=True)
            try:
                getattr(bench, section)()
            except Exception as exc:  # one broken section must not hide the figures of the others
                msg = str(exc).strip().splitlines()
                bench.details.setdefault("errors", {})[section] = str(exc)[-5000:]
                bench.add(f"{section}_error", f"{section}: {type(exc).__name__}: {msg[0] if msg else ''}"[:200],
                          None, "", failed=True)  # fmt: skip
    finally:
        path = write_results(bench, cfg.out)
        if not cfg.keep:
            shutil.rmtree(cfg.work, ignore_errors=True)
    print(f"results: {path}")
    failed = [f.key for f in bench.figures if f.passed is False]
    return 1 if failed else 0
