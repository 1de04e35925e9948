"""The plan's rhythm (issue 20): plan of record lookup, to-date windows, pipeline stage probabilities against a
hand-computed fixture, the re-plan's exact sums, the improvement list's carry-forward, and a simulated year on the
sample company (plan, reviews, one re-plan after a weak quarter)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning import store
from planning.params import Params
from planning.review import improve, pipeline, replan, variance
from planning.review.plan import Plan
from planning.strategy.funnel import reached_stages

NaT = pd.NaT


def _snap(root: Path, day: str, kind: str | None, region: str = "east", year: int = 2027, status="complete"):
    d = root / day / region / "artifacts"
    d.mkdir(parents=True)
    (d / "targets.csv").write_text("level,period,start,end,target,working_days\n")
    m = {"status": status, "regions": {region: {"params": {"plan_year": year}}}}
    if kind:
        m["kind"] = kind
    store.write_manifest(root / day, m)


def test_plan_of_record_is_the_latest_plan_version_at_or_before_the_date(tmp_path: Path) -> None:
    _snap(tmp_path, "2026-12-31", None)  # no kind: a plan (older snapshots)
    _snap(tmp_path, "2027-02-28", "review")
    _snap(tmp_path, "2027-04-01", "replan")
    _snap(tmp_path, "2027-05-01", "adjusted", status="incomplete")
    _snap(tmp_path, "2027-06-01", "plan", year=2028)
    found = lambda d, **kw: (s := store.plan_of_record(tmp_path, date.fromisoformat(d), **kw)) and s.path.name  # noqa: E731
    assert found("2027-03-31") == "2026-12-31"  # the review is no plan version
    assert found("2027-04-01") == "2027-04-01"  # at or before
    assert found("2027-05-31") == "2027-04-01"  # the incomplete adjustment does not count
    assert found("2027-06-30") == "2027-06-01"
    assert found("2027-06-30", year=2027) == "2027-04-01"
    assert found("2027-06-30", region="west") is None
    assert found("2026-12-30") is None


def test_to_date_windows_and_their_plan() -> None:
    months = pd.DataFrame({"month": pd.date_range("2027-01-01", periods=12, freq="MS"), "target": 3100.0})
    plan = Plan("snapshot", 2027, months, pd.DataFrame(columns=["rep_id", "team", "month", "target"]))
    orders = pd.DataFrame(
        {"order_date": pd.to_datetime(["2026-03-10", "2027-01-05", "2027-03-08", "2027-03-10"]),
         "amount": [50.0, 100.0, 10.0, 20.0]}
    )  # fmt: skip
    td = variance.to_date(orders, plan, date(2027, 3, 10)).set_index("period")  # a Wednesday
    assert list(td["start"]) == ["2027-03-08", "2027-03-01", "2027-01-01", "2027-01-01"]
    assert td.loc["wtd", "plan"] == pytest.approx(3 * 100.0)  # 3100 over 31 March days, 3 days
    assert td.loc["ytd", "plan"] == pytest.approx(3100 + 3100 + 1000)
    assert td.loc["wtd", "actual"] == 30.0 and td.loc["ytd", "actual"] == 130.0
    assert td.loc["mtd", "actual_last_year"] == 50.0 and td.loc["mtd", "growth"] == pytest.approx(30 / 50 - 1)


def _opp(i, stage_dates, status, close=None, amount=100.0, source="content"):
    lead, disc, prop, neg = (list(stage_dates) + [None] * 4)[:4]
    return {"opportunity_id": f"O{i:03d}", "customer_id": "C1", "rep_id": "R1", "source": source,
            "industry": "energy", "amount": amount, "lead_date": lead, "discovery_date": disc,
            "proposal_date": prop, "negotiation_date": neg, "close_date": close, "status": status}  # fmt: skip


def _opps(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in ("lead_date", "discovery_date", "proposal_date", "negotiation_date", "close_date"):
        df[c] = pd.to_datetime(df[c])
    return df


def test_stage_probabilities_match_a_hand_computed_fixture() -> None:
    d = "2027-01-%02d"
    rows = [
        # closed: 2 won from negotiation, 1 lost at negotiation, 1 lost at proposal, 2 lost at lead
        _opp(1, [d % 1, d % 2, d % 3, d % 4], "won", d % 14),  # 10 days negotiation -> close
        _opp(2, [d % 1, d % 2, d % 3, d % 4], "won", d % 24),  # 20 days
        _opp(3, [d % 1, d % 2, d % 3, d % 4], "lost", d % 20),
        _opp(4, [d % 1, d % 2, d % 3], "lost", d % 20),
        _opp(5, [d % 1], "lost", d % 10),
        _opp(6, [d % 1], "lost", d % 10),
        # open on 2027-02-15: one in negotiation (reached 02-10), one at lead
        _opp(7, [d % 20, d % 25, "2027-02-01", "2027-02-10"], "open", amount=1000.0),
        _opp(8, ["2027-02-01"], "open", amount=500.0),
    ]
    opps = _opps(rows)
    cfg = Params().review.pipeline.model_copy(update={"min_closed": 1})
    st = pipeline.stage_probabilities(opps, date(2027, 2, 15), cfg).set_index("stage")
    # by hand: lead 6 closed reached, 2 won; discovery 4 / 2; proposal 4 / 2; negotiation 3 / 2
    assert st["reached"].to_dict() == {"lead": 6, "discovery": 4, "proposal": 4, "negotiation": 3}
    assert st["probability"].to_dict() == pytest.approx(
        {"lead": 2 / 6, "discovery": 2 / 4, "proposal": 2 / 4, "negotiation": 2 / 3}
    )
    assert st.loc["negotiation", "days_to_close"] == 15.0  # median of 10 and 20
    assert st.loc["lead", "days_to_close"] == 18.0  # median of 13 and 23
    assert st.loc["negotiation", "open_deals"] == 1 and st.loc["lead", "open_amount"] == 500.0
    fc, deals = pipeline.pipeline_forecast(opps, st.reset_index(), date(2027, 2, 15), cfg)
    d7 = deals.set_index("opportunity_id").loc["O007"]
    assert d7["expected_close"] == pd.Timestamp("2027-02-25") and d7["close_basis"] == "stage_median"
    # O008: lead 02-01 + 18 days = 02-19; both in 2027-02
    row = fc.set_index("month").loc["2027-02"]
    assert row["worst"] == pytest.approx(1000 * 2 / 3)  # only negotiation counts in the worst case
    assert row["commit"] == pytest.approx(1000 * 2 / 3 + 500 / 3)
    assert row["best"] == pytest.approx(1000 + 500 / 3)  # negotiation at full amount
    opps.loc[opps["opportunity_id"] == "O008", "expected_close_date"] = pd.Timestamp("2027-04-03")
    _, deals = pipeline.pipeline_forecast(opps, st.reset_index(), date(2027, 2, 15), cfg)
    assert deals.set_index("opportunity_id").loc["O008", "close_basis"] == "expected_close_date"


def _plan_targets(year: int = 2027) -> tuple[pd.DataFrame, pd.DataFrame]:
    from planning.goals.decompose import allocate

    months = pd.date_range(f"{year}-01-01", periods=12, freq="MS")
    month_c = allocate(1_200_000_00, np.arange(1, 13))
    cal = pd.DataFrame({"day": pd.date_range(f"{year}-01-01", f"{year}-12-31")})
    iso = cal["day"].dt.isocalendar()
    cal["week"] = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    rows = [("year", str(year), f"{year}-01-01", f"{year}-12-31", 1_200_000.0)]
    for q in range(4):
        end = (months[3 * q + 2] + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
        rows.append(("quarter", f"{year}-Q{q + 1}", months[3 * q].strftime("%Y-%m-%d"), end,
                     month_c[3 * q: 3 * q + 3].sum() / 100))  # fmt: skip
    for m in range(12):
        rows.append(("month", months[m].strftime("%Y-%m"), months[m].strftime("%Y-%m-%d"),
                     (months[m] + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d"), month_c[m] / 100))  # fmt: skip
    for w in cal["week"].unique():
        rows.append(("week", w, "", "", 0.0))
    targets = pd.DataFrame(rows, columns=["level", "period", "start", "end", "target"]).assign(working_days=1)
    reps = pd.DataFrame(
        [(r, t, months[m].strftime("%Y-%m"), month_c[m] / 100 * share)
         for r, t, share in [("R1", "a", 0.5), ("R2", "a", 0.25), ("R3", "b", 0.25)] for m in range(12)],
        columns=["rep_id", "team", "month", "target"],
    )  # fmt: skip
    return targets, reps


def test_replan_resplits_the_remaining_target_with_exact_sums() -> None:
    targets, reps = _plan_targets()
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2027-01-15", "2027-02-10", "2027-03-31"]),
                           "amount": [10_000.0, 20_000.0, 12_345.67]})  # fmt: skip
    check = replan.closed_quarter(targets, orders, date(2027, 4, 2), 0.8)
    assert check.quarter == "2027-Q1" and check.actual == pytest.approx(42_345.67) and check.required
    new = replan.replan(targets, reps, orders, date(2027, 3, 31))
    t = new.targets
    c = (t["target"] * 100).round().astype("int64")
    year = int(c[t["level"] == "year"].iloc[0])
    assert year == 1_200_000_00
    for level in ("quarter", "month", "week"):
        assert int(c[t["level"] == level].sum()) == year, level
    month = t[t["level"] == "month"].set_index("period")["target"]
    assert month["2027-02"] == 20_000.0 and month["2027-03"] == 12_345.67  # the past is what was booked
    assert new.remaining == pytest.approx(1_200_000 - 42_345.67)
    later = month.loc["2027-04":]
    original = targets[targets["level"] == "month"].set_index("period")["target"].loc["2027-04":]
    assert later.sum() == pytest.approx(new.remaining)
    assert (later / original).std() < 1e-6  # the plan's seasonality kept: every later month scaled alike
    by_month = (
        (new.targets_rep["target"] * 100).round().astype("int64").groupby(new.targets_rep["month"]).sum()
    )
    assert (by_month.to_numpy() == (month * 100).round().astype("int64").to_numpy()).all()
    may = new.targets_rep[new.targets_rep["month"] == "2027-05"].set_index("rep_id")["target"]
    assert may["R1"] == pytest.approx(2 * may["R2"], abs=0.03)  # the original 2 : 1 : 1, to the cent
    assert may["R2"] == pytest.approx(may["R3"], abs=0.015)


def test_health_falls_name_the_component_that_fell_most() -> None:
    p = Params()
    then = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "health_score": [70.0, 60.0, 50.0],
            "usage": [0.8, np.nan, 0.5],
            "satisfaction": [0.7, np.nan, 0.5],
            "renewal": [0.6, np.nan, 0.5],
            "trend": [0.5, 1.0, 0.5],
            "revenue_12m": [10.0, 20.0, 5.0],
        }
    )
    now = then.assign(health_score=[55.0, 45.0, 45.0], usage=[0.3, np.nan, 0.5], trend=[0.5, 0.0, 0.2])
    found = improve.health_falls(now, then, p).set_index("subject")
    assert list(found.index) == ["B", "A"]  # C fell 5 points (< 10); the most revenue first
    assert (
        found.loc["A", "detail"] == "usage" and found.loc["B", "detail"] == "trend"
    )  # no customers table: trend
    assert (found.loc["A", "metric"], found.loc["A", "baseline"]) == (55.0, 70.0)


def _items(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(improve.ITEM_COLUMNS, r, strict=True)) for r in rows],
                        columns=improve.ITEM_COLUMNS)  # fmt: skip


def test_improvement_items_carry_forward_done_open_dropped() -> None:
    p = Params(as_of=date(2027, 3, 7))
    first = improve.carry(
        _items(("swing:proposal", "swing", "proposal", "negotiation", 0.2, 0.6, 10, 10),
               ("health:C1", "health", "C1", "trend", 40.0, 60.0, 0, 0),
               ("stop:events", "stop", "events", "no_leads", 900.0, 0.0, 0, 0),
               ("copy:rep_id:R1", "copy", "R1", "rep_id", 0.5, 0.3, 20, 100)),
        None, None, {}, {}, p,
    )  # fmt: skip
    assert set(first["state"]) == {"new"} and set(first["due"]) == {"2027-03-14"}
    q = Params(as_of=date(2027, 3, 14))
    marks = pd.DataFrame({"item_id": ["copy:rep_id:R1"], "status": ["done"], "note": ["playbook shared"]})
    second = improve.carry(
        _items(("swing:proposal", "swing", "proposal", "negotiation", 0.1, 0.5, 12, 9)),
        first, marks, {"C1": 55.0}, {"events": 0.0}, q,
    ).set_index("item_id")  # fmt: skip
    assert second.loc["swing:proposal", "state"] == "open"  # found again: still open, evidence updated
    assert (
        second.loc["swing:proposal", "metric"] == 0.1
        and second.loc["swing:proposal", "opened"] == "2027-03-07"
    )
    assert second.loc["health:C1", "state"] == "open"  # 55 < 60: not back yet
    assert (second.loc["stop:events", "state"], second.loc["stop:events", "decided_by"]) == ("done", "data")
    assert (second.loc["copy:rep_id:R1", "state"], second.loc["copy:rep_id:R1", "decided_by"]) == (
        "done",
        "file",
    )
    late = Params(as_of=date(2027, 4, 20))  # due 03-14 + 28 days = 04-11 passed
    third = improve.carry(_items(), second.reset_index(), None, {"C1": 50.0}, {}, late).set_index("item_id")
    assert list(third.index) == ["swing:proposal", "health:C1"]  # done items are not repeated
    assert third.loc["swing:proposal", "state"] == "done"  # no longer found this week
    assert (third.loc["health:C1", "state"], third.loc["health:C1", "decided_by"]) == ("dropped", "due")


def test_improvement_marks_file_is_checked(tmp_path: Path) -> None:
    path = store.improvement_marks_path(tmp_path)
    path.write_text(
        "region,item_id,status,note\neast,stop:events,done,\nwest,x,finished,\n", encoding="utf-8"
    )
    with pytest.raises(store.ArtifactInvalid, match=r"line 3, column 'status': 'finished'; expected one of"):
        store.read_improvement_marks(tmp_path, "east")
    path.write_text("region,item_id,status,note\neast,stop:events,Done,ok\nwest,x,open,\n", encoding="utf-8")
    assert store.read_improvement_marks(tmp_path, "east").to_dict("records") == [
        {"item_id": "stop:events", "status": "done", "note": "ok"}
    ]


def _cli(*args: str):
    from typer.testing import CliRunner

    from planning.cli import app

    return CliRunner().invoke(app, list(args))


def test_review_and_replan_without_a_plan_of_record_exit_2(tmp_path: Path) -> None:
    for command in ("review", "replan"):
        result = _cli(command, "--region", "east", "--as-of", "2027-03-31", "--out", str(tmp_path))
        assert result.exit_code == 2, (command, result.output)
        assert "no plan of record" in result.stderr and "2027" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_review_never_replaces_a_plan_version(tmp_path: Path) -> None:
    _snap(tmp_path, "2026-09-30", "plan", year=2026)
    result = _cli("review", "--region", "east", "--as-of", "2026-09-30", "--out", str(tmp_path), "--force")
    assert result.exit_code == 2, result.output
    assert "holds a plan snapshot; a review of 2026-09-30 cannot replace it" in result.stderr
    assert store.read_manifest(tmp_path / "2026-09-30")["kind"] == "plan"


# ------------------------------------------------------------------------------------------------ a simulated year
@pytest.fixture(scope="module")
def year_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample company through 2027 (small scale); half the east's March 2027 orders dropped: a weak first quarter."""
    from planning import sample

    out = tmp_path_factory.mktemp("year")
    sample.write(out, scale=0.05, end=date(2027, 12, 31))
    orders = pd.read_parquet(out / "orders.parquet")
    d = pd.to_datetime(orders["order_date"])
    weak = (orders["region"] == "east") & (d >= "2027-03-01") & (d <= "2027-03-31")
    drop = weak & (np.arange(len(orders)) % 2 == 0)
    orders[~drop].to_parquet(out / "orders.parquet", index=False)
    return out


