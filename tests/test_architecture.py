"""The package's layout, checked from its source (docs/architecture.md).

- no import cycle between modules of `planning/` (function-local imports included, `TYPE_CHECKING` ones not);
- layers run one way: compute <- narrate <- charts <- widgets <- notebook. Compute modules (every module of a
  step package but its narrate / views / charts / widgets, and the shared core: params, data, store ...) import no
  presentation: not i18n, display, charts, notebook, altair or ipywidgets;
- a step imports only earlier steps, and only their compute modules;
- no module over 600 lines;
- a function-local import says why it is not at the top (a `# lazy:` comment right above it);
- and, by running them: every compute module imports with altair and ipywidgets blocked.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from planning import config

PACKAGE = config.PROJECT_ROOT / "planning"
MAX_LINES = 600
STEPS = ("market", "goals", "strategy", "resources", "review")  # in the method's order
PRESENTATION_LAYERS = {"narrate": 1, "views": 1, "summary": 1, "charts": 2, "widgets": 3}  # compute is 0
# Shared modules that present: what compute must never import.
PRESENTATION_MODULES = (
    "planning.i18n",
    "planning.display",
    "planning.charts",
    "planning.notebook",
    "planning.report",
)
PRESENTATION_LIBS = ("altair", "ipywidgets", "IPython", "vl_convert", "nbconvert")
# The shared core below the steps: computations and I/O, no presentation.
CORE = (
    "config",
    "errors",
    "contracts",
    "store",
    "team",
    "facts",
    "params",
    "data",
    "sources",
    "importer",
    "sample",
    "audit",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(config.PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """(node, inside_function) for every import that runs, skipping `if TYPE_CHECKING:` blocks."""

    def walk(node: ast.AST, in_func: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    yield from walk(sub, in_func)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, in_func
            yield from walk(child, in_func or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    yield from walk(tree, False)


def _resolve(name: str, mod: str, node: ast.ImportFrom | None = None) -> list[str]:
    """The planning modules an import statement loads (`from planning.x import y` -> planning.x.y if y is a module,
    else planning.x); other packages by their top-level name."""
    known = modules()
    if node is not None and node.level:  # relative import
        base = mod.split(".")
        if not modules()[mod].name == "__init__.py":
            base = base[:-1]
        base = base[: len(base) - node.level + 1]
        name = ".".join(base + ([node.module] if node.module else []))
    if not name.startswith("planning"):
        return [name.split(".")[0]]
    out = []
    if node is not None:
        for alias in node.names:
            full = f"{name}.{alias.name}"
            out.append(full if full in known else name)
    else:
        out.append(name)
    return [m for m in dict.fromkeys(out) if m != "planning"]


@cache
def imports() -> dict[str, list[tuple[str, int, bool]]]:
    """{module: [(imported module, line, function-local)]}."""
    out: dict[str, list[tuple[str, int, bool]]] = {}
    for mod, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = []
        for node, in_func in _import_nodes(tree):
            if isinstance(node, ast.Import):
                targets = [t for a in node.names for t in _resolve(a.name, mod)]
            else:
                targets = _resolve(node.module or "", mod, node)
            found += [(t, node.lineno, in_func) for t in targets]
        out[mod] = found
    return out


def layer(mod: str) -> tuple[str | None, int]:
    """(step or None, layer): layer 0 compute, 1 narrate, 2 charts, 3 widgets, None for shared presentation."""
    parts = mod.split(".")
    if len(parts) >= 2 and parts[1] in STEPS:
        sub = parts[2] if len(parts) > 2 else ""
        return parts[1], PRESENTATION_LAYERS.get(sub, 0)
    if len(parts) >= 2 and parts[1] in CORE:
        return None, 0
    return (
        None,
        -1,
    )  # shared presentation or orchestration (i18n, display, charts, notebook, report, runner, cli)


def _within(mod: str, prefix: str) -> bool:
    return mod == prefix or mod.startswith(prefix + ".")


# ------------------------------------------------------------------------------------------------ tests
def test_every_step_is_a_package_named_after_its_notebook():
    for step_key, name in zip(config.STEPS, STEPS, strict=True):
        assert step_key.split("_", 1)[1].startswith(name)
        assert (PACKAGE / name / "__init__.py").is_file(), f"planning/{name}/ is not a package"
        assert not (PACKAGE / f"{name}.py").exists(), f"planning/{name}.py beside the package"


def test_no_module_over_the_size_limit():
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in modules().items()}
    too_big = {m: n for m, n in sizes.items() if n > MAX_LINES}
    assert not too_big, f"modules over {MAX_LINES} lines: {too_big}"


def test_no_import_cycles():
    graph = {m: {t for t, _line, _f in deps if t in modules() and t != m} for m, deps in imports().items()}
    cycles, state, stack = [], {}, []

    def visit(m: str) -> None:
        state[m] = "open"
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == "open":
                cycles.append(stack[stack.index(t) :] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_layers_import_one_way():
    wrong = []
    for mod, deps in imports().items():
        step, level = layer(mod)
        if level < 0:
            continue
        for target, line, _f in deps:
            where = f"{modules()[mod].relative_to(config.PROJECT_ROOT)}:{line}: {mod} imports {target}"
            if level == 0 and (
                any(_within(target, p) for p in PRESENTATION_MODULES) or target in PRESENTATION_LIBS
            ):
                wrong.append(f"{where} (compute imports presentation)")
            if level == 1 and (
                target in ("altair", "ipywidgets")
                or any(_within(target, p) for p in PRESENTATION_MODULES[2:])
            ):
                wrong.append(f"{where} (narrate imports charts / widgets / notebook)")
            if level == 2 and (target == "ipywidgets" or _within(target, "planning.notebook")):
                wrong.append(f"{where} (charts import widgets / notebook)")
            t_step, t_level = layer(target) if target.startswith("planning.") else (None, -1)
            if t_step is not None and step is not None and t_step != step:
                if STEPS.index(t_step) > STEPS.index(step):
                    wrong.append(f"{where} (a step imports a later step)")
                elif t_level > 0:
                    wrong.append(f"{where} (a step imports another step's presentation)")
            if t_step is not None and t_step == step and t_level > level:
                wrong.append(f"{where} (a lower layer imports a higher one)")
            if step is None and level == 0 and t_step is not None:
                wrong.append(f"{where} (the shared core imports a step)")
    assert not wrong, "\n".join(wrong)


def _explained(lines: list[str], lineno: int) -> bool:
    """True when the comment block right above the import at `lineno` (1-based; a block of imports shares one
    comment) has a line starting with `# lazy:`."""
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith(("import ", "from ")):
        i -= 1
    while i >= 0 and lines[i].strip().startswith("#"):
        if lines[i].strip().startswith("# lazy:"):
            return True
        i -= 1
    return False


def test_function_local_imports_say_why():
    unexplained = []
    for path in modules().values():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for node, in_func in _import_nodes(tree):
            if not in_func:
                continue
            if not _explained(lines, node.lineno):
                unexplained.append(f"{path.relative_to(config.PROJECT_ROOT)}:{node.lineno}")
    assert not unexplained, "function-local imports without a `# lazy:` comment above: " + ", ".join(
        unexplained
    )


def test_no_function_takes_the_params_and_a_separate_date():
    """`p.as_of` / `p.plan_year` are the run's dates: a function given the Params reads them there, so two dates
    can never disagree. (A function that reads no parameters takes the date it works as of, e.g. a backtest's.)"""
    both = []
    for mod, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = {a.arg for a in node.args.args + node.args.kwonlyargs}
                if names & {"p", "params"} and names & {"as_of", "plan_year"}:
                    both.append(f"{mod}.{node.name}")
    assert not both, f"functions taking both the Params and a date: {both}"


def compute_modules() -> list[str]:
    return sorted(m for m in modules() if layer(m)[1] == 0)


def test_compute_modules_import_without_presentation_libraries():
    """Block altair and ipywidgets (an import of either fails), import every compute module, and check that
    neither the blocked libraries nor the shared presentation modules were loaded."""
    mods = compute_modules()
    assert any(m.startswith("planning.goals.") for m in mods)
    code = (
        "import sys\n"
        "for lib in ('altair', 'ipywidgets'):\n"
        "    sys.modules[lib] = None\n"
        f"mods = {mods!r}\n"
        "import importlib\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        f"bad = sorted(m for m in sys.modules if m in {PRESENTATION_MODULES!r})\n"
        "print('LOADED', bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=config.PROJECT_ROOT
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "LOADED []" in out.stdout, out.stdout


# ------------------------------------------------------------------------------------------------ the checker
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    import json\n", 1),
        ("def f():\n    # lazy: costs 1 s at kernel start\n    import json\n", 0),
        ("def f():\n    # lazy: one reason\n    import json\n    import os\n", 0),
        ("def f():\n    # lazy: a reason\n    # on two lines\n    import json\n", 0),
        ("def f():\n    # not a reason\n    import json\n", 1),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import json\n", 0),
    ],
)
def test_the_lazy_import_rule_itself(source: str, expected: int):
    lines = source.splitlines()
    found = sum(
        not _explained(lines, node.lineno) for node, in_func in _import_nodes(ast.parse(source)) if in_func
    )
    assert found == expected
