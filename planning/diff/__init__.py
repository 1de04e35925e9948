"""`planning diff OLD NEW`: what changed between two snapshots and why (issue 19).

compute.py compares the artefacts and manifests (pure: frames and dicts), narrate.py says it in the report
language, page.py writes the offline page and the CSVs into `<NEW>/diff_<OLD>/` (docs/handover.md).
"""

from planning.diff.compute import Diff, Side, compare, open_snapshot

__all__ = ["Diff", "Side", "compare", "open_snapshot"]
