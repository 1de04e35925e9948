"""The plan audit (issue 16 items 3-4): invariants checked on a snapshot's artefacts and manifest.

Compute only: frames in, rows out (`result`: region, check, status pass | fail | skipped, values, explanation);
artefacts and manifests are read through planning.store. `planning audit [SNAPSHOT]` runs `audit_snapshot` and
writes the result as `<snapshot>/audit.csv`. The checks, each a small function saying its rule and its source in
the method: `targets` (breakdown sums, target vs calibration dimensions and the forecast interval), `smart`
(achievable consistent), `facts` (shared facts equal, hires only where short), `signs` (no negative amount or
count), `steps` (a step ok only with its upstream artefacts), `snapshot` (company: status, regions, headline).
"""

from planning.audit.result import COLUMNS, FAIL, PASS, SKIPPED
from planning.audit.snapshot import audit_region, audit_snapshot, failures

__all__ = ["COLUMNS", "FAIL", "PASS", "SKIPPED", "audit_region", "audit_snapshot", "failures"]
