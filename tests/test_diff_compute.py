"""planning/diff/compute.py: two snapshots compared, and the cause of each change from the manifests."""

from __future__ import annotations

import pytest
from frames_handover import make_snapshot

from planning.diff import compute
from planning.diff.compute import COMPANY
from planning.errors import SnapshotInvalid

OLD, NEW = "2026-06-30", "2026-09-30"


def _diff(tmp_path, old=None, new=None):
    make_snapshot(tmp_path, OLD, **(old or {}))
    make_snapshot(tmp_path, NEW, **(new or {}))
    return compute.compare(compute.open_snapshot(OLD, tmp_path), compute.open_snapshot(NEW, tmp_path))


def _causes(d, scope="east"):
    c = d.causes[(d.causes["scope"] == scope) & (d.causes["cause"] != "as_of")]
    return sorted(zip(c["cause"], c["item"], c["old"], c["new"], strict=True))


def test_params_only_change_names_the_key_old_and_new(tmp_path):
    d = _diff(
        tmp_path, new={"params_over": {"goals.buffer": 0.15}, "totals": {"east": 13e6, "north": 3456789.01}}
    )
    assert _causes(d) == [("params", "goals.buffer", "0.12", "0.15")]
    assert d.cause_kinds("east") == ["as_of", "params"]
    year = d.targets[(d.targets["scope"] == "east") & (d.targets["level"] == "year")].iloc[0]
    assert (year["old"], year["new"], year["status"]) == (12_345_678.91, 13_000_000.0, "changed")
    assert year["change"] == pytest.approx(654_321.09)
    assert year["change_pct"] == pytest.approx(654_321.09 / 12_345_678.91)
    company = d.targets[(d.targets["scope"] == COMPANY) & (d.targets["level"] == "year")].iloc[0]
    assert company["change"] == pytest.approx(654_321.09)  # north unchanged


def test_data_only_change_names_the_tables(tmp_path):
    d = _diff(tmp_path, new={"data": {"orders.parquet": "c" * 64, "reps.parquet": "b" * 64}})
    assert _causes(d) == [("data", "orders.parquet", "a" * 12, "c" * 12)]
    assert set(d.targets["status"]) == {"same"}


def test_code_change_and_more_than_one_cause(tmp_path):
    d = _diff(
        tmp_path, new={"commit": "def456", "data": {"orders.parquet": "c" * 64, "reps.parquet": "b" * 64}}
    )
    assert [c for c, *_ in _causes(d)] == ["code", "data"]
    assert d.cause_kinds(COMPANY) == ["as_of", "data", "code"]


def test_reps_added_removed_kpi_lights_and_tier_moves(tmp_path):
    d = _diff(tmp_path, new={"drop_rep": "R102", "red": True, "tiers_shift": 1})
    reps = d.targets[(d.targets["scope"] == "north") & (d.targets["level"] == "rep")].set_index("key")
    assert reps.loc["R102", "status"] == "removed" and reps.loc["R102", "new"] != reps.loc["R102", "new"]
    assert reps.loc["R101", "status"] == "changed"
    assert reps["change"].sum() == pytest.approx(0.0, abs=0.005)  # the year total stayed
    k = d.kpis[d.kpis["scope"] == "east"]
    assert list(zip(k["kpi"], k["old_status"], k["new_status"], strict=True)) == [
        ("target_completion", "yellow", "red")
    ]
    moves = d.tiers[d.tiers["scope"] == COMPANY].set_index(["from_tier", "to_tier"])["customers"]
    assert moves.to_dict() == {
        ("nurture", "maintain"): 2,
        ("profit", "nurture"): 2,
        ("strategic", "profit"): 2,
    }


def test_teams_months_and_added_region(tmp_path):
    d = _diff(tmp_path, new={"totals": {"east": 12_345_678.91, "north": 3456789.01, "south": 1_000_000.0}})
    t = d.targets
    assert set(t.loc[t["level"] == "team", "key"]) == {"east-1", "east-2", "north-1", "north-2", "south-1"}
    assert (t[t["scope"] == "south"]["status"] == "added").all()
    region = t[(t["scope"] == COMPANY) & (t["level"] == "region")].set_index("key")
    assert region.loc["south", "status"] == "added"
    months = t[(t["scope"] == COMPANY) & (t["level"] == "month")]
    assert len(months) == 12 and months["change"].sum() == pytest.approx(1_000_000.0)
    assert ("regions", "added") in set(zip(d.causes["cause"], d.causes["item"], strict=True))


def test_a_cent_is_a_change(tmp_path):
    d = _diff(tmp_path, new={"totals": {"east": 12_345_678.92, "north": 3456789.01}})
    year = d.targets[(d.targets["scope"] == "east") & (d.targets["level"] == "year")].iloc[0]
    assert year["status"] == "changed" and year["change"] == pytest.approx(0.01)


def test_missing_or_incomplete_snapshot_is_refused(tmp_path):
    make_snapshot(tmp_path, OLD, status="incomplete")
    with pytest.raises(SnapshotInvalid, match=r"2026-06-30: the snapshot is incomplete.*--resume"):
        compute.open_snapshot(OLD, tmp_path)
    with pytest.raises(
        SnapshotInvalid, match=r"2026-01-31: no such snapshot; snapshots under .*: 2026-06-30"
    ):
        compute.open_snapshot("2026-01-31", tmp_path)
    (tmp_path / "plain").mkdir()
    with pytest.raises(SnapshotInvalid, match="not a snapshot"):
        compute.open_snapshot(tmp_path / "plain", tmp_path)


def test_team_and_rep_rows_are_quotas_and_sum_to_the_regions_quota_row(sample_snapshot):
    """Teams and reps carry quotas (target + flex buffer): the diff shows the region's quota row they sum to, so the
    "regions and teams" table adds up (it compared teams' quotas with the region's target)."""
    for region in ("east", "northeast"):
        t = compute.region_targets(sample_snapshot / region)
        cents = t.groupby("level")["cents"].sum()
        assert cents["quota"] > cents["year"]  # the sample plans a flex buffer
        assert cents["team"] == cents["quota"] == cents["rep"]
