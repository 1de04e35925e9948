"""planning.runner.run: snapshot layout, isolation of a failing step, manifest, bad input stops the run.

Fast tests run fault-injected stand-in notebooks (no step logic); one slow test runs the real five steps for two
regions of the small sample company.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from frames_runner import FAIL_NORTH_STEP2, OK_BODY, run
from stand_ins import notebooks as stand_in_notebooks

from planning import config, runner
from planning.errors import ParamsError, SnapshotExists


@pytest.fixture
def data_dir(small_sample: Path) -> Path:
    return small_sample


def test_snapshot_layout_manifest_and_clean_namespace(tmp_path: Path, data_dir: Path):
    result = run(tmp_path, OK_BODY, data_dir, workers=2)
    snap = tmp_path / "out" / "2026-09-30"
    assert result.ok and result.exit_code == 0 and result.snapshot == snap
    assert (snap / "index.html").is_file()
    for region in ("east", "north"):
        for step in config.STEPS:
            assert (snap / region / f"{step}.ipynb").is_file()
            assert (snap / region / f"{step}.html").is_file()
            # one kernel serves the region, but every notebook starts with an empty namespace
            assert (snap / region / "artifacts" / f"{step}.txt").read_text() == f"{region} None"
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["regions"]["north"]["params"]["region"]["key"] == "north"
    assert manifest["regions"]["east"]["steps"]["03_strategy"]["status"] == "ok"
    assert set(manifest["versions"]) >= {"python", "pandas", "papermill"}
    assert manifest["commit"]
    # nothing else is left in the snapshot root: no temp folders
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-09-30"]


def test_failing_step_is_isolated_and_recorded(tmp_path: Path, data_dir: Path):
    result = run(tmp_path, FAIL_NORTH_STEP2, data_dir, workers=2)
    assert not result.ok and result.exit_code == 1
    status = {(r.region, r.step): r.status for r in result.results}
    assert all(status[("east", s)] == "ok" for s in config.STEPS)
    assert status[("north", "01_market_analysis")] == "ok"
    assert status[("north", "02_goals")] == "failed"
    assert status[("north", "03_strategy")] == "skipped"
    snap = tmp_path / "out" / "2026-09-30"
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["status"] == "incomplete"
    err = manifest["regions"]["north"]["steps"]["02_goals"]["error"]
    assert err["ename"] == "RuntimeError" and "boom in north" in err["message"]
    # the failed notebook is kept, with the error in it, and rendered
    failed_nb = nbformat.read(snap / "north" / "02_goals.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in failed_nb.cells for o in c.get("outputs", []))
    assert (snap / "north" / "02_goals.html").is_file()


def test_a_step_run_without_its_upstream_steps_is_partial_not_ok(tmp_path: Path, data_dir: Path):
    # `planning run --step 03` into a new folder: strategy runs, but goals and market were never run.
    result = run(tmp_path, OK_BODY, data_dir, steps=["03"], workers=1)
    assert not result.ok and result.exit_code == 1
    assert {(r.region, r.step, r.status) for r in result.results} == {
        ("east", "03_strategy", "partial"),
        ("north", "03_strategy", "partial"),
    }
    snap = tmp_path / "out" / "2026-09-30"
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["status"] == "incomplete"
    st = manifest["regions"]["east"]["steps"]["03_strategy"]
    assert st["status"] == "partial" and st["error"]["missing_steps"] == ["01_market_analysis", "02_goals"]
    index = (snap / "index.html").read_text(encoding="utf-8")
    assert 'class="step status-partial"' in index and "Partial" in index and ">OK<" not in index
    # Completing the snapshot with the upstream steps runs 03 again: no longer partial.
    done = run(tmp_path, OK_BODY, data_dir, resume=True, steps=["01", "02", "03"], workers=1)
    assert done.ok and all(r.status == "ok" for r in done.results)


def test_bad_parameters_stop_before_anything_is_written(tmp_path: Path, data_dir: Path):
    pdir = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, pdir, ignore=shutil.ignore_patterns("local.yaml"))
    (pdir / "north.yaml").write_text("goals:\n  buffer: 0.8\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="north.yaml: key 'goals.buffer' = 0.8"):
        run(tmp_path, OK_BODY, data_dir, params_dir=pdir)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_real_steps_for_two_regions(sample_snapshot: Path):
    from planning import contracts

    manifest = json.loads((sample_snapshot / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["regions"]) == 2
    for region in manifest["regions"]:
        for name, contract in contracts.ARTIFACTS.items():
            if contract.optional:
                continue
            step, columns = contract.step, tuple(contract.columns)
            path = sample_snapshot / region / "artifacts" / f"{name}.csv"
            assert path.is_file(), f"{region}: {step} did not write {name}.csv"
            header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
            assert set(columns) <= set(header), (name, set(columns) - set(header))
        for step in config.STEPS:
            assert (sample_snapshot / region / f"{step}.html").stat().st_size < 3_000_000
    assert manifest["regions"]["east"]["headline"].get("plan_target", 0) > 0


# ============================================================================ running a subset into a snapshot
# Issue 18 case 2: `--region` / `--step` over an existing snapshot update those region-steps (and the later steps
# of the same region) and keep the rest; the snapshot never shrinks; `--force` alone replaces it whole.
AS_OF = "2026-09-30"
SUBSET_REGIONS = ("east", "north", "south")
TARGETS = {"east": 1000, "north": 2000, "south": 4000}


class Subset:
    """A 3-region company (params copy), stand-in notebooks that log what runs, write a plan target in 02 (plus
    the number in `bump` for east) and fail in 03 for the regions named in `fail`; one complete snapshot."""

    def __init__(self, root: Path, data_dir: Path):
        # a 3-region company's data: a run of every region of params/ refuses data regions without a params file
        self.root, self.data_dir = root, root / "data"
        shutil.copytree(data_dir, self.data_dir)
        orders = pd.read_parquet(self.data_dir / "orders.parquet")
        orders[orders["region"].isin(SUBSET_REGIONS)].to_parquet(self.data_dir / "orders.parquet")
        self.log, self.bump, self.fail = root / "runs.log", root / "bump", root / "fail"
        self.params = root / "params"
        shutil.copytree(config.PARAMS_DIR, self.params, ignore=shutil.ignore_patterns("local.yaml"))
        for f in self.params.glob("*.yaml"):
            if f.stem not in ("base", *SUBSET_REGIONS):
                f.unlink()
        body = (
            "from pathlib import Path\n"
            f"log, bump, fail = Path({str(self.log)!r}), Path({str(self.bump)!r}), Path({str(self.fail)!r})\n"
            "with open(log, 'a') as fh:\n"
            "    fh.write(region + ' {step}\\n')\n"
            "art = Path(out_dir) / 'artifacts'\n"
            "art.mkdir(exist_ok=True)\n"
            "(art / '{step}.txt').write_text(region)\n"
            "if '{step}' == '02_goals':\n"
            f"    target = {{{TARGETS!r}}}[region] + (int(bump.read_text()) if bump.exists() and region == 'east' else 0)\n"
            "    (art / 'targets.csv').write_text(\n"
            "        'level,period,start,end,target\\nyear,2027,2027-01-01,2027-12-31,' + str(target) + '\\n'\n"
            "    )\n"
            "if '{step}' == '03_strategy' and fail.exists() and region in fail.read_text().split():\n"
            "    raise RuntimeError('boom in ' + region)\n"
        )
        self.nbs = stand_in_notebooks(root / "nbs", body)
        self.base = root / "base"
        first = self.run(self.base)
        assert first.ok, [(r.region, r.step, r.error) for r in first.results if r.error]

    def run(self, out: Path, **kw) -> runner.RunResult:
        self.log.write_text("")
        kw.setdefault("workers", 2)
        return runner.run(
            data_dir=str(self.data_dir), out_root=out, params_dir=self.params, notebooks_dir=self.nbs, **kw
        )

    def ran(self) -> list[str]:
        return sorted(self.log.read_text().splitlines())

    def snapshot(self, tmp_path: Path) -> Path:
        """A fresh copy of the complete snapshot (byte-identical) in `tmp_path/out`; returns `out`."""
        self.bump.unlink(missing_ok=True)
        self.fail.unlink(missing_ok=True)
        shutil.copytree(self.base, tmp_path / "out")
        return tmp_path / "out"


def digest(root: Path) -> dict[str, str]:
    """sha256 of every file under `root` by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def ran_steps(region: str, first: int) -> list[str]:
    return [f"{region} {s}" for s in config.STEPS[first - 1 :]]


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory, small_sample: Path) -> Subset:
    return Subset(tmp_path_factory.mktemp("subset"), small_sample)


