"""The sample company generator: determinism, schema, and the realism each step of the method relies on."""

from __future__ import annotations

import json
import multiprocessing
import os

import numpy as np
import pandas as pd
import pytest

from planning import data, sample

SMALL = 0.05


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    return sample.generate(scale=SMALL)


@pytest.fixture(scope="module")
def full() -> dict[str, pd.DataFrame]:
    # Scale 1 takes well under a second; some invariants need its volume (rep counts, regional growth).
    return sample.generate(scale=1.0)


def _revenue(orders: pd.DataFrame, by: list[str]) -> pd.Series:
    o = orders.assign(year=orders["order_date"].dt.year, m=orders["order_date"].dt.month)
    return o.groupby(by, observed=True)["amount"].sum()


def test_same_seed_identical_different_seed_differs(small):
    again = sample.generate(scale=SMALL)
    for name in sample.TABLES:
        pd.testing.assert_frame_equal(small[name], again[name])
    other = sample.generate(scale=SMALL, seed=7)
    assert not small["orders"].equals(other["orders"])
    assert not small["customers"].equals(other["customers"])


def test_every_schema_column_present_with_its_kind(small):
    assert set(small) == set(data.SCHEMA)
    for name, cols in data.SCHEMA.items():
        df = small[name]
        assert list(df.columns) == list(cols), name
        for col, kind in cols.items():
            assert data.kind_of(df[col]) == kind, f"{name}.{col}: {df[col].dtype}"
        assert len(df) > 0, name
    assert data.validate_tables(data.Tables(**small)) == []


def test_structure_at_scale_one(full):
    assert full["regions"]["region"].tolist() == [
        "east",
        "north",
        "south",
        "central",
        "southwest",
        "northeast",
    ]
    assert full["regions"]["name_zh"].tolist() == ["华东", "华北", "华南", "华中", "西南", "东北"]
    reps = full["reps"]
    assert 55 <= len(reps) <= 80
    assert (reps["role"] == "manager").sum() == 12  # one per team, two teams per region
    assert reps.groupby("region")["team"].nunique().eq(2).all()
    assert 2700 <= len(full["customers"]) <= 3300
    assert 90_000 <= len(full["orders"]) <= 120_000
    assert full["orders"]["order_date"].min() < pd.Timestamp("2022-01-10")
    assert full["orders"]["order_date"].max() <= pd.Timestamp(sample.DEFAULT_END)


def test_orders_amounts_and_returns(small):
    o = small["orders"]
    assert np.allclose(o["amount"], (o["quantity"] * o["unit_price"]).round(2), atol=0.006)
    assert (o["unit_price"] > 0).all()
    returns = (o["quantity"] < 0).mean()
    assert 0.003 < returns < 0.03
    assert set(o["product_line"].unique()) == set(sample.PRODUCT_LINES)
    assert set(o["channel"].unique()) == set(sample.CHANNELS)


def test_order_rep_belongs_to_region_and_is_employed_on_order_date(full):
    o, reps = full["orders"], full["reps"].set_index("rep_id")
    rid = o["rep_id"].astype("str")
    assert (rid.map(reps["region"]) == o["region"].astype("str")).all()
    hire, ex = rid.map(reps["hire_date"]), rid.map(reps["exit_date"])
    assert (o["order_date"] >= hire).all()
    assert ((o["order_date"] <= ex) | ex.isna()).all()
    # Orders go to quota reps; a manager only steps in on a day when the region has no rep at all.
    assert (rid.map(reps["role"]) == "rep").mean() > 0.99


