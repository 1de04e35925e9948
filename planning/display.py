"""What a notebook shows: headings, sentences, tables and KPI lights, escaped and in the report's language.

Everything that comes from data or params (customer names, region names, free text) is text, never markup:
headings are Markdown outputs with HTML and Markdown syntax escaped (nbconvert turns them into real <h2>/<h3>,
which `planning.report` lists in the table of contents); sentences and tables are HTML built from escaped
strings; Stylers made by `style()` escape cells and headers (pandas' Styler does not by default).

The `*_html` functions are pure (DataFrame / text in, HTML string out) and are what the tests check; the
others display their result in the notebook.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML, Javascript, Markdown, display

from planning import i18n

#: Columns whose values are translated with `i18n.name` (first kind that knows the value wins).
#: `channel` also holds lead sources in the marketing table (docs/data.md).
VALUE_KINDS: dict[str, tuple[str, ...]] = {
    "region": ("region",),
    "step": ("step",),
    "tier": ("tier",),
    "stage": ("stage",),
    "channel": ("channel", "lead_source"),
    "lead_source": ("lead_source",),
    "source": ("lead_source",),
    "acquisition_channel": ("lead_source",),
    "product_line": ("product_line",),
    "industry": ("industry",),
    "size_band": ("size_band",),
    "status": ("kpi_status", "run_status"),
    "kpi_status": ("kpi_status",),
    "light": ("kpi_status",),
    "quadrant": ("swot",),
    "swot": ("swot",),
    "risk": ("risk",),
    "level": ("period_level",),
    "relevant_to": ("segment", "lever"),
    "segment": ("segment",),
    "metric": ("metric",),
    "kpi": ("metric",),
    "supports": ("metric",),
    "process_kpi": ("metric",),
    "outcome_kpi": ("metric",),
    "check": ("process_check",),
    "status_now": ("kpi_status",),
    "owner": ("role",),
    "key": ("product_line", "channel"),
}
#: Columns rendered as KPI traffic lights when their values are green / yellow / red.
KPI_COLUMNS = frozenset({"status", "kpi_status", "light"})
KPI_VALUES = ("green", "yellow", "red")

_NUM = ' class="num"'
_NOWRAP = ' class="nowrap"'
#: Text columns whose values are at most this long do not wrap; tables with more columns are set tighter.
SHORT_TEXT = 12
# A header no wider than this (a CJK character counts two) never breaks inside: in a wide table the browser
# shrinks a column of empty or short cells to its header's narrowest form, one character a line in Chinese.
SHORT_HEADER = 12
WIDE_COLUMNS = 9
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~])")


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def md_escape(text: str) -> str:
    """Plain text -> Markdown that renders as exactly that text (HTML entities + escaped Markdown syntax)."""
    one_line = " ".join(str(text).split())  # a newline would end the heading
    return _MD_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))


# ------------------------------------------------------------------------------------------ text
def audit_check(check: str, lang: str = "en") -> str:
    """A plan-audit check id (`planning.audit`: "target_vs_market", "non_negative:health.revenue_at_risk",
    "step_inputs_present:02_goals") as a reader's label in `lang` (`common.audit_checks`); an artefact column as
    its file path (artifacts/health.csv/revenue_at_risk), a step by its name. An id without a label reads with
    spaces for underscores."""
    base, _, arg = check.partition(":")
    if arg and base in ("non_negative", "artefact_readable"):
        name, _, col = arg.partition(".")
        arg = f"artifacts/{name}.csv" + (f"/{col}" if col else "")
    elif arg and base == "step_inputs_present":
        arg = i18n.name("step", arg, lang)
    try:
        return i18n.t(f"common.audit_checks.{base}", lang, arg=arg)
    except KeyError:
        return check.replace("_", " ")


def audit_section(audit: pd.DataFrame | None, lang: str) -> str:
    """The index's plan audit (`planning.audit`, the snapshot's audit.csv): pass / fail / skipped counts and every
    failure by region, check (its label in `lang`, `display.audit_check`) and figures (verbatim, as audit.csv and
    `planning audit` print them: code, not prose); a note when the run wrote no audit. Failures first and in red: the run
    publishes a snapshot whose plan contradicts itself, and the index says so (docs/reports.md)."""
    t = lambda key, **kw: i18n.t(f"common.index.audit.{key}", lang, **kw)  # noqa: E731
    if audit is None:
        return f'<section class="audit"><h2>{_e(t("title"))}</h2><p>{_e(t("none"))}</p></section>'
    counts = audit["status"].value_counts()
    failed = audit[audit["status"] == "fail"]
    summary = t(
        "summary",
        n=len(audit),
        passed=int(counts.get("pass", 0)),
        failed=len(failed),
        skipped=int(counts.get("skipped", 0)),
    )
    cls = "audit-fail" if len(failed) else "audit-pass"
    body = f'<p class="audit-summary">{_e(summary)} {_e(t("fail_note" if len(failed) else "pass_note"))}</p>'
    if len(failed):
        heads = "".join(f"<th>{_e(t(c))}</th>" for c in ("region", "check", "values"))
        rows = "".join(
            f'<tr><th scope="row">{_e(i18n.name("region", r.region, lang) if r.region != "company" else t("company"))}'
            f'</th><td>{_e(audit_check(r.check, lang))}</td><td><code class="audit-figures">{_e(r.values)}'
            "</code></td></tr>"
            for r in failed.itertuples()
        )
        body += (
            f'<div class="table-frame"><table class="audit-table"><thead><tr>{heads}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
    return f'<section class="audit {cls}"><h2>{_e(t("title"))}</h2>{body}</section>'


def minimal_note(region: dict[str, Any], lang: str) -> str:
    """The index's mark of a region planned on a minimal plan (its manifest entry's "plan": "minimal" and
    "history_months"; docs/method.md, short histories), "" for a full plan."""
    if region.get("plan") != "minimal":
        return ""
    note = i18n.t("common.index.minimal", lang, months=region.get("history_months", ""))
    return f'<span class="minimal">{_e(note)}</span>'


def heading(text: str, level: int = 2) -> None:
    """Show `text` as a heading of `level` (1-4) as a Markdown output (a TOC entry in the report)."""
    level = min(max(int(level), 1), 6)
    display(Markdown("#" * level + " " + md_escape(text)))


def paragraph_html(text: str) -> str:
    """`text` as an escaped <p>; line breaks kept."""
    return "<p>" + "<br>".join(_e(line) for line in str(text).splitlines()) + "</p>"


def paragraph(text: str) -> None:
    """Show a generated sentence (escaped); nothing for an empty one (a narrate function with nothing to say)."""
    if str(text).strip():
        display(HTML(paragraph_html(text)))


SUMMARY_CLASS = "summary-box"  # report.export_html moves this output to the top of the page
MAX_DECISIONS = 5


def summary_html(
    numbers: Iterable[tuple[str, str]], decisions: Iterable[str], lang: str = "en", title: str | None = None
) -> str:
    """The box a report opens with: 3-5 key numbers (label, formatted value) and the items for decision (each a
    generated sentence), or "nothing to decide" when there are none. Everything escaped."""
    nums = "".join(
        f'<div class="key-number"><div class="value">{_e(v)}</div><div class="label">{_e(k)}</div></div>'
        for k, v in numbers
    )
    items = [d for d in decisions if d]
    more = len(items) - MAX_DECISIONS
    if more > 0:  # a box, not a list: the first ones (the step orders them by weight), the rest in the report
        items = [*items[:MAX_DECISIONS], i18n.t("common.summary.more", lang, n=more)]
    decide = (
        "<ol>" + "".join(f"<li>{_e(d)}</li>" for d in items) + "</ol>"
        if items
        else f'<p class="none">{_e(i18n.t("common.summary.nothing", lang))}</p>'
    )
    return (
        f'<section class="{SUMMARY_CLASS}" aria-label="{_e(title or i18n.t("common.summary.title", lang))}">'
        f'<div class="summary-title">{_e(title or i18n.t("common.summary.title", lang))}</div>'
        f'<div class="key-numbers">{nums}</div>'
        f'<div class="decide"><div class="decide-title">{_e(i18n.t("common.summary.decide", lang))}</div>'
        f"{decide}</div></section>"
    )


def scroll_here() -> None:
    """In JupyterLab, scroll the notebook to this output (a cell that stops "Run all" with a sentence: JupyterLab
    leaves the view at the last cell, far below it). A JavaScript output runs only where the notebook is trusted
    (in the session that ran it); elsewhere (a report, a reopened copy) it does nothing."""
    display(Javascript(SCROLL_HERE))


#: Waits until the output is in the page (JupyterLab renders it before attaching it), then scrolls, and again
#: after 0.3, 1 and 2.5 s: JupyterLab's own scrolling to the active cell, once "Run all" stops, comes at a time
#: that depends on the kernel's replies (seen winning over a single scroll); gives up waiting after ~5 s.
SCROLL_HERE = (
    "const go = (n) => element.isConnected ? element.scrollIntoView({block: 'center'})"
    " : n > 0 && setTimeout(() => go(n - 1), 100);"
    " [300, 1000, 2500, 4000].forEach((t) => setTimeout(() => go(50), t));"
)


def show_html(markup: str) -> None:
    """Show HTML the workbook built (already escaped where it holds data)."""
    display(HTML(markup))


def kpi_html(status: str, lang: str = "en", label: str | None = None) -> str:
    """A KPI light: coloured dot + translated status (or `label`); unknown statuses show as plain text."""
    status = str(status)
    text = label if label is not None else i18n.name("kpi_status", status, lang)
    cls = f" kpi-{status}" if status in KPI_VALUES else ""
    return f'<span class="kpi{cls}"><span class="dot" aria-hidden="true"></span>{_e(text)}</span>'


def kpi(status: str, lang: str = "en", label: str | None = None) -> None:
    """Show one KPI light (see `kpi_html`)."""
    display(HTML(kpi_html(status, lang, label)))


# ------------------------------------------------------------------------------------------ tables
def _translate_value(v: Any, kinds: tuple[str, ...], lang: str) -> Any:
    if pd.isna(v) if not isinstance(v, (list, tuple, dict)) else False:
        return v
    for kind in kinds:
        out = i18n.segment(v, lang) if kind == "segment" else i18n.name(kind, v, lang)
        if out != str(v):
            return out
    return v


def column_decimals(col: str, s: pd.Series) -> int:
    """One number of decimals for a whole column, so a measure reads alike in every row (never 45 / 44.8 /
    49.19): 0 when every value is whole or large (>= 1,000), 1 for scores, else 2."""
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":  # numpy numbers: the same test on the array
        arr = s.to_numpy()
        if arr.dtype.kind in "iu":
            return 0
        arr = arr[np.isfinite(arr)]
        whole = arr.size == 0 or (arr == np.round(arr)).all() or (np.abs(arr) >= 1000).all()
    else:
        vals = pd.to_numeric(s, errors="coerce").dropna()
        vals = vals[vals.abs() != float("inf")]
        whole = vals.empty or (vals == vals.round()).all() or (vals.abs() >= 1000).all()
    if whole:
        return 0
    return 1 if col.endswith("score") or col.endswith("_score") else 2


def _formatter(
    col: str, s: pd.Series, lang: str, money: set[str], pct: set[str], currency: str, decimals: Mapping
) -> Any:
    """Function value -> display string for column `col` (not escaped)."""
    if col in money:
        return lambda v: i18n.money(v, lang, currency, compact=False)
    if col in pct:
        return lambda v: i18n.pct(v, lang, decimals.get(col, 1))
    if pd.api.types.is_bool_dtype(s):
        # A reader sees yes / no in the report's language, never Python's True / False.
        return lambda v: i18n.DASH if pd.isna(v) else i18n.t(f"common.table.{'yes' if v else 'no'}", lang)
    if pd.api.types.is_numeric_dtype(s):
        places = decimals.get(col, column_decimals(col, s))
        return lambda v: i18n.number(v, lang, places)
    if pd.api.types.is_datetime64_any_dtype(s):
        has_time = bool((s.dropna().dt.normalize() != s.dropna()).any())
        fmt = "%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d"
        return lambda v: i18n.DASH if pd.isna(v) else v.strftime(fmt)

    def text(v: Any) -> str:
        if isinstance(v, bool):  # a bool in an object column
            return i18n.t(f"common.table.{'yes' if v else 'no'}", lang)
        return i18n.DASH if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)

    return text


def _prepare(df: pd.DataFrame, max_rows: int | None) -> tuple[pd.DataFrame, int]:
    """Meaningful index -> columns; first `max_rows` rows. Returns (frame, total rows)."""
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        df = df.reset_index()
    total = len(df)
    if max_rows is not None and total > max_rows:
        df = df.head(max_rows)
    return df, total


def _width(text: str) -> int:
    """How wide a text shows, in Latin characters: a CJK (or other wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _short_text(s: pd.Series) -> bool:
    """Whether every value of a non-empty column shows in at most `SHORT_TEXT` characters: the longest
    `s.astype(str)`, which a column of str needs no copy for (a missing value has no length; none at all: False)."""
    values = s.tolist() if s.dtype == object or isinstance(s.dtype, pd.StringDtype) else None
    if values is not None and all(type(v) is str for v in values):
        longest = max(map(len, values), default=float("nan"))
    else:
        longest = s.astype(str).str.len().max()
    return not pd.isna(longest) and bool(longest <= SHORT_TEXT)


def _as_set(cols: Iterable[str] | str | None) -> set[str]:
    if cols is None:
        return set()
    return {cols} if isinstance(cols, str) else set(cols)


def table_html(
    df: pd.DataFrame,
    lang: str = "en",
    max_rows: int | None = 50,
    *,
    domain: str = "common",
    money: Iterable[str] | str | None = None,
    pct: Iterable[str] | str | None = None,
    currency: str = "CNY",
    decimals: Mapping[str, int] | None = None,
    translate_values: bool = True,
    caption: str | None = None,
) -> str:
    """DataFrame -> escaped HTML table in `lang`.

    Headers via `i18n.column(col, lang, domain)`; values of known columns (region, tier, stage, channel ...,
    see VALUE_KINDS) via `i18n.name`; `money` columns as full amounts, `pct` columns (fractions) as percentages,
    other numbers with thousands separators, missing values as "—"; status columns with green / yellow / red as
    KPI lights. At most `max_rows` rows, with a translated note when rows were cut.
    """
    money_cols, pct_cols = _as_set(money), _as_set(pct)
    decimals = dict(decimals or {})
    view, total = _prepare(df, max_rows)
    cols = [str(c) for c in view.columns]
    series = [s for _, s in view.items()]  # each column once
    fmts = [
        _formatter(c, s, lang, money_cols, pct_cols, currency, decimals) for c, s in zip(cols, series, strict=True)
    ]
    numeric = [
        c in money_cols or c in pct_cols or pd.api.types.is_numeric_dtype(s) for c, s in zip(cols, series, strict=True)
    ]
    labels = [i18n.column(c, lang, domain) for c in cols]
    head_cls = [
        _NUM if num else (_NOWRAP if _width(x) <= SHORT_HEADER else "")
        for x, num in zip(labels, numeric, strict=True)
    ]
    head = "".join(f'<th{cls} scope="col">{_e(x)}</th>' for x, cls in zip(labels, head_cls, strict=True))
    # Short text values (periods such as 2027-Q1, ids, dates) never break inside; long text wraps.
    short = [not num and bool(len(view)) and _short_text(s) for s, num in zip(series, numeric, strict=True)]
    # The cells column by column (the values as `itertuples` gives them: each column Series iterated), then rows.
    columns = []
    for c, s, fmt, num, nowrap in zip(cols, series, fmts, numeric, short, strict=True):
        kpi_col = c in KPI_COLUMNS
        kinds = VALUE_KINDS.get(c) if translate_values else None
        open_td = f"<td{_NUM if num else (_NOWRAP if nowrap else '')}>"
        cells = []
        for v in s:
            if kpi_col and str(v) in KPI_VALUES:
                cells.append(f'<td class="kpi-{v}">{kpi_html(str(v), lang)}</td>')
                continue
            if kinds is not None:
                v = _translate_value(v, kinds, lang)
            cells.append(f"{open_td}{_e(fmt(v))}</td>")
        columns.append(cells)
    rows = ["<tr>" + "".join(cells) + "</tr>" for cells in zip(*columns)] if columns else ["<tr></tr>"] * len(view)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    wide = (
        " wide" if len(cols) > WIDE_COLUMNS else ""
    )  # many columns: tighter cells so the table fits the page
    out = (
        f'<table class="planning-table{wide}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    if total > len(view):
        note = i18n.t("common.table.truncated", lang, shown=i18n.number(len(view)), total=i18n.number(total))
        out += f'<p class="table-note">{_e(note)}</p>'
    return out


def style(
    df: pd.DataFrame,
    lang: str = "en",
    max_rows: int | None = 50,
    *,
    domain: str = "common",
    money: Iterable[str] | str | None = None,
    pct: Iterable[str] | str | None = None,
    currency: str = "CNY",
    decimals: Mapping[str, int] | None = None,
) -> Any:
    """A pandas Styler that escapes cells and headers, with translated headers / values and locale numbers.

    Use it when a step needs Styler features (highlights, bars): `display.table(style(df, lang)
    .highlight_max(subset=[...]))`. Formatting applied later with `.format(...)` must pass
    `escape="html"` again.
    """
    money_cols, pct_cols = _as_set(money), _as_set(pct)
    decimals = dict(decimals or {})
    view, _ = _prepare(df, max_rows)
    view = view.copy()
    for c in view.columns:
        if str(c) in VALUE_KINDS:
            view[c] = view[c].map(lambda v, k=VALUE_KINDS[str(c)]: _translate_value(v, k, lang))
    fmts = {
        c: _formatter(str(c), view[c], lang, money_cols, pct_cols, currency, decimals) for c in view.columns
    }
    view.columns = [i18n.column(str(c), lang, domain) for c in view.columns]
    numeric = [
        view.columns[i]
        for i, c in enumerate(fmts)
        if str(c) in money_cols or str(c) in pct_cols or pd.api.types.is_numeric_dtype(view.iloc[:, i])
    ]
    fmts = {view.columns[i]: f for i, f in enumerate(fmts.values())}
    return (
        view.style.format(fmts, escape="html", na_rep=i18n.DASH)
        .set_properties(subset=numeric, **{"text-align": "right"})
        .format_index(escape="html", axis=1)
        .format_index(escape="html", axis=0)
        .hide(axis="index")
    )


def table(df: Any, lang: str = "en", max_rows: int | None = 50, **kw: Any) -> None:
    """Show a DataFrame (see `table_html` for `kw`) or a Styler made by `style()` (rendered as it is)."""
    if type(df).__name__ == "Styler":  # not isinstance: pandas.io.formats.style is only loaded on use
        display(HTML(df.to_html()))
        return
    display(HTML(table_html(df, lang, max_rows, **kw)))
