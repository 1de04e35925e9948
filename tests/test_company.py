"""planning.company: the company-wide summaries computed once per run, read by each region's notebook."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from planning import company, data, params
from planning.goals import pooling
from planning.notebook import Context
from planning.strategy import funnel

AS_OF = date(2026, 6, 30)


def _ctx(small_sample, work, step: str = "03_strategy") -> Context:
    p = params.resolve("east", as_of=AS_OF.isoformat()).params
    return Context(step=step, p=p, data_dir=small_sample, out_dir=work / "east")


def test_summaries_read_back_equal_the_computation_from_every_regions_rows(small_sample, tmp_path):
    written = company.prepare(tmp_path, [(small_sample, AS_OF, 12, ["02_goals", "03_strategy"]),
                                         (small_sample, AS_OF, 12, ["03_strategy"])])  # fmt: skip
    assert sorted(p.name.split("-")[0] for p in written) == ["funnel_counts", "monthly_sales"]  # once each
    orders = data.read_table(data.table_file(small_sample, "orders"), "orders", as_of=AS_OF,
                             columns=["region", "order_date", "amount"])  # fmt: skip
    direct = pooling.company_monthly(orders, AS_OF)
    got = company.summary(tmp_path, "monthly_sales", small_sample, AS_OF)
    pd.testing.assert_frame_equal(got, direct, check_freq=True)
    assert got.shape[1] == 6 and (got.to_numpy() == direct.to_numpy()).all()  # bit for bit

    ctx = _ctx(small_sample, tmp_path)
    everyone = data.load_tables(small_sample, as_of=AS_OF, tables=("opportunities",)).opportunities
    pd.testing.assert_frame_equal(
        funnel.funnel(ctx.data.opportunities, ctx.p, benchmark_counts=ctx.funnel_benchmark()),
        funnel.funnel(ctx.data.opportunities, ctx.p, benchmark=everyone),
    )


def test_the_notebook_reads_the_runs_summary_not_the_data(small_sample, tmp_path):
    small_sample = Path(shutil.copytree(small_sample, tmp_path / "data"))  # its file's time is changed below
    company.prepare(tmp_path, [(small_sample, AS_OF, 12, ["03_strategy"])])
    path = company.summary_path(tmp_path, "funnel_counts", small_sample, AS_OF, 12)
    marked = pd.read_parquet(path).assign(entered=7, advanced=3, open=1)  # not what the data gives
    marked.to_parquet(path, index=False)
    ctx = _ctx(small_sample, tmp_path)
    assert ctx.funnel_benchmark()["entered"].tolist() == [7] * 10
    # another window, another as-of or another data file: not this summary, computed from the data instead
    assert company.summary_path(tmp_path, "funnel_counts", small_sample, AS_OF, 6) != path
    assert company.summary_path(tmp_path, "funnel_counts", small_sample, date(2026, 3, 31), 12) != path
    opp_file = data.table_file(small_sample, "opportunities")
    st = opp_file.stat()
    os.utime(opp_file, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert company.summary_path(tmp_path, "funnel_counts", small_sample, AS_OF, 12) != path
    assert ctx.funnel_benchmark()["entered"].max() > 7
    company.remove(tmp_path)
    assert not (tmp_path / company.FOLDER).exists()
    with pytest.raises(KeyError, match="unknown company summary"):
        company.summary(tmp_path, "weekly", small_sample, AS_OF)


def test_a_runs_summaries_do_not_reach_the_snapshot(sample_snapshot):
    assert not (sample_snapshot / company.FOLDER).exists()
    assert not list(sample_snapshot.parent.glob(f".*/{company.FOLDER}"))
