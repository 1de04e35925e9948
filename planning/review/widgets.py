"""The review's what-if panel: move the KPI thresholds and the root-cause trigger, see what would change."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from planning import whatif
from planning.review import narrate, views
from planning.review.kpis import kpi_status
from planning.review.root_causes import deviating

#: slider -> the params key it moves (what "keep this what-if" writes)
PARAMS_KEYS = {
    "red": "review.red_below_baseline",
    "yellow": "review.yellow_below_baseline",
    "root_cause": "review.root_cause_threshold",
}


def board_delta(values: pd.DataFrame, red: float, yellow: float, base_red: float, base_yellow: float,
                voice: Any) -> pd.DataFrame:  # fmt: skip
    """The KPIs whose light the thresholds change, compared with the page's board (`base_*` thresholds): the
    board's view columns with `light` = the light on the page before `status` = the light with the sliders.
    Empty when no light changes. Raises ValueError when `yellow` > `red` (as `kpi_status`)."""
    now = narrate.kpi_rules(kpi_status(values, red, yellow), red, yellow, voice)
    page = kpi_status(values, base_red, base_yellow).set_index("kpi")["status"]
    changed = now[now["status"].to_numpy() != page.reindex(now["kpi"]).to_numpy()]
    view = views.kpi_view(changed, voice)
    if changed.empty:
        return view
    view.insert(view.columns.get_loc("status"), "light", page.reindex(changed["kpi"]).to_list())
    return view


def whatif_panel(ctx: Any, values: pd.DataFrame, pva: pd.DataFrame) -> Any:
    """Sliders for the red / yellow thresholds and the root-cause trigger. The panel does not repeat the board
    above it: it lists only the KPIs whose light would change (`board_delta`, the same `kpi_status` the batch run
    uses) and counts the plan-vs-actual lines that would get a 5-Why (`root_causes.deviating`, as the section below).
    Thresholds in the wrong order only stop the lights; the 5-Why count still shows. Returns the widget.
    """
    r = ctx.p.review
    pct = dict(
        min=0.0, max=0.5, step=0.01, readout_format=".0%", continuous_update=False, **whatif.slider_style()
    )
    sliders = {
        "red": w.FloatSlider(value=r.red_below_baseline, description=ctx.t("review.whatif.red"), **pct),
        "yellow": w.FloatSlider(value=r.yellow_below_baseline, description=ctx.t("review.whatif.yellow"), **pct),
        "root_cause": w.FloatSlider(value=r.root_cause_threshold, description=ctx.t("review.whatif.root_cause"),
                                    **pct),
    }  # fmt: skip
    readings = whatif.Readings(sliders)
    start = {PARAMS_KEYS[k]: v for k, v in readings().items()}
    out = w.Output()

    def redraw(_: Any = None) -> None:
        red, yellow, rc = (float(v) for v in readings().values())
        n_page = len(deviating(pva, r.root_cause_threshold))
        out.clear_output(wait=True)
        with out:
            if yellow > red:
                ctx.say(ctx.t("review.whatif.order"))
            else:
                delta = board_delta(
                    values, red, yellow, r.red_below_baseline, r.yellow_below_baseline, ctx.voice
                )
                if delta.empty:
                    ctx.say(ctx.t("review.whatif.same_lights"))
                else:
                    ctx.say(ctx.t("review.whatif.changed_lights", n=len(delta)))
                    ctx.table(delta, domain="review")
            ctx.say(ctx.t("review.whatif.root_cause_rows", n=len(deviating(pva, rc)), page=n_page))

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()

    def current() -> dict[str, float]:
        return {PARAMS_KEYS[k]: float(v) for k, v in readings().items()}

    panel = w.VBox([*sliders.values(), out, whatif.keep_row(ctx, start, current)])
    display(panel)
    return panel
