"""The plan audit of a snapshot: every region's checks and the company's, read through the store.

`audit_region` runs the checks of planning/audit/ on one region's artefacts; `audit_company` checks the
snapshot as a whole (manifest status, regions present, the index's headline numbers); `audit_snapshot` returns
both as one frame (region, check, status, values, explanation) for `planning audit` to write as audit.csv.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planning import contracts, store
from planning.audit import facts, signs, smart, steps, targets
from planning.audit.result import CENT, COLUMNS, COMPANY, FAIL, Row, frame, listed, money, row, skipped
from planning.errors import ArtifactInvalid


def load(region_dir: str | os.PathLike) -> tuple[dict[str, pd.DataFrame | None], list[Row]]:
    """Every declared artefact of a region ({name: frame or None when absent}) and a failed row for each one
    that does not match its contract."""
    arts: dict[str, pd.DataFrame | None] = {}
    bad: list[Row] = []
    for name in contracts.ARTIFACTS:
        try:
            arts[name] = store.read_optional(region_dir, name)
        except ArtifactInvalid as exc:
            arts[name] = None
            bad.append(row(f"artefact_readable:{name}", False, str(exc), "Artefacts match their contracts."))
    return arts, bad


def region_checks(a: Mapping[str, pd.DataFrame | None], statuses: Mapping[str, str] | None) -> list[Row]:
    """Every region check on the artefacts `a` ({name: frame or None}) and the manifest's step statuses (None:
    the steps' statuses are not known yet, as in the review step's own audit: that check is left out)."""
    shared = [a[n] for n in contracts.FACT_ARTIFACTS if a.get(n) is not None]
    sf = pd.concat(shared, ignore_index=True) if shared else None  # the shared facts (store.read_facts)
    rows = [
        *targets.quarters_sum_to_year(a["targets"]),
        *targets.months_sum_to_quarters(a["targets"]),
        *targets.weeks_sum_to_year(a["targets"]),
        *targets.reps_sum_to_months(a["targets"], a["targets_rep"]),
        *targets.target_vs_dimensions(
            a["targets"], a["calibration_dimensions"], a["target_position"], a["goals"]
        ),
        *targets.target_vs_forecast_interval(a["targets"], a["forecast"], a["target_position"], a["goals"]),
        *smart.achievable_within_capacity(a["goals"]),
        *smart.achievable_revenue_consistent(
            a["goals"], a["targets"], a["calibration_dimensions"], a["forecast"]
        ),
        *facts.annual_target_shared(a["targets"], a["calibration"], a["goals"], a["capacity"], a["coverage"]),
        *facts.ramp_months_shared(sf, a["targets_rep"], a["hiring_plan"]),
        *facts.ramp_months_goals_vs_resources(a["targets_rep"], a["hiring_plan"]),
        *facts.attrition_shared(sf, a["capacity"]),
        *facts.hires_goals_vs_resources(a["targets_rep"], a["hiring_plan"], a["capacity"]),
        *facts.team_capacity_goals_vs_resources(
            a["team_capacity"], a["capacity"], a["calibration_dimensions"]
        ),
        *facts.capacity_vs_incentive_simulation(a["capacity"], a["incentive_summary"]),
        *facts.team_capacity_shared(sf, a["capacity"], a["incentive_summary"], a["targets"]),
        *facts.existing_customer_revenue_shared(sf, a["calibration_dimensions"], a["coverage"]),
        *facts.last12_sales_shared(sf, a["calibration_dimensions"]),
        *facts.targets_shared(sf, a["targets"], a["calibration"]),
        *facts.win_rate_shared(sf, a["coverage"]),
        *facts.root_cause_count_shared(sf, a["root_causes"]),
        *facts.hires_only_where_short(
            a["capacity"], a["hiring_plan"], a["calibration_dimensions"], a["targets"], a["target_position"]
        ),
        *signs.calibration_totals_non_negative(a["calibration_dimensions"]),
    ]
    for name in signs.NON_NEGATIVE:
        rows += signs.non_negative(name, a[name])
    return rows + status_checks([n for n, f in a.items() if f is not None], statuses)


def status_checks(present: list[str], statuses: Mapping[str, str] | None) -> list[Row]:
    """The last of `region_checks`: the manifest's step statuses against the artefacts present (their names;
    none without statuses)."""
    if statuses is None:
        return []
    return steps.step_status_vs_artefacts(statuses, present)


#: the artefacts the company's checks read of every region (`index_headline`)
HEADLINE_ARTIFACTS = ("targets", "plan_vs_actual")


@dataclass
class Ahead:
    """A region's audit read and checked before the manifest exists (`planning run` audits each region as soon as
    its steps are done, while the other regions run): the artefacts present (names), the rows of the unreadable
    ones, `region_checks` without the manifest's step statuses (which `audit_snapshot` adds), and the artefacts
    the company's checks read (`HEADLINE_ARTIFACTS`). Small: a worker sends it to the runner."""

    present: list[str]
    bad: list[Row]
    rows: list[Row]
    arts: dict[str, pd.DataFrame | None]


# The last region audited in this process, with the artefact files' (name, inode, mtime, size) it was audited on.
_last: dict[str, tuple[tuple, Ahead]] = {}


def _stamps(region_dir: str | os.PathLike) -> tuple:
    try:
        with os.scandir(store.artifacts_dir(region_dir)) as entries:
            files = [(e.name, e.stat()) for e in entries if e.is_file()]
    except OSError:
        return ()
    return tuple(sorted((name, st.st_ino, st.st_mtime_ns, st.st_size) for name, st in files))


