"""Performance harness (issue 11): `python -m benchmarks [--quick]`; see benchmarks/run.py and docs/performance.md."""
