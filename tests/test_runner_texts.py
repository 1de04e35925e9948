"""planning/runner/texts.py: what the checks before a run say, in the run's language (issue 17 case 13)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from frames_data import write_csv
from test_importer_report import _report

from planning import config, data, i18n
from planning.runner import texts

VALIDATE = config.PROJECT_ROOT / "planning" / "data" / "validate.py"


@pytest.fixture
def problems(tmp_path) -> list[data.Problem]:
    """A problem of most rules: duplicate key, unknown rep and customer, negative price, a line amount that is
    not quantity x price, a date in 1900, an amount of 1e308, a region not in regions, a missing column."""
    t = data.load_tables(write_csv(tmp_path / "tiny"))
    more = t.orders.assign(order_id=[f"SO{i}" for i in range(10, 15)])
    o = pd.concat([t.orders, more], ignore_index=True)
    o["order_date"] = o["order_date"].astype("datetime64[s]")
    o.loc[4, ["order_id", "line_no"]] = ["SO1", 1]
    o.loc[3, "rep_id"] = "R9"
    o.loc[2, ["unit_price", "amount"]] = [-5.0, -50.0]
    o.loc[1, "customer_id"] = "C9"
    o.loc[5, "amount"] = 1e308
    o.loc[6, "order_date"] = pd.Timestamp(1900, 3, 4).as_unit("s")
    o.loc[7, "region"] = "atlantis"
    o.loc[8, "amount"] = o.loc[8, "amount"] + 1.0
    c = t.customers.drop(columns=["industry"])
    return data.validate_tables(data.Tables(**{**dict(t.items()), "orders": o, "customers": c}))


def test_every_rule_of_the_checks_has_its_words_in_both_languages():
    rules = set(re.findall(r'rule="(\w+)"', VALIDATE.read_text(encoding="utf-8")))
    assert len(rules) >= 12
    for rule in rules:
        for lang in i18n.LANGUAGES:
            assert i18n.t(f"check.expected.{rule}", lang, kind="k", columns="k", bound="1", first="a", last="b",
                          years="5", factor="9")  # fmt: skip


def test_the_english_words_of_a_rule_are_the_problems_own(problems):
    assert len({p.rule for p in problems}) >= 8, [p.rule for p in problems]
    for p in problems:
        assert p.rule, p
        assert i18n.t(f"check.expected.{p.rule}", "en", **dict(p.args)) == p.expected
        assert texts.problem_message(p, "en") == p.message


def test_a_problem_in_chinese_keeps_table_column_and_value(problems):
    for p in problems:
        zh = texts.problem_message(p, "zh")
        assert zh.startswith(f"{p.table}.{p.column}") and repr(p.value) in zh
        assert "expected" not in zh and "row" not in zh.replace(repr(p.value), "")
        assert re.search(r"[\u4e00-\u9fff]", zh), zh
    price = next(p for p in problems if p.rule == "unit_price")
    assert texts.problem_message(price, "zh") == "orders.unit_price 第 2 行：'-5.0'；应为不小于 0 的单价"


def test_the_import_report_in_chinese_keeps_every_key_and_value():
    stored = json.loads(_report().to_json())
    zh = texts.import_report(stored, "zh")
    assert zh["language"] == "zh" and texts.import_report(stored, "en") == {**stored, "language": "en"}
    assert {k: v for k, v in zh.items() if k not in ("findings", "language")} == {
        k: v for k, v in stored.items() if k != "findings"
    }
    for before, after in zip(stored["findings"], zh["findings"], strict=True):
        assert {k: v for k, v in after.items() if k not in ("detail", "examples")} == {
            k: v for k, v in before.items() if k not in ("detail", "examples")
        }  # table, outcome, check, column, rows: machine keys and counts
        assert after["detail"] == i18n.t(f"importer.checks.{before['check']}.detail", "zh")
    assert zh["findings"][0]["examples"] == "第 4 行: '已取消'"  # the export's own value stays


def test_import_lines_in_both_languages():
    r = _report()
    en = texts.import_lines(r, "en")
    assert en[0] == "orders: 9 rows read from orders.csv: 4 kept (2 fixed), 5 dropped, amount 3,060.50"
    assert en[3] == "  orders of region south: 1 row, amount 810.00"
    assert en[4] == "  dropped  orders.状态: 1 row: cancelled order [row 4: '已取消']"
    zh = texts.import_lines(r, "zh")
    assert zh[0] == "orders：从 orders.csv 读取 9 行：保留 4 行（其中修正 2 行），剔除 5 行，金额 3,060.50"
    assert zh[4].startswith("  剔除 orders.状态：1 行：") and zh[4].endswith("[第 4 行: '已取消']")
    assert [len(x) for x in (en, zh)] == [len(r.lines())] * 2
    f = r.findings.assign(examples=np.nan)
    assert "[" not in texts.import_lines(type(r)(**{**r.__dict__, "findings": f}), "zh")[4]


def test_the_note_on_a_mapping_in_the_params_folder(tmp_path):
    from planning import params

    (tmp_path / "base.yaml").write_text("as_of: 2026-09-30\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text("tables: {orders: {file: x.csv}}\n", encoding="utf-8")
    ((_, what),) = params.skipped_files(tmp_path)
    assert texts.skipped(what, "en") == f"{what}; not planned as a region"
    assert i18n.t("check.not_region.mapping", "en", name="tables") == what  # the English words are params' own
    assert texts.skipped(what, "zh") == "导入映射文件（docs/import.md），不是区域参数（顶层键 'tables'）；不作为区域进行规划"


def _ended(tmp_path, **kw):
    from planning.runner.results import RunResult, StepResult

    snap = tmp_path / "2026-09-30"
    steps = [
        StepResult("east", "01_market_analysis", "ok", 1.0, reused=True),
        StepResult("east", "02_goals", "failed", 1.0, {"message": "RuntimeError: boom", "cell": 7}),
    ]
    audit = pd.DataFrame(
        {"region": ["east", "east"], "check": ["targets", "smart"], "status": ["pass", "fail"],
         "values": ["", "x > y"], "explanation": ["", ""]}
    )  # fmt: skip
    return RunResult(snapshot=snap, results=steps, audit=audit, **kw)


def test_planning_runs_summary_in_both_languages_keeps_its_keys(tmp_path):
    """`planning run`'s closing lines were English in a zh run: sentences follow the language; `error:`, `audit
    fail:`, region and step keys, paths and the error's own message stay."""
    en = texts.run_summary(_ended(tmp_path), "en")
    assert en[0] == f"1/2 notebooks ok (1 reused from the earlier run) -> {tmp_path / '2026-09-30' / 'index.html'}"
    assert en[1] == "audit fail: east / smart: x > y" and en[2].startswith("audit: 2 checks, 1 fail -> ")
    assert en[3] == (
        f"error: east / 02_goals, cell 7: RuntimeError: boom; see {tmp_path / '2026-09-30' / 'east' / '02_goals.ipynb'}"
    )
    zh = texts.run_summary(_ended(tmp_path), "zh")
    assert zh[0].startswith("1/2 个笔记本成功（1 个沿用上次运行的结果） -> ")
    assert zh[1] == en[1] and zh[2].startswith("审计：2 项检查，1 项未通过 -> ")
    assert zh[3].startswith("error: east / 02_goals, cell 7: RuntimeError: boom；详见 ")
    assert not any(re.search(r"\b(notebooks ok|checks|see)\b", line) for line in zh)


def test_the_summary_says_where_a_failed_update_is_kept_and_when_it_is_swept(tmp_path):
    failed = tmp_path / "2026-09-30.failed"
    kept = texts.run_summary(_ended(tmp_path, failed_kept=failed), "en")[-1]
    assert kept.startswith(f"not published: {tmp_path / '2026-09-30'} stays as it was; this update is kept in {failed}")
    assert "removed when a run of 2026-09-30 publishes" in kept
    swept = texts.run_summary(_ended(tmp_path, failed_swept=failed), "zh")[-1]
    assert swept == f"已删除 {failed}：2026-09-30 之前一次失败的更新，已被本次运行取代"
