"""One data set (planning/data/tables.py): round trips with the sample, the region and as-of filters (pushed
into the scan or applied to a loaded set: the same tables), table and column selection, errors, provenance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_data import AS_OF, FIXTURE, plain, write_csv, write_parquet

from planning import data, sample


@pytest.fixture
def tiny(tmp_path):
    return write_csv(tmp_path / "tiny")


@pytest.fixture
def tiny_parquet(tmp_path, tiny):
    return write_parquet(tmp_path / "tiny_pq", tiny)


@pytest.fixture(scope="module")
def small_tables():
    return sample.generate(scale=0.05)


# --- round trips -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip_sample(tmp_path, small_tables, fmt):
    out = sample.write(tmp_path / fmt, scale=0.05, fmt=fmt, tables=small_tables)
    loaded = data.load_tables(out)
    assert loaded.available() == list(data.TABLES)
    for name in data.TABLES:
        expected = plain(small_tables[name])
        if (
            fmt == "parquet" and "region" in expected
        ):  # one region per row group, a region's rows in their order
            codes, _ = pd.factorize(expected["region"], use_na_sentinel=False)
            expected = expected.iloc[np.argsort(codes, kind="stable")].reset_index(drop=True)
        pd.testing.assert_frame_equal(loaded.get(name), expected, obj=name)
    assert data.validate_tables(loaded) == []


# --- region and as-of filters ----------------------------------------------------------------------------------
@pytest.mark.parametrize("folder", ["tiny", "tiny_parquet"])
def test_region_filter(request, folder):
    t = data.load_tables(request.getfixturevalue(folder), region="east")
    assert t.orders["amount"].sum() == 1380
    assert t.orders["order_id"].tolist() == ["SO1", "SO1", "SO3", "SO4"]
    assert t.reps["rep_id"].tolist() == ["R1", "R2"]
    assert t.customers["customer_id"].tolist() == ["C1", "C3"]
    assert t.opportunities["opportunity_id"].tolist() == ["O1", "O2"]
    assert t.marketing["leads"].sum() == 5
    assert t.market_size["market_size"].tolist() == [1e6]
    assert t.plan_of_record["target"].sum() == 1100
    assert len(t.regions) == 2  # a lookup, kept whole


@pytest.mark.parametrize("folder", ["tiny", "tiny_parquet"])
def test_as_of_filter(request, folder):
    t = data.load_tables(request.getfixturevalue(folder), as_of=AS_OF)
    assert t.orders["amount"].sum() == 1450
    assert t.reps["rep_id"].tolist() == ["R1", "R3"]  # R2 hired later
    assert t.reps["exit_date"].isna().all()  # R3's exit was after as_of
    assert t.customers["customer_id"].tolist() == ["C1", "C2"]
    assert t.marketing["leads"].sum() == 3
    assert len(t.plan_of_record) == 3 and len(t.market_size) == 2  # plans and estimates kept whole
    opp = t.opportunities.set_index("opportunity_id")
    assert opp.index.tolist() == ["O1", "O3"]
    # O1 was won on 2025-03-01; on 2025-01-31 it was an open deal at the proposal stage.
    assert opp.loc["O1", ["status", "stage"]].tolist() == ["open", "proposal"]
    assert opp.loc["O1", "proposal_date"] == pd.Timestamp("2025-01-05")
    assert pd.isna(opp.loc["O1", "negotiation_date"]) and pd.isna(opp.loc["O1", "close_date"])
    assert opp.loc["O3", ["status", "stage"]].tolist() == ["lost", "lost"]


def test_region_and_as_of_together_and_filter_equivalence(tiny):
    pushed = data.load_tables(tiny, region="east", as_of=AS_OF)
    assert pushed.orders["amount"].sum() == 1400
    later = data.load_tables(tiny).filter(region="east", as_of=pd.Timestamp(AS_OF).date())
    for name in data.TABLES:
        pd.testing.assert_frame_equal(pushed.get(name), later.get(name), obj=name)


def test_tables_selection_and_missing_optional(tmp_path, tiny):
    t = data.load_tables(tiny, tables=["reps"])
    assert t.available() == ["reps", "orders"]
    assert t.customers is None
    only_orders = write_csv(tmp_path / "only", {"orders": FIXTURE["orders"]})
    t = data.load_tables(only_orders)
    assert t.available() == ["orders"]
    assert "marketing" in t.missing()


def test_region_filter_reads_only_that_region_of_parquet(tmp_path, small_tables):
    out = sample.write(tmp_path / "pq", tables=small_tables)
    east = data.load_tables(out, region="east")
    expected = small_tables["orders"]["region"].eq("east").sum()
    assert len(east.orders) == expected and east.orders["region"].eq("east").all()


def test_every_steps_order_columns_are_schema_columns():
    from planning import goals, market, resources, review, strategy

    for module in (market, goals, strategy, resources, review):
        assert set(module.ORDER_COLUMNS) <= set(data.SCHEMA["orders"]), module.__name__
        assert "order_date" in module.ORDER_COLUMNS  # the as-of filter needs it


def test_context_reads_only_what_a_step_uses(tmp_path, small_tables):
    from planning import notebook, params, resources

    out = sample.write(tmp_path / "pq", tables=small_tables)
    p = params.load("east").params
    ctx = notebook.Context(step="04_resources", p=p, data_dir=out, out_dir=tmp_path / "o")
    assert list(ctx.data.orders.columns) == list(resources.ORDER_COLUMNS)
    # the funnel benchmark: every region's deals, not their order lines
    company = ctx.company("opportunities")
    assert company.customers is None and list(company.orders.columns) == ["order_date"]
    assert set(company.opportunities["region"]) == set(small_tables["opportunities"]["region"].astype(str))
    assert ctx.company().customers is not None  # no names: all tables, as before


# --- errors ----------------------------------------------------------------------------------------------------
def test_missing_required_table(tmp_path):
    folder = write_csv(tmp_path / "no_orders", {"reps": FIXTURE["reps"]})
    with pytest.raises(data.DataError, match=r"required table 'orders' is missing; expected orders\.parquet"):
        data.load_tables(folder)
    with pytest.raises(data.DataError, match="data folder not found"):
        data.load_tables(tmp_path / "nowhere")


def test_unknown_region(tiny):
    with pytest.raises(
        data.DataError, match=r"orders\.csv: column 'region' has no rows for region 'west'.*east, north"
    ):
        data.load_tables(tiny, region="west")
    data.check_regions(tiny, ["east", "north"])
    with pytest.raises(data.DataError, match="'south'"):
        data.check_regions(tiny, ["east", "south"])


# --- provenance ------------------------------------------------------------------------------------------------
def test_fingerprint(tiny):
    fp = data.fingerprint(tiny)
    assert set(fp) == {f"{t}.csv" for t in data.TABLES}
    assert all(len(v) == 64 for v in fp.values())
    assert data.fingerprint(tiny) == fp
    with open(tiny / "orders.csv", "a") as fh:
        fh.write("SO5,1,2025-03-01,C1,R1,east,services,direct,1,1,1,0.5\n")
    fp2 = data.fingerprint(tiny)
    assert fp2["orders.csv"] != fp["orders.csv"] and fp2["reps.csv"] == fp["reps.csv"]


def test_require_names_the_table_and_the_missing_columns():
    """The one check every step's computations make on their input tables."""
    df = pd.DataFrame({"a": [1]})
    assert data.require(df, "orders", ["a"]) is df
    with pytest.raises(data.DataError, match=r"table 'orders' lacks columns \['amount'\]; has \['a'\]"):
        data.require(df, "orders", ["a", "amount"])
    with pytest.raises(data.DataError, match="table 'customers' is required here but missing"):
        data.require(None, "customers", ["customer_id"])


