"""A review-only run (`planning review`): the review step of every region against its plan of record, into a dated
snapshot of kind "review" (docs/rhythm.md).

No target is recomputed: the review notebook reads the targets of the plan of record, the latest complete plan
version (kind plan, adjusted or replan: `store.plan_of_record`) dated at or before the review's date that plans
that year. The manifest records `kind: review` and `plan_of_record` (the plan version's folder, relative to the
output root); the index says so.
"""

from __future__ import annotations

from pathlib import Path

from planning import config, store
from planning import params as params_mod
from planning.errors import ParamsError, SnapshotExists, UnsafePath
from planning.runner import checks
from planning.runner.results import RunResult
from planning.runner.run import run

REVIEW_STEP = "05_review"


def review(
    as_of: str | None = None,
    regions: list[str] | None = None,
    data_dir: str | None = None,
    out_root: Path | str | None = None,
    workers: int | None = None,
    language: str | None = None,
    force: bool = False,
    params_dir: Path | str | None = None,
    notebooks_dir: Path | str | None = None,
    progress=None,
) -> RunResult:
    """Run the review step for `regions` (default: every region of params/) as of `as_of` (default: params'
    as_of) against the plan of record in `out_root`, into `out_root/<as-of>/` (kind review).

    Raises ParamsError (exit 2) when a region has no plan of record for the year of `as_of`, SnapshotExists when
    a snapshot of that date exists (a plan version is never replaced by a review; an earlier review only with
    `force`), and what `run` raises.
    """
    params_dir = checks.absolute(params_dir or config.PARAMS_DIR, "--params")
    root = checks.absolute(out_root or config.OUTPUTS_DIR, "--out", UnsafePath)
    wanted = list(dict.fromkeys(regions or params_mod.region_keys(params_dir)))
    if not wanted:
        raise ParamsError(f"{params_dir}: no region files (<region>.yaml); nothing to review")
    first = params_mod.resolve(wanted[0], as_of=as_of or "", language=language or "", params_dir=params_dir)
    day = first.params.as_of
    plans = {}
    for r in wanted:
        snap = store.plan_of_record(root, day, region=r, year=day.year)
        if snap is None:
            raise ParamsError(
                f"{root}: no plan of record for region {r!r} and year {day.year} at or before {day} (a complete "
                f"snapshot of kind plan, adjusted or replan holding its targets); expected one: run `planning run "
                f"--as-of <date> ` with plan_year {day.year} into {root} first, or give the --out that holds it"
            )
        plans[r] = snap
    latest = max(plans.values(), key=lambda s: s.as_of)
    final = store.snapshot_dir(root, day)
    existing = store.read_manifest(final) if final.exists() else None
    if final.exists() or final.is_symlink():
        kind = store.snapshot_kind(existing)
        if existing is None or kind != "review":
            raise SnapshotExists(
                f"{final}: holds a {kind if existing else 'folder that is no'} snapshot; a review of {day} cannot "
                "replace it: review on another day (--as-of) or write elsewhere (--out)"
            )
        if not force:
            raise SnapshotExists(
                f"{final}: a review of {day} exists; --force to run it again, or --as-of another day"
            )
    return run(
        regions=wanted,
        steps=[REVIEW_STEP],
        as_of=day.isoformat(),
        data_dir=data_dir,
        out_root=root,
        workers=workers,
        language=language,
        force=force,
        params_dir=params_dir,
        notebooks_dir=notebooks_dir,
        progress=progress,
        kind="review",
        plan_of_record=store.relative_to_root(root, latest.path),
        plan_year=day.year,
    )
