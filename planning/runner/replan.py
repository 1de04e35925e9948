"""`planning replan --as-of DATE`: a revised plan version (kind replan) when a closed quarter ended below the re-split
threshold (`review.resplit_completion`, default 80%: the rule the review flags). docs/rhythm.md.

The plan of record for the year of `as_of` (`store.plan_of_record`) is read, not recomputed: for every region of
it whose last closed quarter fell short (or every region with `force`), `review.replan` re-splits the remaining
annual target over the days, weeks, months, quarters, teams and reps after `as_of`. The new version is a snapshot
dated the day after `as_of` (the day it takes effect; a review of `as_of` itself keeps its folder) holding every
region's artefacts of the plan of record but its review's (steps 01-04: a plan version), with targets and targets_rep replaced where re-planned; its manifest
records `kind: replan`, `plan_of_record` and per region the quarter, its completion, the threshold and the
reason. Reviews dated from then on use it. Like a plan run it hands over the revised quota workbooks and "changes
since" the plan it revises (`<snapshot>/diff_<plan>/`, `planning diff`).
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from planning import config, contracts, diff, report, sources, store
from planning import data as data_mod
from planning import params as params_mod
from planning.diff import page as diff_page
from planning.errors import ParamsError, SnapshotExists, UnsafePath
from planning.handover import workbook
from planning.review import replan as replan_mod
from planning.runner import checks, publish

#: The review step's artefacts: not part of a plan version (a re-plan does not copy them).
REVIEW_ARTIFACTS = frozenset(contracts.of_step("05_review"))


@dataclass
class ReplanResult:
    """What `replan` did: the snapshot written (None when no region needed it) and one line per region."""

    snapshot: Path | None
    lines: list[str] = field(default_factory=list)


def replan(
    as_of: str | None = None,
    regions: list[str] | None = None,
    data_dir: str | None = None,
    out_root: Path | str | None = None,
    params_dir: Path | str | None = None,
    force: bool = False,
    reason: str = "",
) -> ReplanResult:
    """Write the revised plan version of `as_of` (module docstring). `regions`: only these are re-planned (the
    others are carried over unchanged). Raises ParamsError (exit 2) without a plan of record, SnapshotExists when
    the day after `as_of` already has a snapshot."""
    params_dir = checks.absolute(params_dir or config.PARAMS_DIR, "--params")
    root = checks.absolute(out_root or config.OUTPUTS_DIR, "--out", UnsafePath)
    first = params_mod.resolve(
        (regions or params_mod.region_keys(params_dir))[0], as_of=as_of or "", params_dir=params_dir
    ).params
    day = first.as_of
    base = store.plan_of_record(root, day, region=regions[0] if regions else None, year=day.year)
    if base is None:
        raise ParamsError(
            f"{root}: no plan of record for {day.year} at or before {day} (a complete snapshot of kind plan, "
            "adjusted or replan); expected one: run `planning run` for that plan year first, or give the --out "
            "that holds it"
        )
    plan_regions = [r for r in base.manifest.get("regions") or {} if base.plan_year(r) == day.year]
    unknown = [r for r in regions or [] if r not in plan_regions]
    if unknown:
        raise ParamsError(
            f"{base.path}: the plan of record holds no region {unknown}; expected one of {plan_regions}"
        )
    effective = day + timedelta(days=1)
    final = store.snapshot_dir(root, effective)
    if final.exists() or final.is_symlink():
        raise SnapshotExists(
            f"{final}: a snapshot of {effective} (the day the re-plan would take effect) exists; remove it or "
            "re-plan as of another day"
        )
    result = ReplanResult(None)
    revised: dict[str, tuple[replan_mod.QuarterCheck, replan_mod.Replan]] = {}
    for r in plan_regions:
        p = params_mod.resolve(r, as_of=day.isoformat(), params_dir=params_dir).params
        rdir = base.region_dir(r)
        targets = store.read_artifact(rdir, "targets", region=r)
        orders = data_mod.load_tables(sources.resolve_dir(p, data_dir), region=r, as_of=day).orders
        check = replan_mod.closed_quarter(targets, orders, day, p.review.resplit_completion)
        if check is None:
            result.lines.append(f"{r}: no quarter of {day.year} has closed by {day}: nothing to re-plan")
            continue
        state = f"{check.quarter} closed at {check.completion:.1%} of plan (threshold {check.threshold:.0%})"
        if (regions and r not in regions) or not (check.required or force):
            result.lines.append(f"{r}: {state}: no re-plan")
            continue
        new = replan_mod.replan(targets, store.read_artifact(rdir, "targets_rep", region=r), orders, day,
                                p.company.country, p.goals.holidays, p.goals.workdays)  # fmt: skip
        revised[r] = (check, new)
        result.lines.append(
            f"{r}: {state}: re-planned, {new.remaining:,.2f} left of {new.annual:,.2f} over the rest of the year "
            f"(the plan gave it {new.original_remaining:,.2f})"
        )
    if not revised:
        return result
    result.snapshot = _write(root, base, effective, day, revised, force, reason, first.language)
    return result


def _write(
    root: Path,
    base: store.Snapshot,
    effective: Any,
    as_of: Any,
    revised: dict[str, tuple[replan_mod.QuarterCheck, replan_mod.Replan]],
    force: bool,
    reason: str,
    language: str,
) -> Path:
    """Assemble the replan snapshot in a hidden folder and publish it (`publish`)."""
    final = store.snapshot_dir(root, effective)
    tmp = publish.work_dir(root, final.name)
    try:
        manifest = {k: v for k, v in base.manifest.items() if k not in ("plan_of_record", "resumed_from")}
        manifest.update(
            snapshot=final.name,
            kind="replan",
            plan_of_record=store.relative_to_root(root, base.path),
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            steps=[],
            regions={},
        )
        for r, entry in (base.manifest.get("regions") or {}).items():
            (tmp / r).mkdir()
            # the plan's artefacts (steps 01-04), not its review's: a later review carries its PDCA log and
            # improvement list from the latest review, not from the plan the re-plan copied
            shutil.copytree(
                store.artifacts_dir(base.region_dir(r)),
                store.artifacts_dir(tmp / r),
                ignore=lambda _d, names: [n for n in names if n.removesuffix(".csv") in REVIEW_ARTIFACTS],
            )
            if (base.region_dir(r) / "params.json").is_file():
                shutil.copy2(base.region_dir(r) / "params.json", tmp / r / "params.json")
            entry = dict(entry)
            plan_target = (entry.get("headline") or {}).get("plan_target")
            entry["headline"] = {"plan_target": plan_target} if plan_target is not None else {}
            if r in revised:
                check, new = revised[r]
                store.write_artifact(tmp / r, "targets", new.targets)
                store.write_artifact(tmp / r, "targets_rep", new.targets_rep)
                why = (
                    f"{check.quarter} closed at {check.completion:.1%} of plan, below the re-split threshold "
                    f"{check.threshold:.0%}"
                    if check.required
                    else f"{check.quarter} closed at {check.completion:.1%} of plan; re-planned on request (--force)"
                )
                entry["replan"] = {
                    "quarter": check.quarter,
                    "completion": check.completion,
                    "threshold": check.threshold,
                    "required": check.required,
                    "forced": force and not check.required,
                    "reason": why + (f": {reason}" if reason else ""),
                    "annual": new.annual,
                    "booked": new.booked,
                    "remaining": new.remaining,
                    "original_remaining": new.original_remaining,
                    "as_of": as_of.isoformat(),
                }
                entry["headline"] = {"plan_target": new.annual}
            manifest["regions"][r] = entry
        store.write_manifest(tmp, manifest)
        _hand_over(tmp, final, base, manifest)
        report.write_index(tmp, manifest, language)
        publish.publish(tmp, final, replace=False)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _hand_over(tmp: Path, final: Path, base: store.Snapshot, manifest: dict[str, Any]) -> None:
    """The revised quota workbooks (docs/handover.md) and "changes since" the plan it revises (`planning diff`,
    `<snapshot>/diff_<base>/`). Neither can fail the re-plan: a problem is one `note:` line on stderr."""
    try:
        workbook.write_all(tmp, manifest)
    except Exception as exc:  # the artefacts hold the revised plan
        print(f"note: quota workbooks not written: {type(exc).__name__}: {exc}", file=sys.stderr)
    try:
        diff_page.diff_snapshots(
            diff.Side(base.path.name, base.path, base.manifest), diff.Side(final.name, tmp, manifest)
        )
    except Exception as exc:  # a comparison never costs the re-plan its snapshot
        print(f"note: changes since {base.path.name} not written: {type(exc).__name__}: {exc}", file=sys.stderr)
