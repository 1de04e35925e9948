"""How step 1 (market analysis) is said: the generated sentences (`describe_*`), the display names of segments and
competitive dimensions, and the wording the artefacts carry (the market increment's `explanation`, the SWOT's
`item` and `evidence`), all from the compute modules' frames.

Convention (every step): data arguments first, then the params section if needed, `voice: i18n.Voice` last; a
notebook passes `ctx.voice`, a test `Voice("en", "CNY")`. Every number in a sentence comes from the frame passed
in. The translated display tables are in `views.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from planning import i18n
from planning.market import trend as trend_mod
from planning.market.periods import as_str, ratio, windows
from planning.market.segments import SEGMENT_DIMENSIONS, SEGMENT_SEP
from planning.params import local_text

if TYPE_CHECKING:
    from planning.params import Market


# ------------------------------------------------------------------------------------------------ names
def _dimension_names(lang: str) -> dict[str, str]:
    names = i18n._domain("market").get("dimensions", {})
    return {k: str(v.get(lang, k)) for k, v in names.items()}


def dimension_name(dim: str, voice: i18n.Voice) -> str:
    """Display name of a competitive dimension (price, product, ...); the key itself when unknown."""
    return _dimension_names(voice.lang).get(dim, dim)


def segment_label(segment: str, by: Sequence[str], voice: i18n.Voice) -> str:
    """Display name of a segment key made of the dimensions `by` ("energy/large" -> "Energy · Large (1000+)")."""
    parts = str(segment).split(SEGMENT_SEP)
    kind = {"acquisition_channel": "lead_source"}
    return " · ".join(
        _known_or_readable(voice.name(kind.get(d, d), p), p) for d, p in zip(by, parts, strict=False)
    )


def _known_or_readable(name: str, key: str) -> str:
    """A translated name, or for a key the locale does not know (an export's own segments such as
    "home_office") the key made readable: "Home office"."""
    if name != key:
        return name
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def _need_segment_label(segment: str, voice: i18n.Voice) -> str:
    """A need's segment entry: an industry or "<industry>/<size_band>"."""
    parts = str(segment).split(SEGMENT_SEP)
    kinds = ["industry", "size_band"] if len(parts) == 2 else ["industry"] * len(parts)
    return " · ".join(voice.name(k, p) for k, p in zip(kinds, parts, strict=False))


def missing_dimensions(dims: Sequence[str], voice: i18n.Voice) -> str:
    """Display names of the default segment dimensions not in `dims` ("company size"), for the missing-data
    sentence."""
    sep = "、" if voice.lang == "zh" else ", "
    return sep.join(i18n.column(d, voice.lang).lower() if voice.lang == "en" else i18n.column(d, voice.lang)
                    for d in SEGMENT_DIMENSIONS if d not in dims)  # fmt: skip


def label_segments(segs: pd.DataFrame, by: Sequence[str], voice: i18n.Voice) -> pd.DataFrame:
    """`segs` with a display-name `label` column first (for tables and charts)."""
    out = segs.copy()
    out.insert(0, "label", [segment_label(s, by, voice) for s in out["segment"]])
    return out


