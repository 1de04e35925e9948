"""The `planning` command: run the plan, review it, re-plan, check inputs, audit a snapshot, write the sample company.

Exit codes: 0 success; 1 a notebook failed (the snapshot is written, marked incomplete) or an unexpected error;
2 bad input (parameters, data, an existing snapshot, an unsafe --out, missing notebooks, --workers outside 0..64) -
nothing is written to outputs/ except, for data problems, `<out>/<as-of>.validation.json`; 130 interrupted (Ctrl-C /
SIGTERM: nothing published). `planning audit` exits 0 when every check passes, 1 on a violation, 2 when the
snapshot is missing or not a snapshot. Errors print one line per problem and no traceback; `planning --debug ...` shows it.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from planning import commands, errors, process
from planning.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    # plain help: typer's rich help panel prints "<bool>" beside every flag (typer 0.29)
    rich_markup_mode=None,
    help="Notebook-first sales planning workbook: market analysis -> goals -> strategy -> resources -> review.",
)

_debug = False


def _fail(exc: BaseException, code: int = EXIT_BAD_INPUT) -> None:
    """Print the error, one line per problem (no traceback unless --debug), and exit with `code`."""
    if _debug:
        raise exc
    lines = [line for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    raise typer.Exit(code)


def _bad_input_types() -> tuple[type[BaseException], ...]:
    return (
        errors.ParamsError,
        errors.SnapshotExists,
        errors.UnsafePath,
        errors.DataError,
        errors.ClusterError,
        errors.SnapshotInvalid,
        errors.WorkbookError,
    )


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a scheduler stopping the job) stops a run as cleanly as Ctrl-C."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    global _debug
    _debug = debug


@app.command()
def run(
    region: Annotated[
        list[str] | None,
        typer.Option(
            "--region",
            "-r",
            metavar="REGION",
            help="Region key (repeatable). Into an existing snapshot: re-run these regions, keep the others.",
        ),
    ] = None,
    step: Annotated[
        list[str] | None,
        typer.Option(
            "--step",
            "-s",
            metavar="STEP",
            help="Step: 01..05 or name (repeatable). Into an existing snapshot: re-run it and the later steps.",
        ),
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Planning date YYYY-MM-DD.")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder of canonical tables.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Snapshot root (default outputs/).")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", help="Parallel regions, 0..64 (0 = one per CPU core).")
    ] = None,
    language: Annotated[str | None, typer.Option("--language", help="en or zh.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing snapshot of this date whole (with --region/--step: update, never shrink).",
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Complete an existing snapshot: re-run only failed steps and steps whose inputs changed.",
        ),
    ] = False,
    params_dir: Annotated[
        Path | None, typer.Option("--params", help="Folder of parameter files (default params/).")
    ] = None,
    notebooks: Annotated[
        Path | None, typer.Option("--notebooks", help="Folder of the step notebooks (default notebooks/).")
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster", help="local:N = run the regions on a Dask LocalCluster of N single-threaded workers."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="tcp://HOST:PORT of a running Dask cluster (shared filesystem: docs/cluster.md); "
            "default run.scheduler of params.",
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print every report to <snapshot>/pdf/ (needs Chromium).")
    ] = False,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="shell = workers run the notebooks in their own process; kernel = in Jupyter kernels "
            "(default run.engine of params).",
        ),
    ] = None,
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            help="Named scenario params/scenarios/NAME.yaml on top of the params, into outputs/<as-of>+NAME/.",
        ),
    ] = "",
) -> None:
    """Run the plan: every region x step into outputs/<as-of>/ (notebooks, HTML, artefacts, index, manifest)."""
    if not cluster and not scheduler:  # the pool's workers, warm by the time the inputs are checked
        _prestart_workers()
    # lazy: the runner (pandas, pydantic, the importer: ~0.45 s) is not needed by `planning --help` (~0.05 s)
    from planning import i18n, params, runner, store
    from planning import pdf as pdf_mod
    from planning.runner import texts

    chromium = _guarded(pdf_mod.find_chromium, "run") if pdf else None  # before any kernel: bad input
    if not region:
        _guarded(lambda: _notes_on_skipped(params.skipped_files(params_dir)), "run")
    result = _guarded(
        lambda: runner.run(
            regions=region or None,
            steps=step or None,
            as_of=as_of,
            data_dir=str(data) if data else None,
            out_root=out,
            workers=workers,
            language=language,
            force=force,
            resume=resume,
            params_dir=params_dir,
            notebooks_dir=notebooks,
            progress=runner.Watch(),
            cluster=cluster,
            scheduler=scheduler,
            scenario=scenario,
            engine=engine,
        ),
        "run",
    )
    for line in texts.run_summary(result, result.language):  # in the run's language; keys stay
        print(line, file=sys.stderr)
    for old in store.diffs(result.snapshot) if scenario else []:  # the scenario against its base plan
        page = store.diff_dir(result.snapshot, old) / "index.html"
        line = i18n.t("diff.scenario_done", result.language, name=scenario, old=old, path=page)
        print(line, file=sys.stderr)
    if chromium and result.snapshot.is_dir():
        _print_pdfs(result.snapshot, chromium)
    raise typer.Exit(result.exit_code)


@app.command()
def review(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Review date YYYY-MM-DD (default: params/).")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="Region key (repeatable).")
    ] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder of canonical tables.")] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Snapshot root holding the plan of record (default outputs/)."),
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="Parallel regions, 0..64.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="en or zh.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Run an existing review of this date again.")
    ] = False,
    params_dir: Annotated[
        Path | None, typer.Option("--params", help="Folder of parameter files (default params/).")
    ] = None,
) -> None:
    """Review progress against the plan of record (no target recomputed): the review step and the index into
    <out>/<as-of>/, a snapshot of kind review."""
    _prestart_workers()
    # lazy: as in `run`, kept out of `planning --help`
    from planning import runner

    def call():
        return runner.review(
            as_of=as_of,
            regions=region or None,
            data_dir=str(data) if data else None,
            out_root=out,
            workers=workers,
            language=language,
            force=force,
            params_dir=params_dir,
            progress=runner.Watch(),
        )

    _finish(_guarded(call))


@app.command()
def replan(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD (default: params/).")] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="Re-plan only this region (repeatable).")
    ] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder of canonical tables.")] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Snapshot root holding the plan of record (default outputs/)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-plan even when the closed quarter met the threshold.")
    ] = False,
    reason: Annotated[
        str, typer.Option("--reason", help="Why, in your words (recorded in the manifest).")
    ] = "",
    params_dir: Annotated[
        Path | None, typer.Option("--params", help="Folder of parameter files (default params/).")
    ] = None,
) -> None:
    """Quarterly re-plan: when the last closed quarter is below review.resplit_completion (80%), re-split the
    remaining annual target into a revised plan version <out>/<as-of + 1 day>/ (kind replan)."""
    # lazy: as in `run`, kept out of `planning --help`
    from planning.runner import replan as replan_mod

    try:
        result = replan_mod.replan(
            as_of=as_of,
            regions=region or None,
            data_dir=str(data) if data else None,
            out_root=out,
            params_dir=params_dir,
            force=force,
            reason=reason,
        )
    except (*_bad_input_types(), FileNotFoundError, ValueError) as exc:
        _fail(exc, EXIT_BAD_INPUT)
        return
    for line in result.lines:
        print(line)
    where = (
        f"revised plan -> {result.snapshot}"
        if result.snapshot
        else "no region needs a re-plan; nothing written"
    )
    print(where, file=sys.stderr)


def _prestart_workers() -> None:
    """Start the fork server the pool's workers fork from, first thing: it imports the steps' modules while this
    process parses the parameters and checks the data (runner.forking). A run on Dask does not need it."""
    # lazy: as the runner, kept out of `planning --help` (forking itself imports only multiprocessing)
    from planning.runner import forking

    forking.prestart()


def _guarded(call, command: str = ""):
    """Run `call` (a run of notebooks) with the CLI's error handling: bad input exit 2, Ctrl-C 130, else 1 with
    one line naming `planning --debug <command> ...` for the traceback."""
    try:
        with _sigterm_as_interrupt():
            return call()
    except _bad_input_types() as exc:
        _fail(exc, EXIT_BAD_INPUT)
    except KeyboardInterrupt as exc:
        exc.args = ("interrupted: the kernels were stopped and no snapshot was published",)
        _fail(exc, EXIT_INTERRUPTED)
    except Exception as exc:  # a bug or an environment problem: one line, the traceback with --debug
        if _debug:
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        print(
            f"error: {type(exc).__name__}: {first} (`planning --debug {command + ' ' if command else ''}...` "
            "shows the traceback)",
            file=sys.stderr,
        )
        raise typer.Exit(EXIT_FAILED) from None


def _finish(result) -> None:
    """Print a run's summary and failed steps, and exit with its code."""
    # lazy: as in `check`, kept out of `planning --help`
    from planning.runner import texts

    for line in texts.run_summary(result, getattr(result, "language", "en")):
        print(line, file=sys.stderr)
    raise typer.Exit(result.exit_code)


