"""Three-dimensional calibration (三维校准): what the market, the team and the resources can carry -> committed target.

Four estimates of the plan year's sales, each a named step:

- `ambition` (strategic intent): the last 12 months x (1 + growth ambition);
- `market_dimension`: baseline forecast + the market increment step 1 carries over (`market_increment.csv`);
- `team_dimension`: current quota reps x ramp-adjusted productivity x survival (attrition) + planned hires on
  their ramp + training uplift on ramping reps + tool efficiency + sales not carried by quota reps. In the k-th
  month of tenure (hire month k = 1) a rep produces min(1, k / (ramp_months + 1)) of a full rep's output;
  training lifts a ramping rep to min(1, ramp x (1 + goals.training_uplift)); a person still in the plan at the
  middle of a month, e months after entering the horizon, survives with (1 - attrition) ** (e / 12);
- `resources_dimension`: marketing budget -> leads (cost per lead) -> new customers (conversion, lifted by tool
  efficiency) -> revenue (average order value x orders per new customer), on top of existing customers' business.

`combine` states how they combine (goals.combine "min": ambition bounded by market, team and resources, the
intersection; "ambition": ambition as set) into the committed target, which is the annual target. The flex
buffer is over-assigned to the reps on top of it (`planning.goals.decompose.flex_buffer`: quota padding). `dimensions` and `waterfall` are the artefacts' rows
(calibration_dimensions.csv, calibration.csv) as numbers plus an explanation key and its arguments
(`explain`, `explain_args`); `planning.goals.narrate.explained` turns those into the `explanation` text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planning import team as tm
from planning.goals.prepare import Inputs, Levers

MONTHS = 12


@dataclass(frozen=True)
class TeamDimension:
    """The team estimate and its components (annual amounts), plus the per-rep monthly capacity."""

    current_team: float  # current quota reps on their ramp, no attrition
    attrition: float  # expected loss from attrition (negative)
    hires: float  # planned hires on their ramp, with survival
    training: float  # training uplift on ramping reps
    tools: float  # tool efficiency on the reps' capacity
    house: float  # sales not carried by quota reps, on the baseline
    total: float  # the team estimate (NaN without reps)
    current_reps: int
    planned_hires: int
    capacity_rep: np.ndarray  # (reps, 12): each rep's monthly capacity with all levers
    ramp_rep: np.ndarray  # (reps, 12): ramp with the training uplift


@dataclass(frozen=True)
class ResourcesDimension:
    """The resources estimate: the budget's leads, customers and their revenue on top of existing business."""

    existing: float
    leads: float
    customers: float
    extra_customers: float  # from tool efficiency on conversion
    value_per_new_customer: float
    cost_per_lead: float
    lead_conversion: float
    total: float  # NaN without cost per lead / order value

    def as_dict(self) -> dict[str, float]:
        return {
            "leads": self.leads,
            "customers": self.customers,
            "extra_customers": self.extra_customers,
            "value_per_new_customer": self.value_per_new_customer,
            "existing": self.existing,
            "cost_per_lead": self.cost_per_lead,
            "lead_conversion": self.lead_conversion,
        }


@dataclass(frozen=True)
class Calibration:
    """The four estimates, the binding one and the committed target (before the flex buffer)."""

    levers: Levers
    estimates: dict[str, float]  # ambition, market, team, resources (NaN when not computable)
    binding: str
    committed: float
    team: TeamDimension
    resources: ResourcesDimension


def ambition(inputs: Inputs, lv: Levers) -> float:
    """Strategic intent: the last 12 months (the minimal plan: the run rate x 12) x (1 + growth ambition)."""
    return inputs.last12 * (1.0 + lv.growth_ambition)


def market_dimension(inputs: Inputs) -> float:
    """Market possibility: the plan year's baseline + the market increments of step 1. Not computed (NaN) in the
    minimal plan: a run rate is no market possibility (docs/method.md, short histories)."""
    if inputs.minimal:
        return math.nan
    return inputs.baseline + float(inputs.increments["amount"].sum())


