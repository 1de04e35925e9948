"""The row under every what-if panel that turns the scenario into parameters ("keep this what-if").

The panel passes its levers as `{dotted params key: value}` at its start (the parameters) and a function giving
them now. The row says plainly that the panel is a scenario, lets the analyst choose the file explicitly
(params/local.yaml, params/<region>.yaml, or a named scenario params/scenarios/<name>.yaml that
`planning run --scenario NAME` runs into a snapshot of its own), shows the change of every key first, and writes
only the keys moved (`planning.params.keep`, validated like a run's parameters). Also: `slider_layout`, one look for every slider.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from planning.errors import ParamsError
from planning.params import keep as keep_mod

#: Slider look shared by the panels: the label in its own column, wide enough to read in full (no "Value cut-…"),
#: and a track of ~480 px: growth ambition (-20 % .. 100 %) moves 1 % per ~4 px of mouse travel.
LABEL_WIDTH = "16em"
SLIDER_WIDTH = "60em"


def slider_style() -> dict[str, Any]:
    """Keyword arguments for an ipywidgets slider: full label, wide track."""
    # lazy: ipywidgets is only imported in an interactive session (batch runs never build a panel)
    import ipywidgets as w

    return {"style": {"description_width": LABEL_WIDTH}, "layout": w.Layout(width=SLIDER_WIDTH)}


class Readings:
    """The values of a panel's sliders as the analyst set them: `readings()` -> {name: value}.

    The browser snaps a slider's value to its step grid (a measured 13.64 % attrition becomes 14 % as soon as the
    slider is drawn) and sends it back to the kernel; a slider within half a step of its start value is read as
    that exact value, so an untouched panel equals the page and keeps nothing."""

    def __init__(self, sliders: dict[str, Any]) -> None:
        self.sliders = sliders
        self.start = {k: s.value for k, s in sliders.items()}

    def __call__(self) -> dict[str, Any]:
        out = {}
        for k, s in self.sliders.items():
            untouched = abs(s.value - self.start[k]) <= s.step / 2 + 1e-12
            out[k] = self.start[k] if untouched else s.value
        return out

    def moved(self) -> bool:
        return self() != self.start


def keep_row(
    ctx: Any, start: dict[str, Any], current: Callable[[], dict[str, Any]], params_dir: Any = None
) -> Any:
    """The scenario note, the file choice, "Show changes" and "Write" (enabled once the changes were shown).

    `ctx` gives the region, the language (`ctx.t`); `start` / `current()` the levers as params keys. Returns the
    widget (a VBox); nothing is written until "Write" is pressed after the changes of exactly these levers were
    shown.
    """
    # lazy: ipywidgets is only imported in an interactive session
    import ipywidgets as w

    region = ctx.p.region.key
    target = w.Dropdown(
        options=[
            (ctx.t("common.whatif.choose"), ""),
            (ctx.t("common.whatif.local"), "local"),
            (ctx.t("common.whatif.region", region=region), "region"),
            (ctx.t("common.whatif.scenario_file"), "scenario"),
        ],
        description=ctx.t("common.whatif.target"),
        style={"description_width": "initial"},
        layout=w.Layout(width="44em"),
    )
    name = w.Text(
        placeholder="buffer-17",
        description=ctx.t("common.whatif.name"),
        style={"description_width": "initial"},
        layout=w.Layout(width="14em", display="none"),  # shown for a named scenario only
    )
    show = w.Button(description=ctx.t("common.whatif.show"))
    write = w.Button(description=ctx.t("common.whatif.write"), button_style="warning", disabled=True)
    out = w.HTML()
    shown: dict[str, Any] = {}

    def lines(*texts: str) -> None:
        out.value = "".join(f"<div>{html.escape(t)}</div>" for t in texts)

    def plan() -> keep_mod.Keep | None:
        write.disabled = True
        shown.clear()
        if not target.value:
            lines(ctx.t("common.whatif.pick_target"))
            return None
        values = keep_mod.moved(start, current())
        if not values:
            lines(ctx.t("common.whatif.unchanged"))
            return None
        if target.value == "scenario" and not name.value.strip():
            lines(ctx.t("common.whatif.pick_name"))
            return None
        try:
            kept = keep_mod.plan_keep(region, values, target.value, params_dir, name=name.value.strip())
        except ParamsError as exc:
            lines(*str(exc).splitlines())
            return None
        shown.update(keep=kept, values=values, target=target.value, name=name.value.strip())
        return kept

    def on_show(_: Any = None, note: str = "") -> None:
        kept = plan()
        if kept is not None:
            parts = kept.path.parts  # params/<file> or params/scenarios/<name>.yaml, else the file's name
            at = len(parts) - 1 - parts[::-1].index("params") if "params" in parts else len(parts) - 1
            path = "/".join(parts[at:])
            lines(*([note] if note else []), ctx.t("common.whatif.diff", path=path), *kept.diff_lines(),
                  ctx.t("common.whatif.confirm"))  # fmt: skip
            write.disabled = False

    def on_write(_: Any = None) -> None:
        if (
            not shown
            or keep_mod.moved(start, current()) != shown["values"]
            or target.value != shown["target"]
            or name.value.strip() != shown["name"]
        ):
            on_show(note=ctx.t("common.whatif.moved"))
            return
        path = keep_mod.write(shown["keep"])
        write.disabled = True
        kept_as = shown["name"] if shown["target"] == "scenario" else ""
        shown.clear()
        if kept_as:
            lines(ctx.t("common.whatif.written_scenario", path=str(path), name=kept_as, region=region))
        else:
            lines(ctx.t("common.whatif.written", path=str(path)))

    show.on_click(on_show)
    write.on_click(on_write)

    def on_target(_: Any) -> None:
        write.disabled = True
        shown.clear()
        lines()
        name.layout.display = "" if target.value == "scenario" else "none"

    target.observe(on_target, names="value")
    name.observe(lambda _: (setattr(write, "disabled", True), shown.clear()), names="value")
    note = w.HTML(
        f"<div><i>{html.escape(ctx.t('common.whatif.scenario'))}</i></div>"
        f"<div><small>{html.escape(ctx.t('common.whatif.keys'))}</small></div>"
    )
    row = w.HBox([target, name, show, write], layout=w.Layout(flex_flow="row wrap"))  # no button cut short
    return w.VBox([note, row, out])
