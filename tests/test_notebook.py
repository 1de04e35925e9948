"""planning/notebook.py: the Context a step notebook works with, and `setup`, its second cell.

Save/load contract checks, `missing` on an orders-only Context and the table currency are in
tests/test_contracts.py and tests/test_optional_data.py; this file covers the rest: identity, voice, region name,
the store round trip across steps, the other `missing` rules, `data` / `company` on the small sample, and setup.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from planning import charts, config, contracts, data, display, notebook, store, strategy
from planning.errors import ArtifactInvalid, ArtifactMissing, DataError, ParamsError
from planning.i18n import Voice
from planning.notebook import Context
from planning.params import Company, DataSection, Params, Region

AS_OF = date(2025, 6, 30)


def _params(lang: str = "en", currency: str = "CNY", **region: str) -> Params:
    return Params(
        language=lang,
        as_of=AS_OF,
        plan_year=2026,
        company=Company(currency=currency),
        region=Region(key=region.pop("key", "east"), **region),
    )


def _ctx(tmp_path: Path, step: str = "03_strategy", **kw) -> Context:
    return Context(step=step, p=_params(**kw), data_dir=tmp_path, out_dir=tmp_path / "out")


# ------------------------------------------------------------------------------------------------ identity
def test_identity_comes_from_the_params(tmp_path):
    ctx = _ctx(tmp_path, lang="zh")
    assert (ctx.region, ctx.as_of, ctx.plan_year, ctx.lang) == ("east", AS_OF, 2026, "zh")
    assert ctx.artifacts_dir == tmp_path / "out" / "artifacts"
    assert ctx.batch is False


def test_voice_binds_the_report_language_and_the_company_currency(tmp_path):
    assert _ctx(tmp_path).voice == Voice("en", "CNY")
    usd = _ctx(tmp_path, lang="zh", currency="USD").voice
    assert usd == Voice("zh", "USD")
    assert usd.money(12_345_000) == "$1,234.5万"


@pytest.mark.parametrize(
    ("lang", "region", "expected"),
    [
        ("en", {}, "East China"),  # no explicit name: the locale's display name
        ("zh", {}, "华东"),
        ("en", {"name": "Shanghai & Jiangsu"}, "Shanghai & Jiangsu"),  # an explicit name wins
        ("zh", {"name": "Shanghai & Jiangsu", "name_zh": "沪苏"}, "沪苏"),
        ("zh", {"name": "Shanghai & Jiangsu"}, "华东"),  # the English name is not used in a zh report
        ("en", {"key": "atlantis"}, "atlantis"),  # unknown to the locale: the key itself
    ],
)
def test_region_name(tmp_path, lang, region, expected):
    assert _ctx(tmp_path, lang=lang, **region).region_name == expected


def test_display_helpers_translate_and_format(tmp_path, monkeypatch):
    shown: list[tuple] = []
    monkeypatch.setattr(display, "heading", lambda text, level=2: shown.append(("h", text, level)))
    monkeypatch.setattr(display, "paragraph", lambda text: shown.append(("p", text)))
    monkeypatch.setattr(charts, "show", lambda chart: shown.append(("chart", chart)))
    ctx = _ctx(tmp_path, currency="USD")
    assert ctx.t("data.tables.reps") == "reps (sales representatives)"
    assert ctx.name("step", "02_goals") == "Goals"
    assert ctx.money(12_345_000) == "$12.3M"
    assert ctx.pct(0.153) == "15.3%"
    ctx.h("market.segments.missing_dims", level=3, dims="industry")
    ctx.say("a < b")
    ctx.chart("the chart")
    assert shown == [("h", "segments by industry", 3), ("p", "a < b"), ("chart", "the chart")]


# ------------------------------------------------------------------------------------------------ artefacts
def test_an_artefact_saved_by_one_step_is_loaded_typed_by_the_next(tmp_path):
    goals = _ctx(tmp_path, step="02_goals")
    reps = pd.DataFrame({"rep_id": ["007"], "team": ["east-1"], "month": ["2027-01"], "target": [1.5]})
    assert goals.save("targets_rep", reps) is None  # nothing printed into the report
    assert (goals.artifacts_dir / "targets_rep.csv").read_text() == (
        "rep_id,team,month,target\n007,east-1,2027-01,1.500000\n"
    )
    back = _ctx(tmp_path, step="03_strategy").load("targets_rep")
    assert back.to_dict("records") == [{"rep_id": "007", "team": "east-1", "month": "2027-01", "target": 1.5}]
    assert str(back["target"].dtype) == "float64"
    # read_csv options pass through, the contract types still apply
    some = goals.load("targets_rep", usecols=["rep_id", "target"])
    assert list(some.columns) == ["rep_id", "target"] and some["rep_id"].tolist() == ["007"]


def test_a_missing_artefact_names_the_contexts_region_not_the_folder(tmp_path):
    ctx = Context(step="03_strategy", p=_params(), data_dir=tmp_path, out_dir=tmp_path / "scratch")
    with pytest.raises(ArtifactMissing, match=r"run step 02_goals for region 'east' first"):
        ctx.load("targets")


def test_a_value_of_the_wrong_type_is_an_error_naming_line_and_column(tmp_path):
    ctx = _ctx(tmp_path, step="01_market_analysis")
    ctx.artifacts_dir.mkdir(parents=True)
    (ctx.artifacts_dir / "seasonality.csv").write_text("month_of_year,index\n1,1.0\nmarch,0.9\n")
    with pytest.raises(ArtifactInvalid, match=r"line 3, column 'month_of_year': 'march'; expected a number"):
        ctx.load("seasonality")


# ------------------------------------------------------------------------------------------------ missing
@pytest.fixture
def said(monkeypatch) -> list[str]:
    out: list[str] = []
    monkeypatch.setattr(Context, "say", lambda self, text: out.append(text))
    return out


def _tiny_ctx(tmp_path: Path) -> Context:
    """Orders with a rep on every line, an empty reps table, one customer; no other table."""
    ctx = _ctx(tmp_path)
    orders = pd.DataFrame({"order_id": ["O1", "O2"], "rep_id": ["R1", "R2"], "amount": [1.0, 2.0]})
    ctx.__dict__["data"] = data.Tables(
        orders=orders,
        reps=pd.DataFrame(columns=["rep_id"]),
        customers=pd.DataFrame({"customer_id": ["C1"]}),
    )
    return ctx


def test_missing_alternatives_any_one_of_which_will_do(tmp_path, said):
    ctx = _tiny_ctx(tmp_path)
    assert ctx.missing(("customers", "opportunities"), "strategy.missing.health") is False
    assert ctx.missing(("marketing", "opportunities"), "strategy.missing.health") is True
    assert said == [
        "Not computed: " + ctx.t("strategy.missing.health") + ". It needs the marketing (spend and leads by "
        "source) or opportunities (pipeline) table (marketing.csv / marketing.parquet or opportunities.csv / "
        "opportunities.parquet), which this data set does not have; add the file to the data folder (columns "
        "in docs/data.md) or map it from your export (docs/import.md), and run the step again."
    ]


def test_missing_counts_an_empty_table_as_absent_unless_the_order_lines_have_the_column(tmp_path, said):
    ctx = _tiny_ctx(tmp_path)
    assert ctx.missing("reps", "goals.missing.reps") is True  # a header without rows
    assert ctx.missing("reps", "goals.missing.reps", column="rep_id") is False  # every line names its rep
    assert ctx.missing("reps", "goals.missing.reps", column="team") is True  # not a column of the lines
    assert len(said) == 2 and "team on the order lines" in said[1]


def test_missing_reads_an_order_column_the_step_does_not(small_sample, tmp_path, said):
    """`column=` a schema column outside the step's ORDER_COLUMNS (strategy reads no rep_id): the data's own lines
    answer, not the step's narrowed frame (which said "not computed" though every line names its rep)."""
    ctx = Context(step="03_strategy", p=_params(), data_dir=small_sample, out_dir=tmp_path)
    assert "rep_id" not in ctx.data.orders.columns
    ctx.__dict__["data"] = data.Tables(orders=ctx.data.orders, reps=pd.DataFrame(columns=["rep_id"]))
    assert ctx.missing("reps", "goals.missing.reps", column="rep_id") is False
    assert ctx.missing("reps", "goals.missing.reps") is True and len(said) == 1


