"""planning.strategy.funnel: stage conversion, the bottleneck, win stats."""

from __future__ import annotations

import pandas as pd
import pytest
from frames_strategy import full, opps, real_export_opps

from planning import contracts, params
from planning.strategy import funnel


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def test_funnel_rates_from_counts(p):
    f = funnel.funnel(opps(), full(p)).set_index("stage")
    # lead: entered 10, advanced 8, open 1 -> 8 / (10 - 1)
    assert (f.loc["lead", "entered"], f.loc["lead", "advanced"], f.loc["lead", "open"]) == (10, 8, 1)
    assert f.loc["lead", "conversion_rate"] == pytest.approx(8 / 9)
    # discovery: entered 8, advanced 4, none open -> 4 / 8; 10 days in stage
    assert f.loc["discovery", "conversion_rate"] == pytest.approx(0.5)
    assert f.loc["discovery", "median_days"] == 10
    # proposal: entered 4, advanced 2, open 1 -> 2 / 3;  negotiation: 2 entered, 1 won -> 1 / 2, days 10 and -
    assert f.loc["proposal", "conversion_rate"] == pytest.approx(2 / 3)
    assert f.loc["negotiation", "conversion_rate"] == pytest.approx(0.5)
    assert f.loc["negotiation", "median_days"] == 10
    # no benchmark: the lowest rate is the bottleneck (discovery and negotiation tie at 0.5 -> first)
    assert f["bottleneck"].sum() == 1 and f.loc["discovery", "bottleneck"]
    assert set(contracts.required_columns("funnel")) <= set(f.reset_index().columns)


def test_bottleneck_is_largest_drop_against_benchmark(p):
    region = opps()
    # company benchmark: the same deals plus extra deals that all advance from proposal -> proposal looks weak
    extra = region.iloc[[0]].assign(opportunity_id="X")
    company = pd.concat(
        [region] + [extra.assign(opportunity_id=f"X{i}") for i in range(6)], ignore_index=True
    )
    f = funnel.funnel(region, full(p), benchmark=company).set_index("stage")
    # benchmark proposal rate: (2 + 6) / (3 + 6) = 8/9; region 2/3 -> ratio 0.75
    # benchmark negotiation: (1 + 6) / (2 + 6) = 7/8; region 1/2 -> ratio 0.571 -> the largest drop
    assert f.loc["proposal", "benchmark_rate"] == pytest.approx(8 / 9)
    assert f.loc["negotiation", "vs_benchmark"] == pytest.approx(0.5 / (7 / 8) - 1)
    assert f.loc["negotiation", "bottleneck"] and f["bottleneck"].sum() == 1


def test_funnel_ignores_dates_after_as_of(p):
    # as of 2026-06-15 the deals that reached proposal on 06-21 have not yet: discovery has 8 entered, 0 advanced
    f = funnel.funnel(opps(), full(p, "2026-06-15")).set_index("stage")
    assert f.loc["discovery", "advanced"] == 0


def test_win_stats(p):
    s = funnel.win_stats(opps(), full(p)).iloc[0]
    # 8 decided: 1 won (300) and 7 lost (100 each)
    assert (s["won"], s["lost"], s["open"]) == (1, 7, 2)
    assert s["win_rate"] == pytest.approx(1 / 8)
    assert s["value_win_rate"] == pytest.approx(300 / 1000)
    assert s["cycle_days"] == 40  # 2026-06-01 -> 2026-07-11


# ---------------------------------------------------------------- issue 17 case 6: what the export supports
def test_support_detects_missing_stage_dates_and_unvalued_deals(p):
    assert funnel.support(opps(), full(p)).full
    sup = funnel.support(real_export_opps(), full(p))
    assert sup.outcomes_only and sup.missing_stages == ("discovery", "proposal", "negotiation")
    assert not sup.value_win_rate and not sup.open_values and not sup.full
    partial = opps().assign(discovery_date=pd.NaT)
    sup = funnel.support(partial, full(p))
    assert sup.dated_stages == ("proposal", "negotiation") and sup.value_win_rate and sup.open_values


def test_funnel_without_stage_dates_is_won_lost_open(p):
    # before: discovery / proposal / negotiation at 100 % conversion and no days; now one row lead -> won
    f = funnel.funnel(real_export_opps(), full(p))
    assert list(f["stage"]) == ["lead"]
    row = f.iloc[0]
    assert (row["entered"], row["advanced"], row["dropped"], row["open"]) == (10, 1, 7, 2)
    assert row["conversion_rate"] == pytest.approx(1 / 8)  # won / decided
    assert row["median_days"] == 40  # lead 2026-06-01 -> close 2026-07-11 of the one won deal
    assert not f["bottleneck"].any() and funnel.bottleneck(f) is None
    assert set(contracts.required_columns("funnel")) <= set(f.columns)


