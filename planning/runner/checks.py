"""The checks a run makes before any kernel starts: absolute folders, a safe output folder, the notebooks, the
number of workers, a replaceable snapshot, valid data.

Bad input stops the run here (UnsafePath, DataError: exit 2) and writes nothing to the output folder, except for
data problems the validation report `<out>/<as-of>.validation.json` (`validate_data`).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from planning import config, importer, store
from planning import data as data_mod
from planning.errors import ParamsError, UnsafePath
from planning.market import periods
from planning.runner import publish, texts


def absolute(path: str | os.PathLike, option: str, error: type[ValueError] = ParamsError) -> Path:
    """`path` (as given on the command line) made absolute and resolved, before anything uses it.

    A kernel runs in the notebooks folder, so a path relative to the shell's folder would point elsewhere there;
    every folder of a run is resolved once, here. Raises `error` (naming `option`) for a path holding NUL.
    """
    text = os.fspath(path)
    if "\x00" in str(text):
        raise error(f"{option} {text!r}: a path may not contain a NUL character")
    return Path(text).expanduser().resolve()


MAX_WORKERS = 64  # as params' run.workers (planning/params/schema.py)


def check_workers(workers: int | None) -> None:
    """`--workers` within the range `run.workers` allows: 0 (one per CPU core) .. 64."""
    if workers is not None and not 0 <= workers <= MAX_WORKERS:
        raise ParamsError(
            f"--workers {workers}: out of range; expected 0 to {MAX_WORKERS} parallel regions (0 = one per CPU core)"
        )


ENGINES = ("shell", "kernel")  # params run.engine


def set_engine(inputs: dict[str, Any], engine: str | None) -> None:
    """`--engine` over every region's `run.engine` (how the process pool's workers execute the notebooks)."""
    if engine is None:
        return
    if engine not in ENGINES:
        raise ParamsError(f"--engine {engine}: expected one of {', '.join(ENGINES)}")
    for run_input in inputs.values():
        run_input.params.run.engine = engine


def check_calendar(inputs: dict[str, Any]) -> None:
    """Every region's company.country is one the holidays package knows (bad input, exit 2, before any kernel)."""
    # lazy: the holidays package costs ~0.2 s to import; only runs that pass the cheaper checks pay it
    from planning.goals import calendar

    for key, ri in inputs.items():
        country = ri.params.company.country
        if not calendar.supported(country):
            files = " + ".join(str(f) for f in ri.files)
            raise ParamsError(
                f"{files}: company.country {country!r} (region {key}): not a country the holidays package knows; "
                'expected an ISO 3166 alpha-2 code it supports (e.g. CN, US, DE, JP) or "" for Monday-Friday only'
            )


def check_notebooks(folder: Path, steps: list[str]) -> None:
    """The notebooks folder holds `<step>.ipynb` for every step to run (a missing one is bad input, exit 2)."""
    if not folder.is_dir():
        kind = data_mod.file_kind(folder) or "a file"
        found = "folder not found" if kind == "not found" else f"is {kind}, not a folder"
        raise ParamsError(
            f"--notebooks {folder}: {found}; expected the folder of the step notebooks ({', '.join(steps)} .ipynb)"
        )
    for step in steps:
        nb = folder / f"{step}.ipynb"
        kind = data_mod.file_kind(nb)
        if kind is not None:
            found = "not found" if kind == "not found" else f"is {kind}, not a file"
            raise ParamsError(f"{nb}: {found}; expected the notebook of step {step} (--notebooks)")


def check_out_root(out_root: Path, inputs: list[Path], data_dirs: list[Path] | tuple[Path, ...] = ()) -> Path:
    """Refuse an output folder that is not a folder, holds NUL, or where a run (or a `--force`) would write into or
    next to the project's own files.

    Refused: the file system root; the user's home folder or a folder holding it; a folder holding, or lying
    inside, the project's params/, notebooks/ or planning/ or the run's `inputs` (its params and notebooks
    folders); a folder inside one of the `data_dirs`.
    """
    text = str(out_root)
    if "\x00" in text:
        raise UnsafePath(f"--out {text!r}: a path may not contain a NUL character")
    if out_root.exists() and not out_root.is_dir():
        raise UnsafePath(f"--out {text}: is a file; expected a folder for the snapshots")
    resolved = out_root.resolve()
    expected = "expected a separate folder for the snapshots, such as outputs/ in the project"
    if resolved == Path(resolved.anchor):
        raise UnsafePath(f"--out {text}: is the file system root; {expected}")
    home = Path.home().resolve()
    if resolved == home or resolved in home.parents:
        what = "is your home folder" if resolved == home else f"holds your home folder {home}"
        raise UnsafePath(f"--out {text}: {what}; {expected}")
    own = [config.PARAMS_DIR, config.NOTEBOOKS_DIR, config.PACKAGE_DIR, *inputs]
    for inner in [p.resolve() for p in [*own, *data_dirs]]:
        if resolved == inner or inner in resolved.parents:
            raise UnsafePath(f"--out {text}: lies inside {inner}, which holds inputs of the run; {expected}")
    for inner in [p.resolve() for p in own]:
        if resolved in inner.parents:
            raise UnsafePath(
                f"--out {text}: holds {inner} (the project's own files: a run would write next to them); {expected}"
            )
    return out_root


