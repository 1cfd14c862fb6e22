"""The scheduler: due tasks run once per period, in order, after any clock jump, and deliver files."""
from __future__ import annotations

import csv
import hashlib
import io
import tarfile
import zipfile
from datetime import datetime, timedelta

import pytest
from mor_support import Api, make_app

from mockcdr.core.clock import parse_instant
from mockcdr.vendors.mor import VENDOR, scheduler


def deliveries(rt, task_id=None):
    out = [d for d in rt.deliveries.list(vendor="mor")
           if task_id is None or d["source"] == {"task": task_id}]
    return sorted(out, key=lambda d: d["id"])


def csv_of(rt, delivery) -> list[list[str]]:
    data = VENDOR.render_file(rt, delivery["file"]).read()
    kind = delivery["file"]["archive"]
    if kind == "tgz":
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            (member,) = tar.getmembers()
            assert member.name == delivery["file"]["member"]
            data = tar.extractfile(member).read()
    elif kind == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.namelist() == [delivery["file"]["member"]]
            data = archive.read(delivery["file"]["member"])
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_nothing_runs_before_next_run_at(api, rt):
    task = api.create(period="daily")                       # next: 2026-06-11 02:00 London
    rt.clock.set(parse_instant("2026-06-11T00:59:59Z"))
    assert deliveries(rt) == []
    rt.clock.advance(timedelta(seconds=1))
    (d,) = deliveries(rt)
    assert d["vendor"] == "mor" and d["channel"] == "mailbox" and d["target"] == "user:123"
    assert d["state"] == "delivered" and d["source"] == {"task": task["id"]}
    assert d["payload"]["window"] == {"from": "2026-06-10 02:00:00", "till": "2026-06-11 01:59:59",
                                      "timezone": "London"}


def test_a_big_jump_runs_every_due_period_once_in_order(api, rt):
    daily = api.create(period="daily", name="daily")
    weekly = api.create(period="weekly", name="weekly")
    api.advance(days=20)                                      # 2026-06-30 10:00 UTC
    runs = [(d["source"]["task"], d["payload"]["window"]["till"]) for d in deliveries(rt)]
    daily_tills = [t for task, t in runs if task == daily["id"]]
    assert daily_tills == [f"2026-06-{day:02d} 01:59:59" for day in range(11, 31)]
    assert [t for task, t in runs if task == weekly["id"]] == [
        "2026-06-15 01:59:59", "2026-06-22 01:59:59", "2026-06-29 01:59:59"]
    assert [d["file"]["run_at"] for d in deliveries(rt)] == sorted(d["file"]["run_at"] for d in deliveries(rt))
    again = api.get(f"/automatic_cdr_exports/{daily['id']}").get_json()["automatic_cdr_export"]
    assert again["last_run_at"] == "2026-06-30 02:00:00" and again["next_run_at"] == "2026-07-01 02:00:00"
    rt.tick()
    assert len(deliveries(rt)) == len(runs)                  # nothing runs twice


def test_consecutive_windows_leave_no_gap_or_overlap(api, rt):
    task = api.create(period="bi-weekly", archive_extension="none")
    api.advance(days=70)
    found = deliveries(rt, task["id"])
    assert [d["payload"]["window"]["from"][:10] for d in found] == [
        "2026-06-01", "2026-06-16", "2026-07-01", "2026-07-16", "2026-08-01"]
    for before, after in zip(found, found[1:]):
        assert before["file"]["window"]["till"] == after["file"]["window"]["from"]
    rows = [r for d in found for r in csv_of(rt, d)[1:]]
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))                          # no call exported twice


def test_hourly_catches_up_through_the_autumn_clock_change(client, rt):
    rt.clock.set(parse_instant("2026-10-24T22:30:00Z"))
    api = Api(client, rt)
    task = api.create(period="hourly")
    api.advance(hours=4)                                      # to 02:30 UTC
    found = deliveries(rt, task["id"])
    assert [d["payload"]["window"]["from"] for d in found] == [
        "2026-10-24 23:00:00", "2026-10-25 00:00:00", "2026-10-25 01:00:00", "2026-10-25 01:00:00"]
    assert [d["file"]["run_at"] for d in found] == [
        "2026-10-24T23:00:00+00:00", "2026-10-25T00:00:00+00:00", "2026-10-25T01:00:00+00:00",
        "2026-10-25T02:00:00+00:00"]


def test_inactive_tasks_do_not_run_and_reactivation_does_not_replay(api, rt):
    task = api.create(period="daily")
    api.patch(f"/automatic_cdr_exports/{task['id']}/active", json={"active": False})
    api.advance(days=5)
    assert deliveries(rt) == []
    resp = api.patch(f"/automatic_cdr_exports/{task['id']}/active", json={"active": True})
    assert resp.get_json()["automatic_cdr_export"]["next_run_at"] == "2026-06-16 02:00:00"
    assert deliveries(rt) == []
    api.advance(days=1)
    assert len(deliveries(rt)) == 1


