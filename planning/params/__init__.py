"""Parameters: the schema of params/*.yaml, the layered loader, and the one run input.

- `schema.py`  the pydantic models, one per section (`Market`, `Goals`, `Strategy`, `Resources`, `Review` ...)
               and `Params` holding them all, with the method's defaults; `basics.py` their building blocks
               (the strict base model, `cross_key`, `LocalText`), `rhythm.py` review.pipeline and review.improve;
- `load.py`    base.yaml + <region>.yaml + local.yaml merged and validated (`load`, `region_keys`,
               `load_json`); errors name the file, the key, the value and what was expected;
- `resolve.py` `resolve(region, as_of, plan_year, language, params_dir, params_json)`: what the runner validates
               before a run and what a notebook's setup cell uses, one function for both;
- `scenarios.py` named scenarios, params/scenarios/<name>.yaml: the last layer of `load(..., scenario=NAME)`,
               run by `planning run --scenario NAME` into a snapshot of their own;
- `keep.py`    a what-if panel's levers written into local.yaml, the region's file or a named scenario.
"""

from planning.params.load import (
    Loaded,
    check_region_key,
    load,
    load_json,
    read_yaml,
    region_keys,
    skipped_files,
)
from planning.params.resolve import RunInput, resolve
from planning.params.schema import (
    ICP_METRICS,
    Action,
    Company,
    Competitor,
    DataSection,
    FourP,
    Goals,
    KpiName,
    LocalText,
    Market,
    Need,
    Params,
    PlannedHire,
    Playbook,
    Region,
    Resources,
    Review,
    Risk,
    RunSection,
    SmartGoal,
    Strategy,
    Task,
    TaskKind,
    TierName,
    Tool,
    local_text,
)

__all__ = [
    "ICP_METRICS",
    "Action",
    "Company",
    "Competitor",
    "DataSection",
    "FourP",
    "Goals",
    "KpiName",
    "LocalText",
    "Loaded",
    "Market",
    "Need",
    "Params",
    "PlannedHire",
    "Playbook",
    "Region",
    "Resources",
    "Review",
    "Risk",
    "RunInput",
    "RunSection",
    "SmartGoal",
    "Strategy",
    "Task",
    "TaskKind",
    "TierName",
    "Tool",
    "check_region_key",
    "load",
    "load_json",
    "local_text",
    "read_yaml",
    "region_keys",
    "resolve",
    "skipped_files",
]
