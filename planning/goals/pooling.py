"""Seasonality pooled across regions, and the moving Lunar New Year (issue 22, item 2).

A region's monthly sales are short (three to five years) and noisy (a few large orders move a month by 20%), so
its own month-of-year profile is mostly noise: seasonal naive repeats last year's noise, a seasonal model
estimates twelve factors from three or four values each. The regions of one company share their season (the
same customers' budgets, the same holidays), so the profile is estimated once from all of them and each region
keeps its own level and trend: company profile x region level.

`fit_profile` is one least-squares regression on the log sales of every region (the region's own series and
its peers'): log y[r, t] = a[r] + b[r] * t + s[month(t)] + c * x[t] + e, with a level and trend per region,
a month-of-year profile `s` shared by all and, where the company sells in China (`goals.forecast_holiday:
lunar_new_year`), the share `x` of the month's days inside the Spring Festival slowdown with one shared effect
`c` (the festival moves between January and February, which a month-of-year profile cannot follow; X-13's
genhol regressors do the same). `predict_pooled` divides the region's history by the profile, fits a damped
trend to the log of what remains (a fixed-damping linear trend over the last three years, or statsmodels'
damped Holt) and multiplies the profile back in.

Only what is given is used: the backtest and the held-out evaluation pass the peers cut at the same month as
the region's own history, so no month after the forecast origin reaches the fit.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays as holiday_calendars
import numpy as np
import pandas as pd

from planning.market import periods

SEASON = 12

#: Days around the festival when business slows: from about ten days before (factories close early, buyers
#: leave) to the Lantern Festival, the 15th day of the first lunar month (14 days after the first).
HOLIDAY_WINDOW = (-10, 14)

HOLIDAYS = ("none", "lunar_new_year")

#: Damping of the linear trend of `pooled` (per month: after a year the trend has added 1 - 0.95^12 = 46% of
#: what an undamped one would add per month at most, Gardner & McKenzie's damped trend with a fixed phi).
DAMPING = 0.95

#: Months of deseasonalised history the linear trend of `pooled` is fitted on (the last three years).
TREND_WINDOW = 36


@dataclass(frozen=True)
class Pool:
    """What a region's forecast may borrow: `peers` (months x other regions, aligned with the region's own
    history: same length, row i = the same month), `start` (the first month of that history) and `holiday`
    (one of `HOLIDAYS`)."""

    peers: np.ndarray
    start: pd.Timestamp
    holiday: str = "none"

    def cut(self, n: int) -> Pool:
        """The pool as it was `n` months into the history (a backtest origin): the peers' first `n` months."""
        return Pool(self.peers[:n], self.start, self.holiday)


@cache
def lunar_new_year(year: int) -> date | None:
    """The first day of the Lunar New Year (Spring Festival) in `year`, from the maintained `holidays` package
    (its Chinese lunisolar calendar, as the working calendar uses); None where the package has none."""
    # The package's default language, as the working calendar (`goals.calendar`) reads it: loaded once a kernel.
    china = holiday_calendars.country_holidays("CN", years=year)
    festival = ("Spring Festival", "春节")
    days = [
        d
        for d, name in china.items()
        if any(f in name for f in festival) and not any(w in name.lower() for w in ("observed", "补"))
    ]
    return min(days) if days else None


def holiday_share(months: pd.DatetimeIndex, holiday: str) -> np.ndarray:
    """Per month (month-start Timestamps) the share of its days inside the holiday window; zeros for "none"."""
    out = np.zeros(len(months))
    if holiday == "none" or len(months) == 0:
        return out
    if holiday not in HOLIDAYS:
        raise ValueError(f"unknown holiday {holiday!r}: expected one of {', '.join(HOLIDAYS)}")
    starts = months.to_numpy(dtype="datetime64[D]")
    ends = (months + pd.offsets.MonthBegin(1)).to_numpy(dtype="datetime64[D]")
    length = (ends - starts).astype(float)
    for year in range(months[0].year, months[-1].year + 1):
        first = lunar_new_year(year)
        if first is None:
            continue
        day = np.datetime64(first, "D")
        lo, hi = day + HOLIDAY_WINDOW[0], day + HOLIDAY_WINDOW[1] + 1
        overlap = (np.minimum(ends, hi) - np.maximum(starts, lo)).astype(float)
        out += np.clip(overlap, 0, None) / length
    return out


