"""Shared frames of the importer tests (tests/test_importer_*.py): a messy Chinese ERP export and its mapping,
the findings of an import as counts, a mapping file written from a dict."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from planning import importer
from planning.importer import TableMapping


def findings(report_or_f, outcome: str | None = None) -> dict[tuple[str, str], int]:
    """{(check, column): rows} of an import's findings (a `Findings` or an `ImportReport`), of one outcome."""
    items = report_or_f.items if hasattr(report_or_f, "items") else report_or_f.findings.to_dict("records")
    return {(i["check"], i["column"]): i["rows"] for i in items if outcome is None or i["outcome"] == outcome}


# A Chinese ERP export: GBK, Chinese headers and values, "￥" amounts, a cancelled order, a blank customer,
# a customer literally called "NA", an exact duplicate line, a date outside the window and one bad date.
CN_EXPORT = textwrap.dedent(
    """\
    单号,日期,客户编号,区域,产品线,数量,单价,金额,状态
    SO-1,2024-01-05,C1,华东,设备,2,"￥1,000.00","￥2,000.00",已完成
    SO-1,2024-01-05,C1,华东,备件,1,￥250.5,￥250.5,已完成
    SO-2,10 Feb 2024,NA,华南,服务,1,￥800,￥800,已完成
    SO-3,2024-02-11,C3,华南,设备,1,￥900,￥900,已取消
    SO-4,2024-03-01,,华东,设备,3,￥100,￥300,已完成
    SO-1,2024-01-05,C1,华东,备件,1,￥250.5,￥250.5,已完成
    SO-5,2019-12-31,C5,华东,设备,1,￥50,￥50,已完成
    SO-6,下周,C6,华东,设备,1,￥70,￥70,已完成
    SO-7,2024-03-05,C7,西北,设备,1,￥10,￥10,已完成
    """
)
CN_MAPPING = {
    "file": "orders.csv",
    "columns": {
        "order_id": "单号",
        "order_date": "日期",
        "customer_id": "客户编号",
        "region": "区域",
        "product_line": "产品线",
        "quantity": "数量",
        "unit_price": "单价",
        "status": "状态",
    },
    "derive": {"amount": "quantity * unit_price"},
    "values": {
        "region": {"华东": "east", "华南": "south"},
        "product_line": {"设备": "equipment", "备件": "spare_parts", "服务": "services"},
        "status": {"已完成": "done", "已取消": "cancelled"},
    },
    "exclude": [{"column": "状态", "in": ["已取消"], "reason": "cancelled order"}],
    "window": {"start": "2020-01-01"},
}


def cn_table(tmp_path: Path, encoding: str = "gbk", **over):
    """CN_EXPORT written in `encoding`, read and mapped (CN_MAPPING updated by `over`): (raw, info, df, f)."""
    path = tmp_path / "orders.csv"
    path.write_bytes(CN_EXPORT.encode(encoding))
    tm = TableMapping.model_validate({**CN_MAPPING, **over})
    raw, info = importer.read_source(path, tm)
    df, f = importer.import_table("orders", raw, tm, source=str(path))
    return raw, info, df, f


def write_mapping(folder: Path, tables: dict) -> Path:
    """`folder/mapping.yaml` with these tables."""
    path = folder / "mapping.yaml"
    path.write_text(yaml.safe_dump({"tables": tables}, allow_unicode=True), encoding="utf-8")
    return path
