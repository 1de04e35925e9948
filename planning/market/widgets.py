"""The what-if panel of step 1 (market analysis), for JupyterLab: product line / channel / segment dimension
pickers that redraw the trend chart and the ICP table with the same functions the batch path uses."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from planning import i18n
from planning.market import charts, narrate, segments, trend, views
from planning.market.periods import as_str

#: Columns of the segment table computed from the opportunities (win rate), which have a product line but no
#: sales channel: the channel filter does not reach them, and the panel says so.
CHANNEL_BLIND = ("closed_deals", "win_rate")


def filtered(
    ctx: Any, product_line: str, channel: str, by: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trend, segments) of the order lines of `product_line` / `channel` ("" = all) by dimensions `by`, with the
    batch path's `trend.trend` and `segments.segments`. The opportunities follow the product line filter (they
    carry one); with no filter the result is the page's trend and segment sections."""
    o = trend.filter_orders(ctx.data.orders, product_line or None, channel or None)
    opp = ctx.data.opportunities
    if product_line and opp is not None and "product_line" in opp:
        opp = opp[as_str(opp["product_line"]) == product_line]
    # only the dimensions the data has (none without a customers table: no segments, as on the page)
    by = segments.segment_dimensions(ctx.data.orders, ctx.data.customers, by)
    segs = segments.segments(o, ctx.data.customers, opp, ctx.p, by=by, minimal=ctx.minimal)
    return trend.trend(o, ctx.as_of), segs


def whatif_panel(ctx: Any) -> Any:
    """Dropdowns over the region's order lines (`ctx.data`). With no filter and the page's dimensions the panel
    says that the sections above are what it would show (it never repeats them); otherwise it shows the trend
    chart (its title names the filter), the sentence and the ICP table of the filtered lines (`filtered`)."""
    orders, customers = ctx.data.orders, ctx.data.customers
    all_label = ctx.t("market.whatif.all")

    def options(col: str) -> list[tuple[str, str]]:
        return [(all_label, "")] + [(ctx.name(col, v), v) for v in sorted(as_str(orders[col]).unique())]

    dims = {
        "industry/size_band": ("industry", "size_band"),
        "industry": ("industry",),
        "size_band": ("size_band",),
    }
    if customers is not None and "acquisition_channel" in customers:
        dims["acquisition_channel"] = ("acquisition_channel",)
    page_dims = tuple(segments.segment_dimensions(orders, customers))
    page_key = next((k for k, v in dims.items() if v == page_dims), "industry/size_band")
    style = {"description_width": "initial"}
    product = w.Dropdown(options=options("product_line"), description=ctx.t("market.whatif.product_line"),
                         style=style)  # fmt: skip
    channel = w.Dropdown(options=options("channel"), description=ctx.t("market.whatif.channel"), style=style)
    dimension = w.Dropdown(
        options=[(" × ".join(i18n.column(d, ctx.lang, "market") for d in v), k) for k, v in dims.items()],
        value=page_key,
        description=ctx.t("market.segments.dimension"),
        style=style,
    )
    out = w.Output()

    def redraw(_: Any = None) -> None:
        by = segments.segment_dimensions(orders, customers, dims[dimension.value])  # those the data has
        with out:
            out.clear_output(wait=True)
            if not product.value and not channel.value and by == page_dims:
                ctx.say(ctx.t("market.whatif.same_as_page"))
                return
            tr, segs = filtered(ctx, product.value, channel.value, by)
            names = [label for label, v in product.options if v == product.value]
            names += [label for label, v in channel.options if v == channel.value]
            title = f"{ctx.t('market.whatif.filtered')}: {' · '.join(names)}"
            display(charts.trend_line(tr, ctx.lang).properties(title=title))
            o = trend.filter_orders(orders, product.value or None, channel.value or None)
            if ctx.minimal:  # the lines' months and profile, no growth (docs/method.md, short histories)
                ctx.say(narrate.describe_profile(trend.profile(o, ctx.as_of), ctx.region_name, ctx.voice))
            else:
                ctx.say(narrate.describe_trend(tr, o, ctx.as_of, ctx.region_name, ctx.voice))
            if len(segs):
                ctx.table(views.segments_view(segs, by, ctx.voice), domain="market",
                          money=["sales", "avg_order_value", "clv"], pct=["win_rate", "growth"])  # fmt: skip
            if channel.value:
                ctx.say(ctx.t("market.whatif.channel_blind"))

    for widget in (product, channel, dimension):
        widget.observe(redraw, names="value")
    redraw()
    panel = w.VBox([w.HBox([product, channel, dimension]), out])
    display(panel)
    return panel