def test_missing_when_forces_the_answer_and_formats_the_part(tmp_path, said):
    ctx = _tiny_ctx(tmp_path)
    assert ctx.missing("customers", "market.segments.missing_dims", when=True, dims="industry") is True
    assert said[0].startswith("Not computed: segments by industry. It needs the customers table")
    assert ctx.missing("marketing", "goals.missing.resources", when=0) is False  # falsy -> a bool
    assert len(said) == 1


def test_missing_rejects_an_unknown_table_or_locale_key(tmp_path, said):
    ctx = _tiny_ctx(tmp_path)
    with pytest.raises(KeyError, match="unknown table 'rep'"):
        ctx.missing("rep", "goals.missing.reps")
    with pytest.raises(KeyError, match="no translation for 'goals.missing.nope'"):
        ctx.missing("marketing", "goals.missing.nope")
    assert said == []


# ------------------------------------------------------------------------------------------------ data
def test_data_is_the_regions_rows_up_to_as_of_with_the_steps_order_columns(small_sample, tmp_path):
    ctx = Context(step="03_strategy", p=_params(), data_dir=small_sample, out_dir=tmp_path)
    t = ctx.data
    assert t is ctx.data  # read once
    assert list(t.orders.columns) == [c for c in data.SCHEMA["orders"] if c in strategy.ORDER_COLUMNS]
    assert t.orders["order_date"].max() <= pd.Timestamp(AS_OF)
    assert set(t.customers["region"]) == {"east"}
    assert t.opportunities["lead_date"].max() <= pd.Timestamp(AS_OF)
    assert t.regions is not None and len(t.regions) == 6  # the lookup is kept whole


