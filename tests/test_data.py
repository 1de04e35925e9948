"""Loading, filtering and validating the canonical tables (planning/data.py).

Most tests use a tiny hand-made data set whose numbers can be checked by eye:

orders (amount = quantity x unit_price)
    SO1/1 2024-02-01 C1 R1 east   1 x 1000 = 1000
    SO1/2 2024-02-01 C1 R1 east   2 x   50 =  100
    SO2/1 2024-03-05 C2 R3 north 10 x    5 =   50
    SO3/1 2025-01-15 C1 R1 east   3 x  100 =  300
    SO4/1 2025-02-10 C3 R2 east  -1 x   20 =  -20   (a return)
east total 1380; everything up to 2025-01-31: 1450; east up to 2025-01-31: 1400.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planning import data, sample

AS_OF = "2025-01-31"

FIXTURE: dict[str, list[dict]] = {
    "regions": [
        {"region": "east", "name_en": "East China", "name_zh": "华东"},
        {"region": "north", "name_en": "North China", "name_zh": "华北"},
    ],
    "reps": [
        {"rep_id": "R1", "name": "Wang Wei", "region": "east", "team": "east-1", "role": "rep",
         "hire_date": "2024-01-01", "exit_date": ""},
        {"rep_id": "R2", "name": "Li Na", "region": "east", "team": "east-1", "role": "rep",
         "hire_date": "2025-02-01", "exit_date": ""},
        {"rep_id": "R3", "name": "Zhang Min", "region": "north", "team": "north-1", "role": "rep",
         "hire_date": "2023-05-01", "exit_date": "2025-06-30"},
    ],
    "customers": [
        {"customer_id": "C1", "name": "Huaxin Energy Co. 1", "region": "east", "industry": "energy",
         "size_band": "large", "acquisition_channel": "events", "first_order_date": "2024-02-01",
         "usage_frequency": 4.5, "satisfaction": 4.2, "renewal_intent": 0.8, "demand_complexity": 3,
         "decision_chain_length": 5, "wallet_size": 2e6},
        {"customer_id": "C2", "name": "Orient Retail Ltd. 1", "region": "north", "industry": "retail",
         "size_band": "small", "acquisition_channel": "content", "first_order_date": "2024-03-05",
         "usage_frequency": 1.0, "satisfaction": 2.5, "renewal_intent": 0.3, "demand_complexity": 1,
         "decision_chain_length": 2, "wallet_size": 3e5},
        {"customer_id": "C3", "name": "Summit Medical Group 1", "region": "east", "industry": "healthcare",
         "size_band": "medium", "acquisition_channel": "referral", "first_order_date": "2025-02-10",
         "usage_frequency": 3.0, "satisfaction": 3.9, "renewal_intent": 0.7, "demand_complexity": 2,
         "decision_chain_length": 3, "wallet_size": 9e5},
    ],
    "orders": [
        {"order_id": "SO1", "line_no": 1, "order_date": "2024-02-01", "customer_id": "C1", "rep_id": "R1",
         "region": "east", "product_line": "equipment", "channel": "direct", "quantity": 1, "unit_price": 1000,
         "amount": 1000, "margin": 300},
        {"order_id": "SO1", "line_no": 2, "order_date": "2024-02-01", "customer_id": "C1", "rep_id": "R1",
         "region": "east", "product_line": "services", "channel": "direct", "quantity": 2, "unit_price": 50,
         "amount": 100, "margin": 55},
        {"order_id": "SO2", "line_no": 1, "order_date": "2024-03-05", "customer_id": "C2", "rep_id": "R3",
         "region": "north", "product_line": "spare_parts", "channel": "partner", "quantity": 10, "unit_price": 5,
         "amount": 50, "margin": 24},
        {"order_id": "SO3", "line_no": 1, "order_date": "2025-01-15", "customer_id": "C1", "rep_id": "R1",
         "region": "east", "product_line": "software", "channel": "online", "quantity": 3, "unit_price": 100,
         "amount": 300, "margin": 234},
        {"order_id": "SO4", "line_no": 1, "order_date": "2025-02-10", "customer_id": "C3", "rep_id": "R2",
         "region": "east", "product_line": "spare_parts", "channel": "direct", "quantity": -1, "unit_price": 20,
         "amount": -20, "margin": -9},
    ],
    "opportunities": [
        {"opportunity_id": "O1", "customer_id": "C1", "rep_id": "R1", "region": "east", "industry": "energy",
         "source": "events", "product_line": "equipment", "amount": 5000, "lead_date": "2024-12-01",
         "discovery_date": "2024-12-10", "proposal_date": "2025-01-05", "negotiation_date": "2025-02-01",
         "close_date": "2025-03-01", "status": "won", "stage": "won"},
        {"opportunity_id": "O2", "customer_id": "P1", "rep_id": "R2", "region": "east", "industry": "retail",
         "source": "content", "product_line": "software", "amount": 800, "lead_date": "2025-02-15",
         "discovery_date": "", "proposal_date": "", "negotiation_date": "", "close_date": "",
         "status": "open", "stage": "lead"},
        {"opportunity_id": "O3", "customer_id": "P2", "rep_id": "R3", "region": "north", "industry": "retail",
         "source": "partner_leads", "product_line": "services", "amount": 1200, "lead_date": "2024-05-01",
         "discovery_date": "", "proposal_date": "", "negotiation_date": "", "close_date": "2024-05-20",
         "status": "lost", "stage": "lost"},
    ],
    "marketing": [
        {"month": "2025-01-01", "region": "east", "channel": "content", "spend": 100.0, "leads": 2},
        {"month": "2025-02-01", "region": "east", "channel": "content", "spend": 100.0, "leads": 3},
        {"month": "2025-01-01", "region": "north", "channel": "events", "spend": 50.0, "leads": 1},
    ],
    "market_size": [
        {"year": 2025, "region": "east", "industry": "energy", "market_size": 1e6},
        {"year": 2025, "region": "north", "industry": "retail", "market_size": 2e6},
    ],
    "plan_of_record": [
        {"year": 2025, "month": "2025-01-01", "region": "east", "rep_id": "R1", "target": 500.0},
        {"year": 2025, "month": "2025-02-01", "region": "east", "rep_id": "R1", "target": 600.0},
        {"year": 2025, "month": "2025-01-01", "region": "north", "rep_id": "R3", "target": 200.0},
    ],
}  # fmt: skip


def _write_csv(folder, tables: dict[str, list[dict]] | None = None, **override: pd.DataFrame):
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (tables or FIXTURE).items():
        df = override.get(name, pd.DataFrame(rows))
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.fixture
def tiny(tmp_path):
    return _write_csv(tmp_path / "tiny")


@pytest.fixture
def tiny_parquet(tmp_path, tiny):
    """The same data set as Parquet (typed columns, dates as date32), written via the loader's own frames."""
    out = tmp_path / "tiny_pq"
    loaded = data.load_tables(tiny)
    sample.write(out, tables=dict(loaded.items()))
    return out


