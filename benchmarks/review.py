"""The `review` section (issue 20, item 1): what a review-only run costs against a full plan run.

Both on the sample company's regions of the batch section (`cfg.regions`, `cfg.workers` workers, in-process
`planning.runner` calls): a full run (five steps) as of 2026-06-30 planning 2026 - the plan of record - then
`runner.review` as of 2026-09-30 against it (the review step and the index only). The ratio is review / full
wall time; a review run must cost at most half of a full run.
"""

from __future__ import annotations

import shutil
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.run import Bench

PLAN_AS_OF, REVIEW_AS_OF, PLAN_YEAR = "2026-06-30", "2026-09-30", 2026
MAX_RATIO = 0.5


def section(bench: Bench) -> None:
    from planning import runner

    cfg = bench.cfg
    data = str(bench.sample(cfg.scale))
    root = cfg.work / "review-root"
    shutil.rmtree(root, ignore_errors=True)
    t0 = time.perf_counter()
    full = runner.run(regions=cfg.regions, as_of=PLAN_AS_OF, plan_year=PLAN_YEAR, data_dir=data, out_root=root,
                      workers=cfg.workers)  # fmt: skip
    full_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rev = runner.review(
        as_of=REVIEW_AS_OF, regions=cfg.regions, data_dir=data, out_root=root, workers=cfg.workers
    )
    review_s = time.perf_counter() - t0
    ok = full.ok and rev.ok
    n = len(cfg.regions)
    bench.add("review_full_s", f"full run, {n} regions x 5 steps", full_s, "s", failed=not full.ok)
    bench.add(
        "review_only_s", f"review run, {n} regions (review step + index)", review_s, "s", failed=not rev.ok
    )
    bench.add("review_ratio", "review run / full run (wall)", review_s / full_s, "x", "<=", MAX_RATIO,
              failed=not ok, note=f"plan of record {PLAN_AS_OF}, review {REVIEW_AS_OF}")  # fmt: skip
    bench.details["review"] = {"full_s": full_s, "review_s": review_s, "regions": cfg.regions}
