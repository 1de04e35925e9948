"""What every step notebook's second cell calls: `ctx = notebook.setup(step, region=..., ...)`.

The Context bundles the validated parameters, the region's data up to `as_of`, the folder the step writes its
artefacts to, and display helpers that translate and escape. Under `planning run` the runner passes the
parameters it already validated (`params_json`) and the snapshot folder (`out_dir`); opened by hand in
JupyterLab the notebook loads params/ itself and writes to `outputs/interactive/<region>/`.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planning import charts, company, config, contracts, data, display, i18n, sources, store
from planning import params as params_mod
from planning.errors import ArtifactMissing
from planning.market import periods  # the one "last 12 months" (complete calendar months)

if TYPE_CHECKING:
    import pandas as pd

    from planning.data import Tables
    from planning.params import Params


@dataclass
class Context:
    """Everything a step notebook needs; see docs/architecture.md."""

    step: str
    p: Params
    data_dir: Path
    out_dir: Path
    batch: bool = False
    history_months: int = 0  # complete months of orders up to as_of (`setup`; 3-12: the minimal plan)
    _company: Any = field(default=None, repr=False)
    groupings: list = field(default_factory=list, repr=False)  # data.Grouping per dimension, set by `data`

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
    def minimal(self) -> bool:
        """True when the region's history (3 to 12 complete months) makes the minimal plan: each step computes
        what the months support and says in one sentence (`minimal_note`) what it leaves out (docs/method.md,
        short histories)."""
        return periods.minimal(self.history_months)

    def minimal_note(self, key: str) -> None:
        """In a minimal plan, the sentence `key` (a locale key) saying what the step does not compute on
        `history_months` months; nothing in a full plan."""
        if self.minimal:
            self.say(self.t(key, months=self.history_months, full=periods.FULL_PLAN_MONTHS))

    @property
    def artifacts_dir(self) -> Path:
        return store.artifacts_dir(self.out_dir)

    @property
    def voice(self) -> i18n.Voice:
        """Report language and company currency, for the steps' sentence builders and views."""
        return i18n.Voice(self.lang, self.p.company.currency)

    @property
    def region_name(self) -> str:
        explicit = self.p.region.name_zh if self.lang == "zh" else self.p.region.name
        return explicit or i18n.name("region", self.region, self.lang)

    # ------------------------------------------------------------------ data
    @cached_property
    def data(self) -> Tables:
        """The region's canonical tables, rows on or before `as_of`, as every step reads them: of the order lines
        only the columns the step reads (`ORDER_COLUMNS` of its module, e.g. `planning.market` for
        01_market_analysis); placeholder customers blanked (`data.anonymize`: in revenue, in no customer-level
        figure); each dimension cut to its `data.top_values` values with the most sales plus "other"
        (`data.group_dimensions`, ranked on the same columns in every step; what was grouped: `groupings`)."""
        step_columns = None
        if self.step in config.STEPS:
            module = importlib.import_module(f"planning.{self.step.split('_')[1]}")
            step_columns = getattr(module, "ORDER_COLUMNS", None)
        columns = {}
        if step_columns is not None:
            columns["orders"] = list(dict.fromkeys([*step_columns, *data.RANKING_COLUMNS]))
        tables = data.load_tables(self.data_dir, region=self.region, as_of=self.as_of, columns=columns)
        tables = data.anonymize(tables, data.read_placeholders(self.data_dir))
        keep = {"industry": self._named_industries()}
        tables, self.groupings = data.group_dimensions(tables, self.p.data.top_values, keep)
        if step_columns is not None:
            extra = [c for c in tables.orders.columns if c not in data.SCHEMA["orders"]]
            orders = tables.orders[[c for c in tables.orders.columns if c in step_columns or c in extra]]
            tables = dataclasses.replace(tables, orders=orders)
        return tables

    def _named_industries(self) -> list[str]:
        """Industries the params name (market sizes, share gains, needs' and 4P decisions' segments): shown
        whatever their sales, never hidden in "other"."""
        m = self.p.market
        segments = [s for need in m.needs for s in need.segments]
        segments += [s for fp in self.p.strategy.four_p for s in fp.segments]
        return [*m.market_size, *m.share_gain, *(s.split("/")[0] for s in segments)]

    def company(self, *tables: str) -> Tables:
        """All regions' tables up to `as_of` (loaded on first use); only `tables` when given.

        `ctx.company("opportunities")` reads the other tables not at all and of the order lines (always part of
        a `Tables`) only their dates: the whole company's order lines would be several GB on a 10 M-line history.
        """
        wanted = tuple(sorted(set(tables))) if tables else data.TABLES
        if self._company is None:
            self._company = {}
        if wanted not in self._company:
            columns = {} if "orders" in wanted else {"orders": [data.DATE_COLUMN["orders"]]}
            self._company[wanted] = data.load_tables(
                self.data_dir, as_of=self.as_of, tables=wanted, columns=columns
            )
        return self._company[wanted]

    def company_monthly(self) -> pd.DataFrame:
        """Every region's sales per month up to the last complete month before `as_of` (the goals step's pooled
        season: `goals.pooling.company_monthly`), as `planning run` computed it once for the run (`planning.company`),
        else from the data."""
        return company.summary(self.out_dir.parent, "monthly_sales", self.data_dir, self.as_of)

    def funnel_benchmark(self) -> pd.DataFrame | None:
        """The company's funnel counts per pair of stages over the window `strategy.funnel_months`
        (`strategy.funnel.stage_counts`, the strategy step's benchmark), as `planning run` computed it once for
        the run (`planning.company`), else from the data; None without opportunities."""
        months = self.p.strategy.funnel_months
        return company.summary(self.out_dir.parent, "funnel_counts", self.data_dir, self.as_of, months)

    # ------------------------------------------------------------------ artefacts
    def save(self, name: str, df: pd.DataFrame) -> None:
        """Write artefact `name` through the store (contract checked, deterministic CSV, atomic replace).

        Returns nothing, so that a `ctx.save(...)` ending a cell prints nothing into the report.
        """
        store.write_artifact(self.out_dir, name, df, step=self.step)

    def load(self, name: str, **read_csv: Any) -> pd.DataFrame:
        """Read an artefact written earlier in this run by the step that owns it (contract types applied)."""
        return store.read_artifact(self.out_dir, name, region=self.region, **read_csv)

    def load_optional(self, name: str) -> pd.DataFrame:
        """An artefact of this region if it was written (a part may lack its data), else an empty frame."""
        found = store.read_optional(self.out_dir, name)
        return found if found is not None else store.empty_frame()

    # ------------------------------------------------------------------ display
    def t(self, key: str, **fmt: Any) -> str:
        return i18n.t(key, self.lang, **fmt)

    def name(self, kind: str, value: Any) -> str:
        return i18n.name(kind, value, self.lang)

    def h(self, key: str, level: int = 2, **fmt: Any) -> None:
        """Show a translated heading (a table-of-contents entry in the report)."""
        display.heading(self.t(key, **fmt), level)

    def say(self, text: str) -> None:
        """Show a generated sentence (escaped)."""
        display.paragraph(text)

    def table(self, df: pd.DataFrame, **kw: Any) -> None:
        """Show a table (`display.table_html` keywords); money columns in the company currency unless given."""
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
                when = when and not self._order_column_has_values(column)
        if when:
            self.say(i18n.missing_text(tables, self.t(what, **fmt), self.lang, column=column))
        return bool(when)

    def _order_column_has_values(self, column: str) -> bool:
        """Whether any of the region's order lines (up to `as_of`) has a value in `column`, also when the step does
        not read that column (`ORDER_COLUMNS`): then it is read from the data on its own."""
        orders = self.data.orders
        if column not in orders.columns and column in data.SCHEMA["orders"]:
            orders = data.load_tables(
                self.data_dir, region=self.region, as_of=self.as_of, tables=("orders",), columns={"orders": [column]}
            ).orders
        return column in orders.columns and bool(orders[column].notna().any())

    def data_notes(self, dimensions: tuple[str, ...] | None = None) -> None:
        """Say what the step's figures do with the data (issue 17 cases 1, 4): of each of `dimensions` grouped
        to its top `data.top_values` by sales, how many values "other" holds and their share of sales; the revenue
        of the last 12 months on anonymous lines (placeholder customers), in revenue and in no customer figure."""
        for g in self.groupings:
            if g.grouped and (dimensions is None or g.dimension in dimensions):
                self.say(
                    self.t(
                        "data.grouped",
                        what=self.t(f"data.dimensions.{g.dimension}"),
                        values=i18n.number(g.values, self.lang),
                        shown=len(g.shown),
                        other=i18n.number(g.grouped, self.lang),
                        share=self.pct(g.other_share),
                        other_name=self.name("any", data.OTHER),
                    )
                )
        orders = self.data.orders
        if "customer_id" in orders.columns and orders["customer_id"].isna().any():
            last, _ = periods.windows(self.as_of)
            amount, share = data.anonymous_revenue(orders[last.mask(orders["order_date"])])
            ids = self.t("data.list_sep").join(
                sorted(data.read_placeholders(self.data_dir).get("customer_id", ()))
            )
            self.say(self.t("data.anonymous", amount=self.money(amount), share=self.pct(share), ids=ids))

    def chart(self, chart: Any) -> None:
        charts.show(chart)

    def summary(self, numbers: list[tuple[str, str]], decisions: list[str]) -> None:
        """The report's summary box (key numbers, items for decision). A notebook shows it at its end, when
        every number is known; the exported report opens with it (`report.export_html`)."""
        display.show_html(display.summary_html(numbers, decisions, self.lang))
        rows = [("number", k, v) for k, v in numbers] + [("decision", "", d) for d in decisions if d]
        self.save(contracts.summary_artifact(self.step), store.frame(rows, ["kind", "label", "text"]))

    def money(self, x: float) -> str:
        return i18n.money(x, self.lang, self.p.company.currency)

    def pct(self, x: float) -> str:
        return i18n.pct(x, self.lang)


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
    history_months: int = 0,
) -> Context:
    """Validate the notebook's parameters and return its Context.

    Every parameter goes through `params.resolve`, the function `planning run` validated them with: the region's
    params/ (or, set by the runner, `params_json`: the merged parameters it already validated), with non-empty
    `as_of`, `plan_year`, `language` overriding them. Empty `data_dir` means the params' `data.dir`, else the
    embedded sample company; empty `out_dir` means `outputs/interactive/<region>`. `history_months` (the complete
    months of orders `planning run` counted; 0: counted here from the region's orders, `periods.history_months`)
    decides the plan: the minimal plan for 3 to 12 (`Context.minimal`); fewer raise DataError as the run's check.
    """
    step = config.step_key(step)
    p = params_mod.resolve(
        region, as_of=as_of, plan_year=plan_year, language=language, params_json=params_json
    ).params
    ddir = sources.resolve_dir(p, data_dir)
    odir = Path(out_dir) if out_dir else config.OUTPUTS_DIR / "interactive" / p.region.key
    odir.mkdir(parents=True, exist_ok=True)

    charts.enable(batch=batch, lang=p.language, svg_fallback=p.run.static_charts, currency=p.company.currency)
    labels = data.read_labels(ddir)  # the data's own names of keys the workbook does not know, and the region's
    own = p.region.name_zh if p.language == "zh" else p.region.name  # params' name, for a key the workbook lacks
    if own:
        labels = {**labels, "region": {**labels.get("region", {}), p.region.key: own}}
    i18n.use_labels(labels)
    ctx = Context(step=step, p=p, data_dir=ddir, out_dir=odir, batch=batch, history_months=history_months)
    if not history_months:  # opened by hand: the count `planning run` makes (runner.checks.short_history)
        months = periods.history_months(ctx.data.orders["order_date"], ctx.as_of)
        ctx.history_months = len(months)
        if ctx.history_months < periods.MIN_PLAN_MONTHS:  # worded as the run's check (locale/check.yaml)
            n, lang, dates = len(months), p.language, ctx.data.orders["order_date"].dropna()
            span = i18n.t("check.history.no_order", lang)
            if n:
                span = i18n.t("check.history.months", lang, n=n, first=str(months[0]), last=str(months[-1]))
            elif len(dates):
                first, last = f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}"
                span = i18n.t("check.history.no_complete_month", lang, first=first, last=last)
            raise data.DataError(
                i18n.t(
                    "check.history.too_short", lang, source=data.table_file(ddir, "orders"),
                    region=repr(p.region.key), span=span, as_of=ctx.as_of.isoformat(),
                    min=periods.MIN_PLAN_MONTHS, full=periods.FULL_PLAN_MONTHS,
                )  # fmt: skip
            )
    if not batch:  # in reports the page header carries step and region
        display.heading(f"{ctx.name('step', step)} · {ctx.region_name}", 1)
        if missing := steps_not_run(step, odir):  # a batch run of one step is `partial` instead (runner)
            display.scroll_here()  # "Run all" left the view at the last cell: bring the sentence into view
            raise StepsNotRun(ctx, missing)
    return ctx


