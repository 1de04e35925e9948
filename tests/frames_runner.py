"""Shared builders of the runner tests: stand-in step bodies and a run of them for two regions."""

from __future__ import annotations

from pathlib import Path

from stand_ins import notebooks as stand_in_notebooks

from planning import runner

OK_BODY = (
    "from pathlib import Path\n"
    "import json\n"
    "leftover = globals().get('marker')\n"
    "marker = '{step}'\n"
    "art = Path(out_dir) / 'artifacts'\n"
    "art.mkdir(exist_ok=True)\n"
    "(art / '{step}.txt').write_text(f'{{region}} {{leftover}}')\n"
    "print(json.load(open(params_json))['region']['key'])\n"
)
FAIL_NORTH_STEP2 = (
    OK_BODY + "if region == 'north' and '{step}' == '02_goals':\n    raise RuntimeError('boom in north')\n"
)


def run(tmp_path: Path, body: str, data_dir: Path, **kw) -> runner.RunResult:
    """`runner.run` of east and north into `tmp_path/out` with stand-in notebooks running `body`."""
    nbs = stand_in_notebooks(tmp_path / "nbs", body)
    return runner.run(
        regions=["east", "north"], data_dir=str(data_dir), out_root=tmp_path / "out", notebooks_dir=nbs, **kw
    )
