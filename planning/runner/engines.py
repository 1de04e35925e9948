"""What the runner's two papermill engines share (`kernels`: a Jupyter kernel per worker; `shell`: the worker's
own IPython shell): the output notebook is written once, by `kernels.run_region`, not before and after every cell.
"""

from __future__ import annotations

from typing import Any


def saving_on_abort(base: type) -> type:
    """The papermill engine `base` with a notebook manager that writes the output notebook only when execution
    is aborted (`kernels.register_engine`, `shell.register_engine`)."""
    # lazy: papermill (+ nbclient, ~0.1 s), only in a process that executes notebooks
    from papermill.engines import NotebookExecutionManager

    class SaveOnAbort(NotebookExecutionManager):
        aborted = False

        def save(self, **kwargs: Any) -> None:
            if self.aborted and self.end_time is not None:  # end_time: set by notebook_complete (`finally`)
                super().save(**kwargs)

    class Engine(base):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):  # fmt: skip
            nb_man = SaveOnAbort(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                 autosave_cell_every=autosave_cell_every)  # fmt: skip
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                nb_man.aborted = True
                raise
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    return Engine
