"""A company of N territories (`planning sample --regions N`): the sample company's six regions, repeated.

Territories come in batches of six: batch 1 is the sample company itself (seed `seed`, keys `east`, `north`, ...,
ids as in the sample), batch b >= 2 is the sample company drawn with seed `seed + b - 1`, its region keys and
every id suffixed `-<bb>` (`east-02`, `R001-02`, `C00001-02`, `SO00000004-02`; teams `east-02-1`). Each batch is a
whole, consistent company (its reps own its orders, its customers its opportunities, its market its regions), so
every step finds in a territory what it finds in a region. The first N territories in batch order are kept:
`--regions 2` is the sample's east and north, `--regions 6` the sample company unchanged.

`write_params` writes what `planning run` needs for them: `base.yaml` (the project's, with `data.dir` pointing at
the tables) and one `<key>.yaml` per territory (its base region's file, named `East China 2` ...).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from pathlib import Path

import pandas as pd
import yaml
from pandas.api.types import union_categoricals

from planning import config
from planning.sample.generator import generate
from planning.sample.structure import DEFAULT_END, DEFAULT_SEED, REGION_KEYS, REGIONS

MAX_TERRITORIES = 6 * 99  # two-digit batch suffixes
# id columns of each table that get the batch suffix (region keys are suffixed in every table)
ID_COLUMNS = {
    "reps": ("rep_id",),
    "customers": ("customer_id",),
    "orders": ("order_id", "customer_id", "rep_id"),
    "opportunities": ("opportunity_id", "customer_id", "rep_id"),
    "plan_of_record": ("rep_id",),
}


def territory_keys(n: int) -> list[str]:
    """The keys of the first `n` territories, in batch order (`east`, ..., `northeast`, `east-02`, ...)."""
    check_count(n)
    return [_key(REGION_KEYS[i % 6], i // 6 + 1) for i in range(n)]


def check_count(n: int) -> int:
    if not isinstance(n, int) or not 1 <= n <= MAX_TERRITORIES:
        raise ValueError(f"--regions {n!r}: expected a number of territories from 1 to {MAX_TERRITORIES}")
    return n


def _key(region: str, batch: int) -> str:
    return region if batch == 1 else f"{region}-{batch:02d}"


def generate_territories(
    n: int, scale: float = 1.0, seed: int = DEFAULT_SEED, end: _dt.date = DEFAULT_END
) -> dict[str, pd.DataFrame]:
    """Every table of a company of `n` territories (module docstring); each batch of six at `scale` (1 = ~100k
    order lines per batch). Identical inputs give identical tables."""
    check_count(n)
    parts: dict[str, list[pd.DataFrame]] = {}
    for b in range(1, math.ceil(n / 6) + 1):
        keep = REGION_KEYS[: min(6, n - 6 * (b - 1))]
        tables = generate(scale=scale, seed=seed + b - 1, end=end)
        for name, df in tables.items():
            parts.setdefault(name, []).append(_batch(name, df, keep, b))
    return {name: _concat(dfs) for name, dfs in parts.items()}


def _batch(name: str, df: pd.DataFrame, keep: tuple[str, ...], b: int) -> pd.DataFrame:
    """One batch's table: only the `keep` regions, keys and ids suffixed for batch `b` >= 2."""
    if len(keep) < 6:
        df = df[df["region"].astype("str").isin(keep)].reset_index(drop=True)
        for col in df.columns:
            if isinstance(df[col].dtype, pd.CategoricalDtype):
                df[col] = df[col].cat.remove_unused_categories()
    if b == 1:
        return df
    suffix = f"-{b:02d}"
    df = df.copy()
    for col in ("region", *ID_COLUMNS.get(name, ())):
        df[col] = _suffixed(df[col], suffix)
    if name == "reps":  # team `<region>-<n>` -> `<region>-<bb>-<n>`
        df["team"] = df["team"].str.replace(r"^([a-z]+)-", rf"\1{suffix}-", regex=True)
    if name == "regions":
        df["name_en"] = df["name_en"] + f" {b}"
        df["name_zh"] = df["name_zh"] + f" {b}"
    return df


def _suffixed(col: pd.Series, suffix: str) -> pd.Series:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.rename_categories([f"{c}{suffix}" for c in col.cat.categories])
    return (col + suffix).astype(col.dtype)


def _concat(dfs: list[pd.DataFrame]) -> pd.DataFrame:
    """Batches one after the other (a territory's rows stay together); categorical columns stay categorical."""
    if len(dfs) == 1:
        return dfs[0]
    out = pd.concat(dfs, ignore_index=True)
    for col in dfs[0].columns:
        if isinstance(dfs[0][col].dtype, pd.CategoricalDtype):
            out[col] = union_categoricals([d[col] for d in dfs])
    return out


def write_params(params_dir: str | Path, keys: list[str], data_dir: str | Path) -> Path:
    """Write `base.yaml` (the project's own, `data.dir` set to `data_dir`, absolute) and one `<key>.yaml` per
    territory into `params_dir`; returns it. A territory's file is its base region's with the name numbered."""
    params_dir = Path(params_dir)
    params_dir.mkdir(parents=True, exist_ok=True)
    base = (config.PARAMS_DIR / "base.yaml").read_text(encoding="utf-8")
    data_line = re.compile(r'^(data:\n(?:  .*\n|\s*#.*\n)*?  dir: )""', re.M)
    base, found = data_line.subn(lambda m: m.group(1) + _quoted(Path(data_dir).resolve()), base, count=1)
    if not found:
        raise ValueError(f'{config.PARAMS_DIR / "base.yaml"}: no `data: dir: ""` line to point at {data_dir}')
    (params_dir / "base.yaml").write_text(base, encoding="utf-8")
    names = {r[0]: (r[1], r[2]) for r in REGIONS}
    for key in keys:
        region, _, batch = key.partition("-")
        own = yaml.safe_load((config.PARAMS_DIR / f"{region}.yaml").read_text(encoding="utf-8")) or {}
        if batch:
            en, zh = names[region]
            own.setdefault("region", {}).update(name=f"{en} {int(batch)}", name_zh=f"{zh} {int(batch)}")
        head = f"# Territory {key} of `planning sample --regions {len(keys)}` (from params/{region}.yaml).\n"
        body = yaml.safe_dump(own, allow_unicode=True, sort_keys=False)
        (params_dir / f"{key}.yaml").write_text(head + body, encoding="utf-8")
    return params_dir


def _quoted(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'
