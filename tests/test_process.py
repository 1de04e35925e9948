"""planning.process: how the `planning` command's process starts (the fork server, then the runner imported with
the garbage collector off) and ends (without the interpreter's teardown, but with what an exit does)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_command_leaves_without_teardown_but_does_what_an_exit_does(tmp_path: Path):
    """`process.leave` (after every command): a running thread is waited for, the exit handlers run, buffered
    output is flushed, and a message given to sys.exit is printed with exit code 1, as `sys.exit` does."""
    marker = tmp_path / "thread-done"
    script = (
        "import atexit, pathlib, threading, time\n"
        "from planning import process\n"
        "atexit.register(lambda: print('handler ran'))\n"
        f"t = threading.Thread(target=lambda: (time.sleep(0.3), pathlib.Path({str(marker)!r}).touch()))\n"
        "t.start()\n"
        "print('buffered', end=' ')\n"
        "process.leave('stopped: a message')\n"
        "print('never')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stdout == "buffered handler ran\n"
    assert out.stderr == "stopped: a message\n"
    assert marker.is_file()
    for code, expected in ((None, 0), (0, 0), (2, 2)):
        done = subprocess.run([sys.executable, "-c", f"from planning import process; process.leave({code!r})"])
        assert done.returncode == expected


def test_run_and_review_start_the_fork_server_then_import_the_runner_with_the_collector_off():
    script = (
        "import gc, sys\n"
        "from planning import process\n"
        "from planning.runner import forking\n"
        "started = []\n"
        "forking.prestart = lambda: started.append(len(sys.modules))\n"
        "before = gc.get_freeze_count()\n"
        "process.import_runner(['audit', 'outputs/2026-09-30'])\n"
        "untouched = gc.get_freeze_count() == before and 'planning.runner.run' not in sys.modules\n"
        "process.import_runner(['--debug', 'run', '--cluster', 'local:2'])\n"
        "no_server = not started\n"
        "process.import_runner(['--debug', 'run', '--workers', '2'])\n"
        "print(untouched, no_server, len(started), gc.isenabled(), gc.get_freeze_count() > 50_000,\n"
        "      'planning.runner.run' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    # the fork server is started before the runner is imported (it is what the first notebooks wait for)
    assert out.stdout.split() == ["True", "True", "1", "True", "True", "True"]
