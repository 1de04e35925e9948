"""Materializing an import (planning/importer/cache.py): canonical tables written once per content (the
content-hash cache), and one full run on a mapped Superstore-like export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frames_importer import CN_EXPORT, CN_MAPPING, write_mapping

from planning import contracts, data, importer
from planning.importer import cache


def test_materialize_writes_canonical_tables_once_per_content(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_bytes(CN_EXPORT.encode("gbk"))
    mapping = write_mapping(tmp_path, {"orders": CN_MAPPING})
    cache = tmp_path / "cache"
    d1, r1 = importer.materialize(mapping, cache_dir=cache)
    assert d1.parent == cache and (d1 / "orders.parquet").is_file()
    assert r1.complete and r1.summary.loc[0, ["rows_read", "rows_kept", "rows_dropped"]].tolist() == [9, 4, 5]
    assert r1.summary.loc[0, "amount"] == pytest.approx(3060.5)
    assert r1.regions == {
        "east": {"rows": 2, "amount": 2250.5},
        "south": {"rows": 1, "amount": 800.0},
        "西北": {"rows": 1, "amount": 10.0},
    }
    # the folder is a canonical data set: the loader reads it, the validation finds no errors
    t = data.load_tables(d1)
    assert len(t.orders) == 4 and t.customers is None
    assert [p for p in data.validate_tables(t) if p.severity == "error"] == []
    stamp = (d1 / "orders.parquet").stat().st_mtime_ns
    d2, r2 = importer.materialize(mapping, cache_dir=cache)  # unchanged: reused, not re-imported
    assert d2 == d1 and (d1 / "orders.parquet").stat().st_mtime_ns == stamp
    assert r2.findings.equals(r1.findings) or len(r2.findings) == len(r1.findings)
    (tmp_path / "orders.csv").write_bytes(CN_EXPORT.replace("￥900", "￥901").encode("gbk"))
    d3, _ = importer.materialize(mapping, cache_dir=cache)
    assert d3 != d1  # changed content, new import
    saved = json.loads((d1 / "import.json").read_text(encoding="utf-8"))
    assert saved["summary"][0]["rows_read"] == 9 and (d1 / "validation.csv").is_file()


@pytest.mark.adversarial
def test_findings_table_quotes_an_exports_formula(tmp_path: Path) -> None:
    """Issue 18 case 7: validation.csv names the export's own columns; a header a spreadsheet would run as a
    formula is written with a leading quote (it was written as is)."""
    header = "=cmd|' /C calc'!A0"
    (tmp_path / "orders.csv").write_bytes(CN_EXPORT.replace("状态", header).encode("gbk"))
    mapping = {**CN_MAPPING, "columns": {**CN_MAPPING["columns"], "status": header}}
    mapping["exclude"] = [{**CN_MAPPING["exclude"][0], "column": header}]
    folder, report = importer.materialize(
        write_mapping(tmp_path, {"orders": mapping}), cache_dir=tmp_path / "c"
    )
    assert header in report.findings["column"].tolist()
    cells = pd.read_csv(folder / "validation.csv", dtype=str, keep_default_na=False)
    assert "'" + header in cells["column"].tolist()
    assert not cells.map(lambda v: v.startswith(("=", "+", "@", "\t", "\r"))).any().any()


# ------------------------------------------------------------------------------------------------ full run
def _superstore_like(folder: Path) -> Path:
    """A small Superstore-like export (latin-1, day-first dates, $ amounts, a cancelled and a duplicated line)
    over 3 years and 2 regions, and its mapping."""
    rng = np.random.default_rng(7)
    rows = []
    n = 0
    for day in pd.date_range("2022-01-03", "2024-12-28", freq="3D"):
        for region in ("West", "East"):
            n += 1
            qty = int(rng.integers(1, 5))
            price = float(np.round(rng.uniform(20, 400), 2))
            seg = ["Consumer", "Corporate", "Home Office"][n % 3]
            cat = ["Furniture", "Office Supplies", "Technology"][n % 3]
            rows.append(
                [
                    f"CA-{n}",
                    day.strftime("%d/%m/%Y"),
                    f"CU-{n % 40}",
                    "Café Müller" if n % 7 == 0 else "Shop",
                    seg,
                    region,
                    cat,
                    f"${qty * price:,.2f}",
                    qty,
                    f"{qty * price * 0.2:.2f}",
                    "Shipped",
                ]
            )
    rows.append(
        ["CA-X", "05/05/2023", "CU-1", "Shop", "Consumer", "West", "Furniture", "$10.00", 1, "1", "Cancelled"]
    )
    rows.append(rows[5])
    cols = [
        "Order ID",
        "Order Date",
        "Customer ID",
        "Customer Name",
        "Segment",
        "Region",
        "Category",
        "Sales",
        "Quantity",
        "Profit",
        "Status",
    ]
    pd.DataFrame(rows, columns=cols).to_csv(folder / "export.csv", index=False, encoding="latin-1")
    return write_mapping(
        folder,
        {
            "orders": {
                "file": "export.csv",
                "date_format": "%d/%m/%Y",
                "columns": {
                    "order_id": "Order ID",
                    "order_date": "Order Date",
                    "customer_id": "Customer ID",
                    "region": "Region",
                    "product_line": "Category",
                    "industry": "Segment",
                    "quantity": "Quantity",
                    "amount": "Sales",
                    "margin": "Profit",
                },
                # no size_band: without a customers table the market step segments by industry alone
                "constants": {"channel": "online"},
                "derive": {"unit_price": "amount / quantity"},
                "exclude": [{"column": "Status", "in": "Cancelled"}],
            }
        },
    )


@pytest.mark.slow
def test_full_run_on_mapped_export_with_only_orders(tmp_path: Path) -> None:
    from planning import runner

    mapping = _superstore_like(tmp_path)
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    (params_dir / "base.yaml").write_text(
        "company: {name: Test Store, currency: USD}\nas_of: 2024-12-27\nplan_year: 2025\n"
        f"data: {{mapping: '{mapping}'}}\n",
        encoding="utf-8",
    )
    (params_dir / "west.yaml").write_text("region: {name: West, name_zh: 西部}\n", encoding="utf-8")
    out = tmp_path / "out"
    cache.CACHE_DIR, old = tmp_path / "cache", cache.CACHE_DIR
    try:
        res = runner.run(regions=["west"], params_dir=params_dir, out_root=out, workers=1)
    finally:
        cache.CACHE_DIR = old
    status = {r.step: r.status for r in res.results}
    assert status["01_market_analysis"] == "ok", res.results[0].error
    snap = out / "2024-12-27"
    report = json.loads((snap / "validation.json").read_text(encoding="utf-8"))["imports"][0]
    s = report["summary"][0]
    # 2 regions x 364 days (2022-01-03 + 3k, k = 0..363, the last 2024-12-27) + 1 cancelled + 1 duplicate
    assert (s["rows_read"], s["rows_kept"], s["rows_dropped"]) == (730, 728, 2)
    v = pd.read_csv(snap / "west" / "artifacts" / "validation.csv")
    assert list(v.columns) == importer.FINDING_COLUMNS
    assert set(v.loc[v["outcome"] == "dropped", "check"].fillna("")) == {"", "excluded", "duplicate"}
    trend = pd.read_csv(snap / "west" / "artifacts" / "market_trend.csv")
    west = pd.read_parquet(Path(report["data_dir"]) / "orders.parquet").query("region == 'west'")
    assert trend["sales"].sum() == pytest.approx(west["amount"].sum(), abs=0.01)
    html = (snap / "west" / "01_market_analysis.html").read_text(encoding="utf-8")
    assert "Imported data" in html
    # every step runs on orders alone and says in its report which table file would enable what it skipped
    assert [r.status for r in res.results] == ["ok"] * 5, [(r.step, r.error) for r in res.results]
    segments = pd.read_csv(snap / "west" / "artifacts" / "segments.csv")
    assert "size_band" not in segments.columns and len(segments) > 0
    assert set(segments["segment"]) <= {"consumer", "corporate", "home_office"}
    for name in ("targets_rep", "funnel", "coverage", "health", "capacity", "hiring_plan", "budget"):
        art = pd.read_csv(snap / "west" / "artifacts" / f"{name}.csv")
        assert art.empty and set(contracts.required_columns(name)) <= set(art.columns), name
    targets = pd.read_csv(snap / "west" / "artifacts" / "targets.csv")
    assert targets.loc[targets["level"] == "year", "target"].iloc[0] > 0
    for step, table in (("02_goals", "reps.csv"), ("03_strategy", "opportunities.csv"),
                        ("04_resources", "marketing.csv"), ("05_review", "opportunities.csv")):  # fmt: skip
        html = (snap / "west" / f"{step}.html").read_text(encoding="utf-8")
        assert "Not computed:" in html and table in html, step