def check_replaceable(final: Path) -> None:
    """Only a snapshot (a folder with a manifest) may be replaced: never a user's folder or a symlink."""
    if final.is_symlink():
        raise UnsafePath(
            f"{final}: is a symlink (to {os.readlink(final)}), not a snapshot folder; refusing to replace it; "
            "move it away or choose another --out"
        )
    if not final.is_dir() or not store.is_snapshot(final):
        kind = "a folder" if final.is_dir() else (data_mod.file_kind(final) or "a file")
        raise UnsafePath(
            f"{final}: exists but is not a snapshot ({kind} without {store.MANIFEST}); refusing to replace it; "
            "move it away or choose another --out"
        )


AS_OF_GRACE_DAYS = 31


def validate_data(
    data_dir: Path,
    regions: list[str],
    as_of,
    report_path: Path | None,
    configured: list[str] | None = None,
    summary: dict[str, Any] | None = None,
    lang: str = "en",
    history: dict[str, int] | None = None,
) -> list[Any]:
    """Load and validate the data the run will use, before any kernel starts.

    `summary` (a dict, optional) receives what was checked, for `planning check` to print: tables (name -> rows),
    missing (optional tables not supplied), regions (the data's, with order lines), first / last order date.

    In: the data folder, the regions to plan, the planning date, where to write the validation report.
    `history` (a dict, optional) receives each region's complete months of orders (`short_history`): the
    runner injects them into the notebooks, which take the minimal plan for 3 to 12.
    Checks: the tables load (columns, types, dates), `data.validate_tables`, every region has orders, and
    `as_of` lies within the orders' date range; given `configured` (every region of params/, for a run that
    plans them all), every region of the data has a params file (`data.check_regions`). Out: the warnings (`data.Problem`). On an error writes
    `report_path` (JSON: every problem; None = no report) and raises DataError naming the first problem.
    A single-region run loads only that region (large histories). `lang`: the language of the problems'
    messages (`runner.texts`; keys and values stay as they are).
    """
    problems: list[dict[str, Any]] = []
    warnings: list[Any] = []
    region = regions[0] if len(regions) == 1 else None
    # an imported folder: name the export file, the mapping key and the export's row (docs/import.md)
    terms = importer.ExportTerms(data_dir, region, texts.export_label(lang))
    try:
        data_mod.check_regions(data_dir, regions, configured)
        tables = data_mod.load_tables(data_dir, region=region)
        anonymous = data_mod.read_placeholders(data_dir).get("customer_id", ())
        found = [
            terms.problem(p, lambda q: texts.problem_message(q, lang))
            for p in data_mod.validate_tables(tables, anonymous)
        ]
        warnings = [p for p, _ in found if p.severity != "error"]
        problems = [problem_dict(p, msg) for p, msg in found if p.severity == "error"]
        dates = tables.orders["order_date"].dropna()
        first, last = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)
        if summary is not None:
            summary.update(
                tables={name: len(frame) for name, frame in tables.items()},
                missing=tables.missing(),
                regions=sorted(tables.orders["region"].dropna().astype(str).unique().tolist()),
                first=first,
                last=last,
            )
        # A quiet region (or a small export) may book its last order some days before the planning date; a
        # month without any order at all means the data ends before as_of.
        if first is not None and not first <= as_of <= last + timedelta(days=AS_OF_GRACE_DAYS):
            orders_file = data_mod.table_file(data_dir, "orders")
            message = texts.as_of_outside(
                as_of.isoformat(), as_of < first, orders_file, first.isoformat(), last.isoformat(),
                AS_OF_GRACE_DAYS, lang,
            )  # fmt: skip
            problems.append({"severity": "error", "table": "orders", "column": "order_date", "message": message})
        if not problems:
            errors, short, months = short_history(
                tables.orders, regions, as_of, data_mod.table_file(data_dir, "orders"), lang
            )
            problems += errors
            warnings += short
            if history is not None:
                history.update(months)
    except data_mod.DataError as exc:
        problems.append({"severity": "error", "message": str(exc)})
    for prob in problems:
        prob["message"] = terms.text(prob["message"])
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
        "language": lang,
        "status": "failed",
        "errors": problems,
        "warnings": [problem_dict(p, texts.problem_message(p, lang)) for p in warnings],
    }
    report_path.parent.mkdir(parents=True, exist_ok=True)
    store.write_json(report_path, report)
    publish.share(report_path)  # readable as any file the user creates (store.write_json's temp file is 600)
    raise data_mod.DataError(f"{problems[0]['message']}{more}; validation report: {report_path}")


