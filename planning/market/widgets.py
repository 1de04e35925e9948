"""The what-if panel of step 1 (market analysis), for JupyterLab: product line / channel / segment dimension
pickers that redraw the trend chart and the ICP table with the same functions the batch path uses."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from IPython.display import display

from planning import i18n
from planning.market import charts, narrate, segments, trend, views
from planning.market.periods import as_str


def whatif_panel(ctx: Any) -> Any:
    """Dropdowns over the region's order lines (`ctx.data`); each change recomputes `trend.trend` and
    `segments.segments` on the filtered lines and shows the chart, the sentence and the ICP table."""
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
    product = w.Dropdown(options=options("product_line"), description=ctx.t("market.whatif.product_line"))
    channel = w.Dropdown(options=options("channel"), description=ctx.t("market.whatif.channel"))
    dimension = w.Dropdown(
        options=[(" × ".join(i18n.column(d, ctx.lang, "market") for d in v), k) for k, v in dims.items()],
        description=ctx.t("market.segments.dimension"),
    )
    out = w.Output()

    def redraw(_: Any = None) -> None:
        o = trend.filter_orders(orders, product.value or None, channel.value or None)
        by = dims[dimension.value]
        with out:
            out.clear_output(wait=True)
            tr = trend.trend(o, ctx.as_of)
            display(charts.trend_line(tr, ctx.lang))
            ctx.say(narrate.describe_trend(tr, o, ctx.as_of, ctx.region_name, ctx.voice))
            segs = segments.segments(o, customers, ctx.data.opportunities, ctx.p, by=by)
            ctx.table(views.segments_view(segs, by, ctx.voice), domain="market",
                      money=["sales", "avg_order_value", "clv"], pct=["win_rate", "growth"])  # fmt: skip

    for widget in (product, channel, dimension):
        widget.observe(redraw, names="value")
    redraw()
    panel = w.VBox([w.HBox([product, channel, dimension]), out])
    display(panel)
    return panel