@dataclass(frozen=True)
class Profile:
    """The shared season: `season[k]` multiplies month k of the season (k = position mod 12 from the history's
    first month; mean of the twelve logs 0), `effect` multiplies sales by exp(effect * holiday share)."""

    season: np.ndarray
    effect: float

    def factors(self, first: int, n: int, share: np.ndarray) -> np.ndarray:
        """Multipliers of the positions first .. first + n - 1 (`share`: their holiday shares)."""
        return self.season[np.arange(first, first + n) % SEASON] * np.exp(self.effect * share)


def _logs(y: np.ndarray) -> np.ndarray:
    """log y where y > 0, NaN where a month had no sale (a region not yet open, a month without orders): such a
    month says nothing about the season or the level and would be an extreme outlier in logs."""
    out = np.full(len(y), np.nan)
    out[y > 0] = np.log(y[y > 0])
    return out


#: Up to this many regions `fit_profile` solves the regression whole (its coefficients are those every plan made
#: so far was computed with, to the last digit); beyond, with each region's level and trend projected out first
#: (the same coefficients to ~1e-13 where they are identified, in a fraction of the time: 0.01-0.07 s instead of
#: 0.2-2.5 s for 200 territories).
DENSE_MAX = 20


def fit_profile(series: np.ndarray, share: np.ndarray) -> Profile:
    """The month-of-year profile shared by the columns of `series` (months x regions, the region itself among
    them) and the holiday effect (`share`: per month; all zeros fits none). Columns with no sale are left out.

    One least-squares regression with a level and a trend per region besides the shared profile. With more than
    `DENSE_MAX` regions the levels and trends are projected out of each region's months first
    (Frisch-Waugh-Lovell: the shared coefficients of the regression of the residuals on the residuals are those
    of the full regression), so the solve has 11 or 12 unknowns instead of 2 x regions more: every territory's
    backtest fits the profile several times, and the whole regression grows with the cube of the regions.
    """
    cols = [series[:, j] for j in range(series.shape[1]) if np.any(series[:, j] > 0)]
    n, r = series.shape[0], len(cols)
    months = np.arange(n) % SEASON
    dummies = (months[:, None] == np.arange(1, SEASON)[None, :]).astype(float)  # month 0 is the reference
    with_holiday = bool(np.any(share > 0)) and np.ptp(share) > 0
    if not cols:
        return Profile(np.ones(SEASON), 0.0)
    fitted = _shared_within(cols, dummies, share, with_holiday, months) if r > DENSE_MAX else None
    shared, seen = fitted or _shared_dense(cols, dummies, share, with_holiday, months)
    logs = np.zeros(SEASON)
    present = sorted(seen)  # a month of the year no column sold in (history < 12 months) keeps factor 1
    for k in range(1, SEASON):
        if k in present:
            logs[k] = shared[k - 1]
    logs[present] -= logs[present].mean()
    effect = float(shared[-1]) if with_holiday else 0.0
    return Profile(np.exp(logs), effect)


def _shared_dense(cols, dummies, share, with_holiday, months) -> tuple[np.ndarray, set]:
    """The shared coefficients (11 month effects, then the holiday's) of the whole regression, and the
    positions in the season with a sale."""
    n, r = len(months), len(cols)
    blocks, targets, seen = [], [], set()
    for j, col in enumerate(cols):
        own = np.zeros((n, 2 * r))
        own[:, j] = 1.0
        own[:, r + j] = np.arange(n) / SEASON
        extra = [dummies] + ([share[:, None]] if with_holiday else [])
        logs = _logs(col)
        sold = np.isfinite(logs)  # months without a sale are left out, not taken as a collapse
        blocks.append(np.hstack([own, *extra])[sold])
        targets.append(logs[sold])
        seen |= set(months[sold].tolist())
    design = np.vstack(blocks)
    target = np.concatenate(targets)
    beta = np.linalg.lstsq(design, target, rcond=None)[0]
    return beta[2 * r :], seen