def test_only_once_runs_once_over_its_own_window(api, rt):
    task = api.create(period="only_once", s_from="2026-06-01T00:00:00", s_till="2026-06-01T23:59:59",
                      cdr_export_at_datetime="2026-06-12T09:00:00", archive_extension="zip")
    api.advance(days=30)
    (d,) = deliveries(rt)
    assert d["payload"]["window"]["from"] == "2026-06-01 00:00:00"
    assert d["payload"]["window"]["till"] == "2026-06-01 23:59:59"
    rows = csv_of(rt, d)
    assert rows[0][0] == "Date" and all(r[0].startswith("2026-06-01 ") for r in rows[1:])
    shown = api.get(f"/automatic_cdr_exports/{task['id']}").get_json()["automatic_cdr_export"]
    assert shown["last_run_at"] == "2026-06-12 09:00:00" and shown["next_run_at"] == ""
    for change in ({"name": "renamed"}, {"timezone": "Tokyo"}):
        assert api.patch(f"/automatic_cdr_exports/{task['id']}", json=change).status_code == 200
    api.advance(days=30)
    assert len(deliveries(rt)) == 1                          # not replayed
    past = api.patch(f"/automatic_cdr_exports/{task['id']}",
                     json={"cdr_export_at_datetime": "2026-06-01T00:00:00"})
    assert past.status_code == 422
    rearmed = api.patch(f"/automatic_cdr_exports/{task['id']}",
                        json={"cdr_export_at_datetime": "2026-08-20T09:00:00"})
    shown = rearmed.get_json()["automatic_cdr_export"]
    assert (shown["next_run_at"], shown["last_run_at"]) == ("2026-08-20 09:00:00", "")
    api.advance(days=30)
    assert len(deliveries(rt)) == 2


def test_deleted_tasks_stop(api, rt):
    task = api.create(period="hourly")
    api.delete(f"/automatic_cdr_exports/{task['id']}")
    api.advance(days=1)
    assert deliveries(rt) == []


def test_rescheduling_moves_the_next_run(api, rt):
    task = api.create(period="daily")
    resp = api.patch(f"/automatic_cdr_exports/{task['id']}", json={"period": "weekly"})
    assert resp.get_json()["automatic_cdr_export"]["next_run_at"] == "2026-06-15 02:00:00"
    api.advance(days=3)
    assert deliveries(rt) == []


@pytest.mark.parametrize("target", ["ftp", "sftp"])
def test_ftp_and_sftp_fail_without_a_configured_path(api, rt, target):
    api.create(period="daily", send_cdr_to=target, send_to_user_id=None)
    api.advance(days=1)
    (d,) = deliveries(rt)
    assert d["channel"] == target and d["state"] == "failed"
    assert d["attempts"][-1]["outcome"] == f"{target.upper()} server path is not configured"
    assert VENDOR.render_file(rt, d["file"]).read()          # the file still exists


def test_ftp_delivers_to_the_configured_path():
    app = make_app(options={"sftp_path": "/home/mor/exports/"})
    api = Api(app.test_client(), app.extensions["mockcdr"])
    api.create(period="daily", send_cdr_to="sftp", send_to_user_id=None, filename_prefix="X_")
    api.advance(days=1)
    (d,) = deliveries(app.extensions["mockcdr"])
    assert d["state"] == "delivered"
    assert d["target"] == "/home/mor/exports/X_cdr_export_1_20260610020000_20260611015959.tgz"


def test_email_delivery(api, rt):
    api.create(period="daily", send_cdr_to="email", send_to_email="noc@wholesale.example")
    api.advance(days=1)
    (d,) = deliveries(rt)
    assert (d["channel"], d["target"], d["state"]) == ("email", "noc@wholesale.example", "delivered")


@pytest.mark.parametrize("archive,suffix,ctype", [
    ("tgz", ".tgz", "application/gzip"), ("zip", ".zip", "application/zip"), ("none", ".csv", "text/csv")])
def test_file_is_named_with_the_prefix_and_recreated_byte_for_byte(api, rt, archive, suffix, ctype):
    api.create(period="daily", archive_extension=archive, filename_prefix="ACME_")
    api.advance(days=1)
    (d,) = deliveries(rt)
    out = VENDOR.render_file(rt, d["file"])
    data = out.read()
    assert out.filename == d["payload"]["filename"] == f"ACME_cdr_export_1_20260610020000_20260611015959{suffix}"
    assert out.content_type == ctype == d["payload"]["content_type"]
    assert len(data) == d["payload"]["size"] and hashlib.sha256(data).hexdigest() == d["payload"]["sha256"]
    assert VENDOR.render_file(rt, d["file"]).read() == data
    rows = csv_of(rt, d)
    assert len(rows) - 1 == d["payload"]["rows"] > 0