@pytest.fixture(scope="module")
def small_tables():
    return sample.generate(scale=0.05)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Generator frames use Categoricals for keys; the loader returns str."""
    return df.astype({c: "str" for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})


# --- round trips -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip_sample(tmp_path, small_tables, fmt):
    out = sample.write(tmp_path / fmt, scale=0.05, fmt=fmt, tables=small_tables)
    loaded = data.load_tables(out)
    assert loaded.available() == list(data.TABLES)
    for name in data.TABLES:
        pd.testing.assert_frame_equal(loaded.get(name), _plain(small_tables[name]), obj=name)
    assert data.validate_tables(loaded) == []


def test_loaded_kinds(tiny):
    t = data.load_tables(tiny)
    for name, df in t.items():
        for col, kind in data.SCHEMA[name].items():
            assert data.kind_of(df[col]) == kind, (name, col)
    assert t.orders["order_date"].dtype == "datetime64[us]"
    assert t.orders["region"].dtype == "str"
    assert t.reps["exit_date"].isna().tolist() == [True, True, False]


def test_csv_and_parquet_load_the_same(tiny, tiny_parquet):
    a, b = data.load_tables(tiny), data.load_tables(tiny_parquet)
    for name in data.TABLES:
        pd.testing.assert_frame_equal(a.get(name), b.get(name), obj=name)


def test_ids_stay_text(tmp_path):
    rows = [dict(r, rep_id="007", customer_id="0042") for r in FIXTURE["orders"]]
    folder = _write_csv(tmp_path / "ids", {"orders": rows})
    o = data.load_tables(folder).orders
    assert o["rep_id"].unique().tolist() == ["007"] and o["customer_id"].unique().tolist() == ["0042"]


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


SORTED_LINES = [("east", "2024-01-01", 1.0), ("east", "2024-02-01", 2.0), ("east", "2025-03-01", 4.0),
                ("north", "2024-01-01", 8.0), ("south", "2024-05-01", 16.0), ("south", "2024-06-01", 32.0)]  # fmt: skip


def _orders_parquet(path, lines=SORTED_LINES, write_statistics: bool = True):
    """Order lines (region, date, amount), two per row group, region written from a pandas categorical (as the
    sample does: the file's Arrow schema says dictionary<string>). With SORTED_LINES, row group 0: east
    2024-01-01, east 2024-02-01; 1: east 2025-03-01, north 2024-01-01; 2: south 2024-05-01, south 2024-06-01."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = FIXTURE["orders"][0]
    df = pd.DataFrame([dict(base, order_id=f"SO{i}", region=r, order_date=d, amount=a) for i, (r, d, a) in
                       enumerate(lines)])  # fmt: skip
    df["region"] = df["region"].astype("category")
    df["order_date"] = pd.to_datetime(df["order_date"]).dt.date
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=2,
                   write_statistics=write_statistics)  # fmt: skip
    return path