def test_data_of_a_context_outside_the_steps_reads_every_order_column(small_sample, tmp_path):
    ctx = Context(step="scratch", p=_params(), data_dir=small_sample, out_dir=tmp_path)
    assert list(ctx.data.orders.columns) == list(data.SCHEMA["orders"])
    assert set(ctx.data.orders["region"]) == {"east"}


def test_data_of_a_region_the_data_lacks_is_an_error(small_sample, tmp_path):
    ctx = Context(step="03_strategy", p=_params(key="atlantis"), data_dir=small_sample, out_dir=tmp_path)
    with pytest.raises(DataError, match=r"no rows for region 'atlantis'; regions present: central, east"):
        _ = ctx.data


def test_company_reads_only_the_tables_asked_for_and_caches_them(small_sample, tmp_path):
    ctx = Context(step="03_strategy", p=_params(), data_dir=small_sample, out_dir=tmp_path)
    opps = ctx.company("opportunities")
    assert opps.available() == ["orders", "opportunities"]
    assert list(opps.orders.columns) == ["order_date"]  # the order lines' dates only
    assert opps.orders["order_date"].max() <= pd.Timestamp(AS_OF)
    assert set(opps.opportunities["region"]) == {
        "central",
        "east",
        "north",
        "northeast",
        "south",
        "southwest",
    }
    assert ctx.company("opportunities", "opportunities") is opps
    both = ctx.company("opportunities", "customers")
    assert both is ctx.company("customers", "opportunities") and both is not opps
    assert both.available() == ["customers", "orders", "opportunities"]  # schema order
    with_orders = ctx.company("orders")
    assert with_orders.available() == ["orders"]
    assert list(with_orders.orders.columns) == list(data.SCHEMA["orders"])  # asked for: every column
    everything = ctx.company()
    assert everything.available() == list(data.TABLES)
    assert len(everything.orders) == len(with_orders.orders) > len(ctx.data.orders)


