"""planning.runner.kernels: what papermill injects, the worker's kernel kept across regions, error records."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest
from frames_runner import FAIL_NORTH_STEP2, OK_BODY
from stand_ins import notebooks as stand_in_notebooks

from planning import config, params, runner
from planning.runner import kernels


@pytest.fixture
def data_dir(small_sample: Path) -> Path:
    return small_sample


@pytest.mark.parametrize("step", config.STEPS)
def test_the_runner_injects_exactly_the_parameters_the_notebook_declares(step: str, tmp_path: Path):
    """No decorative parameter: every parameter of the parameters cell gets the run's value, and the runner
    injects nothing the notebook does not declare (papermill would only warn)."""
    declared = pm.inspect_notebook(str(config.NOTEBOOKS_DIR / f"{step}.ipynb"))
    injected = runner.notebook_parameters(params.resolve("east").params, tmp_path / "east", "data")
    assert list(injected) == list(declared)  # same names, same order
    for name, value in injected.items():
        assert type(value).__name__ == declared[name]["inferred_type_name"], name


def test_injected_values_are_the_resolved_run_input(tmp_path: Path):
    p = params.resolve("north", as_of="2026-06-30", language="zh").params
    got = runner.notebook_parameters(p, tmp_path / "north", "/data")
    assert got == {
        "region": "north",
        "as_of": "2026-06-30",
        "plan_year": p.plan_year,
        "language": "zh",
        "data_dir": "/data",
        "out_dir": str(tmp_path / "north"),
        "params_json": str(tmp_path / "north" / "params.json"),
        "batch": True,
        "history_months": 0,
    }
    # what the setup cell does with them: the same Params
    (tmp_path / "north").mkdir()
    (tmp_path / "north" / "params.json").write_text(p.model_dump_json(indent=2), encoding="utf-8")
    back = params.resolve(
        got["region"], as_of=got["as_of"], plan_year=got["plan_year"], language=got["language"],
        params_json=got["params_json"],
    )  # fmt: skip
    assert back.params == p


def test_the_reset_cell_comes_first_and_is_tagged_for_removal(tmp_path: Path):
    nbs = stand_in_notebooks(tmp_path / "nbs", "x = 1")
    nb = kernels.with_reset_cell(nbs / "01_market_analysis.ipynb")
    assert nb.cells[0].source == kernels.RESET_SOURCE
    assert nb.cells[0].metadata["tags"] == [kernels.RESET_TAG]
    assert "parameters" in nb.cells[1].metadata["tags"]


def test_an_error_record_names_the_cell_of_the_step_notebook(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("reset", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell("a = 1", metadata={"papermill": {"start_time": "t"}}),
        nbformat.v4.new_code_cell("raise ValueError('x')\nmore", metadata={"papermill": {"exception": True}}),
        nbformat.v4.new_code_cell("never"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    err = kernels.error_of(TimeoutError("slow"), path, timeout=30)
    assert err["message"] == "cell exceeded run.execution_timeout (30 s)"
    assert (err["cell"], err["source"], err["notebook"]) == (2, "raise ValueError('x')", str(path))


PID_BODY = (
    OK_BODY + "import os\n"
    "(art / '{step}.pid').write_text(str(os.getpid()))\n"
    "if region == 'north' and '{step}' == '02_goals':\n    raise RuntimeError('boom in north')\n"
)


def test_a_worker_keeps_its_kernel_across_regions_until_a_step_fails(tmp_path: Path, data_dir: Path):
    """One worker runs east, north, south in turn on one kernel with a clean namespace per notebook; north's
    failure discards that kernel, so south starts in a fresh one."""
    nbs = stand_in_notebooks(tmp_path / "nbs", PID_BODY)
    result = runner.run(
        regions=["east", "north", "south"], data_dir=str(data_dir), out_root=tmp_path / "out",
        notebooks_dir=nbs, workers=1,
    )  # fmt: skip
    snap = tmp_path / "out" / "2026-09-30"
    pids = {
        r: {(snap / r / "artifacts" / f"{s}.pid").read_text() for s in config.STEPS[:2]}
        for r in ("east", "north")
    }
    pids["south"] = {(snap / "south" / "artifacts" / f"{s}.pid").read_text() for s in config.STEPS}
    assert len(pids["east"]) == len(pids["south"]) == 1 and pids["east"] == pids["north"]
    assert pids["south"] != pids["east"]
    assert (snap / "south" / "artifacts" / "01_market_analysis.txt").read_text() == "south None"
    assert {(r.region, r.status) for r in result.results if r.status != "ok"} == {
        ("north", "failed"),
        ("north", "skipped"),
    }


# ------------------------------------------------------------------------------------------------ reruns
# Issue 18 case 8: two runs of the same inputs gave executed notebooks that differed in timestamps, durations,
# random cell ids and the hidden working folder's random name.
@pytest.mark.adversarial
def test_tidy_notebook_removes_run_time_fields_fixes_ids_and_names_the_published_folder(tmp_path: Path):
    work = tmp_path / ".2026-09-30.tmp-123-abcd1234"
    times = {"start_time": "2026-10-01T08:00:00", "end_time": "2026-10-01T08:00:01", "duration": 1.0}
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {**times, "output_path": f"{work}/east/01.ipynb", "exception": None}
    nb.cells = [
        nbformat.v4.new_markdown_cell("failed", metadata={"tags": ["papermill-error-cell-tag"]}),
        nbformat.v4.new_code_cell("reset", metadata={"tags": ["remove-cell"], "papermill": dict(times)}),
        nbformat.v4.new_code_cell(
            f'out_dir = "{work}/east"',
            metadata={"tags": ["injected-parameters"], "execution": {"iopub.status.idle": "x"}},
        ),
        nbformat.v4.new_markdown_cell("anchor", metadata={"tags": ["papermill-error-cell-tag"]}),
        nbformat.v4.new_code_cell(
            "boom", metadata={"papermill": {**times, "exception": True, "status": "failed"}}
        ),
    ]
    nb.cells[-1].id = "kept-id"
    nb.cells[-1].outputs = [nbformat.v4.new_output("error", ename="E", evalue=f"{work}/east/x", traceback=[])]
    kernels.tidy_notebook(nb, work)
    text = nbformat.writes(nb)
    assert "tmp-123" not in text and str(tmp_path / "2026-09-30" / "east") in text
    assert not {"start_time", "end_time", "duration"} & set(nb.metadata["papermill"])
    assert [c.id for c in nb.cells] == [
        "papermill-error-cell-tag", "remove-cell", "injected-parameters", "papermill-error-cell-tag-2", "kept-id"
    ]  # fmt: skip
    assert nb.cells[-1].metadata["papermill"] == {"exception": True, "status": "failed"}
    assert "execution" not in nb.cells[2].metadata
    nbformat.validate(nb)


PATH_BODY = FAIL_NORTH_STEP2 + "print(out_dir, params_json)\n"


@pytest.mark.adversarial
def test_a_rerun_writes_the_same_notebooks_reports_and_index_failures_included(
    tmp_path: Path, data_dir: Path, monkeypatch
):
    """Two `--force` runs of the same stand-in notebooks (north fails in step 2): every file but the manifest is
    byte-identical, and the notebooks name the published snapshot, never the hidden working folder."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # the pages' "generated" minute (report.generated_at)
    nbs = stand_in_notebooks(tmp_path / "nbs", PATH_BODY)
    out, copies = tmp_path / "out", []
    for _ in range(2):
        result = runner.run(regions=["east", "north"], data_dir=str(data_dir), out_root=out, notebooks_dir=nbs,
                            workers=1, force=True)  # fmt: skip
        copies.append({p.relative_to(result.snapshot).as_posix(): p.read_bytes()
                       for p in sorted(result.snapshot.rglob("*")) if p.is_file()})  # fmt: skip
    first, second = copies
    assert sorted(first) == sorted(second)
    assert [name for name in first if name != "manifest.json" and first[name] != second[name]] == []
    notebook = first["north/02_goals.ipynb"].decode()
    assert ".tmp-" not in notebook and str(out / "2026-09-30" / "north") in notebook
    assert '"start_time"' not in notebook and '"iopub.status.idle"' not in notebook


