# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
region: str = "east"  # key of params/<region>.yaml
as_of: str = ""  # planning date YYYY-MM-DD (empty: the value in params/base.yaml)
plan_year: int = 0  # year being planned (0: the value in params/base.yaml)
language: str = ""  # report language, en or zh (empty: from params)
data_dir: str = ""  # folder of canonical tables (empty: params data.dir, else the sample company)
out_dir: str = ""  # this region's snapshot folder (empty: outputs/interactive/<region>)
params_json: str = ""  # set by `planning run`: the merged parameters it has validated
batch: bool = False  # True under `planning run`: widgets off

# %%
from planning import notebook

ctx = notebook.setup(
    "05_review",
    region=region,
    as_of=as_of,
    plan_year=plan_year,
    language=language,
    data_dir=data_dir,
    out_dir=out_dir,
    params_json=params_json,
    batch=batch,
)