@pytest.mark.adversarial
def test_subset_reruns_the_named_region_steps_and_later_ones_and_keeps_the_rest(
    subset: Subset, tmp_path: Path
):
    out = subset.snapshot(tmp_path)
    before = digest(out / AS_OF)
    result = subset.run(out, regions=["east"], steps=["03"])
    assert result.ok and result.snapshot == out / AS_OF
    assert subset.ran() == ran_steps("east", 3)  # 03 and the steps that read its artefacts
    after = digest(out / AS_OF)
    assert after.keys() == before.keys()
    kept = [k for k in before if not k.startswith("east/") or k.startswith(("east/01", "east/02"))]
    changed = [k for k in kept if k not in ("index.html", "manifest.json") and after[k] != before[k]]
    assert not changed, f"files of region-steps the subset did not name changed: {changed}"
    manifest = json.loads((out / AS_OF / "manifest.json").read_text())
    assert list(manifest["regions"]) == list(SUBSET_REGIONS) and manifest["steps"] == list(config.STEPS)
    assert manifest["status"] == "complete"
    east = manifest["regions"]["east"]["steps"]
    assert [bool(east[s].get("reused")) for s in config.STEPS] == [True, True, False, False, False]
    old = json.loads((subset.base / AS_OF / "manifest.json").read_text())
    assert manifest["regions"]["north"] == old["regions"]["north"]  # carried over as it was
    assert sorted(os.listdir(out)) == [AS_OF]  # no work folder left