def _shared_within(cols, dummies, share, with_holiday, months) -> tuple[np.ndarray, set] | None:
    """`_shared_dense` with each region's level and trend projected out of its months first; None when the
    shared coefficients are not identified (a history of 13 months or less: the trends and the season overlap),
    where the whole regression's minimum-norm solution is the answer. The projections of all regions at once,
    from each region's sums over its months (the 2 x 2 normal equations of level and trend; a region with one
    month keeps nothing of it, as its own level fits it exactly)."""
    n = len(months)
    shared = np.hstack([dummies, *([share[:, None]] if with_holiday else [])])  # months x K
    logs = np.column_stack([_logs(c) for c in cols])  # months x regions, NaN where nothing sold
    sold = np.isfinite(logs)
    w = sold.astype(float)
    t = np.arange(n) / SEASON
    s0, s1, s2 = w.sum(0), t @ w, (t * t) @ w  # per region: months, sum of t, sum of t^2
    det = s0 * s2 - s1 * s1
    fit = det > 1e-9 * np.maximum(s0 * s2, 1.0)  # two months or more: a level and a trend

    def rest(v: np.ndarray) -> np.ndarray:
        """`v` (months x regions x k) minus each region's least-squares level and trend over its months."""
        sv, stv = np.einsum("nr,nrk->rk", w, v), np.einsum("n,nr,nrk->rk", t, w, v)
        slope = np.where(
            fit[:, None], (s0[:, None] * stv - s1[:, None] * sv) / np.where(fit, det, 1.0)[:, None], 0.0
        )
        level = (sv - slope * s1[:, None]) / np.maximum(s0, 1.0)[:, None]
        return v - level[None] - t[:, None, None] * slope[None]

    xs = rest(np.broadcast_to(shared[:, None, :], (n, len(cols), shared.shape[1])))
    ys = rest(np.where(sold, logs, 0.0)[:, :, None])[:, :, 0]
    order = (
        sold.T
    )  # regions x months: the stacked rows region by region, each in time order, as the whole fit
    design = xs.transpose(1, 0, 2)[order]
    beta, _, rank, _ = np.linalg.lstsq(design, ys.T[order], rcond=None)
    if rank < design.shape[1]:  # lstsq's rank: the tolerance of numpy's matrix_rank
        return None
    return beta, set(months[sold.any(axis=1)].tolist())


def _damped_linear(z: np.ndarray, h: int) -> tuple[np.ndarray, float]:
    """Linear trend of the last `TREND_WINDOW` values of `z`, extrapolated with damping; residual std."""
    tail = z[-TREND_WINDOW:]
    t = np.arange(len(tail))
    ok = np.isfinite(tail)  # months with sales
    t, tail, end = t[ok], tail[ok], len(tail) - 1
    slope, intercept = np.polyfit(t, tail, 1) if len(tail) > 2 else (0.0, float(tail.mean()))
    resid = tail - (intercept + slope * t)
    level = intercept + slope * end
    path = level + slope * np.cumsum(DAMPING ** np.arange(1, h + 1))
    return path, float(np.std(resid, ddof=min(2, len(tail) - 1))) if len(tail) > 1 else 0.0


def _damped_holt(z: np.ndarray, h: int) -> tuple[np.ndarray, float]:
    """statsmodels' damped Holt (additive trend, estimated damping) of `z`; residual std."""
    # lazy: statsmodels costs ~0.3 s to import; only the forecast's fits need it
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ExponentialSmoothing(z, trend="add", damped_trend=True, initialization_method="estimated").fit()
    return np.asarray(res.forecast(h)), float(np.std(res.resid, ddof=1))


