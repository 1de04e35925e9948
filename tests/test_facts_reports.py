"""The sample snapshot's reports print each shared fact as its facts artefact holds it, in every place (issue 16
item 1: goals "ramps in over 7 months", resources "needs 6", the hiring plan "5"; review's "planned" attrition
0.0% vs resources' 4.5%; existing customers ¥353.2M in goals vs ¥369.6M in strategy). Reads the HTML text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import SAMPLE_REGIONS

from planning import facts, i18n, store

EN = i18n.Voice("en", "CNY")


def text(region_dir: Path, step: str) -> str:
    """What a reader sees of a report: no scripts, styles or tags, whitespace collapsed."""
    page = (region_dir / f"{step}.html").read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.slow
@pytest.mark.parametrize("region", SAMPLE_REGIONS)
def test_reports_print_the_shared_facts_the_same_everywhere(sample_snapshot: Path, region: str):
    rdir = store.region_dir(sample_snapshot, region)
    shared = store.read_facts(rdir)
    goals, strategy, resources, review = (
        text(rdir, s) for s in ("02_goals", "03_strategy", "04_resources", "05_review")
    )

    # ramp: one number of months to full output, in goals' rep sheet, resources' baseline and hiring plan
    ramp = int(facts.value(shared, "ramp_months"))
    said = [int(n) for n in re.findall(r"fully productive (\d+) months? after starting", goals + resources)]
    assert len(said) >= 2 and set(said) == {ramp}, said
    assert "ramps in over" not in goals and "a new hire needs" not in resources

    # attrition: the planned rate in resources and review's risk table; the actual one named apart
    planned, actual = (
        EN.pct(facts.value(shared, "attrition_planned")),
        facts.value(shared, "attrition_actual"),
    )
    assert f"Annual attrition planned {planned}" in resources
    assert f"Planned annual attrition {planned}" in resources
    assert f"Annual attrition actual (measured) {EN.pct(actual)}" in resources
    risk = re.findall(r"rep attrition (\S+) actual in the last 12 months vs (\S+) planned", review)
    assert risk and {p for _, p in risk} == {planned}, risk

    # existing customers' plan-year revenue: goals' resources dimension and strategy's installed base
    existing = facts.value(shared, "existing_revenue")
    assert f"Existing customers {EN.money(existing, compact=False)}" in goals
    shown = re.findall(r"[Ee]xisting customers (?:should|are expected to) deliver (¥[\d.,]+[KMB]?)", strategy)
    assert len(shown) == 2 and set(shown) == {EN.money(existing)}, shown

    # the root-cause count the report states is the fact
    n = int(facts.value(shared, "root_cause_count"))
    counted = re.findall(r"(\d+) plan-vs-actual lines? deviates? by more than", review)
    assert counted == [] if n == 0 else counted == [str(n)]