def test_company_rejects_an_unknown_table(small_sample, tmp_path):
    ctx = Context(step="03_strategy", p=_params(), data_dir=small_sample, out_dir=tmp_path)
    with pytest.raises(DataError, match="unknown table"):
        ctx.company("opportunity")


# ------------------------------------------------------------------------------------------------ setup
@pytest.fixture
def enabled(monkeypatch) -> list[dict]:
    """charts.enable's arguments (the real one changes this process' chart renderer)."""
    calls: list[dict] = []
    monkeypatch.setattr(charts, "enable", lambda **kw: calls.append(kw) or "recorded")
    return calls


@pytest.fixture
def headings(monkeypatch) -> list[tuple[str, int]]:
    shown: list[tuple[str, int]] = []
    monkeypatch.setattr(display, "heading", lambda text, level=2: shown.append((text, level)))
    return shown


def test_setup_validates_overrides_and_returns_the_context(small_sample, tmp_path, enabled, headings):
    out = tmp_path / "nested" / "east"
    ctx = notebook.setup(
        "market",
        region="east",
        as_of="2025-06-30",
        plan_year=2026,
        language="zh",
        data_dir=str(small_sample),
        out_dir=str(out),
        batch=True,
    )
    assert ctx.step == "01_market_analysis"
    assert (ctx.region, ctx.as_of, ctx.plan_year, ctx.lang) == ("east", AS_OF, 2026, "zh")
    assert ctx.data_dir == small_sample.resolve()
    assert ctx.out_dir == out and out.is_dir()
    assert ctx.batch is True
    assert enabled == [{"batch": True, "lang": "zh", "svg_fallback": False, "currency": "CNY"}]
    assert headings == []  # in a report the page header names step and region


def test_setup_by_hand_shows_a_heading_and_writes_to_outputs_interactive(
    small_sample, tmp_path, monkeypatch, enabled, headings
):
    monkeypatch.setattr(config, "OUTPUTS_DIR", tmp_path / "outputs")
    ctx = notebook.setup("1", region="east", language="en", data_dir=str(small_sample))
    assert ctx.step == "01_market_analysis" and ctx.batch is False
    assert ctx.out_dir == tmp_path / "outputs" / "interactive" / "east" and ctx.out_dir.is_dir()
    assert headings == [("Market analysis · East China", 1)]
    assert enabled[0]["batch"] is False


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Review (PDCA) reads tables written by 01 Market analysis, 02 Goals for East China, and "
               "{folder} does not hold them yet: open notebooks/01_market_analysis.ipynb, notebooks/02_goals.ipynb "
               "and run all cells first"),
        ("zh", "执行控制与复盘需要读取华东在「01 市场分析、02 目标设定」中生成的数据表，而 {folder} 中尚无"),
    ],
)  # fmt: skip
def test_a_step_opened_before_the_steps_it_reads_says_which_to_run_first(
    small_sample, tmp_path, enabled, headings, lang, expected
):
    """Issue 24: 02 opened first in a fresh project showed a traceback after its forecast section; now the set-up
    cell stops "Run all" with one sentence (no traceback), naming the notebooks to run, in order."""
    out = tmp_path / "east"
    with pytest.raises(notebook.StepsNotRun) as err:
        notebook.setup("05", region="east", language=lang, data_dir=str(small_sample), out_dir=str(out))
    assert str(err.value).startswith(expected.format(folder=out))
    assert err.value._render_traceback_() == [str(err.value)]
    assert err.value.missing == ["01_market_analysis", "02_goals"]
    assert isinstance(err.value, ArtifactMissing)
    for step in ("01_market_analysis", "02_goals"):  # their required tables (only presence counts)
        for name in contracts.of_step(step):
            if not contracts.ARTIFACTS[name].optional and name != "targets":
                store.artifact_path(out, name).parent.mkdir(parents=True, exist_ok=True)
                store.artifact_path(out, name).write_text("x\n", encoding="utf-8")
    assert notebook.steps_not_run("05_review", out) == ["02_goals"]  # goals' targets.csv is missing
    assert notebook.steps_not_run("04_resources", out) == ["02_goals", "03_strategy"]
    store.artifact_path(out, "targets").write_text("x\n", encoding="utf-8")
    ctx = notebook.setup("05", region="east", language=lang, data_dir=str(small_sample), out_dir=str(out))
    assert ctx.step == "05_review"
    empty = tmp_path / "batch"  # a batch run of one step alone is `partial` (the runner says so), not refused
    ctx = notebook.setup("03", region="east", data_dir=str(small_sample), out_dir=str(empty), batch=True)
    assert ctx.batch