def audit_ahead(region_dir: str | os.PathLike) -> Ahead:
    """A region's `Ahead`. The process keeps the last one while none of the region's artefact files changes: the
    review step audits its region in its notebook (`audit_region`), and the worker that ran it hands that same
    audit to the runner once the region's steps are done (runner.ahead), without reading the artefacts again."""
    key, stamps = os.path.realpath(region_dir), _stamps(region_dir)
    kept = _last.get(key)
    if kept is not None and kept[0] == stamps:
        return kept[1]
    arts, bad = load(region_dir)
    ahead = Ahead(
        [n for n, f in arts.items() if f is not None],
        bad,
        region_checks(arts, None),
        {n: arts.get(n) for n in HEADLINE_ARTIFACTS},
    )
    _last.clear()
    _last[key] = (stamps, ahead)
    return ahead


def _statuses(manifest: Mapping[str, Any], region: str) -> dict[str, str]:
    entry = (manifest.get("regions") or {}).get(region) or {}
    return {s: str((r or {}).get("status")) for s, r in (entry.get("steps") or {}).items()}


def audit_region(
    region_dir: str | os.PathLike, region: str, statuses: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The audit rows of one region (COLUMNS); without `statuses` (the manifest's step statuses) the step check
    is left out: the review step audits its region before the run has written the manifest."""
    done = audit_ahead(region_dir)
    return frame(done.bad + done.rows + status_checks(done.present, statuses), region)


def snapshot_status_consistent(manifest: Mapping[str, Any]) -> list[Row]:
    """The manifest says `complete` exactly when every step of every region is ok (issue 16 item 3: an index
    that shows OK over a failed or partial step misleads)."""
    rule = "A snapshot is complete exactly when every region's every step is ok (issue 16 item 3)."
    not_ok = [
        f"{region} / {s}: {st}"
        for region in (manifest.get("regions") or {})
        for s, st in _statuses(manifest, region).items()
        if st != "ok"
    ]
    status = manifest.get("status")
    values = f"manifest status {status!r}; steps not ok: {listed(not_ok) if not_ok else 'none'}"
    return [row("snapshot_status_consistent", (status == "complete") == (not not_ok), values, rule)]


def regions_present(snapshot: str | os.PathLike, manifest: Mapping[str, Any]) -> list[Row]:
    """Every region of the manifest has its folder of artefacts in the snapshot."""
    regions = list(manifest.get("regions") or {})
    absent = [r for r in regions if not store.artifacts_dir(store.region_dir(snapshot, r)).is_dir()]
    rule = "Each region the manifest lists has its artefacts in the snapshot."
    if not regions:
        return [skipped("regions_present", "the manifest lists no regions", rule)]
    values = f"absent: {listed(absent)}" if absent else f"{len(regions)} regions present"
    return [row("regions_present", not absent, values, rule)]


def index_headline(
    manifest: Mapping[str, Any], arts: Mapping[str, Mapping[str, pd.DataFrame | None]]
) -> list[Row]:
    """The index's headline numbers (manifest regions.<r>.headline: plan_target, ytd_plan, ytd_actual) equal the
    artefacts they come from (targets.csv year, plan_vs_actual.csv ytd), to the cent, for every region."""
    rule = "The index shows the artefacts' numbers (targets year, plan_vs_actual ytd), to the cent."
    bad, compared = [], 0
    for region, a in arts.items():
        head = ((manifest.get("regions") or {}).get(region) or {}).get("headline") or {}
        shown: dict[str, float | None] = {}
        if a.get("targets") is not None:
            shown["plan_target"] = targets.year_target(a["targets"])
        pva = a.get("plan_vs_actual")
        if pva is not None and (pva["level"] == "ytd").any():
            ytd = pva[pva["level"] == "ytd"].iloc[0]
            shown.update(ytd_plan=float(ytd["plan"]), ytd_actual=float(ytd["actual"]))
        for key, value in shown.items():
            if value is None or head.get(key) is None:
                continue
            compared += 1
            if abs(float(head[key]) - value) >= CENT:
                bad.append(f"{region} {key}: index {money(float(head[key]))} vs artefact {money(value)}")
    if not compared:
        return [skipped("index_headline", "no headline number to compare", rule)]
    return [
        row("index_headline", not bad, listed(bad) if bad else f"{compared} headline numbers equal", rule)
    ]


def audit_snapshot(
    snapshot: str | os.PathLike, manifest: Mapping[str, Any], ahead: Mapping[str, Ahead] | None = None
) -> pd.DataFrame:
    """The plan audit of a snapshot: every region of its manifest, then the company (region `company`).
    `ahead`: regions already read and checked (`audit_ahead`), the same rows as reading them here."""
    frames, arts = [], {}
    for region in manifest.get("regions") or {}:
        rdir = store.region_dir(snapshot, region)
        if not store.artifacts_dir(rdir).is_dir():
            continue
        done = (ahead or {}).get(region) or audit_ahead(rdir)
        arts[region] = done.arts
        rows = done.bad + done.rows + status_checks(done.present, _statuses(manifest, region))
        frames.append(frame(rows, region))
    company = (
        snapshot_status_consistent(manifest)
        + regions_present(snapshot, manifest)
        + index_headline(manifest, arts)
    )
    frames.append(frame(company, COMPANY))
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]


def failures(audit: pd.DataFrame) -> pd.DataFrame:
    """The failed rows of an audit frame."""
    return audit[audit["status"] == FAIL]
