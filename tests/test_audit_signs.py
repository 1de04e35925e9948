"""planning/audit/signs.py: no negative money or count where the quantity cannot be negative."""

from __future__ import annotations

import pandas as pd
from frames_audit import calibration_dimensions

from planning import contracts
from planning.audit import signs


def health(*at_risk: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(len(at_risk))],
            "health_score": 50.0,
            "revenue_at_risk": at_risk,
        }
    )


def test_every_listed_column_is_an_artefact_column_or_a_known_extra():
    for name, cols in signs.NON_NEGATIVE.items():
        assert name in contracts.ARTIFACTS
        declared = set(contracts.ARTIFACTS[name].columns)
        extras = {"targets_rep": {"capacity"}, "goals": {"capacity"}, "targets": {"quota"}}.get(name, set())
        assert set(cols) <= declared | extras, name


def test_zero_and_positive_values_pass():
    rows = signs.non_negative("health", health(0.0, 10.0))
    assert [(r["check"], r["status"]) for r in rows] == [
        ("non_negative:health.health_score", "pass"),
        ("non_negative:health.revenue_at_risk", "pass"),
    ]


def test_negative_revenue_at_risk_fails_naming_the_customers_most_negative_first():
    rows = signs.non_negative("health", health(5.0, -186775.53, -4711.73))
    r = rows[1]
    assert r["status"] == "fail"
    assert r["values"] == "2 rows < 0 (sum -191,487.26): C1: -186,775.53; C2: -4,711.73"


def test_a_missing_artefact_or_column_is_skipped():
    assert signs.non_negative("health", None)[0]["status"] == "skipped"
    r = signs.non_negative("health", health(1.0).drop(columns="health_score"))[0]
    assert (r["status"], r["values"]) == ("skipped", "health.csv has no column 'health_score'")


def test_calibration_totals_are_checked_and_deltas_are_not():
    (ok,) = signs.calibration_totals_non_negative(calibration_dimensions())
    assert ok["status"] == "pass"
    cd = calibration_dimensions()
    cd.loc[cd["component"] == "hires", "amount"] = -3.0  # a delta may be negative
    cd.loc[cd["component"] == "market", "amount"] = -1.0
    (bad,) = signs.calibration_totals_non_negative(cd)
    assert (bad["status"], bad["values"]) == ("fail", "market: -1")


def test_the_tier_table_is_an_artefact_and_its_money_is_checked():
    assert {"expected_gain", "expected_revenue"} <= set(signs.NON_NEGATIVE["tier_summary"])
    summary = pd.DataFrame({"tier": ["strategic", "nurture"], "customers": [3, 2], "revenue_12m": [10.0, 1.0],
                            "potential": [5.0, 9.0], "expected_loss": [1.0, 0.5], "expected_gain": [2.0, -2.93],
                            "expected_revenue": [11.0, -2.43]})  # fmt: skip
    rows = {r["check"]: r for r in signs.non_negative("tier_summary", summary)}
    assert rows["non_negative:tier_summary.expected_gain"]["status"] == "fail"
    assert (
        rows["non_negative:tier_summary.expected_gain"]["values"] == "1 rows < 0 (sum -2.93): nurture: -2.93"
    )
    assert rows["non_negative:tier_summary.revenue_12m"]["status"] == "pass"


def test_a_segment_sold_at_a_loss_may_have_a_negative_clv():
    # CLV is margin-based: Superstore's south home-office segment is worth -23.55 per customer.
    segments = pd.DataFrame({"segment": ["home_office"], "customers": [3], "sales": [10.0],
                             "avg_order_value": [5.0], "clv": [-23.55], "win_rate": [0.2]})  # fmt: skip
    assert all(r["status"] == "pass" for r in signs.non_negative("segments", segments))


def test_numeric_columns_are_judged_as_their_text_would_be():
    # a float column with blanks, an int column and the same values as text: the same rows
    df = pd.DataFrame({"customer_id": ["C0", "C1", "C2"], "health_score": [1.0, float("nan"), 0.0],
                       "revenue_at_risk": [3, 0, 2]})  # fmt: skip
    text = df.astype({"health_score": str, "revenue_at_risk": str})
    assert signs.non_negative("health", df) == signs.non_negative("health", text)
    assert "2 values >= 0" in signs.non_negative("health", df)[0]["values"]
    assert "3 values >= 0" in signs.non_negative("health", df)[1]["values"]
