"""Where a run's canonical tables come from: a folder given on the command line, an imported CRM / ERP export,
a folder named in the parameters, or the embedded sample company.

This is the layer above `data` (reading canonical tables), `importer` (exports -> canonical tables) and `sample`
(the generated company): it decides between them, so that none of the three needs to know the others.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from planning import config

if TYPE_CHECKING:
    from planning.params import Params


def resolve_dir(p: Params, override: str | os.PathLike | None = None) -> Path:
    """The folder of canonical tables a run of parameters `p` plans on.

    In order: `override` (`--data`, a notebook's `data_dir`), an imported export when `data.mapping` is set
    (imported once per content, docs/import.md), `data.dir`, else the embedded sample company at
    `data.sample_scale` (generated on first use).
    """
    if override:
        return Path(override).resolve()
    if p.data.mapping:
        # lazy: importer and sample cost ~25 ms together and every kernel imports this module; a batch run
        # passes `override`, so neither is needed there
        from planning import importer

        return Path(importer.resolve_data_dir(p))
    if p.data.dir:  # relative to the project folder; `~` is the user's home, as in `--data` and data.mapping
        return (config.PROJECT_ROOT / Path(p.data.dir).expanduser()).resolve()
    # lazy: see above
    from planning import sample

    return sample.ensure_sample(scale=p.data.sample_scale)
