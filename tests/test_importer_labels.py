"""Chinese reports on Chinese or Western data (issue 17 case 13): keys shown by a display name (the workbook's
translation of a key it knows, else the export's own text, never translated), importer findings in the report's
language, no template example in the report, a case-only normalisation not counted as a fix."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from frames_importer import findings, write_mapping

from planning import data, i18n, importer
from planning.importer.validation import findings_view

WESTERN = (
    "Order,Date,Customer,Region,Category,Segment,Sales\n"
    "1,2024-01-05,A,West,Office Supplies,Home Office,10\n"
    "2,2024-01-06,B,West,office supplies,Consumer,20\n"
    "3,2024-01-07,C,West,Office Supplies,Consumer,30\n"
    "4,2024-01-08,D,West,Services,Consumer,40\n"
    "5,2024-01-09,E,West,办公用品,Consumer,50\n"
)
COLUMNS = {"order_id": "Order", "order_date": "Date", "customer_id": "Customer", "region": "Region",
           "product_line": "Category", "industry": "Segment", "amount": "Sales"}  # fmt: skip


@pytest.fixture()
def western(tmp_path: Path):
    (tmp_path / "orders.csv").write_text(WESTERN, encoding="utf-8")
    mapping = write_mapping(tmp_path, {"orders": {"file": "orders.csv", "columns": COLUMNS}})
    folder, report = importer.materialize(mapping, cache_dir=tmp_path / "cache")
    yield folder, report
    i18n.use_labels({})


def test_keys_keep_the_exports_text_as_their_display_name(western):
    folder, report = western
    labels = data.read_labels(folder)
    assert labels["product_line"] == {"office_supplies": "Office Supplies", "services": "Services"}
    assert labels["industry"] == {"consumer": "Consumer", "home_office": "Home Office"}
    assert "办公用品" not in labels["product_line"]  # a Chinese key is its own name
    i18n.use_labels(labels)
    # zh: the data's own value (not translated, not the key); a key the workbook knows: translated
    assert i18n.name("product_line", "office_supplies", "zh") == "Office Supplies"
    assert i18n.name("product_line", "services", "zh") == "服务"
    assert i18n.name("product_line", "办公用品", "en") == "办公用品"
    assert i18n.segment("home_office", "zh") == "Home Office"
    assert i18n.name("product_line", data.OTHER, "zh") == "其他"
    i18n.use_labels({})
    assert i18n.name("product_line", "office_supplies", "zh") == "office_supplies"


def test_a_value_map_gathering_several_texts_gives_no_label():
    counts = {"channel": {("online", "Standard Class"): 5, ("online", "First Class"): 2}}
    assert importer.report.labels_of(counts) == {}
    counts = {
        "product_line": {("office_supplies", "Office Supplies"): 5, ("office_supplies", "office supplies"): 1}
    }
    assert importer.report.labels_of(counts) == {"product_line": {"office_supplies": "Office Supplies"}}


def test_lower_casing_a_key_is_no_fix_and_the_example_is_the_datas_own(western):
    _, report = western
    info = report.findings[(report.findings["check"] == "key_format")].set_index("column")
    assert info.loc["region", "outcome"] == "info"
    assert info.loc["region", "detail"] == "keys written lower-case with '_': 'West' -> 'west'"
    assert (
        info.loc["industry", "detail"] == "keys written lower-case with '_': 'Home Office' -> 'home_office'"
    )
    # the template example of the docs is not printed for a data set without it
    assert not report.findings["detail"].str.contains("e.g. 'Office Supplies'", regex=False).any()
    # nothing of the key normalisation is a fix; a second spelling of a key is said, from the whole file
    assert findings(report, "fixed") == {}
    assert report.summary.set_index("table").loc["orders", "rows_fixed"] == 0
    spelling = report.findings[report.findings["check"] == "key_spelling"].iloc[0]
    assert (spelling["outcome"], spelling["column"], spelling["rows"]) == ("info", "product_line", 1)
    assert spelling["examples"] == "'office supplies' (1x) -> 'Office Supplies'"


def test_the_import_findings_speak_the_reports_language(western):
    _, report = western
    zh = findings_view(report.findings, lambda key, **fmt: i18n.t(key, "zh", **fmt), "zh")
    assert set(zh["outcome"]) <= {"剔除", "修正", "警告", "说明"}
    assert zh.loc[report.findings["check"] == "key_format", "detail"].iloc[0].startswith("键值统一写为小写")
    latin_words = zh["detail"].str.contains(r"[A-Za-z]{4,}", regex=True) & ~zh["detail"].str.contains(
        r"fill|values|derive|window|exclude|encoding|date_format|unmapped", regex=True
    )
    assert not latin_words.any(), zh.loc[latin_words, "detail"].tolist()
    assert zh["table"].iloc[0] == "订单（orders）"
    spelling = zh.loc[report.findings["check"] == "key_spelling", "detail"].iloc[0]
    assert spelling.startswith("同一键值在导出文件中有不同写法")
    dropped = pd.DataFrame(
        [
            {
                "table": "orders",
                "outcome": "dropped",
                "check": "not_a_date",
                "column": "order_date",
                "rows": 2,
                "detail": "not a date (required): dropped",
                "examples": "row 3: 'x'; row 10: 'y'",
            }
        ]  # fmt: skip
    )
    shown = findings_view(dropped, lambda key, **fmt: i18n.t(key, "zh", **fmt), "zh").iloc[0]
    assert (shown["outcome"], shown["examples"]) == (
        "剔除",
        "第 3 行: 'x'; 第 10 行: 'y'",
    )  # the export's values
    encoding = zh.loc[report.findings["check"] == "encoding", "detail"].iloc[0]
    assert encoding == "文件的编码及识别置信度：utf-8（置信度 1.00）"
    en = findings_view(report.findings, lambda key, **fmt: i18n.t(key, "en", **fmt), "en")
    assert en["detail"].tolist() == report.findings["detail"].tolist()  # English: the importer's own detail


def test_every_check_the_importer_reports_has_a_name_and_a_detail_in_both_languages():
    source = "".join(
        Path(importer.__file__).with_name(m).read_text(encoding="utf-8")
        for m in ("transform.py", "cache.py", "batches.py")
    )
    calls = re.findall(r"f\.(?:drop|fix|note|flag)\(\s*[^,]+,\s*\"([a-z_]+)\"", source)
    calls += re.findall(r"(?:f|acc)\.info\(\s*\"([a-z_]+)\"", source)
    calls += re.findall(r"\"check\": \"([a-z_]+)\"", source)
    assert {"key_format", "placeholder", "excluded", "encoding"} <= set(calls)
    for check in set(calls) | {"missing_code"}:
        for lang in ("en", "zh"):
            assert i18n.t(f"importer.checks.{check}.name", lang)
            assert i18n.t(f"importer.checks.{check}.detail", lang)


def test_labels_file_round_trips_and_a_bad_one_is_named(tmp_path):
    data.write_labels(tmp_path, {"orders": {"product_line": {"office_supplies": "Office Supplies"}}})
    assert data.read_labels(tmp_path) == {"product_line": {"office_supplies": "Office Supplies"}}
    pd.DataFrame({"key": ["a"]}).to_csv(tmp_path / data.LABELS_FILE, index=False)
    with pytest.raises(data.DataError, match="labels.csv: columns key; expected table,column,key,label"):
        data.read_labels(tmp_path)
