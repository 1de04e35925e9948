"""The checks a run makes before any kernel starts: a safe output folder, a replaceable snapshot, valid data.

Bad input stops the run here (UnsafePath, DataError: exit 2) and writes nothing to the output folder, except for
data problems the validation report `<out>/<as-of>.validation.json` (`validate_data`).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from planning import config, store
from planning import data as data_mod
from planning.errors import UnsafePath


def check_out_root(out_root: Path, inputs: list[Path]) -> Path:
    """Refuse an output folder that is not a folder, holds NUL, or lies inside the package or one of the run's
    `inputs` folders (params, notebooks, data: a `--force` there would replace inputs)."""
    text = str(out_root)
    if "\x00" in text:
        raise UnsafePath(f"--out {text!r}: a path may not contain a NUL character")
    if out_root.exists() and not out_root.is_dir():
        raise UnsafePath(f"--out {text}: is a file; expected a folder for the snapshots")
    resolved = out_root.resolve()
    for inner in [config.PARAMS_DIR, config.NOTEBOOKS_DIR, config.PACKAGE_DIR, *inputs]:
        inner = inner.resolve()
        if resolved == inner or inner in resolved.parents:
            raise UnsafePath(
                f"--out {text}: lies inside {inner}, which holds inputs of the run; expected a separate folder "
                "such as outputs/"
            )
    return out_root


def check_replaceable(final: Path) -> None:
    """Only a snapshot (a folder with a manifest) may be replaced: never a user's folder or a symlink."""
    if final.is_symlink() or not final.is_dir() or not store.is_snapshot(final):
        raise UnsafePath(
            f"{final}: exists but is not a snapshot (no {store.MANIFEST}); refusing to replace it; move it away or "
            "choose another --out"
        )


AS_OF_GRACE_DAYS = 31


def validate_data(data_dir: Path, regions: list[str], as_of, report_path: Path | None) -> list[Any]:
    """Load and validate the data the run will use, before any kernel starts.

    In: the data folder, the regions to plan, the planning date, where to write the validation report.
    Checks: the tables load (columns, types, dates), `data.validate_tables`, every region has orders, and
    `as_of` lies within the orders' date range. Out: the warnings (`data.Problem`). On an error writes
    `report_path` (JSON: every problem; None = no report) and raises DataError naming the first problem.
    A single-region run loads only that region (large histories).
    """
    problems: list[dict[str, Any]] = []
    warnings: list[Any] = []
    try:
        data_mod.check_regions(data_dir, regions)
        tables = data_mod.load_tables(data_dir, region=regions[0] if len(regions) == 1 else None)
        found = data_mod.validate_tables(tables)
        warnings = [p for p in found if p.severity != "error"]
        problems = [problem_dict(p) for p in found if p.severity == "error"]
        dates = tables.orders["order_date"].dropna()
        first, last = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)
        # A quiet region (or a small export) may book its last order some days before the planning date; a
        # month without any order at all means the data ends before as_of.
        if first is not None and not first <= as_of <= last + timedelta(days=AS_OF_GRACE_DAYS):
            where = "before the data starts" if as_of < first else "after the data ends"
            problems.append(
                {
                    "severity": "error",
                    "table": "orders",
                    "column": "order_date",
                    "message": f"as_of {as_of.isoformat()} is {where}: {data_mod.table_file(data_dir, 'orders')} "
                    f"has order_date from {first.isoformat()} to {last.isoformat()}; expected an as_of within "
                    f"that range or at most {AS_OF_GRACE_DAYS} days after it (as_of in params/base.yaml or --as-of)",
                }
            )
    except data_mod.DataError as exc:
        problems.append({"severity": "error", "message": str(exc)})
    if not problems:
        if report_path is not None:
            report_path.unlink(missing_ok=True)  # a report of an earlier failed attempt no longer applies
        return warnings
    more = f" ({len(problems)} errors)" if len(problems) > 1 else ""
    if report_path is None:
        exc = data_mod.DataError(f"{problems[0]['message']}{more}")
        exc.problems = problems  # every error, for `planning check`
        raise exc
    report = {
        "data_dir": str(data_dir),
        "regions": regions,
        "as_of": as_of.isoformat(),
        "status": "failed",
        "errors": problems,
        "warnings": [problem_dict(p) for p in warnings],
    }
    report_path.parent.mkdir(parents=True, exist_ok=True)
    store.write_json(report_path, report)
    raise data_mod.DataError(f"{problems[0]['message']}{more}; validation report: {report_path}")


def problem_dict(p: Any) -> dict[str, Any]:
    return {
        "severity": p.severity,
        "table": p.table,
        "column": p.column,
        "row": p.row,
        "value": p.value,
        "expected": p.expected,
        "count": p.count,
        "message": str(p),
    }
