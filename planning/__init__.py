"""Notebook-first sales planning workbook: the helper package behind the five step notebooks.

Modules are imported lazily by the code that needs them, so that `import planning` in a kernel costs nothing.
"""

import os

# The models fit small matrices; a multi-threaded BLAS only adds contention when regions already run in
# parallel (one SARIMA fit measured 12-41 s with default threads under load, 0.6-1.7 s single-threaded).
# This must run before numpy is first imported, which in a kernel is after `from planning import notebook`.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
