"""Notebook-first sales planning workbook: the helper package behind the five step notebooks.

Modules are imported lazily by the code that needs them, so that `import planning` in a kernel costs nothing.
"""

__version__ = "0.1.0"
