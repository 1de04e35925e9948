"""A step is "ok" only when its upstream artefacts and its own are there.

Source: METHOD.md (the five steps build on each other: goals calibrate on the market, strategy on the targets,
resources on both, review on the plan) and issue 16 item 3: "a step run without its upstream artefacts is
'partial', not 'ok', in manifest and index" (`planning run --step 03` alone exited 0 with the index showing OK).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from planning import config, contracts
from planning.audit.result import Row, listed, row, skipped


def required(step: str) -> list[str]:
    """The artefacts `step` must write (its contracts, the optional ones left out)."""
    return [n for n in contracts.of_step(step) if not contracts.ARTIFACTS[n].optional]


def step_status_vs_artefacts(statuses: Mapping[str, str], present: Iterable[str]) -> list[Row]:
    """For each step the manifest marks `ok`: every required artefact of the earlier steps it reads
    (`config.STEP_INPUTS`) and of the step itself is present in the region. A step not run, or failed, is not judged here (METHOD: each step builds on
    the earlier ones; issue 16 item 3)."""
    have = set(present)
    out = []
    rule = "A step marked ok has its upstream and its own artefacts (issue 16 item 3; METHOD steps 1-5)."
    for i, step in enumerate(config.STEPS):
        check = f"step_inputs_present:{step}"
        status = statuses.get(step)
        if status is None:
            out.append(skipped(check, "step not in the manifest (not run)", rule))
            continue
        if status != "ok":
            out.append(skipped(check, f"step status {status!r}: judged by the run, not the audit", rule))
            continue
        upstream = [n for s in config.STEP_INPUTS.get(step, config.STEPS[:i]) for n in required(s) if n not in have]
        own = [n for n in required(step) if n not in have]
        if upstream or own:
            parts = []
            if upstream:
                parts.append(f"upstream missing: {listed(upstream)}")
            if own:
                parts.append(f"own missing: {listed(own)}")
            out.append(row(check, False, f"status ok but {'; '.join(parts)}", rule))
        else:
            out.append(
                row(
                    check,
                    True,
                    f"status ok; {sum(len(required(s)) for s in (*config.STEP_INPUTS.get(step, ()), step))} "
                    "artefacts present",
                    rule,
                )
            )
    return out