def test_file_follows_the_template_columns_window_and_zone(api, rt):
    api.create(period="daily", template_id=6, timezone="Tokyo", query={})
    api.advance(days=1)
    (d,) = deliveries(rt)
    header, *rows = csv_of(rt, d)
    assert header[:4] == ["Call ID", "Unique ID", "Date", "Answer time"] and len(header) == 29
    start = datetime.fromisoformat(d["payload"]["window"]["from"])
    till = datetime.fromisoformat(d["payload"]["window"]["till"])
    assert d["payload"]["window"]["from"].endswith("02:00:00")
    dates = [datetime.fromisoformat(r[2]) for r in rows]
    assert dates == sorted(dates) and start <= dates[0] and dates[-1] <= till
    assert {r[13] for r in rows} <= {"ANSWERED", "NO ANSWER", "BUSY", "FAILED"}


def test_query_filters_select_calls(api, rt):
    base = {"period": "daily", "template_id": 6}
    everyone = api.create(**base, query={})
    user = api.create(**base, query={"s_user_id": 123})
    answered = api.create(**base, query={"s_call_type": "answered"})
    device = api.create(**base, query={"s_device": 33})
    outgoing_mobile = api.create(**base, query={"s_destination": "1917%", "calls_via_dids": 0,
                                                "calls_from_users": 1})
    provider = api.create(**base, query={"s_provider": 2})
    api.advance(days=7)
    rows = {t["id"]: [r for d in deliveries(rt, t["id"]) for r in csv_of(rt, d)[1:]]
            for t in (everyone, user, answered, device, outgoing_mobile, provider)}
    total = len(rows[everyone["id"]])
    for key in (user, answered, device, outgoing_mobile, provider):
        assert 0 < len(rows[key["id"]]) < total, key["query"]
    assert all(r[13] == "ANSWERED" for r in rows[answered["id"]])
    assert sum(r[13] == "ANSWERED" for r in rows[everyone["id"]]) == len(rows[answered["id"]])
    # the user's calls: it placed them (Originator ID) or one of its devices took them
    assert all(r[17] == "123" or r[19] in ("31", "32") for r in rows[user["id"]])
    assert all("33" in (r[18], r[19]) for r in rows[device["id"]])
    assert all(r[6].startswith("1917") for r in rows[outgoing_mobile["id"]])
    assert {r[22] for r in rows[provider["id"]]} == {"ACME SIP backup"}


def test_tick_is_cheap_when_nothing_is_due(api, rt, monkeypatch):
    api.create(period="monthly")
    rt.tick()
    calls = []
    monkeypatch.setattr(scheduler, "run_due", lambda *a: calls.append(a))
    for _ in range(5):
        rt.clock.advance(timedelta(hours=1))
        rt.tick()
    assert calls == []
    rt.clock.set(parse_instant("2026-07-01T01:00:00Z"))
    assert len(calls) >= 1


def test_reset_and_snapshot_keep_the_schedule_consistent(api, rt):
    api.create(period="daily")
    snap = rt.snapshot()
    rt.reset()
    rt.clock.set(parse_instant("2026-06-12T10:00:00Z"))
    assert deliveries(rt) == []
    rt.restore(snap)
    rt.clock.set(parse_instant("2026-06-12T10:00:00Z"))
    assert len(deliveries(rt)) == 2


def test_deliveries_survive_a_snapshot_round_trip_and_still_render(api, rt):
    import json

    from mockcdr.core.store import dumps

    api.create(period="daily")
    api.advance(days=1)
    (d,) = deliveries(rt)
    params = json.loads(dumps(d["file"]))          # the recorded params are plain JSON
    assert VENDOR.render_file(rt, params).read() == VENDOR.render_file(rt, d["file"]).read()


@pytest.mark.parametrize("change,message", [
    (lambda task: {k: v for k, v in task.items() if k != "active"}, "record mor.tasks/1 lacks 'active'"),
    (lambda task: {**task, "next_run_at": "tomorrow"}, "'next_run_at' must be datetime or null"),
    # the right shape, but a period the scheduler cannot step: refused by the tasks' own check
    (lambda task: {**task, "period": "fortnightly"}, "record mor.tasks/1: period must be one of"),
])
def test_a_snapshot_with_tasks_the_scheduler_cannot_run_is_refused_and_changes_nothing(api, rt, change, message):
    import json

    from mockcdr.core.control import ControlError, restore_snapshot
    from mockcdr.core.store import dumps

    api.create(period="daily")
    snap = json.loads(dumps(rt.snapshot()))
    snap["store"]["mor.tasks"]["1"] = change(snap["store"]["mor.tasks"]["1"])
    snap["clock"] = {"frozen_at": parse_instant("2026-07-01T00:00:00Z").timestamp()}   # the task is due
    before = [dumps(rt.store.values(name)) for name in ("mor.tasks", "_deliveries", "_tokens")]
    with pytest.raises(ControlError, match=message):
        restore_snapshot(rt, snap)
    assert [dumps(rt.store.values(name)) for name in ("mor.tasks", "_deliveries", "_tokens")] == before
    assert rt.clock.now() < parse_instant("2026-07-01T00:00:00Z")
    assert api.get("/automatic_cdr_exports").status_code == 200