@pytest.mark.slow
def test_a_simulated_year_plan_reviews_and_one_replan(year_data: Path, tmp_path: Path) -> None:
    from planning import runner
    from planning.runner import replan as replan_run

    root = tmp_path / "out"
    data = str(year_data)
    plan = runner.run(regions=["east"], as_of="2026-12-31", data_dir=data, out_root=root, workers=1)
    assert plan.ok and store.read_manifest(plan.snapshot)["kind"] == "plan"
    r = runner.review(as_of="2027-02-28", regions=["east"], data_dir=data, out_root=root, workers=1)
    assert r.ok, r.results
    m = store.read_manifest(r.snapshot)
    assert (m["kind"], m["plan_of_record"], m["steps"]) == ("review", "2026-12-31", ["05_review"])
    assert not store.has_artifacts(r.snapshot / "east", "targets")  # no target recomputed
    assert "Review run: progress checked against the plan of record 2026-12-31" in (
        r.snapshot / "index.html"
    ).read_text(encoding="utf-8")
    # the plan run's own review opened the first list; the February review decides every open item of it
    first_list = store.read_artifact(plan.snapshot / "east", "improvements")
    second_list = store.read_artifact(r.snapshot / "east", "improvements")
    carried = set(first_list.loc[first_list["state"].isin(["new", "open"]), "item_id"])
    assert carried, "the first review found nothing to carry"
    assert carried <= set(second_list["item_id"])
    assert set(second_list.loc[second_list["item_id"].isin(carried), "state"]) <= {"open", "done", "dropped"}

    result = replan_run.replan(as_of="2027-03-31", regions=["east"], data_dir=data, out_root=root)
    assert result.snapshot == root / "2027-04-01", result.lines
    m = store.read_manifest(result.snapshot)
    assert (m["kind"], m["plan_of_record"]) == ("replan", "2026-12-31")
    assert (
        m["regions"]["east"]["replan"]["required"]
        and "below the re-split threshold 80%" in (m["regions"]["east"]["replan"]["reason"])
    )
    assert not store.has_artifacts(result.snapshot / "east", "improvements")  # a plan version, not a review
    assert (result.snapshot / "diff_2026-12-31" / "index.html").is_file()  # old vs new targets
    index = (result.snapshot / "index.html").read_text(encoding="utf-8")
    assert f"reports as of {result.snapshot.name}" in index  # its own date, not its plan of record's
    causes = pd.read_csv(next((result.snapshot / "diff_2026-12-31").glob("*cause*.csv")))
    replanned = causes[(causes["scope"] == "east") & (causes["cause"] == "replan")]
    assert len(replanned) == 1 and "below the re-split threshold 80%" in replanned["item"].iloc[0]
    assert 'href="../2026-12-31/east/02_goals.html"' in (result.snapshot / "index.html").read_text(
        encoding="utf-8"
    )
    assert store.has_artifacts(result.snapshot / "east", "targets", "targets_rep", "forecast", "capacity")
    r = runner.review(as_of="2027-04-30", regions=["east"], data_dir=data, out_root=root, workers=1)
    assert r.ok and store.read_manifest(r.snapshot)["plan_of_record"] == "2027-04-01"
    third_list = store.read_artifact(r.snapshot / "east", "improvements")
    still_open = set(second_list.loc[second_list["state"].isin(["new", "open"]), "item_id"])
    assert still_open and still_open <= set(third_list["item_id"])  # carried over the re-plan from February
    pva = store.read_artifact(r.snapshot / "east", "plan_vs_actual").set_index(["level", "key"])
    assert pva.loc[("quarter", "2027-Q1"), "completion"] == pytest.approx(1.0, abs=1e-6)  # the re-plan's Q1
    html = (r.snapshot / "east" / "05_review.html").read_text(encoding="utf-8")
    assert "quarterly re-plan of the snapshot of 2027-04-01" in html
    json.dumps(m)  # the manifest stays plain JSON
    shutil.rmtree(root)


