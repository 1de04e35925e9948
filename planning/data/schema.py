"""The canonical schema of `docs/data.md`: tables, columns and their kinds, keys, dates, required values.

`SCHEMA` maps table -> column -> kind ('str' | 'date' | 'float' | 'int'), in the order of docs/data.md; the
reading (`planning.data.read`), the data set (`planning.data.tables`), the checks (`planning.data.validate`)
and the importer build on it.
"""

from __future__ import annotations

# table -> column -> kind ('str' | 'date' | 'float' | 'int'), in the order of docs/data.md
SCHEMA: dict[str, dict[str, str]] = {
    "regions": {"region": "str", "name_en": "str", "name_zh": "str"},
    "reps": {
        "rep_id": "str",
        "name": "str",
        "region": "str",
        "team": "str",
        "role": "str",
        "hire_date": "date",
        "exit_date": "date",
    },
    "customers": {
        "customer_id": "str",
        "name": "str",
        "region": "str",
        "industry": "str",
        "size_band": "str",
        "acquisition_channel": "str",
        "first_order_date": "date",
        "usage_frequency": "float",
        "satisfaction": "float",
        "renewal_intent": "float",
        "demand_complexity": "int",
        "decision_chain_length": "int",
        "wallet_size": "float",
    },
    "orders": {
        "order_id": "str",
        "line_no": "int",
        "order_date": "date",
        "customer_id": "str",
        "rep_id": "str",
        "region": "str",
        "product_line": "str",
        "channel": "str",
        "quantity": "float",
        "unit_price": "float",
        "amount": "float",
        "margin": "float",
    },
    "opportunities": {
        "opportunity_id": "str",
        "customer_id": "str",
        "rep_id": "str",
        "region": "str",
        "industry": "str",
        "source": "str",
        "product_line": "str",
        "amount": "float",
        "lead_date": "date",
        "discovery_date": "date",
        "proposal_date": "date",
        "negotiation_date": "date",
        "close_date": "date",
        "status": "str",
        "stage": "str",
    },
    "marketing": {"month": "date", "region": "str", "channel": "str", "spend": "float", "leads": "int"},
    "market_size": {"year": "int", "region": "str", "industry": "str", "market_size": "float"},
    "plan_of_record": {"year": "int", "month": "date", "region": "str", "rep_id": "str", "target": "float"},
}
REQUIRED_TABLES: tuple[str, ...] = ("orders",)
OPTIONAL_TABLES: tuple[str, ...] = tuple(t for t in SCHEMA if t not in REQUIRED_TABLES)
TABLES: tuple[str, ...] = tuple(SCHEMA)

# Primary key of each table (used for the duplicate check).
KEYS: dict[str, tuple[str, ...]] = {
    "regions": ("region",),
    "reps": ("rep_id",),
    "customers": ("customer_id",),
    "orders": ("order_id", "line_no"),
    "opportunities": ("opportunity_id",),
    "marketing": ("month", "region", "channel"),
    "market_size": ("year", "region", "industry"),
    "plan_of_record": ("month", "rep_id"),
}
# The date that places a row in time (rows after `as_of` are dropped).
DATE_COLUMN: dict[str, str] = {"orders": "order_date", "opportunities": "lead_date", "marketing": "month"}
# Columns that may not be empty (besides int columns, which never may). Everything else may be blank.
NOT_NULL: dict[str, tuple[str, ...]] = {
    "regions": ("region",),
    "reps": ("rep_id", "region", "hire_date"),
    "customers": ("customer_id", "region"),
    "orders": ("order_id", "order_date", "customer_id", "region", "amount"),
    "opportunities": ("opportunity_id", "region", "lead_date", "status"),
    "marketing": ("month", "region", "channel"),
    "market_size": ("region", "industry", "market_size"),
    "plan_of_record": ("month", "region", "rep_id", "target"),
}
