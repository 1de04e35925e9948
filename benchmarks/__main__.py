"""`python -m benchmarks [--quick] [--only SECTION]`: see benchmarks/run.py."""

from benchmarks.run import main

raise SystemExit(main())