def team_dimension(inputs: Inputs, lv: Levers) -> TeamDimension:
    """Team capacity = current team - attrition + hires + training + tools + house sales (see the module doc)."""
    monthly_full = inputs.productivity / MONTHS * inputs.season  # (12,) a full rep's output per month
    ramp0 = tm.ramp(inputs.tenure, inputs.ramp_months)
    ramp1 = tm.ramp(inputs.tenure, inputs.ramp_months, lv.training_uplift)
    survive = tm.survival(inputs.elapsed, lv.attrition)
    hire = (inputs.roster["kind"] == "hire").to_numpy()
    cur = ~hire
    full = monthly_full[None, :]
    current_team = float((full * ramp0)[cur].sum())
    attrition_loss = float((full * ramp0 * (survive - 1.0))[cur].sum())
    hires = float((full * ramp0 * survive)[hire].sum())
    training = float((full * (ramp1 - ramp0) * survive).sum())
    reps_capacity = current_team + attrition_loss + hires + training
    tools = reps_capacity * lv.tool_efficiency
    house = inputs.baseline * inputs.house_share
    total = reps_capacity + tools + house
    return TeamDimension(
        current_team=current_team,
        attrition=attrition_loss,
        hires=hires,
        training=training,
        tools=tools,
        house=house,
        total=total if len(inputs.roster) else math.nan,
        current_reps=int(cur.sum()),
        planned_hires=int(hire.sum()),
        capacity_rep=full * ramp1 * survive * (1.0 + lv.tool_efficiency),
        ramp_rep=ramp1,
    )


def existing_revenue(inputs: Inputs) -> float:
    """The plan year's revenue from customers already won (see `resources_dimension`; a minimal plan: the
    baseline, the run rate x 12, kept)."""
    if inputs.net_retention is not None:
        return inputs.last12 * float(inputs.net_retention)
    if inputs.minimal:  # no new-customer share to measure on the months: the base keeps its run rate
        return inputs.baseline
    return inputs.baseline * (1.0 - inputs.new_share)


def resources_dimension(inputs: Inputs, lv: Levers) -> ResourcesDimension:
    """Resource capacity = existing business + (budget / cost per lead x conversion x (1 + tool efficiency))
    new customers x first-year value (average order value x orders per new customer).

    Existing business (the shared fact `existing_revenue`, which strategy's installed base reads): the baseline
    x (1 - the share of sales from newly acquired customers), or the last 12 months x strategy.net_retention
    when the parameter sets it."""
    existing = existing_revenue(inputs)
    cpl, conv = inputs.cost_per_lead, lv.lead_conversion
    value_new = inputs.aov * inputs.orders_per_new_customer
    if math.isfinite(cpl) and cpl > 0 and math.isfinite(value_new):
        leads = lv.marketing_budget / cpl
        customers = leads * conv
        extra = customers * lv.tool_efficiency
        total = existing + (customers + extra) * value_new
    else:
        leads = customers = extra = math.nan
        total = math.nan
    return ResourcesDimension(existing, leads, customers, extra, value_new, cpl, conv, total)


def combine(estimates: dict[str, float], rule: str) -> tuple[str, float]:
    """(binding dimension, committed target): "ambition" takes the ambition; "min" the lowest estimate the data
    could compute (ties: the earlier dimension). Never below 0."""
    if rule == "ambition":
        binding, committed = "ambition", estimates["ambition"]
    else:
        known = {k: v for k, v in estimates.items() if math.isfinite(v)}
        binding = min(known, key=lambda k: (known[k], list(estimates).index(k)))
        committed = known[binding]
    return binding, max(committed, 0.0)


def calibrate(inputs: Inputs, lv: Levers) -> Calibration:
    """The four estimates for `levers`, combined by inputs.combine (goals.combine) into the committed target.

    The estimates keep the order ambition, market, team, resources: the report's order and the tie order of
    the "min" rule."""
    team = team_dimension(inputs, lv)
    res = resources_dimension(inputs, lv)
    estimates = {
        "ambition": ambition(inputs, lv),
        "market": market_dimension(inputs),
        "team": team.total,
        "resources": res.total,
    }
    binding, committed = combine(estimates, inputs.combine)
    return Calibration(lv, estimates, binding, committed, team, res)


