"""planning/sample/territories.py: a company of N territories and its params files (`planning sample --regions`)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from planning import params, sample
from planning.cli import app
from planning.sample import territories

SCALE = 0.05


@pytest.fixture(scope="module")
def eight() -> dict[str, pd.DataFrame]:
    return sample.generate_territories(8, scale=SCALE)


def test_keys_come_in_batches_of_the_six_regions():
    assert sample.territory_keys(2) == ["east", "north"]
    assert sample.territory_keys(8)[6:] == ["east-02", "north-02"]
    assert sample.territory_keys(13)[-1] == "east-03"
    for bad in (0, -1, territories.MAX_TERRITORIES + 1):
        with pytest.raises(ValueError, match="--regions"):
            sample.territory_keys(bad)


def test_six_territories_are_the_sample_company():
    got = sample.generate_territories(6, scale=SCALE)
    want = sample.generate(scale=SCALE)
    for name, df in want.items():
        pd.testing.assert_frame_equal(got[name], df)


def test_every_table_holds_exactly_the_territories(eight):
    keys = set(sample.territory_keys(8))
    for name, df in eight.items():
        assert set(df["region"].astype("str")) == keys, name
    assert list(eight["regions"]["region"]) == sample.territory_keys(8)
    assert eight["regions"].set_index("region").loc["north-02", "name_en"] == "North China 2"


def test_a_territory_is_a_consistent_company(eight):
    """Ids are unique across batches, and a territory's orders, opportunities and plan name its own reps and
    customers (as a region's do)."""
    reps, customers, orders = eight["reps"], eight["customers"], eight["orders"]
    assert reps["rep_id"].is_unique and customers["customer_id"].is_unique
    assert not orders.duplicated(["order_id", "line_no"]).any()
    rep_region = reps.set_index("rep_id")["region"]
    cust_region = customers.set_index("customer_id")["region"]
    o = orders[orders["region"].astype("str") == "east-02"]
    assert len(o) > 0
    assert (o["rep_id"].astype("str").map(rep_region) == "east-02").all()
    assert (o["customer_id"].astype("str").map(cust_region) == "east-02").all()
    plan = eight["plan_of_record"]
    assert (plan["rep_id"].map(rep_region) == plan["region"]).all()
    assert set(reps.loc[reps["region"] == "east-02", "team"]) <= {"east-02-1", "east-02-2", "east-02-3"}
    # a second batch is another draw, not a copy of the first
    first = orders[orders["region"].astype("str") == "east"]
    assert len(first) != len(o) or first["amount"].sum() != o["amount"].sum()


def test_deterministic(eight):
    again = sample.generate_territories(8, scale=SCALE)
    for name, df in eight.items():
        pd.testing.assert_frame_equal(again[name], df)


def test_cli_writes_tables_and_params_that_a_run_accepts(tmp_path):
    out = tmp_path / "company"
    res = CliRunner().invoke(app, ["sample", "--regions", "7", "--scale", str(SCALE), "--out", str(out)])
    assert res.exit_code == 0, res.output
    meta = json.loads((out / "sample.json").read_text())
    assert meta["territories"] == 7
    pdir = out / "params"
    assert params.region_keys(pdir) == sorted(sample.territory_keys(7))
    ri = params.resolve("east-02", params_dir=pdir)
    assert ri.params.region.name == "East China 2"
    assert ri.params.data.dir == str(out.resolve())
    # the region's own overrides come along (northeast recovers share before growing)
    assert params.resolve("northeast", params_dir=pdir).params.goals.growth_ambition == 0.05


def test_cli_refuses_a_bad_count(tmp_path):
    res = CliRunner().invoke(app, ["sample", "--regions", "0", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2
    assert "expected a number of territories from 1 to" in res.output
    assert not (tmp_path / "x").exists()
