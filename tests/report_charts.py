"""The charts of a rendered step report, read back from its HTML: each chart's Vega-Lite spec (the JSON script
`planning.charts.chart_html` writes beside the chart) and the datasets in it that have no rows.

An empty dataset draws an empty frame: a chart a reader cannot tell from "nothing happened" (issue 17 case 8).
A step that lacks the data for a chart says "Not computed: ..." instead of drawing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SPEC = re.compile(r'<script type="application/json" id="(chart-[^"]+)-spec">(.*?)</script>', re.S)


def chart_specs(html: str) -> list[tuple[str, dict]]:
    """(chart id, spec) for every chart of a report page, in page order."""
    return [(cid, json.loads(text)) for cid, text in SPEC.findall(html)]


def _data_refs(node: Any) -> Iterator[dict]:
    """Every `data` object of a spec, its layers, concats and facets."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "data" and isinstance(value, dict):
                yield value
            elif key != "datasets":
                yield from _data_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _data_refs(item)


def empty_datasets(spec: dict) -> list[str]:
    """The datasets of `spec` with no rows: named ones (`datasets`, referenced or not) and inline `values`."""
    out = [f"datasets.{name}" for name, rows in (spec.get("datasets") or {}).items() if len(rows) == 0]
    for data in _data_refs(spec):
        if "values" in data and len(data["values"]) == 0:
            out.append("data.values")
        name = data.get("name")
        if name and name not in (spec.get("datasets") or {}) and "values" not in data:
            out.append(f"data.name {name} (not defined)")
    return out


def chart_title(spec: dict) -> str:
    """The chart's title as the reader sees it (for failure messages)."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title or spec.get("description") or spec.get("mark") or "untitled")


def empty_charts(snapshot: Path) -> list[str]:
    """'<region>/<step>.html: <chart title>: <empty datasets>' for every chart of every report of a snapshot
    that has an empty dataset."""
    bad = []
    for page in sorted(snapshot.rglob("*.html")):
        for _cid, spec in chart_specs(page.read_text(encoding="utf-8")):
            empty = empty_datasets(spec)
            if empty:
                bad.append(f"{page.relative_to(snapshot)}: {chart_title(spec)}: {', '.join(empty)}")
    return bad