def predict_pooled(
    y: np.ndarray, h: int, pool: Pool | None, holt: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Forecast `h` months after `y` as pooled profile x the region's damped trend; (mean, sigma of the log
    forecast error per step). Without a pool the profile is the region's own (one column, no holiday)."""
    n = len(y)
    peers = pool.peers if pool is not None and pool.peers.size else np.zeros((n, 0))
    if len(peers) != n:
        raise ValueError(f"the peers hold {len(peers)} months, the region's history {n}")
    holiday = pool.holiday if pool is not None else "none"
    start = pool.start if pool is not None else pd.Timestamp("2000-01-01")
    share = holiday_share(pd.date_range(start, periods=n + h, freq="MS"), holiday)
    profile = fit_profile(np.column_stack([y, peers]), share[:n])
    z = _logs(y) - np.log(profile.factors(0, n, share[:n]))
    if np.isfinite(z).sum() < 3:
        raise ValueError("pooled model needs at least 3 months with sales")
    if holt:  # Holt needs every month: a month without sales takes the level of the month before
        path, sigma = _damped_holt(pd.Series(z).ffill().bfill().to_numpy(), h)
    else:
        path, sigma = _damped_linear(z, h)
    if not np.all(np.isfinite(path)):
        raise ValueError("pooled model produced a non-finite forecast")
    steps = np.sqrt(1 + np.arange(h) / SEASON)
    return np.exp(path) * profile.factors(n, h, share[n:]), sigma * steps


def company_monthly(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Sales per month (rows: month-start Timestamps up to the last complete month on or before `as_of`, no
    gaps) and region (columns, sorted) from order lines with region, order_date, amount. Empty frame when none.
    """
    missing = [c for c in ("region", "order_date", "amount") if c not in orders.columns]
    if missing:
        raise KeyError(f"orders lack columns {missing}")
    last = periods.last_complete_month(as_of).to_timestamp()
    if orders.empty:
        return pd.DataFrame(dtype=float)
    # Each line's month by a binary search among the month starts and its region's code, summed with one
    # bincount: ~0.5 s for ten million lines (a pandas groupby on two keys takes ten times as long).
    stamps = pd.to_datetime(orders["order_date"])
    earliest = stamps.min()
    if pd.isna(earliest) or earliest.to_period("M").to_timestamp() > last:
        return pd.DataFrame(dtype=float)
    starts = pd.date_range(earliest.to_period("M").to_timestamp(), last + pd.offsets.MonthBegin(1), freq="MS")
    values = stamps.to_numpy()
    ticks = values.view(np.int64)  # integers search several times faster than datetime64
    month = np.searchsorted(starts.to_numpy().astype(values.dtype).view(np.int64), ticks, side="right") - 1
    n_months = len(starts) - 1
    keep = (month >= 0) & (month < n_months) & ~np.isnat(values)
    codes, names = pd.factorize(orders["region"], sort=True)
    sums = np.bincount(
        month[keep] * len(names) + codes[keep],
        weights=np.nan_to_num(orders["amount"].astype(float).to_numpy()[keep]),  # a missing amount adds 0
        minlength=n_months * len(names),
    ).reshape(n_months, len(names))
    idx = starts[:-1]
    return pd.DataFrame(sums, index=idx, columns=[str(r) for r in names])


def pool_for(y: pd.Series, company: pd.DataFrame | None, region: str, holiday: str = "none") -> Pool | None:
    """The pool of region `region`'s monthly history `y`: the other regions' months of `company`
    (`company_monthly`) on y's months (0 where a peer had not started), or no peers when there is no company
    frame; None when there is nothing to borrow (no peer and no holiday)."""
    if y.empty:
        return None
    others = [] if company is None else [c for c in company.columns if c != region]
    peers = (
        company[others].reindex(y.index).fillna(0.0).to_numpy(dtype=float)
        if others
        else np.zeros((len(y), 0))
    )
    if not others and holiday == "none":
        return None
    return Pool(peers, pd.Timestamp(y.index[0]), holiday)


def log_interval(
    mean: np.ndarray, sigma: np.ndarray | float, level: float, z: float
) -> tuple[np.ndarray, ...]:
    """(lower, upper) of a log-normal interval: mean x exp(-/+ z sigma). `level` is only checked."""
    if not 0 < level < 1 or math.isnan(z):
        raise ValueError(f"interval level {level} outside (0, 1)")
    s = np.asarray(sigma, dtype=float)
    return mean * np.exp(-z * s), mean * np.exp(z * s)
