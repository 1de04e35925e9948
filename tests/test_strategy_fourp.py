"""planning.strategy.fourp: the 4P decisions linked to step 2's goals."""

from __future__ import annotations

import pandas as pd

from planning import params
from planning.i18n import Voice
from planning.strategy import fourp, narrate


def test_four_p_links_goals_by_metric():
    p = params.Strategy(
        four_p=[
            {"p": "price", "item": {"en": "Value pricing", "zh": "价值定价"}, "supports": "revenue"},
            {"p": "product", "item": "Entry model", "supports": "new_customers"},
        ]
    )
    goals = pd.DataFrame({"goal": ["Grow revenue 15%"], "metric": ["revenue"]})
    t = narrate.four_p_table(fourp.four_p(p, goals), p, Voice("zh", "CNY"))
    assert list(t["p"]) == ["product", "price"]  # product, price, place, promotion order
    assert list(t["linked"]) == [False, True]
    assert t.loc[1, "item"] == "价值定价" and t.loc[1, "goal"] == "Grow revenue 15%"
    en = Voice("en", "CNY")
    t = narrate.four_p_table(fourp.four_p(p, goals), p, en)
    assert "Entry model" in narrate.describe_four_p(t, goals, en)
    assert narrate.describe_four_p(t, None, en) == en.t("strategy.fourp.no_goals")
