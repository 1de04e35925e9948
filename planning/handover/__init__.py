"""Hand-over to the managers and back (issue 19, docs/handover.md): the quota workbook in every snapshot
(workbook.py), reading an edited one back against its snapshot (read.py), the reconciliation of their numbers with
the top-down plan to the cent (reconcile.py, pure), and the adjusted snapshot it becomes (adjust.py)."""