def test_landing_chart_draws_range_commit_and_target_in_the_report_language() -> None:
    from planning.review import charts

    landing = pd.DataFrame({"horizon": ["quarter", "year"], "period": ["2027-Q2", "2027"],
                            "target": [100.0, 400.0], "worst": [80.0, 350.0], "commit": [90.0, 380.0],
                            "best": [95.0, 390.0]})  # fmt: skip
    spec = charts.landing_chart(landing, "zh").to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "point", "tick"]
    assert spec["title"].startswith("预计落点") and "季度 2027-Q2" in json.dumps(spec, ensure_ascii=False)


def test_reached_stages_of_some_rows_are_those_rows_of_all() -> None:
    # stage_probabilities works the stages out once and takes the recent and the open deals' rows of them
    d = "2027-01-%02d"
    opps = _opps(
        [
            _opp(1, [d % 1, d % 2, d % 3, d % 4], "won", d % 14),
            _opp(2, [d % 1, None, d % 3], "lost", d % 20),
            _opp(3, [d % 1, d % 25], "open"),
            _opp(4, [d % 1], "won", "2027-03-01"),  # closed after the date: not yet
        ]
    )
    as_of = pd.Timestamp("2027-02-15")
    every = reached_stages(opps, as_of)
    for rows in (np.array([True, False, True, True]), np.zeros(4, dtype=bool)):
        part, whole = reached_stages(opps[rows], as_of), pipeline._rows_of(every, rows)
        assert part[0].keys() == whole[0].keys()
        assert all((part[0][s] == whole[0][s]).all() for s in part[0])
        assert (part[1] == whole[1]).all() and (part[2] == whole[2]).all()
    assert list(pipeline.open_deals(opps, as_of.date(), every)["stage"]) == ["discovery", "lead"]
