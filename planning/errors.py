"""The domain errors and the command's exit codes, in one place.

Every message names the file, the key or row (as the user counts it), the value and what was expected.
Bad input (the errors with `exit_code = EXIT_BAD_INPUT`) stops `planning run` / `planning check` before any
notebook starts: exit 2, one `error:` line per problem. ArtifactMissing, ArtifactInvalid and ForecastError arise
inside a step notebook: that step fails and the run exits 1 (EXIT_FAILED).
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class ParamsError(ValueError):
    """Bad parameters: the message names the file, the key path, the value and what was expected."""

    exit_code = EXIT_BAD_INPUT


class DataError(ValueError):
    """A data file is missing, empty or has a column that does not match `docs/data.md`."""

    exit_code = EXIT_BAD_INPUT


class SnapshotExists(FileExistsError):
    """The dated snapshot is already there and the run was not asked to replace it."""

    exit_code = EXIT_BAD_INPUT


class UnsafePath(ValueError):
    """An output folder the runner refuses to write to or replace."""

    exit_code = EXIT_BAD_INPUT


class ClusterError(RuntimeError):
    """A Dask cluster the run cannot use (`--cluster`, `--scheduler`, `run.scheduler`): dask not installed, no
    scheduler at the address, or a worker that cannot see the data, notebooks or output folder."""

    exit_code = EXIT_BAD_INPUT


class SnapshotInvalid(ValueError):
    """A snapshot named on the command line is missing, incomplete or lacks what the command reads
    (`planning diff`, `planning adjust`)."""

    exit_code = EXIT_BAD_INPUT


class WorkbookError(ValueError):
    """A quota workbook handed back by a manager cannot be read into the plan (`planning adjust`): the message
    names the file, sheet, cell, value and what was expected."""

    exit_code = EXIT_BAD_INPUT


class ArtifactMissing(FileNotFoundError):
    """An artefact an earlier step should have written is not there."""


class ArtifactInvalid(ValueError):
    """An artefact does not match its contract (missing column, wrong owner, a value of the wrong type)."""


class ForecastError(ValueError):
    """The history cannot support any forecast (e.g. no sales at all)."""
