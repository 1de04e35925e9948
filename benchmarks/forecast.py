"""The `forecast` section (issue 22, item 1): out-of-sample accuracy of the goals step's forecast.

For each region of the sample company (params/) and of the Superstore example (examples/superstore/, its export
read where it lies, never copied into the project): the region's monthly sales up to its as-of, the last 12
complete months held out, the model chosen before them and scored on them (`planning.goals.evaluation`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.run import Bench

ROOT = Path(__file__).resolve().parents[1]
SUPERSTORE = ROOT / "examples" / "superstore"
EXPORT_FILE = "Sample - Superstore.csv"

#: Issue 22 targets: mean gain over the regions, worst region, pooled coverage of the 80% intervals (percent).
MEAN_GAIN, WORST_GAIN, COVERAGE = 15.0, -5.0, (70.0, 90.0)


def superstore_dir() -> tuple[Path | None, str]:
    """The folder holding the Superstore export: $SUPERSTORE_DIR, else `shared/data/superstore` beside the
    project or one of its parents (the worktrees' `../shared/data`). (None, why) when there is none."""
    env = os.environ.get("SUPERSTORE_DIR")
    candidates = [Path(env)] if env else []
    candidates += [p / "shared" / "data" / "superstore" for p in ROOT.parents]
    for c in candidates:
        if (c / EXPORT_FILE).is_file():
            return c, ""
    where = "$SUPERSTORE_DIR" if env else "$SUPERSTORE_DIR unset"
    return None, f"'{EXPORT_FILE}' not found ({where}; no shared/data/superstore above {ROOT})"


def evaluate_regions(data_dir: Path, params_dir: Path | None, regions: list[str]) -> dict[str, Any]:
    """{region: Evaluation} for the regions' orders in the canonical folder `data_dir`, each at its params'
    as-of and forecast parameters."""
    from planning import data, params
    from planning.goals import evaluation, pooling

    out = {}
    for region in regions:
        p = params.load(region, params_dir).params
        orders = data.read_table(
            data_dir / "orders.parquet", "orders", as_of=p.as_of, columns=["region", "order_date", "amount"]
        )
        company = pooling.company_monthly(orders, p.as_of)
        out[region] = evaluation.evaluate_params(orders[orders["region"] == region], p, company)
    return out


def superstore_data(work: Path, export: Path) -> Path:
    """The Superstore export imported with the example's mapping into the work folder (not the project)."""
    from planning import importer

    os.environ["SUPERSTORE_DIR"] = str(export)
    return Path(importer.materialize(SUPERSTORE / "mapping.yaml", cache_dir=work / "superstore-import")[0])


def report(bench: Bench, company: str, evals: dict[str, Any]) -> dict[str, Any]:
    """Print the company's per-region table, add one figure per region (gain, target >= -5%) and the company's
    averages; return the details for the JSON."""
    from planning.goals import evaluation

    print(f"  {company}: {'region':<10} {'model':<19} {'selection':<14} {'MAPE':>7} {'naive':>7} "
          f"{'gain':>8} {'coverage':>9}  held out", flush=True)  # fmt: skip
    for region, e in evals.items():
        if e.status != "ok":
            print(f"  {company}: {region:<10} not scored: {e.reason}", flush=True)
            continue
        covered = f"{int(e.months['covered'].sum())}/{len(e.months)}"
        held = f"{e.months['month'].iloc[0]}..{e.months['month'].iloc[-1]}"
        print(f"  {company}: {region:<10} {e.model:<19} {e.selection:<14} {e.mape * 100:>6.1f}% "
              f"{e.naive_mape * 100:>6.1f}% {e.gain * 100:>+7.1f}% {covered:>9}  {held}", flush=True)  # fmt: skip
    for region, e in evals.items():
        if e.status == "ok":
            bench.add(f"fc_{company}_{region}_gain", f"   {company} {region}: gain vs seasonal naive",
                      e.gain * 100, "%", ">=", WORST_GAIN,
                      note=f"{e.model}, MAPE {e.mape * 100:.1f}% vs {e.naive_mape * 100:.1f}%, "
                           f"coverage {int(e.months['covered'].sum())}/{len(e.months)}")  # fmt: skip
    s = evaluation.summary(evals)
    bench.add(f"fc_{company}_mean_gain", f"{company}: mean gain over {s.scored} regions", s.mean_gain * 100, "%",
              ">=", MEAN_GAIN, note=f"worst {s.worst_region} {s.worst_gain * 100:+.1f}%")  # fmt: skip
    bench.add(f"fc_{company}_coverage", f"{company}: 80% intervals covering held-out months",
              s.coverage * 100, "%", note=f"{s.covered}/{s.months}")  # fmt: skip
    tab = evaluation.table(evals)
    return {
        "regions": tab.to_dict(orient="records"),
        "months": {k: e.months.to_dict(orient="records") for k, e in evals.items()},
        "summary": {
            "scored": s.scored,
            "mean_gain": s.mean_gain,
            "worst_gain": s.worst_gain,
            "worst_region": s.worst_region,
            "covered": s.covered,
            "months": s.months,
        },  # fmt: skip
    }


def section(bench: Bench) -> None:
    from planning.goals import evaluation

    cfg = bench.cfg
    details: dict[str, Any] = {}
    every: dict[str, Any] = {}
    sample_evals = evaluate_regions(bench.sample(cfg.scale), None, cfg.regions)
    details["sample"] = report(bench, "sample", sample_evals)
    every.update({f"sample/{k}": e for k, e in sample_evals.items()})
    export, why = superstore_dir()
    if export is None:
        print(f"  superstore: skipped: {why}", flush=True)
        details["superstore"] = {"skipped": why}
    else:
        from planning import params

        pdir = SUPERSTORE / "params"
        store_evals = evaluate_regions(superstore_data(cfg.work, export), pdir, params.region_keys(pdir))
        details["superstore"] = report(bench, "superstore", store_evals)
        every.update({f"superstore/{k}": e for k, e in store_evals.items()})
    s = evaluation.summary(every)
    bench.add("fc_mean_gain", f"gain vs seasonal naive, mean of {s.scored} regions", s.mean_gain * 100, "%",
              ">=", MEAN_GAIN)  # fmt: skip
    bench.add("fc_worst_gain", "gain vs seasonal naive, worst region", s.worst_gain * 100, "%", ">=", WORST_GAIN,
              note=s.worst_region)  # fmt: skip
    bench.add("fc_coverage_min", "80% intervals: held-out months covered (at least)", s.coverage * 100, "%",
              ">=", COVERAGE[0], note=f"{s.covered}/{s.months}")  # fmt: skip
    bench.add("fc_coverage_max", "80% intervals: held-out months covered (at most)", s.coverage * 100, "%",
              "<=", COVERAGE[1])  # fmt: skip
    details["all"] = {"scored": s.scored, "mean_gain": s.mean_gain, "worst_gain": s.worst_gain,
                      "worst_region": s.worst_region, "covered": s.covered, "months": s.months}  # fmt: skip
    bench.details["forecast"] = details
