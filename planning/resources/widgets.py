"""The what-if panel of step 4 (resources): sliders for attrition, ramp, total budget, commission and the team
rule that re-run the batch path's pure functions and redraw capacity, payout curve and allocation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from planning import i18n, whatif
from planning.resources import budget, capacity, charts, incentives, narrate

if TYPE_CHECKING:
    from planning.notebook import Context
    from planning.params import Resources

#: slider -> the params key it moves (what "keep this what-if" writes)
PARAMS_KEYS = {
    "attrition": "resources.attrition",
    "ramp": "resources.ramp_months",
    "budget": "resources.marketing_budget",
    "commission": "resources.base_commission",
    "threshold": "resources.team_bonus_threshold",
    "uplift": "resources.team_bonus_uplift",
}


def results(base: capacity.Baseline, targets: pd.Series, quota: float, econ: pd.DataFrame, total: float,
            rr: Resources) -> tuple[Any, Any, pd.DataFrame, pd.DataFrame, capacity.Baseline]:  # fmt: skip
    """(capacity by month, hiring plan, payout curve, budget allocation, baseline) under resources parameters
    `rr` and marketing budget `total`, with the batch path's `capacity_plan`, `payout_curve` and `allocate`;
    `rr.attrition` / `rr.ramp_months` None mean the baseline's measured values, as on the page."""
    measured = {"attrition": base.attrition, "ramp_months": base.ramp_months}  # a null parameter = measured
    changed = {k: v if (v := getattr(rr, k)) is not None else measured[k] for k in measured}
    if changed["ramp_months"] != base.ramp_months:  # the months to full output follow a moved ramp
        changed["ramp_full"] = -1
    b = capacity.Baseline(**{**base.__dict__, **changed})
    cap, plan = capacity.capacity_plan(b, targets, rr)
    return cap, plan, incentives.payout_curve(quota, rr), budget.allocate(econ, total, rr), b


def whatif_panel(
    ctx: Context, base: capacity.Baseline, targets: pd.Series, quota: float, econ: pd.DataFrame, total: float
) -> Any:
    """Show an interactive panel (JupyterLab only): sliders for attrition, ramp, total budget and commission.

    At the parameters' values the panel says the sections above show them (it does not repeat them); after a
    move it re-runs `results` (the batch path's functions) and redraws the capacity gap, the payout curve and
    the allocation. The notebook gives the heading; a row keeps the moved values as parameters.
    """
    r = ctx.p.resources
    lang = ctx.lang
    style = whatif.slider_style()
    sliders = {
        "attrition": w.FloatSlider(value=base.attrition, min=0.0, max=0.6, step=0.01, readout_format=".0%",
                                   description=ctx.t("resources.whatif.attrition"), **style),
        "ramp": w.IntSlider(value=base.ramp_months, min=0, max=12, description=ctx.t("resources.whatif.ramp"),
                            **style),
        "budget": w.FloatSlider(value=total, min=total * 0.5, max=total * 1.5, step=total / 100,
                                readout_format=",.0f", description=ctx.t("resources.whatif.budget")
                                + f" ({i18n.CURRENCY_SYMBOLS.get(ctx.voice.currency.upper(), ctx.voice.currency).strip()})", **style),
        "commission": w.FloatSlider(value=r.base_commission, min=0.0, max=0.10, step=0.0025, readout_format=".2%",
                                    description=ctx.t("resources.whatif.commission"), **style),
        "threshold": w.FloatSlider(value=r.team_bonus_threshold, min=0.5, max=1.0, step=0.05, readout_format=".0%",
                                   description=ctx.t("resources.whatif.threshold"), **style),
        "uplift": w.FloatSlider(value=r.team_bonus_uplift, min=0.0, max=0.5, step=0.05, readout_format=".0%",
                                description=ctx.t("resources.whatif.uplift"), **style),
    }  # fmt: skip
    out = w.Output()

    readings = whatif.Readings(sliders)

    def current() -> dict[str, Any]:
        return {PARAMS_KEYS[k]: v for k, v in readings().items()}

    start = current()

    def redraw(_: Any = None) -> None:
        now = readings()
        if not readings.moved():
            with out:
                out.clear_output(wait=True)
                ctx.say(ctx.t("resources.whatif.same_as_page"))
            return
        rr = r.model_copy(
            update={
                "attrition": now["attrition"],
                "ramp_months": now["ramp"],
                "base_commission": now["commission"],
                "team_bonus_threshold": now["threshold"],
                "team_bonus_uplift": now["uplift"],
            }
        )
        cap, plan, curve, alloc, b = results(base, targets, quota, econ, now["budget"], rr)
        with out:
            out.clear_output(wait=True)
            display(charts.capacity_chart(cap, lang))
            ctx.say(narrate.describe_capacity(cap, plan, b, r, ctx.voice))
            display(charts.payout_chart(curve, rr, lang))
            display(charts.budget_chart(alloc, lang))
            ctx.say(narrate.describe_budget(alloc, ctx.voice))

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    panel = w.VBox([*sliders.values(), out, whatif.keep_row(ctx, start, current)])
    display(panel)
    return panel