@pytest.mark.adversarial
def test_force_with_region_and_step_never_shrinks_the_snapshot(subset: Subset, tmp_path: Path):
    """The issue's case: `--force --region east --step 01` left 12 of 266 files and one region in the index."""
    out = subset.snapshot(tmp_path)
    before = digest(out / AS_OF)
    result = subset.run(out, regions=["east"], steps=["01"], force=True)
    assert result.ok and subset.ran() == ran_steps("east", 1)
    after = digest(out / AS_OF)
    assert after.keys() == before.keys()
    assert all(after[k] == before[k] for k in before if k.startswith(("north/", "south/")))
    manifest = json.loads((out / AS_OF / "manifest.json").read_text())
    assert list(manifest["regions"]) == list(SUBSET_REGIONS) and manifest["status"] == "complete"
    assert all(len(e["steps"]) == len(config.STEPS) for e in manifest["regions"].values())


@pytest.mark.adversarial
def test_index_lists_every_region_and_the_company_total_covers_all_after_a_subset(
    subset: Subset, tmp_path: Path
):
    from planning import i18n

    out = subset.snapshot(tmp_path)
    subset.bump.write_text("500")  # east's plan target changes from 1000 to 1500
    assert subset.run(out, regions=["east"], steps=["02"], force=True).ok
    manifest = json.loads((out / AS_OF / "manifest.json").read_text())
    heads = {r: e["headline"].get("plan_target") for r, e in manifest["regions"].items()}
    assert heads == {"east": 1500.0, "north": 2000.0, "south": 4000.0}
    html = (out / AS_OF / "index.html").read_text(encoding="utf-8")
    rollup = re.search(r'<section class="rollup">.*?</section>', html, re.S).group(0)
    assert "Company total" in rollup and i18n.money(7500.0, "en", "CNY") in rollup
    for name in ("East China", "North China", "South China"):
        assert name in html
    for r in SUBSET_REGIONS:
        assert f'href="{r}/05_review.html"' in html