def steps_not_run(step: str, out_dir: Path) -> list[str]:
    """The earlier steps whose artefacts `step` reads (`config.STEP_INPUTS`, and theirs in turn) with a required
    artefact missing from `out_dir`, in step order: what an analyst opening this notebook first must run."""
    needed: set[str] = set()
    todo = list(config.STEP_INPUTS.get(step, ()))
    while todo:
        s = todo.pop()
        if s not in needed:
            needed.add(s)
            todo.extend(config.STEP_INPUTS.get(s, ()))
    required = {s: [n for n in contracts.of_step(s) if not contracts.ARTIFACTS[n].optional] for s in needed}
    return [s for s in config.STEPS if s in needed and not store.has_artifacts(out_dir, *required[s])]


class StepsNotRun(ArtifactMissing):
    """A step notebook opened by hand before the steps it reads were run for its region (e.g. 02 in a fresh
    project): one sentence in the report language naming the notebooks to run first. It stops "Run all" at the
    set-up cell and IPython shows the sentence alone, without a traceback (`_render_traceback_`)."""

    def __init__(self, ctx: Context, missing: list[str]) -> None:
        lang = ctx.lang
        sep = i18n.t("data.list_sep", lang)
        super().__init__(
            i18n.t(
                "common.steps_not_run",
                lang,
                step=ctx.name("step", ctx.step),
                region=ctx.region_name,
                missing=sep.join(f"{s[:2]} {ctx.name('step', s)}" for s in missing),
                folder=_shown_path(ctx.out_dir),
                notebooks=sep.join(f"notebooks/{s}.ipynb" for s in missing),
            )
        )
        self.missing = missing

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def _shown_path(path: Path) -> str:
    """`path` relative to the project when inside it (outputs/interactive/east/), else as it is."""
    try:
        return Path(path).resolve().relative_to(config.PROJECT_ROOT.resolve()).as_posix() + "/"
    except ValueError:
        return str(path)