def test_setup_uses_the_runners_params_json_and_its_data_dir(small_sample, tmp_path, enabled):
    p = _params().model_copy(update={"plan_year": 2030, "data": DataSection(dir=str(small_sample))})
    path = tmp_path / "params.json"
    path.write_text(p.model_dump_json(), encoding="utf-8")
    ctx = notebook.setup("review", region="east", params_json=str(path), out_dir=str(tmp_path), batch=True)
    assert (ctx.step, ctx.plan_year, ctx.as_of) == ("05_review", 2030, AS_OF)
    assert ctx.data_dir == small_sample.resolve()


def test_setup_rejects_bad_parameters_before_writing_anything(tmp_path, enabled):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="unknown step 'planning': expected one of 01_market_analysis"):
        notebook.setup("planning", out_dir=str(out), batch=True)
    with pytest.raises(ParamsError, match="no parameters for region 'atlantis'"):
        notebook.setup("01", region="atlantis", out_dir=str(out), batch=True)
    with pytest.raises(ParamsError, match="language"):
        notebook.setup("01", region="east", language="fr", out_dir=str(out), batch=True)
    assert not out.exists() and enabled == []


# ------------------------------------------------------------------------------------------------ short histories
@pytest.mark.parametrize(("months", "minimal"), [(6, True), (14, False), (2, None)])
def test_setup_counts_the_complete_months_when_opened_by_hand(tmp_path, months, minimal):
    """`history_months` 0 (a notebook opened by hand): setup counts the region's complete months itself, as
    `planning run`'s check; 3-12 make the minimal plan, fewer are refused naming the orders file."""
    days = pd.date_range(pd.Timestamp(AS_OF) - pd.DateOffset(months=months) + pd.Timedelta(days=1), AS_OF)
    pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(len(days))],
            "line_no": 1,
            "order_date": days.strftime("%Y-%m-%d"),
            "customer_id": "C1",
            "region": "east",
            "product_line": "equipment",
            "channel": "direct",
            "rep_id": "",
            "quantity": 1.0,
            "unit_price": 10.0,
            "amount": 10.0,
            "margin": 3.0,
        }  # fmt: skip
    ).to_csv(tmp_path / "orders.csv", index=False)
    kw = {
        "region": "east",
        "as_of": AS_OF.isoformat(),
        "data_dir": str(tmp_path),
        "out_dir": str(tmp_path / "o"),
    }
    if minimal is None:
        with pytest.raises(
            DataError, match=r"orders\.csv: region 'east' has 2 complete months .* at least 3"
        ):
            notebook.setup("01_market_analysis", **kw)
        with pytest.raises(DataError, match=r"orders\.csv：区域 'east' 截至 as_of .*，有 2 个完整月份"):
            notebook.setup("01_market_analysis", **kw, language="zh")  # in the language of the run's check
        return
    ctx = notebook.setup("01_market_analysis", **kw)
    assert (ctx.history_months, ctx.minimal) == (months, minimal)
    injected = notebook.setup(
        "01_market_analysis", **kw, history_months=13
    )  # the runner's count is used as is
    assert (injected.history_months, injected.minimal) == (13, False)
