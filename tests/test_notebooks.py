"""The committed notebooks: paired with their py:percent text, free of outputs, thin, one parameters cell."""

from __future__ import annotations

import ast

import jupytext
import nbformat
import pytest

from planning import config

STEPS = config.STEPS


@pytest.mark.parametrize("step", STEPS)
def test_notebook_and_script_are_in_sync(step: str):
    ipynb = nbformat.read(config.NOTEBOOKS_DIR / f"{step}.ipynb", as_version=4)
    script = jupytext.read(config.NOTEBOOKS_DIR / f"{step}.py")
    sources = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert sources(ipynb) == sources(script), f"run `jupytext --sync notebooks/{step}.py`"


@pytest.mark.parametrize("step", STEPS)
def test_committed_notebook_has_no_outputs_and_a_kernel(step: str):
    nb = nbformat.read(config.NOTEBOOKS_DIR / f"{step}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("step", STEPS)
def test_one_typed_parameters_cell_then_setup(step: str):
    nb = nbformat.read(config.NOTEBOOKS_DIR / f"{step}.ipynb", as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [0]
    tree = ast.parse(nb.cells[0].source)
    # Every parameter is an annotated literal with a help comment (papermill --help-notebook shows it).
    assert all(isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant) for node in tree.body)
    assert all("#" in line for line in nb.cells[0].source.splitlines())
    names = {node.target.id for node in tree.body}
    assert {"region", "as_of", "params_json", "out_dir", "data_dir", "batch"} <= names
    assert f'"{step}"' in nb.cells[1].source and "notebook.setup(" in nb.cells[1].source


@pytest.mark.parametrize("step", STEPS)
def test_no_logic_defined_in_notebooks(step: str):
    nb = nbformat.read(config.NOTEBOOKS_DIR / f"{step}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)]
        assert not defs, f"{step}: logic belongs in planning/, found {type(defs[0]).__name__}"


@pytest.mark.parametrize("step", STEPS)
def test_papermill_infers_every_parameter_with_type_and_help(step: str):
    import papermill as pm

    inferred = pm.inspect_notebook(str(config.NOTEBOOKS_DIR / f"{step}.ipynb"))
    names = [
        "region",
        "as_of",
        "plan_year",
        "language",
        "data_dir",
        "out_dir",
        "params_json",
        "batch",
        "history_months",
    ]
    assert list(inferred) == names
    assert all(inferred[n]["inferred_type_name"] in ("str", "int", "bool") for n in names)
    assert all(inferred[n]["help"] for n in names)


@pytest.mark.slow
def test_notebooks_run_top_to_bottom_as_an_analyst_opens_them(small_sample, tmp_path):
    """Interactive mode (batch False): widgets and the JupyterLab chart renderer run, in step order."""
    import papermill as pm

    for step in STEPS:
        out = tmp_path / f"{step}.ipynb"
        pm.execute_notebook(
            str(config.NOTEBOOKS_DIR / f"{step}.ipynb"),
            str(out),
            parameters={"data_dir": str(small_sample), "out_dir": str(tmp_path / "east")},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(config.NOTEBOOKS_DIR),
        )
        nb = nbformat.read(out, as_version=4)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error"], step
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), step
