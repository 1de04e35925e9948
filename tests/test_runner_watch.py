"""planning.runner.watch: the start line, the progress with its count and time left, live or as plain lines."""

from __future__ import annotations

import io
import re

from planning.runner.results import StepResult
from planning.runner.watch import Watch


def results(*steps: str, status: str = "ok") -> list[StepResult]:
    return [StepResult("east", s, status, 1.5, None) for s in steps]


def test_plain_lines_carry_a_start_line_counts_and_time_left():
    out = io.StringIO()
    w = Watch(out, live=False)
    w.start(notebooks=3, regions=1, steps=3, workers=1, data="/data", out="/out/2026-09-30")
    w(results("01_market_analysis"))
    w(results("02_goals", "03_strategy"))
    w.stop()
    lines = out.getvalue().splitlines()
    assert lines[0] == "planning 3 notebooks: 1 region x 3 steps on 1 worker"
    assert lines[1:3] == ["  data: /data", "  output: /out/2026-09-30"]
    assert "01_market_analysis" in lines[3] and "[1/3]" in lines[3] and "left" in lines[3]
    assert lines[-1].rstrip().endswith("[3/3]")  # nothing left to estimate
    assert "\x1b[" not in out.getvalue()  # no terminal control characters in a log


def test_live_bar_prints_each_notebook_and_leaves_no_bar_behind():
    out = io.StringIO()
    w = Watch(out, live=True)
    w.start(notebooks=2, regions=2, steps=1, workers=2, data="/data", out="/out", reused=3)
    w(results("01_market_analysis", status="failed"))
    w(results("01_market_analysis"))
    w.stop()
    text = out.getvalue()
    assert "3 reused from the earlier run" in text and "FAILED" in text and text.count("01_market_analysis") == 2


def test_eta_is_the_average_pace_times_what_is_left():
    w = Watch(io.StringIO(), live=False)
    w.start(notebooks=4, regions=1, steps=4, workers=1, data="d", out="o")
    assert w.eta() == "—"
    w.done, w.t0 = 2, w.t0 - 10.0  # two notebooks in 10 s: two more take ~10 s
    assert w.eta() in {"10 s", "11 s"}


def test_a_chinese_run_starts_and_counts_down_in_chinese():
    """The start line and time left were English in a zh run; step keys and [ok] marks stay as they are."""
    out = io.StringIO()
    w = Watch(out, live=False)
    w.start(notebooks=2, regions=1, steps=2, workers=2, data="/data", out="/out/2026-09-30", reused=1, lang="zh")
    w(results("01_market_analysis"))
    w(results("02_goals"))
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        "规划 2 个笔记本：1 个区域 × 2 个步骤，2 个工作进程，1 个沿用上次运行的结果",
        "  数据：/data",
        "  输出：/out/2026-09-30",
    ]
    assert "[ok    ] east" in lines[3] and "01_market_analysis" in lines[3] and re.search(r"约剩 \d+ 秒", lines[3])
    assert "left" not in out.getvalue()
