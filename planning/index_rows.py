"""The index page's headline rows (planning/report.py `write_index`): the cells of a region's or the company's
row (sales of the last 12 months, or a minimal plan's months, the plan year's forecast and target, the year to
date and the KPI lights) and the company's roll-up of the regions' headlines."""

from __future__ import annotations

import html
from typing import Any

from planning import i18n


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def light_counts(lights: Any, lang: str) -> str:
    if not isinstance(lights, dict):
        return i18n.DASH
    return "".join(
        f'<span class="light light-{s}" title="{_e(i18n.name("kpi_status", s, lang))}">'
        f'<span class="dot" aria-hidden="true"></span>{int(lights.get(s, 0) or 0)}</span>'
        for s in ("green", "yellow", "red")
    )


def ratio(num: Any, den: Any) -> float | None:
    if num is None or den is None or i18n._missing(num) or i18n._missing(den) or not den:
        return None
    return float(num) / float(den)


def headline_cells(h: dict[str, Any], lang: str, currency: str) -> str:
    """Sales of the last 12 months with YoY, plan-year target (with its growth on those 12 months), YTD actual,
    YTD completion and KPI lights: the cells of one index row. A minimal plan's sales (`minimal`) are of its
    `months` of history, said under them in place of the growth (a total over several: that it includes some)."""
    completion = h.get("completion")
    cls = ""
    if completion is not None and not i18n._missing(completion):
        cls = " good" if completion >= 1 else (" warn" if completion >= 0.8 else " bad")
    sub = lambda text: f'<span class="sub">{_e(text)}</span>' if text else ""  # noqa: E731
    base = None if h.get("minimal") else h.get("sales_l12m")  # a minimal plan's months: no growth on them
    yoy = ratio(base, h.get("sales_p12m"))
    fc_growth = ratio(h.get("forecast_plan"), base)
    fc_vs = ""
    if fc_growth is not None:
        fc_vs = i18n.t("common.index.vs_l12m", lang, growth=i18n.pct(fc_growth - 1, lang, signed=True))
    growth = ratio(h.get("plan_target"), base)
    vs = ""
    if growth is not None:
        vs = i18n.t("common.index.vs_l12m", lang, growth=i18n.pct(growth - 1, lang, signed=True))
    sales_sub = ""
    if yoy is not None:
        sales_sub = i18n.t("common.index.yoy", lang, growth=i18n.pct(yoy - 1, lang, signed=True))
    if h.get("minimal"):
        months = h.get("months")
        sales_sub = i18n.t(
            f"common.index.{'months_sales' if months else 'months_mixed'}", lang, months=months
        )
    return (
        f'<td class="num">{_e(i18n.money(h.get("sales_l12m"), lang, currency))}{sub(sales_sub)}</td>'
        f'<td class="num">{_e(i18n.money(h.get("forecast_plan"), lang, currency))}{sub(fc_vs)}</td>'
        f'<td class="num">{_e(i18n.money(h.get("plan_target"), lang, currency))}{sub(vs)}</td>'
        f'<td class="num">{_e(i18n.money(h.get("ytd_actual"), lang, currency))}</td>'
        f'<td class="num completion{cls}">{_e(i18n.pct(completion, lang))}</td>'
        f'<td class="lights">{light_counts(h.get("kpi_lights"), lang)}</td>'
    )


def rollup(regions: dict[str, Any]) -> dict[str, Any]:
    """Company headline: sums of the regions' sales, targets, actuals and lights (over regions that have them)."""
    heads = [r.get("headline") or {} for r in regions.values()]
    out: dict[str, Any] = {}
    for key in ("sales_l12m", "sales_p12m", "forecast_plan", "plan_target", "ytd_actual", "ytd_plan"):
        vals = [h[key] for h in heads if h.get(key) is not None]
        if vals:
            out[key] = sum(vals)
    plan = out.get("ytd_plan")
    if plan and out.get("ytd_actual") is not None:
        out["completion"] = out["ytd_actual"] / plan
    if any(h.get("minimal") for h in heads):  # a total over a minimal plan's months has no growth either
        out["minimal"] = True
        months = {h.get("months") if h.get("minimal") else 12 for h in heads}
        out["months"] = months.pop() if len(months) == 1 else None  # one minimal region: its months
    lights = [h["kpi_lights"] for h in heads if isinstance(h.get("kpi_lights"), dict)]
    if lights:
        out["kpi_lights"] = {
            s: sum(int(x.get(s, 0) or 0) for x in lights) for s in ("green", "yellow", "red")
        }
    return out
