"""The numbers the index shows per region that the manifest does not carry: sales of the last 12 months (the
market step's artefact), the plan year's forecast (the goals step's), and a review's target (its plan of record's
manifest). Data only; `planning.report` lays them out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from planning import store
from planning.market import periods


def market_headline(region_dir: Path, as_of: Any = None) -> dict[str, float]:
    """Sales of the last 12 and the 12 months before, from the market step's `market_trend.csv` (monthly
    sales up to the planning date); {} when the step did not run. The last 12 months are those of
    `market.periods.windows(as_of)`, the complete months the market report and goals use (without `as_of`: the
    trend's last 12 complete months); the 12 before only when the data covers all of them."""
    try:
        trend = store.read_optional(region_dir, "market_trend")
        if trend is None:
            return {}
        month = [str(m) for m in trend["month"]]
        sales = [float(x) for x in trend["sales"].fillna(0.0)]
        flags = trend["complete"] if "complete" in trend else [True] * len(month)  # (older artefacts)
        complete = [str(c).lower() == "true" for c in flags]
    except (OSError, KeyError, ValueError):  # ArtifactInvalid is a ValueError
        return {}
    if not month:
        return {}
    if not as_of:  # the last complete month of the trend (or its last month) is the window's end
        done = [m for m, c in zip(month, complete, strict=True) if c]
        as_of = pd.Period(done[-1] if done else month[-1], freq="M").to_timestamp(how="end")
    try:
        last, prev = periods.windows(as_of)
    except ValueError:
        return {}
    by_month = dict(zip(month, sales, strict=True))
    covered = {m for m, c in zip(month, complete, strict=True) if c}
    out = {"sales_l12m": sum(by_month.get(m, 0.0) for m in last.months())}
    if set(prev.months()) <= covered:
        out["sales_p12m"] = sum(by_month[m] for m in prev.months())
    return out


def forecast_headline(region_dir: Path, plan_year: Any) -> dict[str, float]:
    """The plan year's baseline forecast of a region: the goals step's chosen forecast (`forecast.csv`) of the
    plan year's months, plus the market step's actual sales of those already complete. {} when the goals step
    did not run. The company's is the sum of the regions' (`_rollup`): bottom-up, so it is coherent by
    construction with what every region's goals step plans from. {} for a minimal plan, whose run rate is no
    forecast (docs/method.md, short histories)."""
    try:
        fc = store.read_optional(region_dir, "forecast")
        if fc is None or not plan_year:
            return {}
        year = str(plan_year)
        chosen = fc[fc["chosen"].astype(str).str.lower().isin(["true", "1"])]
        if (chosen["model"].astype(str) == "run_rate").any():  # goals.forecast.RUN_RATE: no forecast
            return {}
        months = {str(m)[:7]: float(v) for m, v in zip(chosen["month"], chosen["forecast"], strict=True)}
        trend = store.read_optional(region_dir, "market_trend")
        if trend is not None:
            for m, v, c in zip(trend["month"], trend["sales"].fillna(0.0), trend["complete"], strict=True):
                if str(m)[:4] == year and str(c).lower() == "true":
                    months.setdefault(str(m)[:7], float(v))
    except (OSError, KeyError, ValueError):  # ArtifactInvalid is a ValueError
        return {}
    plan = [v for m, v in months.items() if m.startswith(year)]
    return {"forecast_plan": sum(plan)} if plan else {}


def plan_of_record_headlines(snapshot_dir: Path, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{region: {"plan_target": ...}} of the plan version a review was checked against (its manifest beside this
    snapshot, `plan_of_record`); empty for other kinds or when it cannot be read."""
    por = manifest.get("plan_of_record")
    if store.snapshot_kind(manifest) != "review" or not por:
        return {}
    base = store.read_manifest(snapshot_dir.parent / str(por)) or {}
    out = {}
    for r, info in (base.get("regions") or {}).items():
        target = ((info or {}).get("headline") or {}).get("plan_target")
        if target is not None:
            out[r] = {"plan_target": target}
    return out
