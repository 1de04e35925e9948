"""The what-if panel of step 4 (resources): sliders for attrition, ramp, total budget, commission and the team
rule that re-run the batch path's pure functions and redraw capacity, payout curve and allocation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from planning.resources import budget, capacity, charts, incentives, narrate

if TYPE_CHECKING:
    from planning.notebook import Context


def whatif_panel(
    ctx: Context, base: capacity.Baseline, targets: pd.Series, quota: float, econ: pd.DataFrame, total: float
) -> Any:
    """Show an interactive panel (JupyterLab only): sliders for attrition, ramp, total budget and commission.

    Each change re-runs the same pure functions the batch path uses (`capacity.capacity_plan`,
    `incentives.payout_curve`, `budget.allocate`) with the slider values and redraws the capacity gap, the payout
    curve and the allocation.
    """
    r = ctx.p.resources
    lang = ctx.lang
    style = {"description_width": "initial"}
    sliders = {
        "attrition": w.FloatSlider(value=base.attrition, min=0.0, max=0.6, step=0.01, readout_format=".0%",
                                   description=ctx.t("resources.whatif.attrition"), style=style),
        "ramp": w.IntSlider(value=base.ramp_months, min=0, max=12, description=ctx.t("resources.whatif.ramp"),
                            style=style),
        "budget": w.FloatSlider(value=total, min=total * 0.5, max=total * 1.5, step=total / 100,
                                readout_format=",.0f", description=ctx.t("resources.whatif.budget"), style=style),
        "commission": w.FloatSlider(value=r.base_commission, min=0.0, max=0.10, step=0.0025, readout_format=".2%",
                                    description=ctx.t("resources.whatif.commission"), style=style),
        "threshold": w.FloatSlider(value=r.team_bonus_threshold, min=0.5, max=1.0, step=0.05, readout_format=".0%",
                                   description=ctx.t("resources.whatif.threshold"), style=style),
        "uplift": w.FloatSlider(value=r.team_bonus_uplift, min=0.0, max=0.5, step=0.05, readout_format=".0%",
                                description=ctx.t("resources.whatif.uplift"), style=style),
    }  # fmt: skip
    out = w.Output()

    def redraw(_: Any = None) -> None:
        rr = r.model_copy(
            update={
                "attrition": sliders["attrition"].value,
                "ramp_months": sliders["ramp"].value,
                "base_commission": sliders["commission"].value,
                "team_bonus_threshold": sliders["threshold"].value,
                "team_bonus_uplift": sliders["uplift"].value,
            }
        )
        changed = {"attrition": rr.attrition, "ramp_months": rr.ramp_months, "ramp_full": -1}
        b = capacity.Baseline(**{**base.__dict__, **changed})
        cap, plan = capacity.capacity_plan(b, targets, rr)
        curve = incentives.payout_curve(quota, rr)
        alloc = budget.allocate(econ, sliders["budget"].value, rr)
        with out:
            out.clear_output(wait=True)
            display(charts.capacity_chart(cap, lang))
            display(charts.payout_chart(curve, rr, lang))
            display(charts.budget_chart(alloc, lang))
            ctx.say(narrate.describe_capacity(cap, plan, b, r, ctx.voice))
            ctx.say(narrate.describe_budget(alloc, ctx.voice))

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    panel = w.VBox([w.HBox(list(sliders.values())[:3]), w.HBox(list(sliders.values())[3:]), out])
    display(panel)
    return panel