def test_as_of_filter_that_drops_nothing_gives_the_frame_as_the_copying_filter_would():
    """`_keep` returns the frame itself when every row stays (index 0..n-1), and `_blank_after` leaves a date column
    without a later date alone: both must equal the copying `loc[mask].reset_index` / `where` they stand for."""
    from planning.data.tables import _blank_after, _keep

    ts = pd.Timestamp("2024-06-30")
    dates = pd.Series(pd.to_datetime(["2024-01-02", None, "2024-06-30"]))
    df = pd.DataFrame({"d": dates, "x": [1.0, 2.0, 3.0]})
    for mask in (dates <= ts, ~(dates > ts), pd.Series([True, True, True])):
        pd.testing.assert_frame_equal(_keep(df, mask), df.loc[mask].reset_index(drop=True), check_exact=True)
    shifted = df.set_axis([5, 6, 7])  # another index: always the copy, renumbered
    pd.testing.assert_frame_equal(_keep(shifted, shifted["x"] > 0), shifted.reset_index(drop=True))
    assert _blank_after(dates, ts) is None
    pd.testing.assert_series_equal(dates.where(dates <= ts), dates, check_exact=True)  # what None stands for
    later = pd.Series(pd.to_datetime(["2024-07-01", None]))
    pd.testing.assert_series_equal(_blank_after(later, ts), later.where(later <= ts), check_exact=True)
    text = pd.Series(["2024-01-02", None], dtype=object)  # not a datetime column: blanked as before
    assert _blank_after(text, "2099-01-01") is not None