def test_parquet_row_groups_pruned_by_region_and_date_statistics(tmp_path):
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    path = _orders_parquet(tmp_path / "orders.parquet")
    assert str(ds.dataset(path).schema.field("region").type).startswith("dictionary")
    meta = pq.ParquetFile(path).metadata
    d = pd.Timestamp
    # (row group, all its rows match): group 0 is east only; group 1 also holds north.
    assert data._row_groups(meta, {"region": "east"}) == [(0, True), (1, False)]
    # "north" lies outside the range east..east of group 0 and south..south of group 2.
    assert data._row_groups(meta, {"region": "north"}) == [(1, False)]
    assert data._row_groups(meta, {"region": "west"}) == []
    assert data._row_groups(meta, {"region": "north", "order_date": d("2023-12-31").date()}) == []
    # Group 1 runs to 2025-03-01, group 2 starts 2024-05-01 and ends 2024-06-01.
    assert data._row_groups(meta, {"order_date": d("2024-03-01").date()}) == [(0, True), (1, False)]
    assert data._row_groups(meta, {"order_date": d("2024-05-01").date()}) == [
        (0, True),
        (1, False),
        (2, False),
    ]
    assert data._row_groups(meta, {"order_date": d("2025-12-31").date()}) == [(0, True), (1, True), (2, True)]
    # Only the rows asked for, whatever was pruned: east up to 2024-12-31 = lines of 1 + 2.
    east = data.read_table(path, "orders", region="east", as_of="2024-12-31")
    assert east["amount"].tolist() == [1.0, 2.0] and east["region"].tolist() == ["east", "east"]
    assert east["order_date"].dtype == "datetime64[us]"
    north = data.read_table(path, "orders", region="north", columns=["order_date", "amount"])
    assert north["amount"].tolist() == [8.0] and list(north.columns) == ["order_date", "amount"]
    none = data.read_table(path, "orders", region="west")
    assert len(none) == 0 and list(none.columns) == list(data.SCHEMA["orders"])


def test_parquet_rows_keep_file_order_across_whole_and_filtered_row_groups(tmp_path):
    import pyarrow.parquet as pq

    lines = [("east", "2024-01-01", 1.0), ("north", "2024-01-01", 2.0), ("east", "2024-01-02", 4.0),
             ("east", "2024-01-03", 8.0), ("north", "2024-01-04", 16.0), ("east", "2024-01-04", 32.0)]  # fmt: skip
    path = _orders_parquet(tmp_path / "orders.parquet", lines)
    assert data._row_groups(pq.ParquetFile(path).metadata, {"region": "east"}) == [
        (0, False),
        (1, True),
        (2, False),
    ]
    east = data.read_table(path, "orders", region="east")
    assert east["amount"].tolist() == [1.0, 4.0, 8.0, 32.0]  # file order; filtered, whole, filtered group


def test_parquet_without_statistics_reads_every_row_group(tmp_path):
    import pyarrow.parquet as pq

    path = _orders_parquet(tmp_path / "orders.parquet", write_statistics=False)
    meta = pq.ParquetFile(path).metadata
    assert data._row_groups(meta, {"region": "north"}) == [(0, False), (1, False), (2, False)]
    south = data.read_table(path, "orders", region="south", as_of="2024-05-31")
    assert south["amount"].tolist() == [16.0]


