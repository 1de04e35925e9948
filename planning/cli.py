"""The `planning` command: run the plan, check inputs, write the sample company.

Exit codes: 0 success; 1 a notebook failed (the snapshot is written, marked incomplete); 2 bad input (parameters,
data, an existing snapshot) - nothing is written to outputs/. Errors print one clear message; `--debug` shows the
traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Notebook-first sales planning workbook: market analysis -> goals -> strategy -> resources -> review.",
)

_debug = False


def _fail(exc: BaseException, code: int = 2) -> None:
    if _debug:
        raise exc
    print(f"error: {exc}", file=sys.stderr)
    raise typer.Exit(code)


def _bad_input_types() -> tuple[type[BaseException], ...]:
    from planning import params, runner
    from planning.data import DataError

    return (params.ParamsError, runner.SnapshotExists, DataError)


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    global _debug
    _debug = debug


@app.command()
def run(
    region: Annotated[
        list[str] | None, typer.Option("--region", "-r", help="Region key (repeatable).")
    ] = None,
    step: Annotated[
        list[str] | None, typer.Option("--step", "-s", help="Step: 01..05 or name (repeatable).")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Planning date YYYY-MM-DD.")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder of canonical tables.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Snapshot root (default outputs/).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="Parallel regions.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="en or zh.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing snapshot of this date.")
    ] = False,
) -> None:
    """Run the plan: every region x step into outputs/<as-of>/ (notebooks, HTML, artefacts, index, manifest)."""
    from planning import runner

    try:
        result = runner.run(
            regions=region or None,
            steps=step or None,
            as_of=as_of,
            data_dir=str(data) if data else None,
            out_root=out,
            workers=workers,
            language=language,
            force=force,
            progress=runner.print_progress,
        )
    except _bad_input_types() as exc:
        _fail(exc, 2)
        return
    n_ok = sum(r.status == "ok" for r in result.results)
    print(f"{n_ok}/{len(result.results)} notebooks ok -> {result.snapshot / 'index.html'}", file=sys.stderr)
    for r in result.results:
        if r.status == "failed" and r.error:
            cell = f", cell {r.error['exec_count']}" if r.error.get("exec_count") else ""
            print(
                f"error: {r.region} / {r.step}{cell}: {r.error.get('message')}; see {result.snapshot / r.region / r.step}.ipynb",
                file=sys.stderr,
            )
    raise typer.Exit(result.exit_code)


@app.command()
def check(
    region: Annotated[list[str] | None, typer.Option("--region", "-r")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Folder of canonical tables.")] = None,
) -> None:
    """Validate parameters (and data) without running notebooks."""
    from planning import params

    try:
        keys = region or params.region_keys()
        for r in keys:
            params.load(r)
        print(f"parameters ok: {len(keys)} regions ({', '.join(keys)})")
        from planning import data as data_mod

        if data is not None:
            tables = data_mod.load_tables(data)
            problems = data_mod.validate_tables(tables)
            errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
            for p in problems:
                print(f"  {p}")
            if errors:
                raise typer.Exit(2)
            print(f"data ok: {data}")
    except _bad_input_types() as exc:
        _fail(exc, 2)


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the tables to.")] = Path("data/sample"),
    scale: Annotated[float, typer.Option("--scale", help="1 = ~100k order lines; 100 = ~10M.")] = 1.0,
    seed: Annotated[int, typer.Option("--seed")] = 20261,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
) -> None:
    """Write the embedded sample company's tables (deterministic for a seed and scale)."""
    from planning import sample as sample_mod

    sample_mod.write(out, scale=scale, seed=seed, fmt=fmt)
    print(f"sample company written to {out}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
