"""planning.runner.cluster: batch runs on Dask distributed (issue 21).

CI runs these (dask[distributed] is part of the `test` extra): a two-region plan on a LocalCluster whose artefacts
equal the process pool's, a worker killed mid-run (only its step runs again), a worker killed twice in one step
(it fails, the rest of the region is skipped, the other region is unaffected), and what a cluster the run cannot
use says.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from stand_ins import notebooks

from planning import runner
from planning.errors import ClusterError
from planning.runner import cluster
from planning.runner.cluster import MARKERS, Target, parse_target
from planning.runner.pool import WORKER_KILLED
from planning.runner.results import StepResult

pytest.importorskip("distributed")

AS_OF = "2026-09-30"


# ------------------------------------------------------------------------------------------------ no cluster
def test_parse_target():
    assert parse_target(None, None) is None
    assert parse_target("local:2", None) == Target(local_workers=2)
    assert parse_target(None, "tcp://10.0.0.5:8786") == Target(address="tcp://10.0.0.5:8786")
    for bad in ("local", "local:0", "local:65", "2", "tcp://x:1"):
        with pytest.raises(ClusterError, match="--cluster"):
            parse_target(bad, None)
    with pytest.raises(ClusterError, match="expected a Dask scheduler address"):
        parse_target(None, "10.0.0.5:8786")
    with pytest.raises(ClusterError, match="not both"):
        parse_target("local:2", "tcp://h:1")
    with pytest.raises(ClusterError, match="params run.scheduler 'http://h:1'"):
        parse_target(None, "http://h:1", "params run.scheduler")


def test_a_worker_that_cannot_see_the_folders_is_named(tmp_path):
    """`check_workers` asks every worker (here a stand-in client running the check in this process) for the
    folders and the client's probe file; a worker that misses one is named with the path and the requirement."""

    class Client:
        scheduler = type("S", (), {"address": "tcp://s:1"})

        def wait_for_workers(self, n, timeout):
            pass

        def run(self, fn, *args):
            return {
                "tcp://w1:1": fn(*args),
                "tcp://w2:1": fn([("data folder", "/nonexistent/data")], *args[1:]),
            }

        def nthreads(self):
            return {"tcp://w1:1": 1, "tcp://w2:1": 1}

    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(ClusterError) as err:
        cluster.check_workers(Client(), [("notebooks folder", tmp_path)], work)
    msg = str(err.value)
    assert "worker tcp://w2:1 cannot see the data folder /nonexistent/data" in msg
    assert "tcp://w1:1" not in msg
    assert "shared filesystem" in msg and "docs/cluster.md" in msg
    assert not list(work.iterdir())  # the probe file is removed


def test_the_probe_proves_the_same_folder(tmp_path):
    probe = tmp_path / ".probe-x"
    probe.write_text("token")
    assert cluster._sees([], str(probe), "token") == []
    assert "a file the client wrote there is not there" in cluster._sees([], str(probe), "other")[0]


def test_a_task_that_failed_on_its_own_fails_its_step_without_retry(tmp_path):
    region_dir = tmp_path / "east"
    (region_dir / MARKERS).mkdir(parents=True)
    done = StepResult("east", "01_market_analysis", "ok", 1.0)
    (region_dir / MARKERS / "01_market_analysis.json").write_text(json.dumps({"result": done.__dict__}))
    spec = {
        "region": "east",
        "region_dir": str(region_dir),
        "steps": ["01_market_analysis", "02_goals", "03_x"],
    }
    got = cluster._failed_region(spec, RuntimeError("boom\nmore"))
    assert [(r.step, r.status) for r in got] == [
        ("01_market_analysis", "ok"),
        ("02_goals", "failed"),
        ("03_x", "skipped"),
    ]
    assert got[1].error == {"type": "RuntimeError", "message": "boom"} and got[1].retried is None


def test_no_dask_installed_says_how_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_distributed(name, *args, **kw):
        if name == "distributed":
            raise ImportError("No module named 'distributed'")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    with pytest.raises(ClusterError, match=r"pip install -e '\.\[dask\]'"):
        with cluster.connect(Target(local_workers=1)):
            pass


def test_unreachable_scheduler_is_bad_input(small_sample, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "2s")
    with pytest.raises(ClusterError, match="scheduler tcp://127.0.0.1:9: cannot connect"):
        runner.run(
            regions=["east"],
            steps=["01"],
            data_dir=str(small_sample),
            out_root=tmp_path / "out",
            scheduler="tcp://127.0.0.1:9",
        )
    assert not list((tmp_path / "out").glob(f"*{AS_OF}*"))  # nothing published, the work folder removed


# ------------------------------------------------------------------------------------------------ LocalCluster
def _hashes(snapshot: Path) -> dict[str, str]:
    return {
        p.relative_to(snapshot).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(snapshot.glob("*/artifacts/*.csv"))
    }