def _print_pdfs(snapshot: Path, chromium: str | None = None, workers: int = 2) -> None:
    """Print a snapshot's reports to PDF; one summary line; a failed page is an error (exit 1)."""
    # lazy: as in `run`, nothing heavy is imported for `planning --help`
    from planning import pdf as pdf_mod

    try:
        printed = pdf_mod.print_snapshot(snapshot, workers=workers, chromium=chromium)
    except _bad_input_types() as exc:
        _fail(exc, EXIT_BAD_INPUT)
        return
    except (FileNotFoundError, RuntimeError) as exc:
        _fail(exc, EXIT_FAILED)
        return
    size = sum(p.bytes for p in printed) / 1e6
    print(f"{len(printed)} PDFs ({size:.1f} MB) -> {snapshot / 'pdf'}", file=sys.stderr)


@app.command()
def pdf(
    snapshot: Annotated[
        Path | None,
        typer.Argument(help="Snapshot folder outputs/<as-of> (default: the latest snapshot under outputs/)."),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Pages printed at once (1..8).")] = 2,
) -> None:
    """Print a snapshot's reports and index to PDF with headless Chromium, into <snapshot>/pdf/."""
    # lazy: as in `run`, nothing heavy is imported for `planning --help`
    from planning import config, store

    if not 1 <= workers <= 8:
        _fail(ValueError(f"--workers {workers}: out of range; expected 1 to 8 pages printed at once"))
    if snapshot is None:
        found = store.snapshots(config.OUTPUTS_DIR, complete=False)
        if not found:
            _fail(FileNotFoundError(f"{config.OUTPUTS_DIR}: no snapshot (run `planning run` first)"))
        snapshot = found[-1].path
    if not store.is_snapshot(snapshot):
        what = "does not exist" if not snapshot.exists() else "is not a snapshot (no readable manifest.json)"
        _fail(
            FileNotFoundError(
                f"{snapshot}: {what}; expected a folder outputs/<as-of> written by `planning run`"
            )
        )
    _print_pdfs(snapshot, workers=workers)


def _notes_on_skipped(skipped: list, lang: str = "en") -> None:
    """One `note:` line per YAML file of params/ that is not a region (an import mapping kept there)."""
    # lazy: as in `check`, kept out of `planning --help`
    from planning.runner import texts

    for path, what in skipped:
        print(f"note: {path}: {texts.skipped(what, lang)}", file=sys.stderr)


@app.command()
def check(
    region: Annotated[list[str] | None, typer.Option("--region", "-r")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder of canonical tables.")] = None,
    params_dir: Annotated[
        Path | None, typer.Option("--params", help="Folder of parameter files (default params/).")
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="en or zh (default: params' language).")
    ] = None,
) -> None:
    """Validate parameters (and data) without running notebooks: the checks `planning run` makes first."""
    # lazy: as in `run`, kept out of `planning --help`
    from planning import importer, params, runner, sources
    from planning.runner import texts

    try:
        if language not in (None, "en", "zh"):
            raise errors.ParamsError(f"--language: {language!r}; expected en or zh")
        keys = region or params.region_keys(params_dir)
        skipped = [] if region else params.skipped_files(params_dir)
        try:
            loaded = [params.resolve(r, params_dir=params_dir, language=language or "") for r in keys]
        except _bad_input_types():
            _notes_on_skipped(skipped, language or "en")  # what was left out may explain the error
            raise
        lang = loaded[0].params.language
        _notes_on_skipped(skipped, lang)
        runner.check_calendar(dict(zip(keys, loaded, strict=True)))
        print(texts.params_ok(keys, lang))
        if data is None and loaded[0].params.data.mapping:  # an export to import (docs/import.md)
            data = importer.resolve_data_dir(loaded[0].params)
            print("\n".join([texts.import_ok(lang), *texts.import_lines(importer.report_of(data), lang)]))
        if data is None:  # data.dir, or the embedded sample company: the same folder `planning run` would use
            data = sources.resolve_dir(loaded[0].params)
        if data is not None:
            try:
                configured = None if region else keys  # every region of params/: the data's must all have one
                summary: dict = {}
                warnings = runner.validate_data(
                    data, keys, loaded[0].params.as_of, None, configured, summary, lang
                )
            except _bad_input_types() as exc:
                for problem in getattr(exc, "problems", [])[1:]:
                    print(f"error: {problem['message']}", file=sys.stderr)
                raise
            print("\n".join(texts.checked_lines(summary, keys, bool(region), lang)))
            print("\n".join(texts.warning_lines(warnings, lang)))
            top = loaded[0].params.data.top_values
            for line in runner.checks.data_notes(data, keys, loaded[0].params.as_of, top, lang):
                print(f"  {line}")
            print(texts.data_ok(data, lang))
    except _bad_input_types() as exc:
        _fail(exc, EXIT_BAD_INPUT)


@app.command()
def audit(
    snapshot: Annotated[
        Path | None,
        typer.Argument(help="Snapshot folder outputs/<as-of> (default: the latest snapshot under outputs/)."),
    ] = None,
) -> None:
    """Check a snapshot's plan for contradictions: breakdown sums, target vs calibration and forecast, shared
    facts, signs, hires, step inputs. Writes <snapshot>/audit.csv; exit 1 on a violation."""
    # lazy: pandas and the store are not needed by `planning --help`
    from planning import audit as audit_mod
    from planning import config, store

    if snapshot is None:
        found = store.snapshots(config.OUTPUTS_DIR, complete=False)
        if not found:
            _fail(FileNotFoundError(f"{config.OUTPUTS_DIR}: no snapshot (run `planning run` first)"))
        snapshot = found[-1].path
    manifest = store.read_manifest(snapshot) if store.is_snapshot(snapshot) else None
    if manifest is None:
        what = "does not exist" if not snapshot.exists() else "is not a snapshot (no readable manifest.json)"
        _fail(
            FileNotFoundError(
                f"{snapshot}: {what}; expected a folder outputs/<as-of> written by `planning run`"
            )
        )
    result = audit_mod.audit_snapshot(snapshot, manifest)
    path = store.write_audit(snapshot, result)
    failed = audit_mod.failures(result)
    for r in failed.itertuples():
        print(f"fail: {r.region} / {r.check}: {r.values}")
    counts = result["status"].value_counts()
    print(
        f"audit: {len(result)} checks, {counts.get(audit_mod.PASS, 0)} pass, {len(failed)} fail, "
        f"{counts.get(audit_mod.SKIPPED, 0)} skipped -> {path}",
        file=sys.stderr,
    )
    raise typer.Exit(EXIT_FAILED if len(failed) else 0)


@app.command()
def diff(
    old: Annotated[
        str, typer.Argument(help="The earlier snapshot: an as-of date under --out, or its folder.")
    ],
    new: Annotated[str, typer.Argument(help="The later snapshot: an as-of date under --out, or its folder.")],
    out: Annotated[Path | None, typer.Option("--out", help="Snapshot root (default outputs/).")] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="en or zh (default: NEW's language).")
    ] = None,
) -> None:
    """What changed from OLD to NEW and why: targets, KPI lights, tiers, forecast, hires and their causes.
    Writes NEW/diff_<OLD>/index.html and CSVs, linked from NEW's index."""
    # lazy: pandas and the report module are not needed by `planning --help`
    from planning import config, report, store
    from planning.diff import open_snapshot, page

    root = out or config.OUTPUTS_DIR
    try:
        if language not in (None, "en", "zh"):
            raise errors.ParamsError(f"--language: {language!r}; expected en or zh")
        a, b = open_snapshot(old, root), open_snapshot(new, root)
        if a.path.resolve() == b.path.resolve():
            raise errors.SnapshotInvalid(
                f"{a.path}: OLD and NEW are the same snapshot; expected two snapshots"
            )
        path = page.diff_snapshots(a, b, language)
        lang = next((b.params(r).get("language") for r in b.regions if b.params(r)), "en")
        report.write_index(b.path, store.read_manifest(b.path) or {}, lang)
    except _bad_input_types() as exc:
        _fail(exc, EXIT_BAD_INPUT)
        return
    print(f"changes since {a.name} -> {path}", file=sys.stderr)


