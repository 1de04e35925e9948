"""The review's what-if panel: move the KPI thresholds and the root-cause trigger, see the board re-lit."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd
from IPython.display import display

from planning.review import narrate, views
from planning.review.kpis import kpi_status
from planning.review.root_causes import deviating


def whatif_panel(ctx: Any, values: pd.DataFrame, pva: pd.DataFrame) -> None:
    """Sliders for the red / yellow thresholds and the root-cause trigger; re-lights the board with the same
    `kpi_status` the batch run uses and counts the plan-vs-actual rows that would need a 5-Why.

    In: the notebook's Context (params `review` section, voice, table display), the KPI values
    (`kpis.kpi_values`) and the plan-vs-actual frame.
    """
    r = ctx.p.review
    pct = dict(min=0.0, max=0.5, step=0.01, readout_format=".0%", continuous_update=False)
    red = w.FloatSlider(value=r.red_below_baseline, description=ctx.t("review.whatif.red"), **pct)
    yellow = w.FloatSlider(value=r.yellow_below_baseline, description=ctx.t("review.whatif.yellow"), **pct)
    rc = w.FloatSlider(value=r.root_cause_threshold, description=ctx.t("review.whatif.root_cause"), **pct)
    out = w.Output()

    def redraw(_: Any = None) -> None:
        out.clear_output(wait=True)
        with out:
            if yellow.value > red.value:
                print(ctx.t("review.whatif.order"))
                return
            board = narrate.kpi_rules(
                kpi_status(values, red.value, yellow.value), red.value, yellow.value, ctx.voice
            )
            ctx.table(views.kpi_view(board, ctx.voice), domain="review")
            n = len(deviating(pva, rc.value))  # at the default: the report's count (fact root_cause_count)
            print(ctx.t("review.whatif.root_cause_rows", n=n))

    for s in (red, yellow, rc):
        s.observe(redraw, names="value")
    redraw()
    display(w.VBox([w.HBox([red, yellow, rc]), out]))
