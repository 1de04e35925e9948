"""planning/review/pdca.py: the PDCA log, new / carried / resolved between snapshots."""

from __future__ import annotations

from datetime import date

import pandas as pd
from frames_review import BOARD, PREVIOUS, snapshot

from planning import params, store
from planning.review import pdca


def test_pdca_log_new_carried_resolved():
    p = params.load("east", overrides={"as_of": "2026-09-30"}).params
    log = pdca.pdca_log(BOARD, PREVIOUS, p).set_index("kpi")
    assert log.at["leads", "state"] == "carried" and log.at["leads", "opened"] == "2026-06-30"
    assert log.at["leads", "action"] == "old leads action" and log.at["leads", "due"] == "2026-10-30"
    assert log.at["lead_conversion", "state"] == "new" and log.at["lead_conversion", "act"] == "stop"
    assert log.at["lead_conversion", "owner"] == p.review.actions["lead_conversion"].owner
    assert log.at["lead_conversion", "action"] == ""  # worded by narrate.pdca_actions
    assert log.at["retention", "state"] == "resolved" and log.at["retention", "status_now"] == "green"
    assert list(log.reset_index().columns) == pdca.PDCA_COLUMNS


def test_pdca_log_without_a_configured_action_is_a_fix_without_owner():
    p = params.Params(as_of=date(2026, 9, 30))
    log = pdca.pdca_log(BOARD, None, p).set_index("kpi")
    assert list(log.index) == ["leads", "lead_conversion"]
    assert (log["act"] == "fix").all() and (log["owner"] == "").all() and (log["state"] == "new").all()


def test_previous_log_is_the_latest_earlier_snapshots(tmp_path):
    for name, action in (("2026-06-30", "june"), ("2026-07-31", "july")):
        snapshot(tmp_path, name, targets=False)
        store.write_artifact(tmp_path / name / "east", "pdca_log", PREVIOUS.assign(action=action))
    snapshot(tmp_path, "2026-08-31", targets=False)  # no log: skipped
    log = pdca.previous_log(tmp_path, "east", date(2026, 9, 30))
    assert set(log["action"]) == {"july"} and pd.api.types.is_string_dtype(log["opened"])
    assert pdca.previous_log(tmp_path, "east", date(2026, 6, 30)) is None
