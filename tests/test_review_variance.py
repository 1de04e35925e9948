"""planning/review/variance.py: plan vs actual by period, rep, product line and channel; the outlook."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from frames_review import AS_OF, pva_with_reps, row, tiny_orders, tiny_plan

from planning import contracts, params
from planning.i18n import Voice
from planning.review import charts, narrate, plan, resplit, root_causes, variance, views
from planning.review.variance import plan_vs_actual

EN = Voice("en", "CNY")


def test_plan_vs_actual_variance_arithmetic():
    pva = plan_vs_actual(tiny_orders(), tiny_plan(), AS_OF)
    jan, feb = row(pva, "month", "2026-01"), row(pva, "month", "2026-02")
    assert (jan["plan"], jan["actual"], jan["variance"]) == (100.0, 90.0, -10.0)
    assert jan["variance_pct"] == pytest.approx(-0.10)
    # February: 200 * 14/28 = 100 due, 120 sold -> +20, +20%
    assert (feb["plan"], feb["actual"], feb["variance"]) == (100.0, 120.0, 20.0)
    ytd = row(pva, "ytd", "2026")
    assert (ytd["plan"], ytd["actual"], ytd["completion"]) == (200.0, 210.0, pytest.approx(1.05))
    q = row(pva, "qtd", "2026-Q1")
    assert (q["plan"], q["actual"]) == (200.0, 210.0)
    # R1: 0.6 * (100 + 100) = 120 due, 90 sold -> -25%; R2: 80 due, 120 sold -> +50%
    r1, r2 = row(pva, "rep", "R1"), row(pva, "rep", "R2")
    assert (r1["plan"], r1["variance_pct"]) == (pytest.approx(120.0), pytest.approx(-0.25))
    assert (r2["plan"], r2["variance_pct"]) == (pytest.approx(80.0), pytest.approx(0.5))
    # product lines: the plan of 200 split 50:50 as last year's 1 Jan - 14 Feb (the June order is outside)
    eq = row(pva, "product_line", "equipment")
    assert (eq["plan"], eq["actual"], eq["plan_basis"]) == (pytest.approx(100.0), 90.0, "mix_last_year")
    # every level of one kind adds up to the year to date
    for level in ("month", "quarter", "rep", "product_line", "channel"):
        assert pva.loc[pva["level"] == level, "plan"].sum() == pytest.approx(200.0)
        assert pva.loc[pva["level"] == level, "actual"].sum() == pytest.approx(210.0)
    assert list(pva.columns[:6]) == list(contracts.required_columns("plan_vs_actual"))



def test_a_region_without_last_years_window_splits_by_its_history_and_says_so():
    """A minimal plan's region (orders from June 2025 only) has no sales in last year's 1 Jan - 14 Feb: the plan is
    split by the mix of its history before 2026, and the table says that, not "last year's mix"."""
    pva = plan_vs_actual(tiny_orders().iloc[2:], tiny_plan(), AS_OF)  # the June order and 2026's
    services = row(pva, "product_line", "services")
    assert (services["plan"], services["plan_basis"]) == (pytest.approx(200.0), "mix_history")
    shown = views.pva_view(pva, EN).set_index(["level", "key"])["plan_basis"]
    assert shown.str.contains("last year's mix").sum() == 0
    assert shown.str.contains("history before this year").any()
    first_year = plan_vs_actual(tiny_orders().iloc[3:], tiny_plan(), AS_OF)  # nothing before 2026
    assert set(first_year.loc[first_year["level"] == "channel", "plan_basis"]) == {"mix_none"}

def test_projection():
    the_plan = tiny_plan()
    pva = plan_vs_actual(tiny_orders(), the_plan, AS_OF)
    proj = dict(zip(*variance.projection(pva, the_plan, AS_OF).T.values, strict=True))
    assert proj["annual_plan"] == 1300.0
    assert proj["linear"] == pytest.approx(210 / 45 * 365)  # 45 days elapsed of 365
    assert proj["seasonal"] == pytest.approx(210 / (200 / 1300))  # 1,365


def test_no_plan_leaves_plan_columns_empty():
    orders = tiny_orders()
    empty = plan.plan_from_table(None, None, 2026)
    pva = plan_vs_actual(orders, empty, AS_OF)
    assert empty.source == "none" and pva["plan"].isna().all()
    assert row(pva, "ytd", "2026")["actual"] == 210.0
    assert resplit.resplit(pva, empty, AS_OF).empty
    p = params.Params(as_of=AS_OF)
    rc = root_causes.root_causes(SimpleNamespace(orders=orders, opportunities=None), pva, p)
    assert rc.empty and views.five_why_view(narrate.root_cause_whys(rc, EN), EN).empty
    charts.waterfall(
        root_causes.waterfall_data(rc, "ytd", "2026"), "en"
    ).to_dict()  # an empty chart, not an error


def test_pva_shown_keeps_all_rows_up_to_twice_the_ends() -> None:
    pva = pva_with_reps(19)  # 19 reps + the one without a plan = 20 = 2 x 10: all shown
    assert variance.pva_shown(pva).equals(pva)


def test_pva_shown_keeps_the_reps_furthest_below_and_above_plan_in_their_order() -> None:
    pva = pva_with_reps(25)  # 26 reps: r00..r09 (-12 .. -3 %) and r15..r24 (+3 .. +12 %) shown
    shown = variance.pva_shown(pva)
    reps = shown.loc[shown["level"] == "rep", "key"].tolist()
    assert reps == [
        f"r{i:02d}" for i in [*range(10), *range(15, 25)]
    ]  # r10..r14 (-2 .. +2 %) and r99 left out
    assert shown["level"].tolist()[:2] == ["ytd", "month"] and shown["level"].iloc[-1] == "product_line"
    assert len(variance.pva_shown(pva, shown=3)) == 2 + 6 + 1
    with pytest.raises(ValueError, match="positive"):
        variance.pva_shown(pva, shown=0)