def test_a_step_notebook_is_written_once_and_names_its_input_by_path(
    tmp_path: Path, data_dir: Path, monkeypatch
):
    """`execute_step` + `run_region` write the executed notebook once (tidied), papermill's intermediate writes
    gone; its metadata names the step notebook by path (papermill used to embed the whole input notebook); a
    cell's error still leaves the notebook with papermill's error markers for the report to point into."""
    nbs = stand_in_notebooks(
        tmp_path / "nbs", OK_BODY, "if '{step}' == '02_goals':\n    raise ValueError('x')\n"
    )
    writes: list[str] = []
    real = nbformat.v4.nbjson.writes

    def counting(nb, **kw):
        writes.append(nb.metadata.get("papermill", {}).get("output_path", ""))
        return real(nb, **kw)

    monkeypatch.setattr(nbformat.v4.nbjson, "writes", counting)
    import papermill.engines  # the engine's saves go through papermill.engines.write_ipynb

    real_write = papermill.engines.write_ipynb

    def counting_write(nb, path):
        writes.append(str(path))
        return real_write(nb, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counting_write)
    result = runner.run(
        regions=["east"], steps=["01", "02"], data_dir=str(data_dir), out_root=tmp_path / "out",
        notebooks_dir=nbs, workers=1, engine="kernel",
    )  # fmt: skip
    assert [r.status for r in result.results] == ["ok", "failed"]
    step1 = [w for w in writes if w.endswith("01_market_analysis.ipynb")]
    assert len(step1) == 1  # ok: written once
    snap = tmp_path / "out" / "2026-09-30" / "east"
    nb = nbformat.read(snap / "01_market_analysis.ipynb", as_version=4)
    assert nb.metadata.papermill.input_path == str(nbs / "01_market_analysis.ipynb")
    failed = nbformat.read(snap / "02_goals.ipynb", as_version=4)
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in failed.cells)


def test_outputs_are_built_without_schema_validation_only_while_a_step_runs():
    from nbformat import ValidationError
    from nbformat.v4 import nbbase

    from planning.runner import kernels

    with pytest.raises(ValidationError):
        nbbase.new_output("stream", name=3)  # not a stream name: the schema says so
    with pytest.raises(RuntimeError), kernels._outputs_unvalidated():
        assert nbbase.new_output("stream", name=3).name == 3  # built as given, not validated
        raise RuntimeError("a step that fails")
    with pytest.raises(ValidationError):  # restored, also after an error
        nbbase.new_output("stream", name=3)