def _increment_rows(inputs: Inputs) -> list[tuple[str, float, str, dict[str, Any]]]:
    """Market increments of step 1: component "<source>: <segment or dimension>", its explanation verbatim."""
    return [
        (f"{r.source}: {r.segment_or_dimension}", float(r.amount), "", {"text": str(r.explanation)})
        for r in inputs.increments.itertuples(index=False)
    ]


def dimensions(inputs: Inputs, cal: Calibration, hires_dropped: int = 0) -> pd.DataFrame:
    """calibration_dimensions: every component of the four estimates.

    Out: dimension, component, amount, kind (start | delta | total), explain (key under goals.explain; "" =
    `explain_args["text"]` verbatim), explain_args (the numbers the explanation names). `hires_dropped`: planned
    hires left out because the team reaches the target without them (`decompose.needed_hires`), named in the
    hires row's explanation.
    """
    lv, tm_, res, e = cal.levers, cal.team, cal.resources, cal.estimates
    dims: list[tuple[str, str, float, str, str, dict[str, Any]]] = [
        _start_row(inputs),
        ("ambition", "growth", e["ambition"] - inputs.last12, "delta",
         "growth_run_rate" if inputs.minimal else "growth", {"p_g": lv.growth_ambition}),
        ("ambition", "ambition", e["ambition"], "total", "ambition_run_rate" if inputs.minimal else "ambition", {}),
    ]  # fmt: skip
    if inputs.minimal:  # no forecast, no market possibility (docs/method.md, short histories)
        dims.append(("market", "market", math.nan, "total", "no_market", {"n": inputs.run_rate_months}))
    else:
        dims.append(
            ("market", "baseline", inputs.baseline, "start", _baseline_key(inputs), {"model": inputs.model})
        )
        for component, amount, key, args in _increment_rows(inputs):
            dims.append(("market", component, amount, "delta", key, args))
        dims.append(("market", "market", e["market"], "total", "market", {}))
    if len(inputs.roster):
        months = {"months": inputs.run_rate_months} if inputs.minimal else {}  # a minimal plan's history
        dims += [
            ("team", "current_team", tm_.current_team, "start", _current_team_key(inputs),
             {"n": tm_.current_reps, "m_p": inputs.productivity, "ramp": inputs.ramp_months, **months}),
            ("team", "attrition", tm_.attrition, "delta", "attrition", {"p_a": lv.attrition}),
            ("team", "hires", tm_.hires, "delta", "hires_dropped" if hires_dropped else "hires",
             {"n": tm_.planned_hires, "dropped": hires_dropped}),
            ("team", "training", tm_.training, "delta", "training", {"p_u": lv.training_uplift}),
            ("team", "tools", tm_.tools, "delta", "tools", {"p_t": lv.tool_efficiency}),
            ("team", "house", tm_.house, "delta", "house_minimal" if inputs.minimal else "house",
             {"p_h": inputs.house_share, **months}),
            ("team", "team", e["team"], "total", "team", {}),
        ]  # fmt: skip
    else:  # no reps table (or nobody to measure): the combination rule uses the other dimensions
        dims.append(("team", "team", math.nan, "total", "no_team", {}))
    if inputs.net_retention is None:
        key = "existing_run_rate" if inputs.minimal else "existing"
        dims.append(("resources", "existing", res.existing, "start", key, {"p_n": inputs.new_share}))
    else:
        dims.append(("resources", "existing", res.existing, "start", "existing_nrr",
                     {"p_r": float(inputs.net_retention)}))  # fmt: skip
    if math.isfinite(res.total):
        new_args = {
            "m_b": float(lv.marketing_budget),
            "m_cpl": float(res.cost_per_lead),
            "leads": float(res.leads),
            "p_c": float(res.lead_conversion),
            "customers": float(res.customers),
            "m_v": float(res.value_per_new_customer),
        }
        dims += [
            ("resources", "new_customers", res.customers * res.value_per_new_customer, "delta", "new_customers",
             new_args),
            ("resources", "tool_customers", res.extra_customers * res.value_per_new_customer, "delta",
             "tool_customers", {"p_t": lv.tool_efficiency, "extra": float(res.extra_customers)}),
            ("resources", "resources", res.total, "total", "resources", {}),
        ]  # fmt: skip
    else:
        dims.append(("resources", "resources", math.nan, "total", "no_resources", {}))
    return pd.DataFrame(dims, columns=["dimension", "component", "amount", "kind", "explain", "explain_args"])


