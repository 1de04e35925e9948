"""The workbook's altair theme, chart rendering set-up and helpers shared by every step's chart builders.

Step modules put their builders in `planning/charts/<step>.py` (functions: aggregated DataFrame + `lang` in,
`alt.Chart` out) and import the shared pieces from here:

- `enable(batch, lang)`: called once by `notebook.setup()`; picks the renderer and the chart locale.
- `money_axis(lang)`, `MONEY_FORMAT`, `PCT_FORMAT`, `KPI_COLORS`, `kpi_scale(lang)`: consistent money and
  KPI encodings.
- `ChartDataTooLarge`: raised when a chart would inline more than `MAX_ROWS` rows (aggregate first).

Importing this package registers and enables the "planning" theme.

Rendering (see docs/reports.md and ../shared/STACK.md for why):
- batch (papermill): a `text/html` output holding a div, the spec as JSON and a small script that calls
  `vegaEmbed` (tooltips on). The vega / vega-lite / vega-embed bundle is NOT in the output: `planning.report`
  inlines it once per exported page. A static SVG made by vl-convert sits inside the output as a fallback for
  viewers that do not run scripts (mail previews, an untrusted notebook); the script removes it once the
  interactive chart is drawn.
- interactive (JupyterLab, `LAB_RENDERER`): a plain output holding the spec under the Vega-Lite 5 mimetype, which
  JupyterLab draws itself (its bundled vega extension: offline, tooltips, no kernel needed, so a saved notebook
  reopens with its charts), and a static SVG by vl-convert beside it for viewers without that renderer (GitHub,
  nbviewer, VS Code). No widget: a saved notebook holds ~10-60 KB per chart instead of the ~1 MB of widget state
  an anywidget `JupyterChart` stored. What-if panels redraw these outputs inside their `Output` widget.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import vl_convert as vlc
from altair.utils import schemapi as _schemapi
from altair.utils.html import vl_version_for_vl_convert
from IPython.display import display

from planning import i18n

THEME = "planning"
RENDERER = "planning_batch"
LAB_RENDERER = "planning_lab"
#: The newest Vega-Lite mimetype JupyterLab 4 renders natively (its vega extension bundles Vega-Lite 5); the
#: workbook's specs use nothing newer, which tests/test_charts.py checks by compiling them with Vega-Lite 5.
LAB_MIMETYPE = "application/vnd.vegalite.v5+json"
LAB_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
TRANSFORMER = "planning"

#: More rows than this in one chart's inline data means the caller forgot to aggregate (altair's own limit).
MAX_ROWS = 5_000

# Latin system fonts first so English text keeps its usual look; the browser falls back glyph by glyph to the
# first CJK font it has: macOS (PingFang), Windows (Microsoft YaHei), Linux (Noto CJK / WenQuanYi). Nothing is
# downloaded, so the page still works offline.
FONT = (
    "-apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', "
    "'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', "
    "sans-serif"
)

# Colour-blind safe categorical palette (Okabe-Ito order, softened blue first as the "our company" colour).
PALETTE = ["#2b6cb0", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#7f7f7f"]

#: Traffic-light colours used by charts and by `planning.display` KPI cells (one definition).
KPI_COLORS = {"green": "#2f9e44", "yellow": "#f2b705", "red": "#d9480f"}

#: d3-format strings for tooltips / text marks. "$" prints the locale's currency symbol (the company currency's,
#: set by `enable(currency=...)`).
MONEY_FORMAT = "$,.0f"
NUMBER_FORMAT = ",.0f"
PCT_FORMAT = ".1%"

_NUMBER_LOCALE = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}

# d3-time-format's zh-CN locale, so date axes say 1月 / 2月 instead of Jan / Feb.
_TIME_LOCALE = {
    "en": {
        "dateTime": "%x, %X",
        "date": "%-m/%-d/%Y",
        "time": "%-I:%M:%S %p",
        "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": "January February March April May June July August September October November December".split(),
        "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    },
    "zh": {
        "dateTime": "%x %A %X",
        "date": "%Y/%-m/%-d",
        "time": "%H:%M:%S",
        "periods": ["上午", "下午"],
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": "一月 二月 三月 四月 五月 六月 七月 八月 九月 十月 十一月 十二月".split(),
        "shortMonths": [f"{m}月" for m in range(1, 13)],
    },
}

# The chart language is process state because the theme is a zero-argument function that altair calls at every
# `to_dict()`; `enable(lang=...)` sets it once per notebook.
_state: dict[str, Any] = {"lang": "en", "batch": False, "svg_fallback": True, "currency": "CNY"}


def currency_symbol() -> str:
    """Symbol of the company currency set by `enable` (¥ for CNY, $ for USD, the code itself when unknown)."""
    code = str(_state["currency"]).upper()
    return i18n.CURRENCY_SYMBOLS.get(code, code + " ")


class ChartDataTooLarge(alt.MaxRowsError):
    """A chart would embed more than `MAX_ROWS` rows: aggregate in the step module before charting."""


@alt.theme.register(THEME, enable=True)
def theme() -> alt.theme.ThemeConfig:
    """The one workbook theme: CJK-capable font stack, readable sizes, palette, locale of the current language."""
    lang = _state["lang"]
    return {
        "width": 560,
        "height": 300,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": {
            "font": FONT,
            "locale": {
                "number": {**_NUMBER_LOCALE, "currency": [currency_symbol(), ""]},
                "time": _TIME_LOCALE.get(lang, _TIME_LOCALE["en"]),
            },
            "view": {"stroke": None},
            "range": {"category": PALETTE},
            "title": {"fontSize": 15, "fontWeight": 600, "anchor": "start", "offset": 10, "color": "#1f2933"},
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": 500,
                "titleColor": "#3e4c59",
                "labelColor": "#52606d",
                "gridColor": "#e4e7eb",
                "domainColor": "#9aa5b1",
                "tickColor": "#9aa5b1",
                "labelLimit": 180,
            },
            # Y titles horizontal above the axis: rotated CJK text reads sideways, and it saves width.
            "axisY": {
                "titleAngle": 0,
                "titleAlign": "left",
                "titleAnchor": "end",
                "titleX": 0,
                "titleY": -12,
                "titleBaseline": "bottom",
            },
            # Category labels horizontal (Vega-Lite turns them 90° by default); long labels are cut at labelLimit.
            "axisXDiscrete": {"labelAngle": 0, "labelLimit": 120},
            # The last number of an x axis ("¥3,400万") ends at the axis end instead of running past the chart.
            "axisXQuantitative": {"labelFlush": True},
            # Legends below the chart wrap after 4 entries, so a long legend never runs past the chart's edge.
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "orient": "bottom",
                "labelLimit": 200,
                "columns": 4,
            },
            "header": {"labelFontSize": 12, "titleFontSize": 13},
            "text": {"fontSize": 12},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0], "filled": True},
            "area": {"color": PALETTE[0]},
            "rect": {"color": PALETTE[0]},
        },
    }


def money_label_expr(lang: str = "en") -> str:
    """A Vega label expression printing `datum.value` as compact money in the locale: zh ¥1.2万 / ¥1,200万 /
    ¥1.5亿 (万 with up to 2 decimals: ¥12,000 and ¥14,000 are not both ¥1万), en ¥12M / ¥1.5B, with the company currency's symbol (`enable(currency=...)`). d3-format has no 万/亿 grouping,
    hence an expression; axes (`money_axis`) and legends (`money_legend`) share it. Under half a unit it prints
    "0" (never "-¥0" for a few cents below zero)."""
    sym = json.dumps(currency_symbol(), ensure_ascii=False).replace('"', "'")
    if lang == "zh":
        return (
            f"abs(datum.value) < 0.5 ? '0' : (datum.value < 0 ? '-' : '') + {sym} + ("
            "abs(datum.value) >= 1e8 ? format(abs(datum.value) / 1e8, ',.2~f') + '亿' : "
            "abs(datum.value) >= 1e4 ? format(abs(datum.value) / 1e4, ',.2~f') + '万' : "
            "format(abs(datum.value), ',.0f'))"
        )
    # SI prefixes, with G (giga) spelled B (billion) as finance readers expect.
    return (
        f"abs(datum.value) < 0.5 ? '0' : (datum.value < 0 ? '-' : '') + {sym} + "
        "replace(format(abs(datum.value), '.3~s'), 'G', 'B')"
    )


def money_axis(lang: str = "en", title: str | None = None, **kwargs: Any) -> alt.Axis:
    """An axis whose labels are compact money in the locale (`money_label_expr`). `title` and `kwargs` go to
    `alt.Axis`."""
    return alt.Axis(title=title, labelExpr=money_label_expr(lang), **kwargs)


def money_legend(lang: str = "en", title: str | None = None, **kwargs: Any) -> alt.Legend:
    """A colour legend of money amounts labelled like `money_axis` (zh 万 / 亿, en M / B), never a raw
    "2,000,000"."""
    return alt.Legend(title=title, labelExpr=money_label_expr(lang), **kwargs)


def wrap_label(text: str, width: int = 12) -> str:
    """`text` broken into lines of at most `width` columns (a CJK character counts 2), joined by "\\n".

    Category labels of a crowded x axis stay horizontal (rotated Chinese reads sideways) when they are wrapped
    in Python and drawn by `wrapped_axis()`. Latin text breaks at spaces, CJK text between any two characters.
    """
    # A short bracketed part ("（能源）") stays whole, so a line breaks before it, not inside it.
    tokens = re.findall(r"（[^）]{1,6}）|[A-Za-z0-9(),.:;%+\-/<>&'’]+ ?|\s|.", str(text))
    costs = [sum(2 if ord(ch) > 0x2E80 else 1 for ch in token.rstrip()) for token in tokens]
    total = sum(costs) + sum(token.endswith(" ") for token in tokens)
    # Balanced lines: "预算获取的新客户" -> 预算获取 / 的新客户, not 预算获取的新客 / 户.
    n_lines = max(1, math.ceil(total / width))
    width = max(math.ceil(total / n_lines) + 2, max(costs, default=0))
    lines: list[str] = []
    line, used = "", 0
    for token, cost in zip(tokens, costs, strict=True):
        if line and used + cost > width:
            lines.append(line.rstrip())
            line, used = "", 0
        if not line and token.isspace():
            continue
        line += token
        used += cost + (1 if token.endswith(" ") else 0)
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def wrapped_axis(**kwargs: Any) -> alt.Axis:
    """A horizontal category axis whose labels made by `wrap_label` are drawn on several lines."""
    return alt.Axis(labelAngle=0, labelExpr="split(datum.label, '\\n')", labelLimit=0, **kwargs)


def kpi_scale(lang: str = "en") -> alt.Scale:
    """Colour scale mapping KPI status values green / yellow / red to the traffic-light colours.

    The domain is the raw status values (translate labels with a legend `labelExpr` or a translated column).
    """
    return alt.Scale(domain=list(KPI_COLORS), range=list(KPI_COLORS.values()))


def _limit_rows(data: Any, max_rows: int | None = None) -> Any:
    """Raise `ChartDataTooLarge` when inline data has more than `max_rows` rows (values or DataFrame)."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    values = data.get("values") if isinstance(data, dict) else data
    try:
        n = len(values)  # DataFrame, list of records
    except TypeError:
        return data
    if n > max_rows:
        raise ChartDataTooLarge(
            f"a chart received {n:,} rows (limit {max_rows:,}): aggregate the data in the step module before "
            "charting (a report's size must not grow with the number of order lines)"
        )
    return data