@pytest.mark.adversarial
def test_run_one_region_after_a_full_run_updates_that_region(subset: Subset, tmp_path: Path):
    """README "run one region": `planning run --region east` after a full run failed with "snapshot exists"."""
    out = subset.snapshot(tmp_path)
    result = subset.run(out, regions=["east"])
    assert result.ok and subset.ran() == ran_steps("east", 1)
    assert not any(r.reused for r in result.results)
    assert set(json.loads((out / AS_OF / "manifest.json").read_text())["regions"]) == set(SUBSET_REGIONS)


@pytest.mark.adversarial
def test_full_run_over_a_snapshot_without_force_says_how_to_update_or_replace(subset: Subset, tmp_path: Path):
    out = subset.snapshot(tmp_path)
    before = digest(out)
    with pytest.raises(SnapshotExists) as exc:
        subset.run(out)
    message = str(exc.value)
    assert "--region" in message and "--step" in message and "--force" in message and "--resume" in message
    assert subset.ran() == [] and digest(out) == before


@pytest.mark.adversarial
def test_failing_subset_leaves_the_complete_snapshot_intact(subset: Subset, tmp_path: Path):
    out = subset.snapshot(tmp_path)
    before = digest(out / AS_OF)
    subset.fail.write_text("east")
    result = subset.run(out, regions=["east"], steps=["02"])
    assert (
        result.exit_code == 1 and subset.ran() == ran_steps("east", 2)[:2]
    )  # 02 ok, 03 failed, 04/05 skipped
    assert digest(out / AS_OF) == before  # not published: the snapshot stays complete
    # the failed run is kept beside it to read the failed notebook
    assert result.snapshot == out / f"{AS_OF}.failed"
    failed_nb = nbformat.read(result.snapshot / "east" / "03_strategy.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in failed_nb.cells for o in c.get("outputs", []))
    assert json.loads((result.snapshot / "manifest.json").read_text())["status"] == "incomplete"
    assert sorted(os.listdir(out)) == [AS_OF, f"{AS_OF}.failed"]
    assert result.failed_kept == out / f"{AS_OF}.failed" and result.failed_swept is None
    # fixed: the same subset publishes, and the failed update it supersedes is swept (one `.failed` per as-of,
    # until a run of that as-of publishes: README "When things go wrong")
    subset.fail.unlink()
    fixed = subset.run(out, regions=["east"], steps=["02"])
    assert fixed.ok and fixed.failed_swept == out / f"{AS_OF}.failed" and fixed.failed_kept is None
    assert json.loads((out / AS_OF / "manifest.json").read_text())["status"] == "complete"
    assert sorted(os.listdir(out)) == [AS_OF]


@pytest.mark.adversarial
def test_interrupted_subset_leaves_the_snapshot_intact(subset: Subset, tmp_path: Path):
    out = subset.snapshot(tmp_path)
    before = digest(out)

    def interrupt(results):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        subset.run(out, regions=["east", "north"], steps=["04"], workers=1, progress=interrupt)
    assert digest(out) == before  # no work folder left, nothing published


@pytest.mark.adversarial
def test_subset_that_lost_a_race_with_another_run_publishes_nothing(subset: Subset, tmp_path: Path):
    """Two updates of one snapshot at once: the second to finish would undo the first's; it stops instead."""
    out = subset.snapshot(tmp_path)
    other = json.loads((out / AS_OF / "manifest.json").read_text())
    other["started_at"] = "2026-10-01T08:00:00+00:00"  # another run published meanwhile

    def other_run_publishes(results):
        (out / AS_OF / "manifest.json").write_text(json.dumps(other))

    with pytest.raises(SnapshotExists, match="replaced by another run"):
        subset.run(out, regions=["east"], steps=["05"], workers=1, progress=other_run_publishes)
    assert json.loads((out / AS_OF / "manifest.json").read_text()) == other
    assert sorted(os.listdir(out)) == [AS_OF]


@pytest.mark.adversarial
def test_subset_refuses_to_mix_languages_in_one_snapshot(subset: Subset, tmp_path: Path):
    out = subset.snapshot(tmp_path)
    before = digest(out)
    with pytest.raises(SnapshotExists, match="region 'north' of the snapshot plans 2027 in language 'en'"):
        subset.run(out, regions=["east"], language="zh")
    assert subset.ran() == [] and digest(out) == before


@pytest.mark.adversarial
def test_a_snapshot_of_some_regions_is_not_labelled_company_total(subset: Subset, tmp_path: Path):
    out = tmp_path / "out"
    assert subset.run(out, regions=["east", "north"]).ok
    html = (out / AS_OF / "index.html").read_text(encoding="utf-8")
    assert "Total of 2 of 3 regions" in html and "Company total" not in html
    # adding the third region completes the company; the first two are kept as they were
    before = digest(out / AS_OF)
    assert subset.run(out, regions=["south"]).ok and subset.ran() == ran_steps("south", 1)
    after = digest(out / AS_OF)
    assert all(after[k] == v for k, v in before.items() if k.startswith(("east/", "north/")))
    assert "Company total" in (out / AS_OF / "index.html").read_text(encoding="utf-8")


@pytest.mark.adversarial
def test_resume_with_a_step_keeps_every_step_of_the_snapshot(subset: Subset, tmp_path: Path):
    out = subset.snapshot(tmp_path)
    result = subset.run(out, resume=True, steps=["01"])
    assert result.ok and subset.ran() == []  # nothing changed: nothing runs
    manifest = json.loads((out / AS_OF / "manifest.json").read_text())
    assert manifest["steps"] == list(config.STEPS)
    assert all(len(e["steps"]) == len(config.STEPS) for e in manifest["regions"].values())


@pytest.mark.adversarial
def test_steps_to_run_forced_step_runs_with_the_later_ones(tmp_path: Path):
    from planning.runner.run import steps_to_run

    steps = list(config.STEPS)
    inputs = {s: {"params": "p"} for s in steps}
    previous = {s: {"status": "ok", "inputs": {"params": "p"}} for s in steps}
    for s in steps:
        (tmp_path / f"{s}.ipynb").touch()
        (tmp_path / f"{s}.html").touch()
    assert steps_to_run(steps, inputs, previous, tmp_path) == []
    assert steps_to_run(steps, inputs, previous, tmp_path, {"03_strategy"}) == steps[2:]
    # an earlier step that is out of date runs too (a forced later step would read stale artefacts)
    previous["02_goals"]["inputs"] = {"params": "old"}
    assert steps_to_run(steps, inputs, previous, tmp_path, {"04_resources"}) == steps[1:]


def test_manifest_data_warnings_are_worded_in_the_runs_language(tmp_path: Path, small_sample: Path):
    """A zh run's manifest said its data warnings in English; the sentence follows the run's language, the keys
    (severity, table, column, row, value) stay as they are."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = tmp_path / "data"
    shutil.copytree(small_sample, data)
    orders = pq.read_table(data / "orders.parquet")
    amount = orders.column("amount").to_pylist()
    amount[0] += 5.0  # no longer quantity x unit_price: a warning, not an error
    i = orders.schema.get_field_index("amount")
    pq.write_table(orders.set_column(i, "amount", pa.array(amount, orders.schema.field("amount").type)), data / "orders.parquet")
    result = run(tmp_path, OK_BODY, data, workers=2, steps=["01"], language="zh")
    assert result.language == "zh"
    warnings = json.loads((result.snapshot / "manifest.json").read_text())["data_warnings"]
    line = next(w for w in warnings if w["table"] == "orders" and w["column"] == "amount")
    assert line["severity"] == "warning" and line["row"] is not None
    assert "应为数量 × 单价" in line["message"] and "expected" not in line["message"]
    assert line["expected"] == "quantity * unit_price"  # the machine value stays