@pytest.mark.slow
def test_local_cluster_plan_equals_the_process_pools(sample_snapshot, small_sample, tmp_path):
    """The shared two-region sample run (process pool, 2 workers) and the same run on a LocalCluster of two
    single-threaded workers: the same artefacts byte for byte, the same manifest shape, statuses and index."""
    pool_manifest = json.loads((sample_snapshot / "manifest.json").read_text())
    regions = list(pool_manifest["regions"])
    lines: list[StepResult] = []
    result = runner.run(
        regions=regions,
        data_dir=str(small_sample),
        out_root=tmp_path,
        cluster="local:2",
        progress=lines.extend,
    )
    snap = result.snapshot
    assert result.ok and result.exit_code == 0
    assert _hashes(snap) == _hashes(sample_snapshot)
    manifest = json.loads((snap / "manifest.json").read_text())
    assert sorted(manifest) == sorted(pool_manifest)
    assert manifest["status"] == pool_manifest["status"] == "complete"
    assert manifest["workers"] == 2
    for r in regions:
        assert sorted(manifest["regions"][r]) == sorted(pool_manifest["regions"][r])
        assert {s: e["status"] for s, e in manifest["regions"][r]["steps"].items()} == {
            s: e["status"] for s, e in pool_manifest["regions"][r]["steps"].items()
        }
    assert sorted((r.region, r.step) for r in lines) == sorted((r.region, r.step) for r in result.results)
    # each region's audit came back with its task (the review step's own), as from the pool's workers
    assert [r.region for r in lines if r.audit is not None] == [r.region for r in lines if r.step == "05_review"]
    assert (snap / "audit.csv").read_bytes() == (sample_snapshot / "audit.csv").read_bytes()
    assert not list(snap.glob(f"*/{MARKERS}"))  # the markers stay out of the snapshot
    assert sorted(p.name for p in snap.iterdir()) == sorted(p.name for p in sample_snapshot.iterdir())


LOG_CELL = "from pathlib import Path\nwith open({log!r}, 'a') as fh:\n    fh.write(f'{{region}} {step}\\n')\n"


def kill_cell(once: Path | None) -> str:
    """North's 02_goals SIGKILLs its Dask worker process (itself, or the kernel's parent); once when `once` is
    given."""
    cond = f"not Path({str(once)!r}).exists()" if once else "True"
    mark = f"    Path({str(once)!r}).write_text('killed')\n" if once else ""
    return (
        "import os, signal, time\n"
        "if region == 'north' and '{step}' == '02_goals' and " + cond + ":\n" + mark
        + "    (Path(out_dir) / '{step}.html').write_text('half-written')\n"
        "    from IPython import get_ipython\n"
        "    shell = type(get_ipython()).__name__ == 'BatchShell'  # the shell engine: the worker runs the cell\n"
        "    os.kill(os.getpid() if shell else os.getppid(), signal.SIGKILL)\n"
        "    time.sleep(60)\n"
    )  # fmt: skip


def _run_killing(tmp_path: Path, small_sample: Path, once: bool):
    log = tmp_path / "ran.log"
    nbs = notebooks(
        tmp_path / "nbs",
        LOG_CELL.replace("{log!r}", repr(str(log))),
        kill_cell(tmp_path / "killed-once" if once else None),
    )
    lines: list[StepResult] = []
    result = runner.run(
        regions=["east", "north"],
        steps=["01", "02", "03"],
        data_dir=str(small_sample),
        out_root=tmp_path / "out",
        notebooks_dir=nbs,
        cluster="local:2",
        progress=lines.extend,
    )
    manifest = json.loads((tmp_path / "out" / AS_OF / "manifest.json").read_text())
    return result, manifest, log.read_text().splitlines(), lines


@pytest.mark.slow
def test_a_killed_worker_costs_only_its_step(small_sample, tmp_path):
    result, manifest, ran, lines = _run_killing(tmp_path, small_sample, once=True)
    assert result.ok, [(r.region, r.step, r.error) for r in result.results if r.status != "ok"]
    # only north's 02_goals ran twice: north's 01 (done before the kill) and east were not run again
    assert sorted(ran) == sorted(
        [
            "east 01_market_analysis",
            "east 02_goals",
            "east 03_strategy",
            "north 01_market_analysis",
            "north 02_goals",
            "north 02_goals",
            "north 03_strategy",
        ]  # fmt: skip
    )
    retried = {(r.region, r.step): r.retried for r in result.results if r.retried}
    assert list(retried) == [("north", "02_goals")]
    assert (
        "was lost during this step; re-run on another worker: ok" in retried[("north", "02_goals")]["message"]
    )
    entry = manifest["regions"]["north"]["steps"]["02_goals"]
    assert entry["status"] == "ok" and entry["retried"]["worker_deaths"]
    html = (tmp_path / "out" / AS_OF / "north" / "02_goals.html").read_text()
    assert "half-written" not in html
    assert len(lines) == 6  # every step's progress line once


@pytest.mark.slow
def test_a_step_that_kills_its_worker_twice_fails_alone(small_sample, tmp_path):
    result, manifest, ran, _ = _run_killing(tmp_path, small_sample, once=False)
    status = {(r.region, r.step): r.status for r in result.results}
    assert status == {
        ("east", "01_market_analysis"): "ok", ("east", "02_goals"): "ok", ("east", "03_strategy"): "ok",
        ("north", "01_market_analysis"): "ok", ("north", "02_goals"): "failed", ("north", "03_strategy"): "skipped",
    }  # fmt: skip
    failed = next(r for r in result.results if r.status == "failed")
    assert failed.error["type"] == WORKER_KILLED
    assert "again" in failed.error["message"]
    assert result.exit_code == 1 and manifest["status"] == "incomplete"
    assert ran.count("north 02_goals") == 2 and ran.count("north 01_market_analysis") == 1
    assert not os.path.exists(tmp_path / "out" / AS_OF / "north" / "02_goals.html")
