"""Executed notebook -> one self-contained, offline HTML page; snapshot `index.html`.

`export_html(notebook, meta)` renders in-process with one cached nbconvert `HTMLExporter` (basic template: no
require.js, MathJax or mermaid from a CDN) and wraps the body in this module's page: header, table of contents,
minimal CSS, and the vega / vega-lite / vega-embed bundle inlined once when the page has charts made by
`planning.charts` (batch renderer). Nothing is loaded from the network, so the file works when e-mailed alone.

`write_index(snapshot_dir, manifest, lang)` writes the overview of a snapshot (see `planning/runner/snapshot.py` for the manifest).
"""

from __future__ import annotations

import copy
import html
import os
import re
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat
import nbformat.v4
import pandas as pd

from planning import config, contracts, display, i18n, index_rows, store
from planning.config import STEPS
from planning.headlines import forecast_headline, market_headline, plan_of_record_headlines
from planning.params.scenarios import fields  # a scenario snapshot's name and keys, for its index line

#: Cell tags whose cells never reach a report (papermill's and the usual "remove" conventions).
REMOVE_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "remove_cell", "hide-report"})
#: Output mimetypes that need a live kernel or a CDN: dropped (their widgets do nothing in a static page).
DROP_MIMETYPES = ("application/vnd.jupyter.widget-view+json", "application/javascript")
#: Marker of a chart made by `planning.charts` (the batch renderer's container class).
CHART_MARKER = 'class="planning-chart"'

_HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)</h\1>', re.S)
_ANCHOR = re.compile(r'<a class="anchor-link" href="[^"]*">.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


# ------------------------------------------------------------------------------------------ page parts
@cache
def _exporter() -> Any:
    """One HTMLExporter per process (building it and its Jinja environment is the slow part)."""
    # lazy: nbconvert costs ~0.28 s to import, and `planning check` imports the runner but writes no report
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class Exporter(HTMLExporter):
        """HTMLExporter without its last pass, which parses the whole page with BeautifulSoup (pure Python, 60-75%
        of an export) to add `tabindex` to the lab template's cell divs and alt text to <img> elements: the basic
        template has no such divs and the reports no <img> (charts are vega-embed / inline SVG), so the pass
        changed nothing but the serialisation (the same document once parsed)."""

        def from_notebook_node(self, nb, resources=None, **kw):  # nbconvert's signature
            resources = self._init_resources(resources)
            self.register_filter(
                "highlight_code", self.filters.get("highlight_code", Highlight2HTML(parent=self))
            )
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return body, resources

        def _preprocess(self, nb, resources):
            """nbconvert's preprocessing without its deep copy of the notebook and its validation of the whole
            notebook after each of the 12 preprocessors (enabled or not): ~0.1 s of a step's export. `nb` is
            `_clean`'s copy (cells and their metadata copied, so nothing reaches the caller's notebook); the
            four enabled preprocessors (tag / regex removal, magics highlighting, CSS header) only drop cells
            and outputs or set metadata, and the executed notebook was valid when nbclient returned it."""
            for preprocessor in self._preprocessors:
                nb, resources = preprocessor(nb, resources)
            return nb, resources

    return Exporter(
        template_name="basic",  # body only; lab/classic pull require.js / MathJax from CDNs
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        sanitize_html=False,  # it strips h1 and th; our outputs are escaped at the source (planning.display)
    )


#: Where the built JS bundle is kept between processes (git-ignored, like the sample data).
BUNDLE_CACHE_DIR: Path = config.PROJECT_ROOT / "data" / "cache"


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script defining `window.vegaEmbed` (~0.9 MB).

    vl-convert builds it in ~1.6 s of CPU, which every worker would pay again: kept in `BUNDLE_CACHE_DIR` under the
    vl-convert and altair versions (altair's fixes Vega-Lite's), written atomically, rebuilt when unreadable.
    """
    # lazy: a native module, loaded only by a process that writes a report
    import vl_convert as vlc

    cached = BUNDLE_CACHE_DIR / f"vega-bundle-vlc{vlc.__version__}-altair{metadata.version('altair')}.js"
    try:
        text = cached.read_text(encoding="utf-8")
        if text.endswith(_BUNDLE_END) and "vegaEmbed" in text:
            return text[: -len(_BUNDLE_END)]
    except (OSError, UnicodeDecodeError):
        pass
    # lazy: altair (0.3-1 s to import) names the Vega-Lite version, needed only to build the bundle
    from altair.utils.html import vl_version_for_vl_convert

    text = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())
    try:
        BUNDLE_CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_text(text + _BUNDLE_END, encoding="utf-8")
        os.replace(tmp, cached)  # readers see the old file or the whole new one, never a half-written one
    except OSError:
        pass
    return text


# Written after the bundle in the cache file (and stripped on reading): a file without it was cut short.
_BUNDLE_END = "\n/* end of planning vega bundle */\n"


@cache
def _css() -> str:
    return (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")


def _lang_attr(lang: str) -> str:
    return "zh-CN" if lang == "zh" else "en"


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


# ------------------------------------------------------------------------------------------ notebook
def _clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of `nb` fit for a reader: parameter / removed cells gone, stderr and kernel-only outputs dropped.

    Error outputs stay: a failed step's partial report shows where it stopped.
    """
    # Shallow copies of what changes (the notebook, its metadata, kept cells and outputs, output data dicts):
    # a deep copy of a step notebook with its charts' data took ~0.15 s and changed nothing more.
    nb = copy.copy(nb)
    nb.metadata = copy.copy(nb.metadata)
    nb.metadata.pop("widgets", None)  # widget state would make nbconvert reference a CDN widget manager
    cells = []
    for cell in nb.cells:
        if REMOVE_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        cell = copy.copy(cell)
        cell.metadata = copy.copy(cell.get("metadata", nbformat.NotebookNode()))
        if cell.cell_type == "code":
            outputs = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    continue  # warnings and progress bars are for the engineer, not the meeting room
                if "data" in out:
                    out = copy.copy(out)
                    out["data"] = nbformat.NotebookNode(
                        {mt: v for mt, v in out["data"].items() if mt not in DROP_MIMETYPES}
                    )
                    if not out["data"]:
                        continue
                    if out.get("output_type") == "execute_result" and set(out["data"]) == {"text/plain"}:
                        # A bare repr of a cell's last value (a Path returned by ctx.save, a number): noise
                        # for a reader. Rich values (DataFrames, charts) have an HTML form and stay.
                        continue
                outputs.append(out)
            if not outputs:
                continue  # hidden input + no output = an empty box
            cell.outputs = outputs
        cells.append(cell)
    nb.cells = _summary_first(cells)
    return nb


def _summary_first(cells: list) -> list:
    """The summary box (`display.summary_html`, shown at a notebook's end when every number is known) moved to
    the top of the page, where a meeting reads first what it must decide."""
    marker = f'class="{display_summary_class()}"'
    boxes, kept = [], []
    for cell in cells:
        outs = cell.get("outputs") if cell.cell_type == "code" else None
        if outs and any(marker in str(o.get("data", {}).get("text/html", "")) for o in outs):
            box = [o for o in outs if marker in str(o.get("data", {}).get("text/html", ""))]
            boxes += box
            rest = [o for o in outs if o not in box]
            if not rest:
                continue
            cell = copy.copy(cell)
            cell.outputs = rest
        kept.append(cell)
    if not boxes:
        return kept
    first = nbformat.v4.new_code_cell(source="", outputs=boxes)
    first.metadata = {}
    first["id"] = "summary-box"  # a fixed id, not a random one: a rerun writes the same page
    return [first, *kept]


def display_summary_class() -> str:
    return "summary-box"  # planning.display.SUMMARY_CLASS (display imports IPython; report stays without it)


def _toc(body: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Give headings unique ids (`sec-N`) and return (body, [(level, id, text html)]) for h1-h3."""
    entries: list[tuple[int, str, str]] = []
    counter = iter(range(1, 1_000_000))

    def repl(m: re.Match) -> str:
        level, inner = int(m.group(1)), m.group(3)
        sid = f"sec-{next(counter)}"
        text = _ANCHOR.sub("", inner)
        if level <= 3:
            # Text only (the heading was escaped at the source); re-escape after unescaping entities.
            entries.append((level, sid, _e(html.unescape(_TAG.sub("", text)).strip())))
        return f'<h{level} id="{sid}">{text}<a class="anchor-link" href="#{sid}">¶</a></h{level}>'

    return _HEADING.sub(repl, body), entries


def _step_name(step: str, lang: str) -> str:
    return i18n.name("step", step, lang) if step else ""


def generated_at() -> str:
    """When a page is generated, for its footer: `SOURCE_DATE_EPOCH` (the reproducible-builds convention, so two
    runs can produce byte-identical pages) or now, in UTC to the minute."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.fromtimestamp(int(epoch), tz=UTC) if epoch.isdigit() else datetime.now(tz=UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def export_html(notebook: nbformat.NotebookNode | str | Path, meta: dict[str, Any]) -> str:
    """Render an executed notebook as one self-contained offline HTML page; returns the page.

    In: `notebook` (NotebookNode or .ipynb path; not modified) and `meta` with keys company, region,
    region_name (optional; else the translated region), step, as_of, plan_year, commit, language ("en"|"zh"),
    error (optional dict with "message": shows a failure banner), index_href (default "../index.html").
    Out: HTML text, no network reference; the vega bundle is inlined once only if the page has charts.
    """
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    lang = meta.get("language") or "en"
    if lang not in i18n.LANGUAGES:
        lang = "en"
    body, _ = _exporter().from_notebook_node(_clean(notebook))
    body, toc = _toc(body)

    step = meta.get("step", "")
    region = meta.get("region", "")
    region_name = meta.get("region_name") or i18n.name("region", region, lang)
    step_name = _step_name(step, lang)
    t = lambda key, **kw: i18n.t(f"common.report.{key}", lang, **kw)  # noqa: E731

    fields = [
        (t("region"), region_name),
        (t("step"), step_name),
        (t("as_of"), meta.get("as_of", "")),
        (t("plan_year"), meta.get("plan_year", "")),
        (t("commit"), meta.get("commit", "")),
    ]
    header_meta = "".join(
        f'<div class="field"><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>' for k, v in fields if v not in ("", None)
    )
    error = meta.get("error")
    banner = ""
    if error:
        msg = error.get("message", "") if isinstance(error, dict) else str(error)
        banner = f'<div class="banner banner-failed" role="alert">{_e(t("failed", error=msg))}</div>'
    toc_html = ""
    if toc:
        items = "".join(f'<li class="toc-h{lvl}"><a href="#{sid}">{text}</a></li>' for lvl, sid, text in toc)
        toc_html = (
            f'<nav class="toc" aria-label="{_e(t("contents"))}"><div class="toc-title">{_e(t("contents"))}</div>'
            f"<ol>{items}</ol></nav>"
        )
    has_charts = CHART_MARKER in body
    script = f"<script>{vega_bundle()}</script>" if has_charts else ""
    title = t("title", step=step_name or step, region=region_name)
    index_href = meta.get("index_href", "../index.html")
    footer = t("footer", as_of=meta.get("as_of", ""), commit=meta.get("commit", ""), generated=generated_at())
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_lang_attr(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="planning.report">\n<title>{_e(title)}</title>\n'
        f"<style>{_css()}</style>\n{script}\n</head>\n<body>\n"
        '<header class="report-header">\n'
        f'<a class="back" href="{_e(index_href)}">← {_e(t("back_to_index"))}</a>\n'
        f'<div class="company">{_e(meta.get("company", ""))}</div>\n'
        f'<div class="report-title">{_e(title)}</div>\n'
        f'<dl class="meta">{header_meta}</dl>\n</header>\n{banner}\n'
        f'<div class="layout">\n{toc_html}\n<main class="report-body">\n{body}\n</main>\n</div>\n'
        f'<footer class="report-footer">{_e(footer)}</footer>\n</body>\n</html>\n'
    )


# ------------------------------------------------------------------------------------------ index
def _first_params(manifest: dict[str, Any]) -> dict[str, Any]:
    for r in manifest.get("regions", {}).values():
        if r.get("params"):
            return r["params"]
    return {}


def _region_as_of(info: dict[str, Any], params: dict[str, Any], manifest: dict[str, Any]) -> Any:
    """The planning date a region's headline is taken at: its own parameters', else the snapshot's."""
    own = info.get("params") if isinstance(info.get("params"), dict) else {}
    return own.get("as_of") or params.get("as_of") or manifest.get("as_of") or None


def _region_name(region: str, info: dict[str, Any], lang: str) -> str:
    """A region's name on the index: its params' (`region.name` / `name_zh`), else the workbook's."""
    rparams = info.get("params") or {}
    rmeta = rparams.get("region") if isinstance(rparams.get("region"), dict) else {}
    return (rmeta.get("name_zh") if lang == "zh" else rmeta.get("name")) or i18n.name("region", region, lang)


def _rollup_label(manifest: dict[str, Any], regions: dict[str, Any], lang: str) -> str:
    """The roll-up row's name: the company's total when the snapshot holds every region of the company
    (`company_regions` in the manifest; an older manifest does not say: every region), else "Total of n of m
    regions" (a snapshot of some regions only)."""
    company = {r for r in manifest.get("company_regions") or [] if isinstance(r, str)}
    if company <= set(regions):
        return i18n.name("region", "company", lang)
    return i18n.t("common.index.partial_total", lang, n=len(regions), m=len(company | set(regions)))


def _kind_line(manifest: dict[str, Any], lang: str) -> str:
    """What made the snapshot, for a snapshot that is not a plan: a review (against which plan version), a
    re-plan or an adjusted plan (derived from which). Empty for a plan (docs/rhythm.md "Snapshot kinds")."""
    kind = store.snapshot_kind(manifest)
    if kind in ("plan", "adjusted"):  # an adjusted snapshot's index says so itself (handover.index.adjusted)
        return ""
    plan = manifest.get("plan_of_record") or "—"
    text = i18n.t(f"common.index.kind.{kind}", lang, plan=plan, **fields(manifest))
    return f'<div class="kind">{_e(text)}</div>'


ATTENTION_ORDER = (
    "05_review",
    "04_resources",
    "02_goals",
    "03_strategy",
    "01_market_analysis",
)  # most urgent first
ATTENTION_PER_REGION = 4


def attention_section(snapshot_dir: Path, regions: dict[str, str], lang: str) -> str:
    """The items for decision across regions (key -> display name), read from each step's summary artefact (the
    box its report opens with): at most ATTENTION_PER_REGION per region, the review's first (off plan now), then
    resources, goals, strategy, market. Empty when no report has an item."""
    t = lambda key, **kw: i18n.t(f"common.index.attention.{key}", lang, **kw)  # noqa: E731
    rows = []
    for r in regions:
        items = []
        for step in ATTENTION_ORDER:
            df = store.read_optional(snapshot_dir / r, contracts.summary_artifact(step))
            if df is not None and len(df):
                items += [(step, x) for x in df.loc[df["kind"] == "decision", "text"].astype(str)]
        for n, (step, text) in enumerate(items[:ATTENTION_PER_REGION]):
            region_cell = (
                f'<th scope="row" rowspan="{min(len(items), ATTENTION_PER_REGION)}">' if n == 0 else ""
            )
            region_cell += f"{_e(regions[r])}</th>" if n == 0 else ""
            link = f'<a href="{_e(r)}/{_e(step)}.html">{_e(_step_name(step, lang))}</a>'
            rows.append(f"<tr>{region_cell}<td>{link}</td><td>{_e(text)}</td></tr>")
        if len(items) > ATTENTION_PER_REGION:
            rows.append(
                f'<tr><td colspan="2" class="more">{_e(t("more", n=len(items) - ATTENTION_PER_REGION))}</td></tr>'
            )
    if not rows:
        return ""
    return (
        f'<section class="attention"><h2>{_e(t("title"))}</h2><div class="table-frame"><table class="attention-table"><thead><tr>'
        f"<th>{_e(t('region'))}</th><th>{_e(t('report'))}</th><th>{_e(t('item'))}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def write_index(
    snapshot_dir: str | Path, manifest: dict[str, Any], lang: str = "en", audit: pd.DataFrame | None = None
) -> Path:
    """Write `<snapshot_dir>/index.html`: the plan audit, the company roll-up, then per region headline numbers
    and step links. `audit`: the snapshot's plan audit (`planning.audit.audit_snapshot`), else the snapshot's
    audit.csv when there is one.

    In: the snapshot folder (step pages at `<region>/<step>.html`) and the run manifest: `regions` ->
    {region: {"headline": {plan_target, ytd_plan, ytd_actual, completion (fraction), kpi_lights {green,
    yellow, red}}, "steps": {step: {"status", "error"}}, "params": {...}}}, plus `commit`,
    `snapshot`, `steps`. Missing numbers show "—". Out: the path written.
    """
    snapshot_dir = Path(snapshot_dir)
    lang = lang if lang in i18n.LANGUAGES else "en"
    if audit is None and store.audit_path(snapshot_dir).is_file():
        audit = pd.read_csv(store.audit_path(snapshot_dir), dtype=str, keep_default_na=False)
    params = _first_params(manifest)
    plan_year = params.get("plan_year") or manifest.get("plan_year") or ""
    planned = plan_of_record_headlines(snapshot_dir, manifest)
    regions: dict[str, Any] = {
        # Sales of the last 12 months come from the market step's artefact when the manifest lacks them; the
        # plan year's forecast from the goals step's; a review's target from its plan of record's manifest.
        r: {
            **info,
            "headline": {
                **market_headline(snapshot_dir / r, _region_as_of(info, params, manifest)),
                **forecast_headline(snapshot_dir / r, plan_year),
                **planned.get(r, {}),
                **(info.get("headline") or {}),
                **(  # a minimal plan's sales are of its months of history: no growth on them
                    {"minimal": True, "months": info.get("history_months")} if info.get("plan") == "minimal" else {}
                ),
            },
        }
        for r, info in manifest.get("regions", {}).items()
    }
    company = params.get("company", {}) if isinstance(params.get("company"), dict) else {}
    company_name = (company.get("name_zh") if lang == "zh" else None) or company.get("name") or ""
    currency = company.get("currency") or "CNY"
    as_of = params.get("as_of") or manifest.get("as_of") or manifest.get("snapshot", "")
    if store.snapshot_kind(manifest) not in ("plan", "scenario") and manifest.get("snapshot"):
        as_of = manifest["snapshot"]  # a review / re-plan / adjustment is dated itself (params: its plan's)
    steps = list(manifest.get("steps") or STEPS)
    t = lambda key, **kw: i18n.t(f"common.index.{key}", lang, **kw)  # noqa: E731
    col = lambda key: i18n.t(f"common.index.{key}", lang)  # noqa: E731

    as_of_year = str(as_of)[:4]
    num_heads = (
        f'<th class="num">{_e(col("sales_l12m"))}</th>'
        f'<th class="num">{_e(t("forecast_year", year=plan_year))}</th>'
        f'<th class="num">{_e(t("plan_target_year", year=plan_year))}</th>'
        f'<th class="num">{_e(t("ytd_actual_year", year=as_of_year))}</th>'
        f'<th class="num">{_e(col("completion"))}</th><th>{_e(col("kpi_lights"))}</th>'
    )
    rollup = index_rows.rollup(regions)
    rollup_html = (
        f'<section class="rollup"><h2>{_e(t("rollup"))}</h2><div class="table-frame"><table class="headline"><thead><tr>'
        f"<th>{_e(company_name)}</th>{num_heads}</tr></thead><tbody><tr>"
        f'<th scope="row">{_e(_rollup_label(manifest, regions, lang))}</th>'
        f"{index_rows.headline_cells(rollup, lang, currency)}</tr></tbody></table></div>"
        + (f'<p class="note">{_e(t("forecast_note"))}</p>' if rollup.get("forecast_plan") is not None else "")
        + "</section>"
    )

    # An adjusted snapshot (`planning adjust`) holds artefacts only: its step reports are its source's.
    # A re-plan (`planning replan`) too: its step reports are those of the plan it revises.
    kind = store.kind_of(manifest)
    source = manifest.get("plan_of_record") if kind in ("adjusted", "replan") else None
    pages_dir, pages_href = snapshot_dir, ""
    if isinstance(source, str) and store.SNAPSHOT_NAME.match(source):
        pages_dir, pages_href = snapshot_dir.parent / source, f"../{source}/"
    ok = total = 0
    rows: list[str] = []
    step_rows: list[str] = []
    for region, info in regions.items():
        rname = _region_name(region, info, lang)
        cells = []
        for step in steps:
            st = (info.get("steps") or {}).get(step)
            total += 1
            page = pages_dir / region / f"{step}.html"
            status = (st or {}).get("status") or "missing"
            ok += status == "ok"
            label = (
                i18n.t("common.index.missing", lang)
                if status == "missing"
                else i18n.name("run_status", status, lang)
            )
            # No duration here: run-time fields live in the manifest only, so a rerun gives the same page
            # (docs/artifacts.md "Reruns").
            err = (st or {}).get("error")
            title = ""
            if isinstance(err, dict) and err.get("message"):
                title = f' title="{_e(err["message"])}"'
            # The column header names the step; the cell is its status, a link when the page exists
            # (a failed step's partial page too: it shows where it stopped).
            status_html = f'<span class="status">{_e(label)}</span>'
            if page.is_file():
                status_html = f'<a href="{_e(pages_href)}{_e(region)}/{_e(step)}.html">{status_html}</a>'
            message = ""
            if isinstance(err, dict) and err.get("message") and status != "skipped":
                short = err["message"] if len(err["message"]) <= 90 else err["message"][:87] + "..."
                message = f'<span class="error">{_e(short)}</span>'
            cells.append(f'<td class="step status-{_e(status)}"{title}>{status_html}{message}</td>')
        minimal = display.minimal_note(info, lang)  # a region planned on 3-12 months of history
        rows.append(
            f'<tr><th scope="row">{_e(rname)}{minimal}</th>'
            f"{index_rows.headline_cells(info.get('headline') or {}, lang, currency)}</tr>"
        )
        step_rows.append(f'<tr><th scope="row">{_e(rname)}{minimal}</th>{"".join(cells)}</tr>')
    step_heads = "".join(f'<th class="step">{_e(_step_name(s, lang))}</th>' for s in steps)
    region_head = f'<th class="name">{_e(i18n.column("region", lang))}</th>'
    # Headline numbers and step reports in two tables: one row per region each, readable at 1280 px.
    regions_html = (
        f'<section class="regions"><h2>{_e(t("regions"))}</h2><div class="table-frame"><table class="regions-table"><thead><tr>'
        f"{region_head}{num_heads}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
        f'<section class="reports"><h2>{_e(t("reports"))}</h2><div class="table-frame"><table class="steps-table"><thead><tr>'
        f"{region_head}{step_heads}</tr></thead><tbody>{''.join(step_rows)}</tbody></table></div></section>"
    )
    title = t("title", plan_year=plan_year, as_of=as_of)
    kind_html = _kind_line(manifest, lang)
    commit = manifest.get("commit", "")
    changes = "".join(  # `planning diff`: <snapshot>/diff_<OLD>/index.html, newest first
        f'<li><a href="diff_{_e(old)}/index.html">{_e(i18n.t("diff.index_link", lang, old=old))}</a></li>'
        for old in store.diffs(snapshot_dir)
    )
    if store.quotas_path(snapshot_dir).is_file():  # planning/handover/workbook.py
        changes += f'<li><a href="quotas.xlsx">{_e(i18n.t("handover.index.quotas", lang))}</a></li>'
    changes_html = f'<ul class="changes">{changes}</ul>' if changes else ""
    if pages_href and kind == "adjusted":
        workbooks = ", ".join((manifest.get("adjustment") or {}).get("workbooks") or [])
        note = i18n.t("handover.index.adjusted", lang, source=source, workbooks=workbooks)
        changes_html = f'<div class="summary">{_e(note)}</div>' + changes_html
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{_lang_attr(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{_e(title)}</title>\n<style>{_css()}</style>\n</head>\n<body class="index">\n'
        f'<header class="report-header"><div class="company">{_e(company_name)}</div>'
        f'<div class="report-title">{_e(title)}</div>'
        f'<div class="summary">{_e(t("summary", ok=ok, total=total))}</div>{kind_html}{changes_html}</header>\n'
        f"<main>{display.audit_section(audit, lang)}\n{rollup_html}\n"
        f"{attention_section(snapshot_dir, {r: _region_name(r, i, lang) for r, i in regions.items()}, lang)}\n"
        f"{regions_html}</main>\n"
        f'<footer class="report-footer">{_e(i18n.t("common.report.footer_index", lang, commit=commit, generated=generated_at()))}</footer>\n'
        "</body>\n</html>\n"
    )
    path = snapshot_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
