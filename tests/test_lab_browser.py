"""The analyst's loop in a real JupyterLab, driven by Playwright through Debian's Chromium (no browser download).

`planning lab` on 127.0.0.1 in a throw-away project (a git repository holding params/ and notebooks/, the small
sample as data): run all cells of 01, move one control of the what-if panel and see its text change, save
(the committed notebook stays clean: `git status` empty), save a copy outside notebooks/, shut the kernel down,
reopen the copy and find every chart drawn from the saved outputs. Skipped where chromium or playwright is absent
(`pip install -e '.[browser]'`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from planning import config, lab

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (extra 'browser')")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]

NOTEBOOK = "notebooks/01_market_analysis.ipynb"
COPY = "outputs/interactive/01_copy.ipynb"
TOKEN = "planning-browser-test"
#: A chart JupyterLab drew: its Vega renderer's canvas or svg inside a vega-embed container.
CHART = ".jp-OutputArea-output .vega-embed :is(canvas, svg.marks)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root,
                          capture_output=True, text=True, check=True).stdout  # fmt: skip


def _project(tmp: Path, data: Path) -> Path:
    """A project root with the committed params/ and notebooks/ in git, the small sample as data (local.yaml)."""
    root = tmp / "project"
    shutil.copytree(config.PARAMS_DIR, root / "params", ignore=shutil.ignore_patterns("local.yaml"))
    shutil.copytree(
        config.NOTEBOOKS_DIR, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints")
    )
    shutil.copy(config.PROJECT_ROOT / ".gitignore", root / ".gitignore")
    (root / "planning").mkdir()  # config finds the root by params/base.yaml beside planning/
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    (root / "params" / "local.yaml").write_text(f"data:\n  dir: {data}\n", encoding="utf-8")
    return root


def _api(port: int, path: str, method: str = "GET") -> object:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 headers={"Authorization": f"token {TOKEN}"})  # fmt: skip
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


@pytest.fixture
def server(tmp_path: Path, small_sample: Path):
    root = _project(tmp_path, small_sample)
    port = _free_port()
    argv, _ = lab.command(port=port, open_browser=False, root=root)
    argv += [f"--IdentityProvider.token={TOKEN}", f"--LabApp.workspaces_dir={tmp_path / 'ws'}",
             f"--LabApp.user_settings_dir={tmp_path / 'settings'}"]  # fmt: skip
    env = {**os.environ, "PLANNING_ROOT": str(root),
           "PYTHONPATH": os.pathsep.join([str(config.PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])}  # fmt: skip
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(argv, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            try:
                _api(port, "/api/status")
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("JupyterLab did not start: " + (tmp_path / "server.log").read_text()[-2000:])
        yield root, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_kernel_idle(port: int, timeout: float = 60) -> None:
    """Until the notebook's kernel has started and is idle (a "Run all" sent earlier may be lost)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        sessions = _api(port, "/api/sessions")
        if sessions and all(s["kernel"]["execution_state"] == "idle" for s in sessions):
            return
        time.sleep(0.25)
    pytest.fail("the notebook's kernel did not start")


def _open(page, port: int, path: str) -> None:
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{path}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=30_000)


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def test_run_move_save_reopen(server):
    root, port = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            _loop(browser, page, root, port)
        finally:
            if shots := os.environ.get("PLANNING_SCREENSHOTS"):
                for i, ctx in enumerate(browser.contexts):
                    ctx.pages[0].screenshot(path=str(Path(shots) / f"lab-{i}.png"))
            browser.close()


def _loop(browser, page, root: Path, port: int) -> None:
    if True:
        _open(page, port, NOTEBOOK)
        _wait_kernel_idle(port)
        _menu(page, "Run", "Run All Cells")
        panel = page.locator(".widget-vbox").filter(has=page.locator(".widget-dropdown select")).first
        # attached, not visible: JupyterLab skips drawing cells outside the window (content-visibility)
        panel.wait_for(state="attached", timeout=120_000)  # ~10 s on an idle machine; CI runners share cores
        panel.scroll_into_view_if_needed()
        charts = page.locator(CHART)
        charts.first.wait_for(state="attached", timeout=30_000)
        n_charts = charts.count()
        text = panel.locator(".widget-output").first
        before = text.inner_text()
        panel.locator(".widget-dropdown select").first.select_option(index=1)  # one product line
        page.wait_for_function(
            "([el, t]) => el.innerText !== t", arg=[text.element_handle(), before], timeout=20_000
        )
        assert (
            text.inner_text() != before and text.locator(".vega-embed :is(canvas, svg.marks)").count() == 1
        )  # the filtered trend
        page.keyboard.press("Control+s")
        page.wait_for_timeout(1500)
        assert _git(root, "status", "--porcelain") == ""  # the committed notebook and its .py are unchanged

        _menu(page, "File", "Save Notebook As")
        dialog = page.locator(".jp-Dialog input").first
        dialog.fill(COPY)
        page.keyboard.press("Enter")
        for _ in range(40):
            if (root / COPY).is_file():
                break
            page.wait_for_timeout(250)
        saved = json.loads((root / COPY).read_text(encoding="utf-8"))
        outputs = [o for c in saved["cells"] for o in c.get("outputs", [])]
        assert sum("application/vnd.vegalite.v5+json" in o.get("data", {}) for o in outputs) >= n_charts
        assert (root / COPY).stat().st_size < 2_000_000  # no ~1 MB of widget state per chart

        for kernel in _api(port, "/api/kernels"):
            _api(port, f"/api/kernels/{kernel['id']}", "DELETE")
        fresh = browser.new_page(viewport={"width": 1400, "height": 1000})
        _open(fresh, port, COPY)
        fresh.locator(CHART).nth(n_charts - 1).wait_for(state="attached", timeout=30_000)
        assert fresh.locator(CHART).count() >= n_charts
        assert _git(root, "status", "--porcelain") == ""  # the copy is under outputs/ (git-ignored)
