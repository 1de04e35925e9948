"""Step 3's what-if panel: sliders for the tier cut-offs and the health weights that re-run the batch path's
`tier_customers`, `tier_summary` and `health` on the precomputed customer features.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from planning.strategy.health import health, health_summary
from planning.strategy.tiers import tier_customers, tier_summary


def whatif_panel(ctx: Any, features: pd.DataFrame) -> Any:
    """JupyterLab sliders for the tier cut-offs and the health weights; every move re-runs `tier_customers` and
    `health` (the batch path's functions) on the precomputed features and redraws the tier counts and risk mix."""
    p = ctx.p.strategy
    sliders = {
        "value_cutoff": w.FloatSlider(value=p.value_cutoff, min=0.05, max=0.95, step=0.05,
                                      description=ctx.t("strategy.whatif.value_cutoff")),
        "potential_cutoff": w.FloatSlider(value=p.potential_cutoff, min=0.05, max=0.95, step=0.05,
                                          description=ctx.t("strategy.whatif.potential_cutoff")),
    }  # fmt: skip
    for k, v in p.health_weights.items():
        label = ctx.t("strategy.whatif.weight", name=ctx.t(f"strategy.whatif.{k}"))
        sliders[f"w_{k}"] = w.FloatSlider(value=v, min=0.0, max=1.0, step=0.05, description=label)
    out = w.Output()

    def redraw(_: Any = None) -> None:
        weights = {k[2:]: s.value for k, s in sliders.items() if k.startswith("w_")}
        if not any(v > 0 for v in weights.values()):
            return
        q = p.model_copy(
            update={
                "value_cutoff": sliders["value_cutoff"].value,
                "potential_cutoff": sliders["potential_cutoff"].value,
                "health_weights": weights,
            }
        )
        tiers = tier_customers(features, q)
        h = health(features, q)
        with out:
            out.clear_output(wait=True)
            ctx.table(tier_summary(tiers, features, q)[["tier", "customers", "revenue_12m", "revenue_share"]],
                      money=["revenue_12m"], pct=["revenue_share"], domain="strategy")  # fmt: skip
            ctx.table(health_summary(h), money=["revenue_at_risk"], domain="strategy")

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    box = w.VBox([*sliders.values(), out])
    display(box)
    return box
