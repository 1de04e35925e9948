"""The rows an audit check returns: `check, status, values, explanation` (the region is added by the runner).

A check is a small function of artefact frames that returns a list of these rows: `passed` / `failed` when it
could compare the figures, `skipped` (with the reason) when an artefact it needs is missing or does not carry the
figure. A skipped check is itself a finding: a fact the plan shows but does not hand on as a value.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"
COLUMNS = ("region", "check", "status", "values", "explanation")
COMPANY = "company"  # the region of the snapshot-level checks
CENT = 0.005  # two amounts are equal "to the cent" when they differ by less than half a cent
MAX_LISTED = 4  # values name at most this many offending rows, then "... N more"

Row = dict[str, str]


def row(check: str, ok: bool, values: str, explanation: str) -> Row:
    return {"check": check, "status": PASS if ok else FAIL, "values": values, "explanation": explanation}


def skipped(check: str, reason: str, explanation: str = "") -> Row:
    return {"check": check, "status": SKIPPED, "values": reason, "explanation": explanation}


def frame(rows: list[Row], region: str) -> pd.DataFrame:
    """The rows as an audit frame (COLUMNS), every row of `region`."""
    df = pd.DataFrame(rows, columns=list(COLUMNS[1:]))
    df.insert(0, "region", region)
    return df


def money(x: float) -> str:
    """An amount as the audit shows it: two decimals, thousands separated (12,345.60)."""
    return "nan" if x is None or not math.isfinite(x) else f"{x:,.2f}"


def num(x: float) -> str:
    """A count or rate as the audit shows it (up to 4 decimals, no trailing zeros)."""
    if x is None or not math.isfinite(x):
        return "nan"
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def cents(values: pd.Series) -> np.ndarray:
    """Amounts as whole cents (int64), the unit in which a breakdown must add up exactly."""
    return np.round(pd.to_numeric(values, errors="coerce").fillna(0).to_numpy(dtype=float) * 100).astype(
        "int64"
    )


def listed(items: list[str]) -> str:
    """At most MAX_LISTED items joined with "; ", then how many more."""
    head = "; ".join(items[:MAX_LISTED])
    return head + (f"; ... {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def missing(check: str, *names: str, explanation: str = "") -> Row:
    """A check skipped because artefacts it reads are not in the region."""
    return skipped(check, f"artefact {', '.join(names)} missing", explanation)
