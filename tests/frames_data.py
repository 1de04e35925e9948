"""Shared frames of the canonical-table tests (tests/test_data_*.py).

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

import pandas as pd

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


def write_csv(folder, tables: dict[str, list[dict]] | None = None, **override: pd.DataFrame):
    """The tables (default FIXTURE) as `<table>.csv` in `folder`; `override` replaces a table's frame."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (tables or FIXTURE).items():
        df = override.get(name, pd.DataFrame(rows))
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder


def write_parquet(out, tiny):
    """The same data set as Parquet (typed columns, dates as date32), written via the loader's own frames."""
    loaded = data.load_tables(tiny)
    sample.write(out, tables=dict(loaded.items()))
    return out


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """Generator frames use Categoricals for keys; the loader returns str."""
    return df.astype({c: "str" for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
