"""Commands of `planning` that need nothing of the run's machinery: writing the sample company (`sample`) and
starting JupyterLab (`lab`). Registered on the CLI app in planning/cli.py."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from planning.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED


def sample(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the tables to.")] = Path("data/sample"),
    scale: Annotated[
        float,
        typer.Option(
            "--scale", help="1 = ~100k order lines (per six territories with --regions); 100 = ~10M."
        ),
    ] = 1.0,
    seed: Annotated[int, typer.Option("--seed")] = 20261,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    regions: Annotated[
        int | None,
        typer.Option(
            "--regions",
            help="A company of N territories (batches of the six sample regions) and their params files.",
        ),
    ] = None,
    params_dir: Annotated[
        Path | None,
        typer.Option("--params", help="With --regions: where the params files go (default <out>/params)."),
    ] = None,
) -> None:
    """Write the embedded sample company's tables (deterministic for a seed and scale); with --regions N, a
    company of N territories and the params files `planning run --params` needs for them."""
    # lazy: the sample generator (numpy, pandas) is not needed by `planning --help`
    from planning import sample as sample_mod

    if regions is None:
        sample_mod.write(out, scale=scale, seed=seed, fmt=fmt)
        print(f"sample company written to {out}")
        return
    try:
        keys = sample_mod.territory_keys(regions)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    tables = sample_mod.generate_territories(regions, scale=scale, seed=seed)
    sample_mod.write(out, scale=scale, seed=seed, fmt=fmt, tables=tables, territories=regions)
    params_dir = sample_mod.write_params(params_dir or out / "params", keys, out)
    print(
        f"sample company of {regions} territories ({len(tables['orders']):,} order lines) written to {out}; "
        f"params: {params_dir} (planning run --params {params_dir})"
    )


def lab(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8888,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open a browser tab.")] = True,
) -> None:
    """Start JupyterLab on 127.0.0.1 for the step notebooks; saving a notebook in notebooks/ drops its outputs
    (the committed files stay clean), copies saved elsewhere keep them."""
    # lazy: subprocess is only needed by this command
    import subprocess

    # lazy: planning.lab is only needed by this command
    from planning import lab as lab_mod

    argv, note = lab_mod.command(port=port, open_browser=browser)
    if note:
        print(note, file=sys.stderr)
    print(
        "saving a notebook inside notebooks/ writes it without outputs; File > Save As outputs/interactive/... "
        "to keep a run's outputs",
        file=sys.stderr,
    )
    try:
        raise typer.Exit(subprocess.call(argv))
    except KeyboardInterrupt:
        raise typer.Exit(EXIT_INTERRUPTED) from None