def test_seasonality_q4_beats_q1(full):
    rev = _revenue(full["orders"], ["year", "m"]).reset_index()
    rev = rev[rev["year"] < 2026]
    q = rev.assign(q=(rev["m"] - 1) // 3 + 1).groupby("q")["amount"].sum()
    assert q[4] > q[1] * 1.2
    by_m = rev.groupby("m")["amount"].sum()
    assert by_m[2] == by_m.min()  # Chinese New Year


def test_regional_and_industry_growth(full):
    rev = _revenue(full["orders"], ["region", "year"]).unstack()
    growth = rev[2025] / rev[2022]
    assert growth["southwest"] > 1.6
    assert growth["northeast"] < 1.0
    assert growth["northeast"] < growth["southwest"]
    o = full["orders"].merge(
        full["customers"][["customer_id", "industry"]].astype({"customer_id": "category"})
    )
    ind = _revenue(o, ["industry", "year"]).unstack()
    assert ind.loc["energy", 2025] > 2 * ind.loc["energy", 2022]
    assert ind.loc["retail", 2025] < ind.loc["retail", 2022]


def test_market_share_plausible_and_northeast_losing_share(full):
    ms = full["market_size"]
    assert sorted(ms["year"].unique()) == list(range(2022, sample.DEFAULT_END.year + 2))
    share = _revenue(full["orders"], ["year", "region"]) / ms.groupby(["year", "region"])["market_size"].sum()
    share = share.dropna().unstack()
    full_years = share.loc[2022:2025]
    assert ((full_years > 0.03) & (full_years < 0.10)).all().all()
    assert share.loc[2025, "northeast"] < share.loc[2022, "northeast"]


def test_partner_leads_collapse_while_spend_continues(small):
    mk = small["marketing"]
    mk = mk.assign(y=mk["month"].dt.year, m=mk["month"].dt.month)
    partner = (
        mk[(mk["channel"] == "partner_leads") & mk["m"].between(4, 9)].groupby("y")[["leads", "spend"]].sum()
    )
    assert partner.loc[2026, "leads"] < 0.3 * partner.loc[2025, "leads"]
    assert partner.loc[2026, "spend"] > 0.8 * partner.loc[2025, "spend"]
    east_events = mk[(mk["channel"] == "events") & (mk["region"] == "east") & mk["m"].between(4, 9)]
    ev = east_events.groupby("y")["leads"].sum()
    assert ev[2026] < 0.6 * ev[2025]


def test_opportunities_follow_leads_and_funnel(full):
    opp, mk = full["opportunities"], full["marketing"]
    per_cell = opp.groupby([opp["lead_date"].dt.to_period("M"), "region", "source"], observed=True).size()
    leads = mk.set_index([mk["month"].dt.to_period("M"), "region", "channel"])["leads"]
    leads.index.names = per_cell.index.names
    assert per_cell.sum() == leads.sum()
    assert (per_cell.reindex(leads.index, fill_value=0) == leads).all()
    # Stage dates are ordered and status/stage agree.
    for a, b in (
        ("lead_date", "discovery_date"),
        ("discovery_date", "proposal_date"),
        ("proposal_date", "negotiation_date"),
    ):
        both = opp[a].notna() & opp[b].notna()
        assert (opp.loc[both, b] >= opp.loc[both, a]).all()
    assert (opp.loc[opp["status"] == "open", "close_date"].isna()).all()
    assert set(opp.loc[opp["status"] == "won", "stage"].unique()) == {"won"}
    assert opp.loc[opp["status"] == "open", "lead_date"].min() > pd.Timestamp("2025-06-01")
    # The northeast's proposal stage is the bottleneck.
    closed = opp[opp["lead_date"] < "2026-01-01"]
    conv = closed.groupby("region", observed=True).apply(
        lambda g: g["negotiation_date"].notna().sum() / g["proposal_date"].notna().sum()
    )
    assert conv["northeast"] < 0.45 < conv.drop("northeast").min()
    win = closed.groupby("source", observed=True)["status"].apply(lambda s: (s == "won").mean())
    assert win["referral"] > win["partner_leads"]


def test_customers_health_tracks_churn(full):
    last = full["orders"].groupby("customer_id", observed=True)["order_date"].max()
    c = full["customers"].set_index("customer_id")
    stopped = last.reindex(c.index) < pd.Timestamp("2025-10-01")
    assert c.loc[stopped, "satisfaction"].mean() < c.loc[~stopped, "satisfaction"].mean() - 0.5
    assert c.loc[stopped, "usage_frequency"].mean() < c.loc[~stopped, "usage_frequency"].mean()
    assert c["satisfaction"].between(1, 5).all() and c["renewal_intent"].between(0, 1).all()
    assert c["decision_chain_length"].between(1, 8).all() and c["demand_complexity"].between(1, 5).all()
    assert c["name"].is_unique
    # New customers' first order is in the orders table on their first_order_date.
    first = full["orders"].groupby("customer_id", observed=True)["order_date"].min()
    new = c[c["first_order_date"] >= "2022-01-01"]
    assert (first.reindex(new.index) == new["first_order_date"]).all()


def test_plan_of_record(full):
    plan, reps = full["plan_of_record"], full["reps"].set_index("rep_id")
    year = sample.DEFAULT_END.year
    assert (plan["year"] == year).all()
    assert plan["month"].dt.year.eq(year).all() and plan["month"].dt.day.eq(1).all()
    assert plan.groupby(["rep_id", "month"])["target"].sum().gt(0).all()
    assert (plan["rep_id"].map(reps["role"]) == "rep").all()
    assert (plan["rep_id"].map(reps["region"]) == plan["region"]).all()
    rev = _revenue(full["orders"], ["region", "year"]).unstack()
    ratio = plan.groupby("region")["target"].sum() / rev[year - 1]
    assert ratio.between(1.10, 1.20).all()
    # Year to date: the east is about on plan, the northeast clearly behind.
    ytd = _revenue(full["orders"][full["orders"]["order_date"].dt.year == year], ["region"])
    att = ytd / plan[plan["month"] <= pd.Timestamp(sample.DEFAULT_END)].groupby("region")["target"].sum()
    assert 0.9 < att["east"] < 1.15
    assert att["northeast"] < 0.85
    assert att["northeast"] == att.min()


def test_reps_churn_and_ramp(full):
    reps = full["reps"]
    quota = reps[reps["role"] == "rep"]
    assert quota["exit_date"].notna().sum() >= 8  # attrition happens
    assert (quota["hire_date"] >= "2022-01-01").sum() >= 8  # and replacements are hired
    # A new hire sells less in their first two months than once ramped.
    o = full["orders"].assign(rep_id=full["orders"]["rep_id"].astype("str"))
    o = o.merge(quota[["rep_id", "hire_date"]], on="rep_id")
    o = o[o["hire_date"] >= "2022-03-01"]
    tenure_m = ((o["order_date"] - o["hire_date"]).dt.days // 30).clip(upper=12)
    per = o.groupby([o["rep_id"], tenure_m])["amount"].sum().unstack().fillna(0)
    assert per[[0, 1]].mean(axis=1).mean() < 0.6 * per[[8, 9, 10]].mean(axis=1).mean()


def test_scale_multiplies_volume(small, full):
    assert 0.03 < len(small["orders"]) / len(full["orders"]) < 0.07
    assert len(small["reps"]) < len(full["reps"])


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


def test_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        sample.generate(scale=0)
    with pytest.raises(ValueError, match="end"):
        sample.generate(end=pd.Timestamp("2022-06-30").date())
