"""The sample's files: Parquet / CSV writing, the fingerprint, the cached copy (ensure_sample)."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil

import pytest
from frames_sample import SMALL

from planning import data, sample


def test_write_parquet_and_csv(tmp_path, small):
    out = sample.write(tmp_path / "pq", scale=SMALL, tables=small)
    meta = json.loads((out / "sample.json").read_text())
    assert meta["rows"]["orders"] == len(small["orders"])
    assert meta["fingerprint"] == sample.generator_fingerprint(SMALL)
    assert {p.name for p in out.glob("*.parquet")} == {f"{t}.parquet" for t in sample.TABLES}
    out_csv = sample.write(tmp_path / "csv", scale=SMALL, fmt="csv", tables=small)
    assert (
        (out_csv / "orders.csv")
        .read_text(encoding="utf-8")
        .splitlines()[0]
        .startswith('"order_id","line_no"')
    )
    with pytest.raises(ValueError, match="fmt"):
        sample.write(tmp_path / "x", fmt="xlsx", tables=small)


def test_fingerprint_depends_on_scale_and_seed():
    fp = sample.generator_fingerprint(1.0)
    assert fp == sample.generator_fingerprint(1.0)
    assert fp != sample.generator_fingerprint(2.0)
    assert fp != sample.generator_fingerprint(1.0, seed=1)


def test_fingerprint_covers_every_module_of_the_package(tmp_path, monkeypatch):
    # The generator is a package: a change to any of its modules (not only one file) must rebuild the cache.
    from planning.sample import files

    copy = tmp_path / "sample"
    shutil.copytree(files._PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(files, "_PACKAGE_DIR", copy)
    fp = sample.generator_fingerprint(1.0)
    assert fp == sample.generator_fingerprint(1.0)
    history = copy / "history.py"
    history.write_text(history.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert sample.generator_fingerprint(1.0) != fp


def _ensure(path: str) -> str:
    return str(sample.ensure_sample(path, scale=SMALL))


def test_ensure_sample_caches_and_regenerates(tmp_path):
    target = tmp_path / "sample"
    assert sample.ensure_sample(target, scale=SMALL) == target
    stamp = (target / "orders.parquet").stat().st_mtime_ns
    sample.ensure_sample(target, scale=SMALL)
    assert (target / "orders.parquet").stat().st_mtime_ns == stamp  # cached
    meta = json.loads((target / "sample.json").read_text())
    meta["fingerprint"] = "stale"
    (target / "sample.json").write_text(json.dumps(meta))
    sample.ensure_sample(target, scale=SMALL)
    assert json.loads((target / "sample.json").read_text())["fingerprint"] == sample.generator_fingerprint(
        SMALL
    )
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(target).st_mode & 0o777 == 0o777 & ~umask  # not mkdtemp's private 0700


def test_ensure_sample_concurrent(tmp_path):
    target = str(tmp_path / "sample")
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(3) as pool:
        paths = pool.map(_ensure, [target] * 3)
    assert set(paths) == {target}
    loaded = data.load_tables(target)
    assert (
        len(loaded.orders) == json.loads((tmp_path / "sample" / "sample.json").read_text())["rows"]["orders"]
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sample-")]


def test_parquet_row_groups_hold_one_region_each(tmp_path, small):
    """A territory's notebook reads only its own rows: every table with a region column is written grouped by
    region, one region per row group (its statistics name it), so a region's read skips every other row group."""
    import pyarrow.parquet as pq

    out = sample.write(tmp_path / "pq", scale=SMALL, tables=small)
    for name in sample.TABLES:
        meta = pq.ParquetFile(out / f"{name}.parquet").metadata
        if "region" not in small[name].columns:
            continue
        col = meta.schema.names.index("region")
        regions = [(meta.row_group(g).column(col).statistics.min, meta.row_group(g).column(col).statistics.max)
                   for g in range(meta.num_row_groups)]  # fmt: skip
        assert all(lo == hi for lo, hi in regions), name
        assert len({lo for lo, _ in regions}) == len(regions) == small[name]["region"].nunique(), name
        east = data.read_table(out / f"{name}.parquet", name, region="east")
        assert len(east) == (small[name]["region"].astype(str) == "east").sum()
        from planning.data.read import _row_groups

        assert len(_row_groups(meta, {"region": "east"})) == 1


def test_region_runs_keep_each_regions_order_and_split_large_regions(monkeypatch):
    import pyarrow as pa

    from planning.sample import files

    t = pa.table({"region": ["b", "a", "b", "a", "b", "c"], "i": [0, 1, 2, 3, 4, 5]})
    grouped, sizes = files.region_runs(t)
    assert grouped.column("i").to_pylist() == [0, 2, 4, 1, 3, 5] and sizes == [3, 2, 1]
    monkeypatch.setattr(files, "ROW_GROUP_ROWS", 2)
    assert files.region_runs(t)[1] == [2, 1, 2, 1]
    assert files.region_runs(pa.table({"i": [1, 2, 3]}))[1] == [2, 1]
