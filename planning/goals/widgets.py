"""The what-if panel of step 2 (goals): sliders over the levers, recomputed live with `decompose.whatif`."""

from __future__ import annotations

from typing import Any

from IPython.display import display

from planning import display as disp
from planning import i18n, whatif
from planning.goals import charts, decompose, narrate, views
from planning.goals.prepare import Inputs, Levers, levers_from

#: The params key each lever is read from (`prepare.levers_from`), where "keep this what-if" writes it.
PARAMS_KEYS = {
    "growth_ambition": "goals.growth_ambition",
    "buffer": "goals.buffer",
    "lead_conversion": "goals.lead_conversion",
    "marketing_budget": "goals.marketing_budget",
    "attrition": "resources.attrition",
    "training_uplift": "goals.training_uplift",
    "tool_efficiency": "goals.tool_efficiency",
}


def whatif_panel(ctx: Any, inputs: Inputs) -> Any:
    """JupyterLab sliders (growth ambition, flex buffer, conversion, budget, attrition, training uplift, tool
    efficiency) that recompute the calibration, the waterfall and the per-team split live with
    `decompose.whatif`, the same pure function the batch run calls, and a row to keep the levers as parameters
    (`planning.whatif.keep_row`). At the parameters' levers it says the calibration section above shows them
    instead of repeating it. The notebook gives the heading. Only for interactive sessions
    (`not ctx.batch`); returns the widget.
    """
    # lazy: ipywidgets costs ~0.2-0.35 s to import and a batch run (widgets off) never builds the panel
    import ipywidgets as w

    voice = ctx.voice
    start = levers_from(ctx.p, inputs)
    pct = {"readout_format": ".1%", "continuous_update": False, **whatif.slider_style()}
    budget_max = max(start.marketing_budget * 3, 1.0)
    sliders = {
        "growth_ambition": w.FloatSlider(value=start.growth_ambition, min=-0.2, max=1.0, step=0.01, **pct),
        "buffer": w.FloatSlider(value=start.buffer, min=0.0, max=0.3, step=0.01, **pct),
        "lead_conversion": w.FloatSlider(value=start.lead_conversion, min=0.0, max=0.5, step=0.005, **pct),
        "marketing_budget": w.FloatSlider(
            value=start.marketing_budget,
            min=0.0,
            max=budget_max,
            step=budget_max / 300,
            readout_format=",.0f",
            continuous_update=False,
            **whatif.slider_style(),
        ),
        "attrition": w.FloatSlider(value=start.attrition, min=0.0, max=0.6, step=0.01, **pct),
        "training_uplift": w.FloatSlider(value=start.training_uplift, min=0.0, max=1.0, step=0.05, **pct),
        "tool_efficiency": w.FloatSlider(value=start.tool_efficiency, min=0.0, max=0.5, step=0.01, **pct),
    }
    for key, s in sliders.items():
        s.description = voice.t(f"goals.whatif.{key}")
    symbol = i18n.CURRENCY_SYMBOLS.get(voice.currency.upper(), voice.currency)
    sliders["marketing_budget"].description += f" ({symbol.strip()})"  # the readout is a bare number
    out = w.Output()

    readings = whatif.Readings(sliders)

    def redraw(*_: Any) -> None:
        lv = Levers(**{k: float(v) for k, v in readings().items()})
        if lv == start:  # the parameters' levers: the calibration section above, not repeated
            with out:
                out.clear_output(wait=True)
                disp.paragraph(voice.t("goals.whatif.same_as_page"))
            return
        plan_ = decompose.whatif(inputs, lv)
        with out:
            out.clear_output(wait=True)
            disp.paragraph(narrate.describe_calibration(plan_, inputs, voice))
            display(charts.waterfall(views.calibration_view(plan_, voice), voice.lang))
            disp.table(
                decompose.team_targets(plan_), voice.lang, domain="goals", money=["quota"], pct=["share"]
            )

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    start_keys = {PARAMS_KEYS[k]: v for k, v in start.__dict__.items()}

    def current() -> dict[str, float]:
        return {PARAMS_KEYS[k]: float(v) for k, v in readings().items()}

    panel = w.VBox([*sliders.values(), out, whatif.keep_row(ctx, start_keys, current)])
    display(panel)
    return panel
