"""Tests of planning/resources/views.py: display tables with translated labels and formatted values."""

from __future__ import annotations

import pandas as pd

from planning.i18n import Voice
from planning.resources import views

EN, ZH = Voice("en", "CNY"), Voice("zh", "CNY")


def test_cost_table_translates_known_items_and_keeps_tool_names():
    costs = pd.DataFrame(
        {"category": ["marketing", "tools", "total"], "item": ["marketing", "My CRM", "total"],
         "amount": [1_000_000.0, 50_000.0, 1_050_000.0], "basis": ["", "+5%", ""], "share": [0.1, 0.005, 0.105]}
    )  # fmt: skip
    table = views.cost_table(costs, EN)
    assert table.shape == (3, 5)
    items = table.iloc[:, 1].tolist()
    assert items == [EN.t("resources.costs.items.marketing"), "My CRM", EN.t("resources.costs.items.total")]
    assert table.iloc[0, 2] == "¥1,000,000" and table.iloc[1, 3] == "0.50%"
    assert views.cost_item_label("My CRM", ZH) == "My CRM"


def test_summary_table_formats_by_unit():
    summary = pd.DataFrame({"metric": ["expected_cost", "share_at_quota"], "value": [123_456_789.0, 0.42],
                            "unit": ["money", "pct"]})  # fmt: skip
    values = views.summary_table(summary, EN).iloc[:, 1].tolist()
    assert values == ["¥123.5M", "42.0%"]


def test_hiring_table_translates_the_source():
    plan = pd.DataFrame({"start_month": ["2027-01"], "hires": [1], "source": ["goals"]})
    assert views.hiring_table(plan, ZH)["source"].iloc[0] != "goals"