def data_notes(data_dir: Path, regions: list[str], as_of, top: int, lang: str = "en") -> list[str]:
    """`planning check`'s lines on what the reports will do with the data: per dimension the count of distinct
    values and whether the reports group all but the `top` largest as "other" (`data.group_dimensions`); the
    revenue of anonymous order lines (placeholder customers: in revenue, in no customer-level figure). In `lang`."""
    region = regions[0] if len(regions) == 1 else None
    tables = data_mod.load_tables(data_dir, region=region, as_of=as_of)
    placeholders = data_mod.read_placeholders(data_dir)
    tables = data_mod.anonymize(tables, placeholders)
    _, groupings = data_mod.group_dimensions(tables, top)
    lines = texts.dimension_lines(groupings, top, data_mod.OTHER, lang)
    amount, share = data_mod.anonymous_revenue(tables.orders)
    if placeholders.get("customer_id"):
        lines.append(texts.anonymous_line(sorted(placeholders["customer_id"]), amount, share, lang))
    return lines


MIN_HISTORY_MONTHS = periods.MIN_PLAN_MONTHS  # below: no plan at all
FULL_HISTORY_MONTHS = periods.FULL_PLAN_MONTHS  # a year and the month before it: YoY, seasonality, backtest


def short_history(
    orders, regions: list[str], as_of, source, lang: str = "en"
) -> tuple[list[dict[str, Any]], list[Any], dict[str, int]]:
    """How much history each planned region has: (errors, warnings, complete months per region).

    The complete calendar months of orders up to `as_of` (`market.periods.history_months`) decide the plan a
    region gets (docs/method.md "Short histories: the minimal plan"): FULL_HISTORY_MONTHS or more the full plan;
    MIN_HISTORY_MONTHS to FULL_HISTORY_MONTHS - 1 the minimal plan (a warning: which figures it computes and which
    it says instead); fewer an error (issue 17 case 12: a one-line history once stopped the market step with a
    TypeError). The runner injects the months into every notebook (`history_months`). The messages are in `lang`
    (`runner.texts`, locale/check.yaml `history`)."""
    o = orders.loc[orders["order_date"] <= pd.Timestamp(as_of), ["region", "order_date"]].dropna()
    by_region = {str(k): g["order_date"] for k, g in o.groupby("region", observed=True)}
    errors: list[dict[str, Any]] = []
    warnings: list[Any] = []
    months: dict[str, int] = {}
    for r in regions:
        dates = by_region.get(r)
        full = periods.history_months(dates, as_of) if dates is not None else pd.PeriodIndex([], freq="M")
        n = months[r] = len(full)
        if n >= FULL_HISTORY_MONTHS:
            continue
        if n:
            first, last = str(full[0]), str(full[-1])
        elif dates is not None:
            first, last = f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}"
        else:
            first = last = ""
        span = texts.history_span(n, first, last, dates is not None, lang)
        if n >= MIN_HISTORY_MONTHS:
            warnings.append(
                data_mod.Problem(
                    "orders",
                    "order_date",
                    None,
                    texts.history_region(r, span, as_of.isoformat(), lang),
                    f"{FULL_HISTORY_MONTHS} months for the full plan; with fewer the region gets the minimal plan: "
                    "a run-rate target (the months' sales / months x 12 x (1 + goals.growth_ambition)) split by "
                    "working days, the customer profile, RFM tiers and params' actions, and no year-on-year "
                    "growth, seasonality, backtested forecast, retention or churn (docs/method.md, short histories)",
                    severity="warning",
                    rule="minimal_plan",  # `planning check` in the run's language (locale/check.yaml)
                    args=(("full", str(FULL_HISTORY_MONTHS)),),
                )
            )
            continue
        errors.append(
            {
                "severity": "error",
                "table": "orders",
                "column": "order_date",
                "message": texts.history_too_short(
                    source, r, span, as_of.isoformat(), MIN_HISTORY_MONTHS, FULL_HISTORY_MONTHS, lang
                ),
            }
        )
    return errors, warnings, months


def problem_dict(p: Any, message: str | None = None) -> dict[str, Any]:
    return {
        "severity": p.severity,
        "table": p.table,
        "column": p.column,
        "row": p.row,
        "value": p.value,
        "expected": p.expected,
        "count": p.count,
        "message": message or p.message,  # without "error: ": the command adds it
    }