def _transformer(data: Any, max_rows: int | None = None) -> Any:
    """Data transformer: row guard, then the frame inlined as records exactly as altair's `to_values` inlines it
    (`_records`; anything else goes to altair's own)."""
    data = _limit_rows(data, max_rows)
    if isinstance(data, pd.DataFrame):
        records = _records(data)
        if records is not None:
            return {"values": records}
    return alt.to_values(data)


_ONE_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_YEAR_1000 = np.datetime64("1000-01-01")  # isoformat's years: four digits
_YEAR_10000 = np.datetime64("10000-01-01")


def _column_values(col: pd.Series) -> list[Any] | None:
    """The values of one column as altair's `to_values` puts them in records (`sanitize_pandas_dataframe`, then
    `DataFrame.to_dict(orient="records")`), for the dtypes charts pass; None for any other column.

    altair copies the frame and converts it column by column through object Series (~3.5 ms a chart); here each
    column becomes a list of Python values at once. What altair gives, and so what this gives:
    - int / bool: Python ints / bools; float: Python floats, NaN and ±inf as None;
    - datetime (naive, whole seconds): `Timestamp.isoformat()` ("2027-01-01T00:00:00"), NaT as "";
    - str / string dtype and categoricals of text: str, missing as None;
    - object: only a column of nothing but str (a missing value there would become NaN, not None: altair's
      `apply` infers a str column whose missing value `where(..., None)` cannot hold).
    """
    dtype = col.dtype
    if isinstance(dtype, np.dtype):
        kind = dtype.kind
        arr = col.to_numpy()
        if kind in "iub":
            return arr.tolist()
        if kind == "f" and dtype.itemsize == 8:
            values = arr.tolist()
            bad = ~np.isfinite(arr)
            if bad.any():
                for i in np.flatnonzero(bad).tolist():
                    values[i] = None
            return values
        if kind == "M" and np.datetime_data(dtype)[0] in _ONE_SECOND:
            ticks = arr.view("i8")
            ok = ~np.isnat(arr)
            if (ticks[ok] % _ONE_SECOND[np.datetime_data(dtype)[0]]).any():
                return None  # fractions of a second: isoformat's own digits
            if ok.any() and not (_YEAR_1000 <= arr[ok].min() and arr[ok].max() < _YEAR_10000):
                return None
            return ["" if t == "NaT" else t for t in np.datetime_as_string(arr, unit="s").tolist()]
        if kind == "O":
            values = arr.tolist()
            return values if all(type(v) is str for v in values) else None
        return None
    if isinstance(dtype, pd.StringDtype):
        values = col.to_numpy(dtype=object, na_value=None).tolist()
        return values if all(v is None or type(v) is str for v in values) else None
    if isinstance(dtype, pd.CategoricalDtype):
        names = dtype.categories
        if not (isinstance(names.dtype, pd.StringDtype) or names.dtype == object):
            return None
        names = names.tolist()
        if not all(type(v) is str for v in names):
            return None
        return [names[c] if c >= 0 else None for c in col.cat.codes.to_numpy().tolist()]
    return None