def test_dates_with_a_time_of_day_become_calendar_dates():
    stamps = pd.Series(
        pd.to_datetime(["2025-01-05 13:45", "2025-01-06 00:00", None])
    )  # exit_date may be empty
    out = data.coerce_table(pd.DataFrame({"exit_date": stamps}), "reps")["exit_date"]
    assert out.tolist()[:2] == [pd.Timestamp("2025-01-05"), pd.Timestamp("2025-01-06")]
    assert pd.isna(out.iloc[2]) and out.dtype == "datetime64[us]"
    # All at midnight already (as read from Parquet dates): the same values, by position (index 1, 2 -> 0, 1).
    midnight = data.coerce_table(pd.DataFrame({"exit_date": stamps.iloc[1:]}), "reps")["exit_date"]
    assert midnight.index.tolist() == [0, 1]
    assert midnight.iloc[0] == pd.Timestamp("2025-01-06") and pd.isna(midnight.iloc[1])


def test_tables_selection_and_missing_optional(tmp_path, tiny):
    t = data.load_tables(tiny, tables=["reps"])
    assert t.available() == ["reps", "orders"]
    assert t.customers is None
    only_orders = _write_csv(tmp_path / "only", {"orders": FIXTURE["orders"]})
    t = data.load_tables(only_orders)
    assert t.available() == ["orders"]
    assert "marketing" in t.missing()


def test_region_filter_reads_only_that_region_of_parquet(tmp_path, small_tables):
    out = sample.write(tmp_path / "pq", tables=small_tables)
    east = data.load_tables(out, region="east")
    expected = small_tables["orders"]["region"].eq("east").sum()
    assert len(east.orders) == expected and east.orders["region"].eq("east").all()


def test_column_projection_keeps_extra_file_columns(tmp_path):
    # An export's orders with one column outside the schema ("industry"): a step reading two schema columns
    # still gets it (segments fall back to it), and nothing else of the schema.
    rows = [dict(r, industry="machinery") for r in FIXTURE["orders"]]
    folder = _write_csv(tmp_path / "extra", {"orders": rows})
    t = data.load_tables(folder, columns={"orders": ["order_date", "amount"]})
    assert list(t.orders.columns) == ["order_date", "amount", "industry"]
    assert t.orders["order_date"].dtype == "datetime64[us]"
    full = data.load_tables(folder)
    pd.testing.assert_frame_equal(t.orders, full.orders[["order_date", "amount", "industry"]])
    exact = data.read_table(folder / "orders.csv", "orders", columns=["amount"])
    assert list(exact.columns) == ["amount"]  # without extra=True: exactly the columns asked for


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
    folder = _write_csv(tmp_path / "no_orders", {"reps": FIXTURE["reps"]})
    with pytest.raises(data.DataError, match=r"required table 'orders' is missing; expected orders\.parquet"):
        data.load_tables(folder)
    with pytest.raises(data.DataError, match="data folder not found"):
        data.load_tables(tmp_path / "nowhere")


def test_missing_required_column_names_file_and_column(tmp_path):
    bad = pd.DataFrame(FIXTURE["orders"]).drop(columns=["amount"])
    folder = _write_csv(tmp_path / "bad", {"orders": FIXTURE["orders"]}, orders=bad)
    with pytest.raises(data.DataError) as err:
        data.load_tables(folder)
    msg = str(err.value)
    assert "orders.csv" in msg and "missing required column 'amount'" in msg and "expected columns" in msg


def test_empty_file(tmp_path):
    folder = _write_csv(tmp_path / "empty", {"orders": FIXTURE["orders"]})
    (folder / "reps.csv").write_text("")
    with pytest.raises(
        data.DataError, match=r"reps\.csv: the file is empty; expected a header with columns rep_id"
    ):
        data.load_tables(folder)
    (folder / "reps.csv").unlink()
    header_only = pd.DataFrame(columns=list(data.SCHEMA["orders"]))
    _write_csv(folder, {"orders": []}, orders=header_only)
    with pytest.raises(data.DataError, match=r"orders\.csv: the file has no data rows"):
        data.load_tables(folder)


def test_unparseable_date_names_file_column_value_and_line(tmp_path):
    rows = [dict(r) for r in FIXTURE["orders"]]
    rows[1]["order_date"] = "2024-13-45"
    folder = _write_csv(tmp_path / "dates", {"orders": rows})
    with pytest.raises(data.DataError) as err:
        data.load_tables(folder)
    msg = str(err.value)
    assert "orders.csv" in msg and "'order_date'" in msg and "line 3" in msg and "'2024-13-45'" in msg
    assert "YYYY-MM-DD" in msg


