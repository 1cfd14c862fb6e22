"""Statuses Pending -> Completed / Failed (Deleted only when forced), rows-count, updated-at, no Processing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from yeti_helpers import read_csv


def status(yeti, export_id):
    return yeti.get(f"/cdr-exports/{export_id}").get_json()["data"]["attributes"]


def test_an_export_completes_five_virtual_seconds_after_creation(yeti, rt):
    export_id = yeti.create()["id"]
    rt.clock.advance(timedelta(seconds=4.9))
    assert status(yeti, export_id)["status"] == "Pending"
    rt.clock.advance(timedelta(seconds=0.1))
    attrs = status(yeti, export_id)
    assert attrs["status"] == "Completed"
    assert attrs["updated-at"] == "2026-07-18T10:00:05.000Z" and attrs["created-at"] == "2026-07-18T10:00:00.000Z"
    assert attrs["rows-count"] == len(read_csv(yeti.download(export_id).data)) - 1 > 0


def test_the_policy_can_fail_exports_which_keep_a_null_rows_count(yeti, rt):
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate", "outcome": "failure"})
    export_id = yeti.create()["id"]
    attrs = status(yeti, export_id)
    assert (attrs["status"], attrs["rows-count"]) == ("Failed", None)
    r = yeti.download(export_id)
    assert (r.status_code, r.data) == (404, b"")


def test_the_state_machine_has_yetis_four_states_and_no_processing(rt):
    kind = rt.lifecycle.kind("yeti.cdr_export")
    assert kind.states == ("Pending", "Completed", "Failed", "Deleted")
    assert {s: step.to for s, step in kind.steps.items()} == {"Pending": "Completed"}


def test_completed_exports_never_expire(yeti, rt):
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})
    export_id = yeti.create()["id"]
    rt.clock.advance(timedelta(days=400))
    yeti.login()
    assert status(yeti, export_id)["status"] == "Completed"
    assert yeti.download(export_id).status_code == 200


@pytest.mark.parametrize("state", ["Pending", "Failed", "Deleted"])
def test_downloads_of_exports_not_completed_are_404_with_an_empty_body(yeti, rt, state):
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "manual"})
    export_id = yeti.create()["id"]
    if state != "Pending":
        yeti.complete(export_id)
        rt.lifecycle.force(export_id, state)
    r = yeti.download(export_id)
    assert r.status_code == 404 and r.data == b""
    assert "Content-Disposition" not in r.headers


def test_a_deleted_export_keeps_its_rows_count_and_moves_updated_at(yeti, rt):
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})
    export_id = yeti.create()["id"]
    count = status(yeti, export_id)["rows-count"]
    rt.clock.advance(timedelta(hours=1))
    rt.lifecycle.force(export_id, "Deleted")
    yeti.login()
    attrs = status(yeti, export_id)
    assert (attrs["status"], attrs["rows-count"], attrs["updated-at"]) == ("Deleted", count,
                                                                           "2026-07-18T11:00:00.000Z")


def test_rows_count_counts_only_calls_that_had_ended_when_the_export_ran(yeti, rt):
    """An export of a window reaching into the future holds only finished calls; the file agrees."""
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})
    window = {"time_start_gteq": "2026-07-18 00:00:00", "time_start_lt": "2026-07-19 00:00:00"}
    early = yeti.create(filters=window)["id"]
    rt.clock.advance(timedelta(hours=6))
    yeti.login()
    late = yeti.create(filters=window)["id"]
    counts = [status(yeti, i)["rows-count"] for i in (early, late)]
    assert counts[0] < counts[1]
    for export_id, count in zip((early, late), counts):
        rows = read_csv(yeti.download(export_id).data)[1:]
        assert len(rows) == count
    last_end = max(r[2] for r in read_csv(yeti.download(late).data)[1:])
    assert last_end <= "2026-07-18 16:00:00"
