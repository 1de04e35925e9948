"""planning/review/accuracy.py: forecast accuracy of earlier snapshots, else a backtest of the chosen model."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from frames_review import orders, snapshot

from planning import store
from planning.review import accuracy


def test_forecast_accuracy_from_a_hand_made_snapshot_folder(tmp_path):
    fc = pd.DataFrame(
        {
            "month": ["2026-01", "2026-02", "2026-02", "2026-03", "2026-04"],
            "model": ["ets", "ets", "sarima", "ets", "ets"],
            "forecast": [1.0, 110.0, 999.0, 90.0, 100.0],
            "lower": 0.0,
            "upper": 0.0,
            "chosen": [True, True, False, True, True],
        }
    )
    snapshot(tmp_path, "2026-01-31", forecast=fc)
    snapshot(tmp_path, "2025-12-31", status="incomplete")  # ignored: not complete
    snapshot(tmp_path, "2026-03-31")  # ignored: not earlier than as_of
    (tmp_path / ".2026-03-31.tmp-123").mkdir()  # ignored: a run in progress
    (tmp_path / "interactive").mkdir()  # ignored: not a date
    lines = orders([("A", "2026-02-05", 100.0, "R1", "equipment", "direct"),
                    ("B", "2026-03-05", 100.0, "R1", "equipment", "direct"),
                    ("C", "2026-04-05", 50.0, "R1", "equipment", "direct")])  # fmt: skip
    as_of = date(2026, 3, 31)
    assert [s.as_of for s in store.snapshots(tmp_path, before=as_of)] == [date(2026, 1, 31)]
    acc = accuracy.forecast_accuracy(accuracy.snapshot_forecasts(tmp_path, "east", as_of), lines, as_of)
    # January is not after the snapshot's as_of; April has not happened: February and March remain
    assert list(acc["month"]) == ["2026-02", "2026-03"]
    assert list(acc["forecast"]) == [110.0, 90.0]  # the chosen model only
    assert list(acc["ape"]) == pytest.approx([0.10, 0.10])
    assert list(acc["horizon_months"]) == [1, 2]
    s = accuracy.accuracy_summary(acc).iloc[0]
    assert (s["months"], s["mape"], s["bias"]) == (2, pytest.approx(0.10), pytest.approx(0.0))


def test_chosen_model_defaults_to_seasonal_naive():
    assert accuracy.chosen_model(None) == "seasonal_naive"
    fc = pd.DataFrame({"month": ["2026-01", "2026-01"], "model": ["ets", "sarima"], "chosen": [False, True]})
    assert accuracy.chosen_model(fc) == "sarima"
    assert accuracy.chosen_model(fc.drop(columns="chosen")) == "seasonal_naive"


def test_accuracy_review_falls_back_to_a_backtest(tmp_path):
    months = pd.date_range("2023-01-01", "2026-03-01", freq="MS")
    lines = orders([(f"O{i}", m + pd.Timedelta(days=4), 100.0 + i, "R1", "equipment", "direct")
                    for i, m in enumerate(months)])  # fmt: skip
    region_dir = tmp_path / "2026-03-31" / "east"  # a run with no goals forecast and no earlier snapshot
    acc = accuracy.accuracy_review(tmp_path, "east", date(2026, 3, 31), lines, region_dir)
    assert len(acc) and set(acc["source"]) == {"backtest"}
    assert acc["snapshot"].str.startswith("backtest ").all()
