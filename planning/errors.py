"""The domain errors, in one place: what can go wrong for a user, each with the exit code the CLI gives it.

Every message names the file, the key or row (as the user counts it), the value and what was expected.
Bad input exits 2 (`planning run` and `planning check` print one `error:` line per problem).
"""

from __future__ import annotations

EXIT_BAD_INPUT = 2


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


class ArtifactMissing(FileNotFoundError):
    """An artefact an earlier step should have written is not there."""


class ArtifactInvalid(ValueError):
    """An artefact does not match its contract (missing column, wrong owner, a value of the wrong type)."""


class ForecastError(ValueError):
    """The history cannot support any forecast (e.g. no sales at all)."""