@app.command()
def adjust(
    workbooks: Annotated[list[Path], typer.Argument(help="Edited quota workbooks (.xlsx) of one snapshot.")],
    out: Annotated[Path | None, typer.Option("--out", help="Snapshot root (default outputs/).")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date of the adjusted snapshot YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Managers' edited quota workbooks -> a reconciled plan of record: checks every cell against the snapshot
    the workbook came from (exit 2 naming file, sheet and cell), reconciles with the top-down plan to the cent
    (params goals.adjustment) and writes a new dated snapshot of kind "adjusted" with "changes since" its source."""
    # lazy: openpyxl, pandas and the store are not needed by `planning --help`
    from planning import config
    from planning.handover import adjust as adjust_mod

    try:
        done = adjust_mod.adjust(workbooks, out or config.OUTPUTS_DIR, as_of)
    except _bad_input_types() as exc:
        _fail(exc, EXIT_BAD_INPUT)
        return
    for r in done.reconciliation.itertuples():
        where = " / ".join(x for x in (r.level, r.region, r.team) if x)
        print(
            f"{where}: top-down {r.top_down:,.2f}, managers {r.bottom_up:,.2f}, gap {r.gap:+,.2f}, "
            f"reconciled {r.reconciled:,.2f}{' (accepted)' if r.accepted else ''}"
        )
    print(
        f"adjusted plan of record {done.snapshot.name} (from {done.source.name}) -> {done.snapshot / 'index.html'}",
        file=sys.stderr,
    )


# `planning sample` and `planning lab` live in planning/commands.py (this module stays under the size limit)
app.command()(commands.sample)
app.command()(commands.lab)


def main() -> None:
    """The `planning` command (console script and `python -m planning`). Once the command is done, the process
    leaves at once (`process.leave`) instead of tearing the interpreter down."""
    process.import_runner(sys.argv[1:])
    try:
        app()
        code: int | str | None = 0
    except SystemExit as done:
        code = done.code
    process.leave(code)


if __name__ == "__main__":
    main()
