"""planning/review/risks.py: the risk register scored, likelihood raised by fired data signals."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from frames_review import RISKS, SIGNALS

from planning import params
from planning.review import risks


def test_risk_register_raises_likelihood_on_a_fired_signal():
    reg = risks.risk_register(params.Review(risks=RISKS, signal_uplift=1), SIGNALS).set_index("risk")
    assert reg.at["Staff loss", "likelihood"] == 5  # capped at 5
    assert (reg.at["Price war", "likelihood"], reg.at["Price war", "score"]) == (3, 9)
    assert reg.at["Supply", "score"] == 10 and reg.at["Supply", "evidence"] == ""


def test_risk_register_keeps_likelihood_when_the_signal_did_not_fire():
    quiet = SIGNALS.assign(triggered=False)
    reg = risks.risk_register(params.Review(risks=RISKS, signal_uplift=1), quiet).set_index("risk")
    assert (reg["likelihood"] == reg["base_likelihood"]).all()
    assert list(reg.index) == ["Staff loss", "Supply", "Price war"]  # highest score first


def test_risk_signals_price_index_from_orders():
    def line(day, product, qty, amount):
        return {"order_date": pd.Timestamp(day), "product_line": product, "quantity": qty, "amount": amount}

    orders = pd.DataFrame([line("2025-03-01", "a", 10, 1000.0), line("2026-03-01", "a", 10, 900.0)])
    board = pd.DataFrame({"kpi": [], "actual": [], "baseline": []})
    p = params.Params(as_of="2026-06-30")
    sig = risks.risk_signals(SimpleNamespace(orders=orders), board, p).set_index("signal")
    assert sig.at["price", "value"] == 0.9 and bool(sig.at["price", "triggered"])  # 10% down > 5% alert