def _records(df: pd.DataFrame) -> list[dict[str, Any]] | None:
    """`alt.to_values(df)["values"]` without altair's sanitising copy of the frame (see `_column_values`);
    None when a column or the frame's shape is one altair treats otherwise (tests/test_charts.py pins this)."""
    names = df.columns
    if (
        not len(names)
        or isinstance(df.index, pd.MultiIndex)
        or isinstance(names, (pd.MultiIndex, pd.RangeIndex))
        or not names.is_unique
        or not all(type(n) is str for n in names)
    ):
        return None
    columns = []
    for _, col in df.items():
        values = _column_values(col)
        if values is None:
            return None
        columns.append(values)
    names = names.tolist()
    return [dict(zip(names, row)) for row in zip(*columns)]


alt.data_transformers.register(TRANSFORMER, _transformer)
alt.data_transformers.enable(TRANSFORMER)


_CONVERTERS: dict[type, Any] = {}  # the class whose `_default_wrapper_classes` applies -> its _FromDict


def _from_dict(cls: Any, dct: dict[str, Any], validate: bool = True) -> Any:
    """altair's `SchemaBase.from_dict` with its converter built once per schema instead of once per call.

    An encoding given as a shorthand string or a dict (`.encode(x="month:T")`) is wrapped in its channel class
    by `from_dict`, which first built a `_FromDict`: a map of all ~1,260 schema classes by a JSON hash of each
    class's schema, ~3-5 ms a channel, 40-60 channels a region (8 % of a region's notebook code). The map only
    depends on the set of wrapper classes, fixed once altair is imported; the converter is otherwise stateless.
    """
    if validate:
        cls.validate(dct)
    owner = next(k for k in cls.__mro__ if "_default_wrapper_classes" in vars(k))
    converter = _CONVERTERS.get(owner)
    if converter is None:
        converter = _CONVERTERS[owner] = _schemapi._FromDict(cls._default_wrapper_classes())
    return converter.from_dict(dct, cls)


