"""planning/errors.py: every domain error's base class, and the exit code the CLI gives it.

`planning run` / `planning check` turn the bad-input errors (those with `exit_code`, `cli._bad_input_types`) into
exit 2 with one `error:` line each; anything else is a failure (exit 1). The base classes let callers catch them
as the built-in errors they are (`except ValueError`, `except FileNotFoundError`).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from planning import cli, errors, runner
from planning.errors import (
    ArtifactInvalid,
    ArtifactMissing,
    ClusterError,
    DataError,
    ForecastError,
    ParamsError,
    SnapshotExists,
    SnapshotInvalid,
    UnsafePath,
    WorkbookError,
)

BAD_INPUT = (ParamsError, DataError, SnapshotExists, UnsafePath, SnapshotInvalid, WorkbookError, ClusterError)
OTHER = (ArtifactMissing, ArtifactInvalid, ForecastError)


@pytest.mark.parametrize(
    ("error", "base"),
    [
        (ParamsError, ValueError),
        (DataError, ValueError),
        (SnapshotExists, FileExistsError),
        (UnsafePath, ValueError),
        (ClusterError, RuntimeError),
        (SnapshotInvalid, ValueError),
        (WorkbookError, ValueError),
        (ArtifactMissing, FileNotFoundError),
        (ArtifactInvalid, ValueError),
        (ForecastError, ValueError),
    ],
)
def test_each_error_is_the_builtin_error_it_names(error, base):
    assert error.__bases__ == (base,)
    with pytest.raises(base, match="^the message$"):
        raise error("the message")


def test_every_domain_error_is_listed_here():
    defined = {v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Exception)}
    assert defined == set(BAD_INPUT + OTHER)


def test_bad_input_errors_exit_2_and_are_exactly_those_the_cli_treats_so():
    assert errors.EXIT_BAD_INPUT == cli.EXIT_BAD_INPUT == runner.EXIT_BAD_INPUT == 2
    for error in BAD_INPUT:
        assert error.exit_code == errors.EXIT_BAD_INPUT, error.__name__
    for error in OTHER:
        assert not hasattr(error, "exit_code"), error.__name__
    assert set(cli._bad_input_types()) == set(BAD_INPUT)


@pytest.mark.parametrize("error", BAD_INPUT)
def test_planning_run_exits_2_with_one_line_per_message_line(monkeypatch, error):
    def fail(**kw):
        raise error("params/east.yaml: key 'goals.buffer' = 0.8\nsecond problem")

    monkeypatch.setattr(runner, "run", fail)
    result = CliRunner().invoke(cli.app, ["run"])
    assert result.exit_code == 2
    assert result.stderr == "error: params/east.yaml: key 'goals.buffer' = 0.8\nerror: second problem\n"


@pytest.mark.parametrize("error", OTHER)
def test_other_errors_are_failures_exit_1(monkeypatch, error):
    def fail(**kw):
        raise error("boom\ndetail")

    monkeypatch.setattr(runner, "run", fail)
    result = CliRunner().invoke(cli.app, ["run"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {error.__name__}: boom (`planning --debug run ...` shows the traceback)\n"
    )