def label_increment(inc: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """`inc` with a display-name `label` column (an industry's or a dimension's name)."""
    out = inc.copy()
    out["label"] = [
        voice.name("industry", k) if s == "share_gain" else dimension_name(k, voice)
        for s, k in zip(out["source"], out["segment_or_dimension"], strict=True)
    ]
    return out


# ------------------------------------------------------------------------------------------------ artefact wording
def explain_increment(inc: pd.DataFrame, plan_year: int, voice: i18n.Voice) -> pd.DataFrame:
    """The artefact `market_increment` from `competitors.market_increment`: source, segment_or_dimension, amount,
    explanation (one sentence per row saying how the amount was reached), rate, base."""
    texts = []
    for r in inc.itertuples(index=False):
        key = f"market.increment.{r.wording}"
        if r.source == "share_gain":
            fmt = {"segment": voice.name("industry", r.segment_or_dimension), "gain": f"{r.rate * 100:+.2f}"}
            if r.wording in ("share_gain", "share_recovery"):
                fmt.update(share=voice.pct(r.share, 2), year=plan_year, tam=voice.money(r.base),
                           amount=voice.money(r.amount))  # fmt: skip
            elif r.wording == "share_gain_losing":
                fmt.update(share=voice.pct(r.share, 2), change=f"{r.share_change * 100:+.2f}")
        else:
            fmt = {"dimension": dimension_name(r.segment_or_dimension, voice)}
            if r.wording == "opening_amount":
                fmt.update(amount=voice.money(r.amount))
            elif r.wording == "opening_share_no_tam":
                fmt.update(rate=voice.pct(r.rate, 2))
            elif r.wording == "opening_share":
                fmt.update(rate=voice.pct(r.rate, 2), year=plan_year, tam=voice.money(r.base),
                           amount=voice.money(r.amount))  # fmt: skip
        texts.append(voice.t(key, **fmt))
    out = inc[["source", "segment_or_dimension", "amount"]].copy()
    out["explanation"] = pd.Series(texts, index=inc.index, dtype="object")
    out["rate"] = inc["rate"]
    out["base"] = inc["base"]
    return out


def _swot_fact(key: str, value: Any, voice: i18n.Voice) -> str:
    """One fact of a SWOT rule as its sentence shows it."""
    if key == "segment":
        return voice.name("industry", value)
    if key == "share":
        return voice.pct(value, 1)
    if key == "change":
        return f"{value * 100:+.2f}"
    if key in ("growth", "total_growth"):
        return voice.pct(value, 1, signed=True)
    if key == "dimension":
        return dimension_name(value, voice)
    if key == "competitor":
        return value["zh"] if voice.lang == "zh" else value["en"]
    return f"{value:.1f}"  # scores: own, best, weak, score


def swot_table(sw: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The artefact `swot` from `swot.swot`: quadrant, item, source, evidence, rule, key (item and evidence in
    the voice's language; the planner's own entries as params give them, without evidence)."""
    items, evidence = [], []
    for r in sw.itertuples(index=False):
        if r.source == "params":
            items.append(local_text(r.facts["text"], voice.lang))
            evidence.append("")
            continue
        fmt = {k: _swot_fact(k, v, voice) for k, v in r.facts.items()}
        items.append(voice.t(f"market.swot.{r.rule}.item", **fmt))
        evidence.append(voice.t(f"market.swot.{r.rule}.evidence", **fmt))
    return pd.DataFrame(
        {
            "quadrant": sw["quadrant"],
            "item": pd.Series(items, index=sw.index, dtype="object"),
            "source": sw["source"],
            "evidence": pd.Series(evidence, index=sw.index, dtype="object"),
            "rule": sw["rule"],
            "key": sw["key"],
        }
    )


def needs_table(nd: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """`needs.needs` with its texts in the voice's language and the linked segments as display names."""
    out = nd.copy()
    all_segments = voice.t("market.needs.all_segments")
    for col in ("need", "scenario", "evidence"):
        out[col] = [local_text(v, voice.lang) for v in nd[col]]
    out["segments"] = [", ".join([_need_segment_label(s, voice) for s in keys] or [all_segments])
                       for keys in nd["segments"]]  # fmt: skip
    return out


def company_summary(tables: Any, as_of: date | str | None = None) -> pd.DataFrame:
    """Sales by region for L12M and P12M and YoY growth, plus a `company` total row (for the index page).

    In: `planning.data.Tables` of all regions (`orders` required, `regions` optional for display names);
    `as_of` defaults to the last order date. Out: region, name_en, name_zh, sales_l12m, sales_p12m, yoy_growth,
    share_of_company (L12M); the names from the regions table, else from the locale.
    """
    df = trend_mod.company_sales(tables.orders, as_of)
    regions = getattr(tables, "regions", None)
    names = (
        regions.assign(region=as_str(regions["region"])).set_index("region") if regions is not None else None
    )
    df["name_en"] = [
        names["name_en"].get(r) if names is not None and r in names.index else i18n.name("region", r, "en")
        for r in df["region"]
    ]
    df["name_zh"] = [
        names["name_zh"].get(r) if names is not None and r in names.index else i18n.name("region", r, "zh")
        for r in df["region"]
    ]
    return df[["region", "name_en", "name_zh", "sales_l12m", "sales_p12m", "yoy_growth", "share_of_company"]]


# ------------------------------------------------------------------------------------------------ sentences
def describe_trend(
    tr: pd.DataFrame, orders: pd.DataFrame, as_of: date, region: str, voice: i18n.Voice
) -> str:
    """L12M sales, growth on P12M, distinct L12M customers (from `orders`) and the latest complete month's YoY.

    `region` is the region's display name (`ctx.region_name`), `as_of` the planning date the trend ends on.
    """
    if tr.empty or not tr["sales"].any():
        return voice.t("market.trend.no_data")
    complete = tr[tr["complete"]]
    # The last 12 months (`periods.windows`, as in goals and the index); growth only on 24 complete months.
    last, prev = windows(as_of)
    last12 = tr.loc[tr["month"].isin(last.months()), "sales"].sum()
    prev12 = tr.loc[tr["month"].isin(prev.months()), "sales"].sum()
    both = set(last.months()) | set(prev.months())
    latest = complete.iloc[-1] if not complete.empty else tr.iloc[-1]
    text = voice.t(
        "market.trend.summary",
        end=last.end.date().isoformat(),
        region=region,
        sales=voice.money(last12),
        growth=voice.pct(ratio(last12, prev12) if both <= set(complete["month"]) else None, 1, signed=True),
        customers=voice.number(trend_mod.l12m_customers(orders, as_of)),
        month=latest["month"],
        yoy=voice.pct(latest["yoy_growth"], 1, signed=True),
    )
    if not bool(tr["complete"].iloc[-1]):
        text += " " + voice.t("market.trend.partial")
    # A first (or last) month the data covers only in part, e.g. an export that starts on 31 January.
    edge = [m for m in tr.loc[~tr["complete"].astype(bool), "month"] if m != tr["month"].iloc[-1]]
    if edge:
        text += " " + voice.t("market.trend.partial_data", months=", ".join(edge))
    return text


def describe_profile(prof: dict[str, Any], region: str, voice: i18n.Voice) -> str:
    """The minimal plan's sales and customer profile of its months (`trend.profile`): sales, a month's average,
    customers, orders, average order value and the largest customers' share."""
    if not prof.get("months"):
        return voice.t("market.trend.no_data")
    return voice.t(
        "market.trend.profile",
        months=prof["months"],
        first=prof["first"],
        last=prof["last"],
        region=region,
        sales=voice.money(prof["sales"]),
        monthly=voice.money(prof["monthly"]),
        customers=voice.number(prof["customers"]),
        orders=voice.number(prof["orders"]),
        aov=voice.money(prof["aov"]),
        top=prof["top"],
        top_share=voice.pct(prof["top_share"]),
    )


def describe_seasonality(season: pd.DataFrame, voice: i18n.Voice) -> str:
    """The method used and the peak and low months with their index."""
    peak, low = season.loc[season["index"].idxmax()], season.loc[season["index"].idxmin()]
    month = (
        (lambda m: f"{int(m)}月")
        if voice.lang == "zh"
        else (lambda m: pd.Timestamp(2000, int(m), 1).strftime("%B"))
    )
    return voice.t(
        "market.trend.seasonality",
        method=voice.t(f"market.trend.methods.{season['method'].iloc[0]}"),
        peak=month(peak["month_of_year"]),
        peak_index=f"{peak['index']:.2f}",
        low=month(low["month_of_year"]),
        low_index=f"{low['index']:.2f}",
    )


def describe_breakdown(
    bd: pd.DataFrame, dimension: str, as_of: date | None, voice: i18n.Voice, minimal: bool = False
) -> str:
    """The largest value of `dimension` by L12M share and the fastest growing one (from `trend.breakdown`); the
    last 12 months of `periods.windows(as_of)` (None: the last 12 months of `bd`). `minimal`: the largest
    value's share alone (a minimal plan's months have no year before to grow on)."""
    g = trend_mod.breakdown_growth(bd, dimension, as_of)
    if g.empty:
        return voice.t("market.trend.no_data")
    top = g.iloc[0]
    if minimal:
        key = "breakdown_minimal" if dimension == "product_line" else "channels_minimal"
        return voice.t(
            f"market.trend.{key}", top=voice.name(dimension, top[dimension]), share=voice.pct(top["share"])
        )
    fast = g.dropna(subset=["growth"]).sort_values("growth", ascending=False)
    fast = fast.iloc[0] if not fast.empty else top
    key = "market.trend.breakdown" if dimension == "product_line" else "market.trend.channels"
    return voice.t(
        key,
        top=voice.name(dimension, top[dimension]),
        share=voice.pct(top["share"]),
        fast=voice.name(dimension, fast[dimension]),
        fast_growth=voice.pct(fast["growth"], 1, signed=True),
    )


def describe_share(share: pd.DataFrame, mp: Market, voice: i18n.Voice) -> str:
    """The region's market and share, and the industries gaining or losing share (params
    `market.share_threshold` is named when none moved)."""
    if share.empty:
        return voice.t("market.share.no_market_size")
    total = share[share["segment"] == "total"].iloc[0]
    body = share[share["segment"] != "total"]
    text = voice.t(
        "market.share.summary",
        tam=voice.money(total["market_size"]),
        tam_growth=voice.pct(total["market_growth"], 1, signed=True),
        share=voice.pct(total["share"], 2),
        change=f"{total['share_change'] * 100:+.2f}",
    )

    def names(rows: pd.DataFrame) -> str:
        return voice.listing(
            voice.aside(
                voice.name("industry", r.segment), voice.t("market.share.pp", value=f"{r.share_change * 100:+.2f}")
            )
            for r in rows.itertuples()
        )

    gaining = body[body["status"] == "gaining"].sort_values("share_change", ascending=False)
    losing = body[body["status"] == "losing"].sort_values("share_change")
    if not gaining.empty:
        text += " " + voice.t("market.share.gaining", segments=names(gaining))
    if not losing.empty:
        text += " " + voice.t("market.share.losing", segments=names(losing))
    if gaining.empty and losing.empty:
        text += " " + voice.t("market.share.stable", threshold=f"{mp.share_threshold * 100:.2f}")
    return text


def describe_segments(segs: pd.DataFrame, by: Sequence[str], mp: Market, voice: i18n.Voice) -> str:
    """Which segments deserve resources and why: the top ICP segment's metrics that rank in the top third."""
    ranked = segs[segs["icp_score"].notna()]
    if ranked.empty:
        return voice.t("market.segments.none", min=mp.min_customers)
    top = ranked.iloc[0]
    pct_rank = {m: ranked[m].rank(pct=True).iloc[0] for m in ("sales", "clv", "win_rate", "growth")}
    fmt = {
        "sales": voice.money,
        "clv": voice.money,
        "win_rate": voice.pct,
        "growth": lambda v: voice.pct(v, 1, signed=True),
    }
    strong = [m for m, r in sorted(pct_rank.items(), key=lambda kv: -kv[1]) if r >= 2 / 3] or ["sales"]
    sep = "、" if voice.lang == "zh" else ", "
    reasons = sep.join(voice.t(f"market.segments.reason_{m}", value=fmt[m](top[m])) for m in strong)
    nxt = sep.join(segment_label(s, by, voice) for s in ranked["segment"].iloc[1:3]) or "—"
    text = voice.t(
        "market.segments.icp", top=segment_label(top["segment"], by, voice), reasons=reasons, next=nxt
    )
    small = int(segs["icp_score"].isna().sum())
    if small:
        text += " " + voice.t("market.segments.small", n=small, min=mp.min_customers)
    return text


def describe_competitors(comp: pd.DataFrame, mp: Market, voice: i18n.Voice) -> str:
    """The differentiation openings (dimensions every competitor is weak on, params `market.weak_score`)."""
    if comp.empty:
        return voice.t("market.competitors.none")
    dims = list(dict.fromkeys(comp.loc[comp["opening"], "dimension"]))
    if not dims:
        return voice.t("market.competitors.no_openings", weak=f"{mp.weak_score:.1f}")
    sep = "、" if voice.lang == "zh" else ", "
    return voice.t(
        "market.competitors.openings",
        dimensions=sep.join(dimension_name(d, voice) for d in dims),
        weak=f"{mp.weak_score:.1f}",
    )


def describe_increment(inc: pd.DataFrame, plan_year: int, voice: i18n.Voice) -> str:
    """The plan-year increment in total and by source (share gains, openings)."""
    if inc.empty or not inc["amount"].any():
        return voice.t("market.increment.none")
    by_source = inc.groupby("source")["amount"].sum()
    return voice.t(
        "market.increment.summary",
        total=voice.money(inc["amount"].sum()),
        year=plan_year,
        shares=voice.money(by_source.get("share_gain", 0.0)),
        openings=voice.money(by_source.get("opening", 0.0)),
    )


def describe_needs(nd: pd.DataFrame, voice: i18n.Voice) -> str:
    """How many needs are unmet, and the unmet need of the most customers (from `needs.needs`)."""
    if nd.empty:
        return voice.t("market.needs.none")
    unmet = nd[nd["unmet"]].sort_values("customers", ascending=False)
    if unmet.empty:
        return voice.t("market.needs.all_met", total=len(nd))
    return voice.t(
        "market.needs.summary",
        unmet=len(unmet),
        total=len(nd),
        need=local_text(unmet["need"].iloc[0], voice.lang),
        customers=int(unmet["customers"].iloc[0]),
        sales=voice.money(unmet["sales"].iloc[0]),
    )


def describe_swot(sw: pd.DataFrame, voice: i18n.Voice) -> str:
    """How many SWOT entries the data gave and how many the planner's params."""
    return voice.t(
        "market.swot.summary",
        data=int((sw["source"] == "data").sum()),
        params=int((sw["source"] == "params").sum()),
    )
