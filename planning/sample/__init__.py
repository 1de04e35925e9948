"""The embedded sample company: a deterministic generator of a B2B industrial-equipment maker selling in China.

`generate(scale, seed, end)` returns every table of `docs/data.md` as pandas data frames; `write(out_dir, ...)`
writes them as one Parquet (or CSV) file per table plus `sample.json`; `ensure_sample()` keeps a cached copy
under `planning.config.SAMPLE_DIR` that is rebuilt whenever this package's source, the scale or the seed changes.

The company is built so that each step of the method finds something real in it (see `docs/data.md`,
"The sample company"):

- growth differs by region (southwest ~+25 %/yr, northeast flat to declining and losing market share) and by
  industry (energy booming, retail shrinking); seasonality with a Chinese New Year dip, a mid-year bump and a
  strong Q4;
- reps are hired, ramp over 4-6 months, leave (~15 %/yr, more in the northeast) and are replaced; their
  productivity is lognormally dispersed;
- marketing leads become opportunities that move through the funnel; the partner lead source collapses from
  March of the last year in every region (and events in the east) while its spend continues; the northeast's
  proposal stage is a bottleneck;
- won new-logo opportunities become customers whose first order is on the close date; customers that churn
  have low health (usage, satisfaction, renewal intent) and taper off before they stop ordering;
- `plan_of_record` is what management approved for the last year: prior-year actual * 1.15 split by month and
  rep, so the review step finds the east about on plan and the northeast clearly behind.

Everything is vectorised numpy; strings are only created once per distinct key (key columns of the large
tables are pandas Categoricals), so scale 100 (about 10 million order lines) stays within memory and time.

Modules:

- `structure`: the company's structure (regions, industries, sizes, sources, products, seasons, names) and the
  defaults (seed, last day, table names);
- `draws`: the integer calendar (`Calendar`) and the vectorised draws and column builders;
- `company`: regions, reps (hiring, ramp, attrition, `RepPicker`), customers (health, churn) and their tables;
- `market`: marketing leads and spend, market size;
- `pipeline`: opportunities through the funnel;
- `history`: the order lines;
- `plan`: the plan of record;
- `generator`: `generate`, the order of the draws;
- `files`: `write`, `ensure_sample` (the cache) and `generator_fingerprint`;
- `territories`: a company of N territories (batches of the six regions) and the params files they need.
"""

from __future__ import annotations

from planning.sample.files import ensure_sample, generator_fingerprint, write
from planning.sample.generator import generate
from planning.sample.structure import CHANNELS, DEFAULT_END, DEFAULT_SEED, PRODUCT_LINES, TABLES
from planning.sample.territories import generate_territories, territory_keys, write_params

__all__ = [
    "generate",
    "write",
    "ensure_sample",
    "generator_fingerprint",
    "generate_territories",
    "territory_keys",
    "write_params",
    "TABLES",
    "DEFAULT_SEED",
    "DEFAULT_END",
    "PRODUCT_LINES",
    "CHANNELS",
]
