"""Customer needs and pain points (from surveys / interviews, in params), each linked to the segments it applies
to with those segments' customers, sales and growth; unmet needs are new sales scenarios.

Pure function: the `market` params section and the `segments` frame in, a DataFrame out; the texts stay as the
params give them (str or {en, zh}) and `narrate.needs_table` puts them in the report language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from planning.market.periods import ratio

if TYPE_CHECKING:
    from planning.params import Market


def needs(mp: Market, segs: pd.DataFrame) -> pd.DataFrame:
    """Customer needs from params (`market.needs`), each linked to the segments it applies to.

    In: params `market.needs`; `segs` from `segments.segments`. A need's `segments` entries are industries
    (matching every size band) or full "<industry>/<size_band>" keys; empty = all segments.
    Out: need, segments (tuple of the keys named, empty = all), customers and sales (L12M) and growth of the
    linked segments, unmet, scenario, evidence (need, scenario and evidence as params texts: str or {en, zh}).
    """
    rows = []
    for n in mp.needs:
        if n.segments:
            keys = set(n.segments)
            mask = segs["segment"].isin(keys) | segs.get("industry", segs["segment"]).isin(keys)
        else:
            mask = pd.Series(True, index=segs.index)
        linked = segs[mask]
        sales, prev = float(linked["sales"].sum()), float(linked["sales_prev"].sum())
        rows.append(
            {
                "need": n.need,
                "segments": tuple(n.segments),
                "customers": int(linked["customers"].sum()),
                "sales": sales,
                "growth": ratio(sales, prev),
                "unmet": bool(n.unmet),
                "scenario": n.scenario,
                "evidence": n.evidence,
            }
        )
    cols = ["need", "segments", "customers", "sales", "growth", "unmet", "scenario", "evidence"]
    return pd.DataFrame(rows, columns=cols)