def test_bad_number_and_bad_integer(tmp_path):
    rows = [dict(r) for r in FIXTURE["orders"]]
    rows[0]["amount"] = "abc"
    folder = _write_csv(tmp_path / "num", {"orders": rows})
    with pytest.raises(
        data.DataError, match=r"orders\.csv: column 'amount', line 2: value 'abc' is not a number"
    ):
        data.load_tables(folder)
    rows = [dict(r) for r in FIXTURE["orders"]]
    rows[4]["line_no"] = 1.5
    folder = _write_csv(tmp_path / "int", {"orders": rows})
    with pytest.raises(data.DataError, match=r"column 'line_no', line 6: value '1.5' is not a whole number"):
        data.load_tables(folder)


def test_empty_required_value(tmp_path):
    rows = [dict(r) for r in FIXTURE["orders"]]
    rows[2]["region"] = ""
    folder = _write_csv(tmp_path / "blank", {"orders": rows})
    with pytest.raises(data.DataError, match=r"column 'region', line 4: .* is not a non-empty text"):
        data.load_tables(folder)


def test_unknown_region(tiny):
    with pytest.raises(
        data.DataError, match=r"orders\.csv: column 'region' has no rows for region 'west'.*east, north"
    ):
        data.load_tables(tiny, region="west")
    data.check_regions(tiny, ["east", "north"])
    with pytest.raises(data.DataError, match="'south'"):
        data.check_regions(tiny, ["east", "south"])


def test_bad_as_of(tiny):
    with pytest.raises(data.DataError, match="as_of 'soon' is not a date"):
        data.load_tables(tiny, as_of="soon")


# --- validation ------------------------------------------------------------------------------------------------
def test_validate_clean_fixture(tiny):
    assert data.validate_tables(data.load_tables(tiny)) == []


def test_validate_finds_problems(tiny):
    t = data.load_tables(tiny)
    o = t.orders.copy()
    o.loc[4, ["order_id", "line_no"]] = ["SO1", 1]  # duplicate key
    o.loc[3, "rep_id"] = "R9"  # unknown rep
    o.loc[2, ["unit_price", "amount"]] = [-5.0, -50.0]  # negative price
    o.loc[1, "customer_id"] = "C9"
    bad = data.Tables(**{**dict(t.items()), "orders": o})
    probs = {(p.table, p.column, p.severity): p for p in data.validate_tables(bad)}
    dup = probs[("orders", "order_id", "error")]
    assert dup.row == 4 and dup.value == "SO1" and "unique order_id + line_no" in dup.expected
    assert probs[("orders", "rep_id", "error")].value == "R9"
    assert probs[("orders", "unit_price", "error")].row == 2
    assert probs[("orders", "customer_id", "error")].value == "C9"
    assert "orders.rep_id row 3: 'R9'" in str(probs[("orders", "rep_id", "error")])


def test_validate_rep_not_employed(tiny):
    t = data.load_tables(tiny)
    o = t.orders.copy()
    o.loc[2, "order_date"] = pd.Timestamp("2025-08-01")  # R3 left on 2025-06-30
    probs = data.validate_tables(data.Tables(**{**dict(t.items()), "orders": o}))
    assert [(p.column, p.row, p.severity) for p in probs] == [("rep_id", 2, "warning")]


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


def test_kind_of():
    assert data.kind_of(pd.Series(["a"], dtype="str")) == "str"
    assert data.kind_of(pd.Series(pd.Categorical(["a"]))) == "str"
    assert data.kind_of(pd.Series(pd.to_datetime(["2024-01-01"]))) == "date"
    assert data.kind_of(pd.Series([1.5])) == "float"
    assert data.kind_of(pd.Series(np.array([1], dtype=np.int64))) == "int"


@pytest.mark.parametrize("kind_col, value", [("quantity", "1E400"), ("amount", "-1e999")])
def test_infinite_numbers_are_data_errors(kind_col: str, value: str):
    frame = pd.DataFrame({"order_id": ["A1"], kind_col: [value]})
    with pytest.raises(data.DataError, match=rf"{kind_col}.*'{value}'.*a finite number"):
        data.coerce_table(frame, "orders", "orders.csv")
