"""Step 3's what-if panel: sliders for the tier cut-offs and the health weights that re-run the batch path's
`tier_customers`, `tier_summary` and `health` on the precomputed customer features.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from planning import whatif
from planning.params import Strategy
from planning.strategy.health import health, health_summary
from planning.strategy.tiers import tier_customers, tier_summary


def tables(features: pd.DataFrame, q: Strategy) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tier counts and revenue, risk mix) of the customers under strategy parameters `q`, with the batch path's
    `tier_customers`, `tier_summary`, `health` and `health_summary`."""
    tiers = tier_customers(features, q)
    summary = tier_summary(tiers, features, q)[["tier", "customers", "revenue_12m", "revenue_share"]]
    return summary, health_summary(health(features, q))


def whatif_panel(ctx: Any, features: pd.DataFrame) -> Any:
    """JupyterLab sliders for the tier cut-offs and the health weights. At the parameters' values the panel says
    the sections above show them (it does not repeat them); after a move it shows the tier counts and the risk
    mix (`tables`). The notebook gives the heading; a row keeps the moved values as parameters."""
    p = ctx.p.strategy
    style = whatif.slider_style()
    sliders = {
        "value_cutoff": w.FloatSlider(value=p.value_cutoff, min=0.05, max=0.95, step=0.05,
                                      description=ctx.t("strategy.whatif.value_cutoff"), **style),
        "potential_cutoff": w.FloatSlider(value=p.potential_cutoff, min=0.05, max=0.95, step=0.05,
                                          description=ctx.t("strategy.whatif.potential_cutoff"), **style),
    }  # fmt: skip
    for k, v in p.health_weights.items():
        label = ctx.t("strategy.whatif.weight", name=ctx.t(f"strategy.whatif.{k}"))
        sliders[f"w_{k}"] = w.FloatSlider(value=v, min=0.0, max=1.0, step=0.05, description=label, **style)
    out = w.Output()

    def key(name: str) -> str:
        return f"strategy.health_weights.{name[2:]}" if name.startswith("w_") else f"strategy.{name}"

    readings = whatif.Readings(sliders)

    def current() -> dict[str, float]:
        return {key(k): float(v) for k, v in readings().items()}

    start = current()

    def redraw(_: Any = None) -> None:
        now = readings()
        weights = {k[2:]: v for k, v in now.items() if k.startswith("w_")}
        if not any(v > 0 for v in weights.values()):
            return
        if not readings.moved():
            with out:
                out.clear_output(wait=True)
                ctx.say(ctx.t("strategy.whatif.same_as_page"))
            return
        q = p.model_copy(
            update={
                "value_cutoff": now["value_cutoff"],
                "potential_cutoff": now["potential_cutoff"],
                "health_weights": weights,
            }
        )
        tier_df, risk_df = tables(features, q)
        with out:
            out.clear_output(wait=True)
            ctx.table(tier_df, money=["revenue_12m"], pct=["revenue_share"], domain="strategy")
            ctx.table(risk_df, money=["revenue_at_risk"], domain="strategy")

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    box = w.VBox([*sliders.values(), out, whatif.keep_row(ctx, start, current)])
    display(box)
    return box