def test_a_stage_without_dates_is_merged_into_the_next(p):
    f = funnel.funnel(opps().assign(discovery_date=pd.NaT), full(p)).set_index("stage")
    # lead -> proposal: 4 advanced of 10 entered, 1 open at lead -> 4 / 9 (no 100 % discovery -> proposal row)
    assert list(f.index) == ["lead", "proposal", "negotiation"]
    assert f.loc["lead", "conversion_rate"] == pytest.approx(4 / 9)
    assert f.loc["lead", "median_days"] == 20  # lead 06-01 -> proposal 06-21
    assert funnel.next_stages(f.reset_index()) == ["proposal", "negotiation", "won"]


def test_value_win_rate_is_empty_when_lost_deals_carry_no_value(p):
    # before: 300 / (300 + 0) = "100.0% win rate by value"
    st = funnel.win_stats(real_export_opps(), full(p)).iloc[0]
    assert st["win_rate"] == pytest.approx(1 / 8) and pd.isna(st["value_win_rate"])
    assert funnel.win_stats(opps(), full(p)).iloc[0]["value_win_rate"] == pytest.approx(0.3)


def test_a_stage_no_deal_of_the_window_reached_is_still_a_stage(p):
    # the negotiation date exists in the export (an older deal), though no lead of the last 12 months got there:
    # negotiation stays a stage with no entries, it is not merged away as a stage the export lacks
    d = opps()
    d["negotiation_date"] = pd.NaT
    old = d.iloc[[0]].assign(
        opportunity_id="OLD",
        lead_date=pd.Timestamp("2024-01-01"),
        negotiation_date=pd.Timestamp("2024-03-01"),
    )
    f = funnel.funnel(pd.concat([d, old], ignore_index=True), full(p))
    assert list(f["stage"]) == ["lead", "discovery", "proposal", "negotiation"]
    assert funnel.support(d, full(p)).dated_stages == ("discovery", "proposal")


@pytest.mark.parametrize(
    "undated", [(), ("discovery",), ("proposal", "negotiation"), ("discovery", "proposal", "negotiation")]
)
def test_benchmark_from_counts_equals_benchmark_from_opportunities(p, undated):
    """The company's stage counts (computed once per run, planning.company) give the very rates that the
    company's opportunities give, whichever stages the region's funnel dates: bit for bit, counts added across
    regions."""
    region = opps().drop(columns=[funnel.STAGE_DATE[s] for s in undated])
    extra = opps().iloc[[0, 3, 5]]
    company = pd.concat(
        [opps(), *(extra.assign(opportunity_id=f"X{i}") for i in range(4))], ignore_index=True
    )
    by_opps = funnel.funnel(region, full(p), benchmark=company)
    halves = [company.iloc[: len(company) // 2], company.iloc[len(company) // 2 :]]
    counts = [funnel.stage_counts(h, full(p).as_of, p.funnel_months) for h in halves]
    added = counts[0].assign(**{c: counts[0][c] + counts[1][c] for c in ("entered", "advanced", "open")})
    by_counts = funnel.funnel(region, full(p), benchmark_counts=added)
    pd.testing.assert_frame_equal(by_opps, by_counts)
    assert by_counts["benchmark_rate"].notna().all()
    assert len(by_counts) == 4 - len(undated)
    no_bench = funnel.funnel(region, full(p))
    assert no_bench["benchmark_rate"].isna().all()
    assert not by_counts["benchmark_rate"].equals(no_bench["conversion_rate"])


def test_text_dates_read_as_their_datetimes(p):
    """Date columns already datetime64 are not parsed again; text dates are: both read the same, and a missing
    date (NaT) reaches no stage."""
    o = opps()
    o.loc[o.index[0], "discovery_date"] = pd.NaT
    text = o.assign(**{c: o[c].dt.strftime("%Y-%m-%d") for c in ("lead_date", "discovery_date", "close_date")})
    as_of = pd.Timestamp(full(p).as_of)
    (r1, c1, w1), (r2, c2, w2) = funnel.reached_stages(o, as_of), funnel.reached_stages(text, as_of)
    assert all((r1[s] == r2[s]).all() for s in funnel.STAGES) and (c1 == c2).all() and (w1 == w2).all()
    pd.testing.assert_frame_equal(funnel.in_window(o, as_of, 12), funnel.in_window(text, as_of, 12).astype(o.dtypes))
    pd.testing.assert_frame_equal(funnel.win_stats(o, full(p)), funnel.win_stats(text, full(p)), check_exact=True)
    assert funnel.support(o, full(p)) == funnel.support(text, full(p))


def test_win_stats_of_a_window_of_deals_without_the_key(p):
    """Deals whose `by` value is missing are in no group: no rows, the columns and their dtypes kept; no deal
    in the window gives the one row "all" with no leads."""
    o = opps().assign(industry=None)
    by = funnel.win_stats(o, full(p), by="industry")
    assert by.empty and list(by.columns)[:2] == ["industry", "leads"] and by["leads"].dtype == "int64"
    none = funnel.win_stats(opps().iloc[:0], full(p))
    assert none[["scope", "leads", "won"]].to_dict("records") == [{"scope": "all", "leads": 0, "won": 0}]
    assert none["win_rate"].isna().all()
