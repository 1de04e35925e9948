"""What every step notebook's second cell calls: `ctx = notebook.setup(step, region=..., ...)`.

The Context bundles the validated parameters, the region's data up to `as_of`, the folder the step writes its
artefacts to, and display helpers that translate and escape. Under `planning run` the runner passes the
parameters it already validated (`params_json`) and the snapshot folder (`out_dir`); opened by hand in
JupyterLab the notebook loads params/ itself and writes to `outputs/interactive/<region>/`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planning import config, contracts
from planning import params as params_mod

if TYPE_CHECKING:
    import pandas as pd

    from planning.data import Tables
    from planning.params import Params


class ArtifactMissing(FileNotFoundError):
    """An artefact an earlier step should have written is not there."""


@dataclass
class Context:
    """Everything a step notebook needs; see docs/architecture.md."""

    step: str
    p: Params
    data_dir: Path
    out_dir: Path
    batch: bool = False
    _company: Any = field(default=None, repr=False)

    # ------------------------------------------------------------------ identity
    @property
    def region(self) -> str:
        return self.p.region.key

    @property
    def as_of(self) -> date:
        return self.p.as_of

    @property
    def plan_year(self) -> int:
        return self.p.plan_year

    @property
    def lang(self) -> str:
        return self.p.language

    @property
    def artifacts_dir(self) -> Path:
        return self.out_dir / "artifacts"

    @property
    def region_name(self) -> str:
        from planning import i18n

        explicit = self.p.region.name_zh if self.lang == "zh" else self.p.region.name
        return explicit or i18n.name("region", self.region, self.lang)

    # ------------------------------------------------------------------ data
    @cached_property
    def data(self) -> Tables:
        """The region's canonical tables, rows on or before `as_of`; of the order lines only the columns the step
        reads (`ORDER_COLUMNS` of its module, e.g. `planning.market` for 01_market_analysis)."""
        import importlib

        from planning import data

        columns = {}
        if self.step in config.STEPS:
            module = importlib.import_module(f"planning.{self.step.split('_')[1]}")
            if hasattr(module, "ORDER_COLUMNS"):
                columns["orders"] = module.ORDER_COLUMNS
        return data.load_tables(self.data_dir, region=self.region, as_of=self.as_of, columns=columns)

    def company(self, *tables: str) -> Tables:
        """All regions' tables up to `as_of` (loaded on first use); only `tables` when given.

        `ctx.company("opportunities")` reads the other tables not at all and of the order lines (always part of
        a `Tables`) only their dates: the whole company's order lines would be several GB on a 10 M-line history.
        """
        from planning import data

        wanted = tuple(sorted(set(tables))) if tables else data.TABLES
        if self._company is None:
            self._company = {}
        if wanted not in self._company:
            columns = {} if "orders" in wanted else {"orders": [data.DATE_COLUMN["orders"]]}
            self._company[wanted] = data.load_tables(
                self.data_dir, as_of=self.as_of, tables=wanted, columns=columns
            )
        return self._company[wanted]

    # ------------------------------------------------------------------ artefacts
    def save(self, name: str, df: pd.DataFrame) -> None:
        """Write artefact `name` as CSV (deterministic formatting, atomic replace); check its contract.

        Returns nothing, so that a `ctx.save(...)` ending a cell prints nothing into the report.
        """
        if name in contracts.ARTIFACTS:
            owner, columns = contracts.ARTIFACTS[name]
            if owner != self.step:
                raise ValueError(f"artefact {name!r} belongs to step {owner}, not {self.step}")
            missing = [c for c in columns if c not in df.columns]
            if missing:
                raise ValueError(
                    f"artefact {name!r} lacks contract columns {missing}; has {list(df.columns)}"
                )
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        path = self.artifacts_dir / f"{name}.csv"
        fd, tmp = tempfile.mkstemp(dir=self.artifacts_dir, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, lineterminator="\n", float_format="%.6f", date_format="%Y-%m-%d")
        os.replace(tmp, path)

    def load(self, name: str, **read_csv: Any) -> pd.DataFrame:
        """Read an artefact written earlier in this run by the step that owns it."""
        import pandas as pd

        path = self.artifacts_dir / f"{name}.csv"
        if not path.is_file():
            step = contracts.ARTIFACTS.get(name, ("an earlier step",))[0]
            raise ArtifactMissing(
                f"{path}: artefact {name!r} not found; run step {step} for region {self.region!r} first "
                f"(`planning run --region {self.region} --step {step[:2]}` or open notebooks/{step}.ipynb)"
            )
        return pd.read_csv(path, **read_csv)

    # ------------------------------------------------------------------ display
    def t(self, key: str, **fmt: Any) -> str:
        from planning import i18n

        return i18n.t(key, self.lang, **fmt)

    def name(self, kind: str, value: Any) -> str:
        from planning import i18n

        return i18n.name(kind, value, self.lang)

    def h(self, key: str, level: int = 2, **fmt: Any) -> None:
        """Show a translated heading (a table-of-contents entry in the report)."""
        from planning import display

        display.heading(self.t(key, **fmt), level)

    def say(self, text: str) -> None:
        """Show a generated sentence (escaped)."""
        from planning import display

        display.paragraph(text)

    def table(self, df: pd.DataFrame, **kw: Any) -> None:
        """Show a table (`display.table_html` keywords); money columns in the company currency unless given."""
        from planning import display

        kw.setdefault("currency", self.p.company.currency)
        display.table(df, self.lang, **kw)

    def missing(
        self,
        tables: str | tuple[str, ...],
        what: str,
        column: str = "",
        when: bool | None = None,
        **fmt: Any,
    ) -> bool:
        """If a part of the step could not be computed for lack of optional data, say so and return True.

        `what` is a locale key (formatted with `fmt`) naming the part; the sentence names the table file(s) that
        would enable it (`missing_text`). Missing means `when` if given, else: none of `tables` is in the data
        (or has no row for the region) and, with `column`, no order line has a value in that column.
        """
        if when is None:
            names = (tables,) if isinstance(tables, str) else tuple(tables)
            when = all(self.data.get(t) is None or self.data.get(t).empty for t in names)
            if column:
                orders = self.data.orders
                when = when and (column not in orders.columns or not orders[column].notna().any())
        if when:
            self.say(missing_text(tables, self.t(what, **fmt), self.lang, column=column))
        return bool(when)

    def chart(self, chart: Any) -> None:
        from planning import charts

        charts.show(chart)

    def money(self, x: float) -> str:
        from planning import i18n

        return i18n.money(x, self.lang, self.p.company.currency)

    def pct(self, x: float) -> str:
        from planning import i18n

        return i18n.pct(x, self.lang)


def missing_text(tables: str | tuple[str, ...] | list[str], what: str, lang: str, column: str = "") -> str:
    """The sentence a report shows for a part it could not compute for lack of optional data (docs/data.md).

    `tables`: the table (or alternatives, any one of which would do) whose file would enable `what` (already
    translated text). With `column` (e.g. "rep_id"), the order lines' column is named as the other alternative.
    """
    from planning import i18n

    names = (tables,) if isinstance(tables, str) else tuple(tables)
    sep = i18n.t("data.missing.or", lang)
    fmt = {
        "what": what,
        "tables": sep.join(i18n.t(f"data.tables.{t}", lang) for t in names),
        "files": sep.join(f"{t}.csv / {t}.parquet" for t in names),
    }
    if column:
        return i18n.t("data.missing.column", lang, column=column, **fmt)
    return i18n.t("data.missing.text", lang, **fmt)


def setup(
    step: str,
    region: str = "east",
    as_of: str = "",
    plan_year: int = 0,
    language: str = "",
    data_dir: str = "",
    out_dir: str = "",
    params_json: str = "",
    batch: bool = False,
) -> Context:
    """Validate the notebook's parameters and return its Context.

    `params_json` (set by the runner) is the merged parameters it already validated; otherwise params/ is loaded
    for `region`, and non-empty `as_of`, `plan_year`, `language` override it. Empty `data_dir` means the
    params' `data.dir`, else the embedded sample company; empty `out_dir` means `outputs/interactive/<region>`.
    """
    step = config.step_key(step)
    if params_json:
        p = params_mod.load_json(Path(params_json).read_text(encoding="utf-8"))
    else:
        overrides: dict[str, Any] = {}
        if as_of:
            overrides["as_of"] = as_of
        if plan_year:
            overrides["plan_year"] = plan_year
        if language:
            overrides["language"] = language
        p = params_mod.load(region, overrides=overrides).params
    from planning import data

    ddir = data.resolve_dir(p, data_dir)
    odir = Path(out_dir) if out_dir else config.OUTPUTS_DIR / "interactive" / p.region.key
    odir.mkdir(parents=True, exist_ok=True)

    from planning import charts

    charts.enable(batch=batch, lang=p.language, svg_fallback=p.run.static_charts, currency=p.company.currency)
    ctx = Context(step=step, p=p, data_dir=ddir, out_dir=odir, batch=batch)
    if not batch:  # in reports the page header carries step and region
        from planning import display

        display.heading(f"{ctx.name('step', step)} · {ctx.region_name}", 1)
    return ctx