def committed_explain(inputs: Inputs, cal: Calibration) -> tuple[str, dict[str, Any]]:
    """The committed target's explanation key: names the dimensions the data could not compute (the rule then
    combines the others)."""
    unknown = [k for k, v in cal.estimates.items() if not math.isfinite(v)]
    if not unknown or inputs.combine == "ambition":
        return "committed", {"rule": inputs.combine}
    return "committed_partial", {"rule": inputs.combine, "missing": tuple(unknown)}


def waterfall(
    inputs: Inputs, cal: Calibration, target: float, buffer_amount: float, quota: float
) -> pd.DataFrame:
    """calibration.csv: baseline -> market increments -> market -> bound of the binding dimension -> the annual
    target (the calibrated target, to the cent) -> flex buffer over-assigned to the reps -> the reps' quotas
    (`target`, `buffer_amount`, `quota` from `decompose.flex_buffer`).

    Out: step (1..n), component, amount, kind (start | delta | subtotal | total), explain, explain_args.
    """
    bound = f"bound_{cal.binding}"
    if inputs.minimal:  # from the run rate (x 12) to the target: no baseline, no market possibility
        _, component, market, _, key, args = _start_row(inputs)
        rows: list[tuple[str, float, str, str, dict[str, Any]]] = [(component, market, "start", key, args)]
    else:
        market = cal.estimates["market"]
        rows = [("baseline", inputs.baseline, "start", _baseline_key(inputs), {"model": inputs.model})]
        for component, amount, key, args in _increment_rows(inputs):
            rows.append((component, amount, "delta", key, args))
        rows.append(("market", market, "subtotal", "market", {}))
    rows += [
        (bound, target - market, "delta", bound, {"amount": float(cal.estimates[cal.binding])}),
        ("target", target, "subtotal", *committed_explain(inputs, cal)),
        ("buffer", buffer_amount, "delta", "buffer", {"p_b": cal.levers.buffer}),
        ("quota", quota, "total", "quota", {"p_b": cal.levers.buffer}),
    ]
    out = pd.DataFrame(rows, columns=["component", "amount", "kind", "explain", "explain_args"])
    out.insert(0, "step", np.arange(1, len(out) + 1))
    return out


def unavailable(cal: Any, dimension: str) -> bool:
    """True when the data could not compute calibration `dimension` (team without reps, resources without
    marketing spend and leads). `cal`: a Calibration or a Plan (anything with `estimates`)."""
    return not math.isfinite(cal.estimates.get(dimension, math.nan))


def _start_row(inputs: Inputs) -> tuple[str, str, float, str, str, dict[str, Any]]:
    """The strategic intent's first row: the last 12 months, or in the minimal plan the run rate x 12."""
    if inputs.minimal:
        return ("ambition", "run_rate", inputs.last12, "start", "run_rate", {"n": inputs.run_rate_months})
    return ("ambition", "last12", inputs.last12, "start", "last12", {})


def _baseline_key(inputs: Inputs) -> str:
    """The explanation of the baseline row: chosen by backtest, or (history too short for any backtest) unscored."""
    return "baseline_unscored" if "forecast_no_backtest" in inputs.notes else "baseline"


def _current_team_key(inputs: Inputs) -> str:
    """The explanation of the current team's row: the output per rep of the last 12-month period, the mean of the
    last 3, or on a minimal plan the months of history annualised (`team.output_periods`)."""
    if inputs.minimal:
        return "current_team_minimal"
    return "current_team_mean" if inputs.capacity_basis == "mean" else "current_team"
