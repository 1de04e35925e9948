"""Paths and constants defined once.

The project root is where `params/base.yaml` lives. It is found from `PLANNING_ROOT` if set, else by walking up
from the current directory (so a notebook opened in `notebooks/` finds it), else next to the package (editable
install).
"""

from __future__ import annotations

import os
from pathlib import Path

STEPS: tuple[str, ...] = (
    "01_market_analysis",
    "02_goals",
    "03_strategy",
    "04_resources",
    "05_review",
)

#: The earlier steps whose artefacts a step reads (its notebook's `ctx.load` and the review's plan of record):
#: a step that ran without one of them in the snapshot is `partial` (runner.snapshot.mark_partial), and the
#: audit's step check looks for their artefacts. The review reads the goals' plan and forecast only.
STEP_INPUTS: dict[str, tuple[str, ...]] = {
    "01_market_analysis": (),
    "02_goals": ("01_market_analysis",),
    "03_strategy": ("01_market_analysis", "02_goals"),
    "04_resources": ("01_market_analysis", "02_goals", "03_strategy"),
    "05_review": ("02_goals",),
}


def _find_root() -> Path:
    env = os.environ.get("PLANNING_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "params" / "base.yaml").is_file() and (candidate / "planning").is_dir():
            return candidate
    return Path(__file__).resolve().parents[1]


PROJECT_ROOT: Path = _find_root()
PARAMS_DIR: Path = PROJECT_ROOT / "params"
NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR: Path = PROJECT_ROOT / "outputs"
SAMPLE_DIR: Path = PROJECT_ROOT / "data" / "sample"
PACKAGE_DIR: Path = Path(__file__).resolve().parent
LOCALE_DIR: Path = PACKAGE_DIR / "locale"


def step_key(step: str) -> str:
    """Resolve '01', '1', 'market', 'market_analysis' or '01_market_analysis' to the full step name."""
    s = step.strip().lower()
    for full in STEPS:
        num, name = full.split("_", 1)
        if s in (full, num, num.lstrip("0"), name, name.split("_")[0]):
            return full
    raise ValueError(f"unknown step {step!r}: expected one of {', '.join(STEPS)}")