_ALTAIR_FROM_DICT = _schemapi.SchemaBase.__dict__["from_dict"]  # altair's own (tests compare the two)
_schemapi.SchemaBase.from_dict = classmethod(_from_dict)


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element: `<`, `>` and `&` escaped so data cannot close the tag."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


EMBED_OPTIONS = {
    "renderer": "svg",  # crisp when printed; counted by the browser test as svg.marks
    "tooltip": True,
    # Export (PNG/SVG) works offline; "view source" / "open in editor" would reach the network.
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


def _svg(spec: dict) -> str:
    """Static SVG of `spec` via vl-convert, or "" if conversion fails (the interactive chart still renders)."""
    try:
        return vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
    except Exception:  # noqa: BLE001 - a fallback must never break the report
        return ""


def _chart_id(spec_json: str) -> str:
    """A page-unique element id that depends only on the chart: a hash of its spec, numbered when the same spec is
    shown again in the notebook (`enable` starts the count), so a re-run writes byte-identical reports."""
    digest = hashlib.sha1(spec_json.encode("utf-8")).hexdigest()[:12]
    seen = _state.setdefault("ids", {})
    seen[digest] = seen.get(digest, 0) + 1
    return f"chart-{digest}" if seen[digest] == 1 else f"chart-{digest}-{seen[digest]}"


def chart_html(spec: dict, svg_fallback: bool = True) -> str:
    """HTML for one chart: a container, the spec as JSON, a script calling `vegaEmbed` (defined by the page).

    In: a Vega-Lite spec dict (data already inlined). Out: an HTML fragment with no external reference.
    `planning.report` recognises charts by the `planning-chart` class and inlines the JS bundle once.
    """
    spec_json = _script_json(spec)
    cid = _chart_id(spec_json)
    fallback = _svg(spec) if svg_fallback else ""
    return (
        f'<div class="planning-chart" id="{cid}">'
        f'<div class="chart-fallback">{fallback}</div></div>\n'
        f'<script type="application/json" id="{cid}-spec">{spec_json}</script>\n'
        "<script>(function(){"
        f"var el=document.getElementById('{cid}');"
        f"var spec=JSON.parse(document.getElementById('{cid}-spec').textContent);"
        "if(!window.vegaEmbed){return;}"
        "var target=document.createElement('div');el.appendChild(target);"
        f"window.vegaEmbed(target,spec,{json.dumps(EMBED_OPTIONS)})"
        ".then(function(){var f=el.querySelector('.chart-fallback');if(f){f.remove();}})"
        ".catch(function(e){console.error('chart', e);});"
        "})();</script>"
    )


def _batch_renderer(spec: dict, **metadata: Any) -> dict[str, str]:
    """altair renderer for batch runs: text/html (see `chart_html`) plus text/plain for plain viewers."""
    return {"text/html": chart_html(spec, _state["svg_fallback"]), "text/plain": "<chart>"}


alt.renderers.register(RENDERER, _batch_renderer)


def _lab_renderer(spec: dict, **metadata: Any) -> dict[str, Any]:
    """altair renderer for JupyterLab: the spec under `LAB_MIMETYPE` (drawn by JupyterLab, interactive, saved
    with the notebook) plus a static SVG and text/plain for every other viewer. Row guard as in batch runs."""
    bundle: dict[str, Any] = {LAB_MIMETYPE: {**spec, "$schema": LAB_SCHEMA}}
    if svg := _svg(spec):
        bundle["image/svg+xml"] = svg
    bundle["text/plain"] = "<chart>"
    return bundle


alt.renderers.register(LAB_RENDERER, _lab_renderer)


def enable(batch: bool, lang: str = "en", svg_fallback: bool = True, currency: str = "CNY") -> str:
    """Configure chart rendering for this kernel; returns the name of the renderer enabled.

    In: `batch` True under papermill (`planning run`), False in JupyterLab; `lang` "en" | "zh" (locale of
    axis dates and numbers); `svg_fallback` whether batch outputs carry a static SVG (~5-30 KB per chart);
    `currency` the company currency (params `company.currency`) whose symbol money axes and formats show.
    """
    _state.update(lang=lang, batch=batch, svg_fallback=svg_fallback, currency=currency, ids={})
    alt.theme.enable(THEME)
    alt.data_transformers.enable(TRANSFORMER)
    name = RENDERER if batch else LAB_RENDERER
    alt.renderers.enable(name)
    return name


def show(chart: Any) -> None:
    """Display `chart` in the notebook with the renderer `enable` chose.

    The spec goes straight to the renderer without altair's schema validation, which took ~14 ms of a chart's
    ~22 ms (0.5 s per region in batch runs); every chart builder's spec is validated by its unit tests
    (`to_dict()` validates), and a spec that fails here (e.g. `ChartDataTooLarge`) fails the step instead of
    leaving a traceback where the chart should be. Facet and concat charts go the same way.
    """
    renderers = {RENDERER: _batch_renderer, LAB_RENDERER: _lab_renderer}
    if alt.renderers.active in renderers:
        spec = chart.to_dict(validate=False, context={"pre_transform": False})
        display(renderers[alt.renderers.active](spec), raw=True)
    else:
        display(chart)
