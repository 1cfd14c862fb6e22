"""Every validation rule of the issue: 422 {"error": "... was not created|updated", "details": {...}}."""
from __future__ import annotations

import pytest
from mor_support import QUICK_START, Api, make_app

NOT_CREATED = "Automatic CDR export was not created"
ONCE = {"period": "only_once", "s_from": "2026-05-01T00:00:00", "s_till": "2026-05-31T23:59:59",
        "cdr_export_at_datetime": "2026-06-11T08:00:00"}

CASES = [
    ({"name": ""}, {"name": ["Name cannot be blank"]}),
    ({"name": "   "}, {"name": ["Name cannot be blank"]}),
    ({"name": None}, {"name": ["Name cannot be blank"]}),
    ({"period": "yearly"}, {"period": ["Period is not included in the list"]}),
    ({"period": "biweekly"}, {"period": ["Period is not included in the list"]}),
    ({"period": None}, {"period": ["Period can't be blank"]}),
    ({"timezone": "Mars"}, {"timezone": ["Timezone is not included in the list"]}),
    ({"timezone": "Europe/London"}, {"timezone": ["Timezone is not included in the list"]}),
    ({"timezone": 3}, {"timezone": ["Timezone is not included in the list"]}),
    ({"cdr_export_at_time": "24:00:00"}, {"cdr_export_at_time": ["Cdr export at time is invalid"]}),
    ({"cdr_export_at_time": "2am"}, {"cdr_export_at_time": ["Cdr export at time is invalid"]}),
    ({"monthly_export_day": 0}, {"monthly_export_day": ["Monthly export day must be between 1 and 31"]}),
    ({"monthly_export_day": 32}, {"monthly_export_day": ["Monthly export day must be between 1 and 31"]}),
    ({"monthly_export_day": "first"}, {"monthly_export_day": ["Monthly export day is not a number"]}),
    ({"template_id": None}, {"template_id": ["Template must be selected"]}),
    ({"template_id": 0}, {"template_id": ["Template must be selected"]}),
    ({"template_id": 404}, {"template_id": ["Template was not found"]}),
    ({"template_id": 8}, {"template_id": ["Template was not found"]}),       # globex admin's
    ({"template_id": 7}, {"template_id": ["Template was not found"]}),       # no columns
    ({"send_cdr_to": "fax"}, {"send_cdr_to": ["Send cdr to is not included in the list"]}),
    ({"send_to_user_id": None}, {"send_to_user_id": ["Send CDR to User must be selected"]}),
    ({"send_to_user_id": "someone"}, {"send_to_user_id": ["Send CDR to User must be selected"]}),
    ({"send_to_user_id": 220}, {"send_to_user_id": ["User was not found"]}),  # a globex user
    ({"send_to_user_id": 9999}, {"send_to_user_id": ["User was not found"]}),
    ({"send_cdr_to": "email"}, {"send_to_email": ["Send CDR to Email invalid format"]}),
    ({"send_cdr_to": "email", "send_to_email": "not-an-address"},
     {"send_to_email": ["Send CDR to Email invalid format"]}),
    ({"archive_extension": "rar"}, {"archive_extension": ["Archive extension is not included in the list"]}),
    ({"filename_prefix": "../etc/"}, {"filename_prefix": ["Filename prefix is invalid"]}),
    ({"query": "s_user_id=1"}, {"query": ["Query is invalid"]}),
    ({"query": {"s_user_id": [1, 2]}}, {"query": ["Query is invalid"]}),
    ({"active": "maybe"}, {"active": ["Active is not included in the list"]}),
    ({**ONCE, "s_from": None, "s_till": None, "cdr_export_at_datetime": None},
     {"s_from": ["From can't be blank"], "s_till": ["Till can't be blank"],
      "cdr_export_at_datetime": ["Start CDR Export at can't be blank"]}),
    ({**ONCE, "s_from": "yesterday"}, {"s_from": ["From is invalid"]}),
    ({**ONCE, "s_till": "2026-05-01T00:00:00"}, {"s_till": ["Till must be greater than From"]}),
    ({**ONCE, "s_till": "2026-04-30T00:00:00"}, {"s_till": ["Till must be greater than From"]}),
    ({**ONCE, "cdr_export_at_datetime": "2026-06-10T10:00:00Z"},
     {"cdr_export_at_datetime": ["Start CDR Export at must be in future"]}),
    ({**ONCE, "cdr_export_at_datetime": "2026-06-01T12:00:00"},
     {"cdr_export_at_datetime": ["Start CDR Export at must be in future"]}),
]


@pytest.mark.parametrize("change,details", CASES, ids=[str(c[0])[:60] for c in CASES])
def test_create_rule(api, change, details):
    resp = api.post("/automatic_cdr_exports", json={**QUICK_START, **change})
    assert resp.status_code == 422
    assert resp.get_json() == {"error": NOT_CREATED, "details": details}


@pytest.mark.parametrize("change,details", CASES[:12], ids=[str(c[0])[:60] for c in CASES[:12]])
def test_update_rule_says_not_updated(api, change, details):
    task = api.create()
    resp = api.patch(f"/automatic_cdr_exports/{task['id']}", json=change)
    assert resp.status_code == 422
    assert resp.get_json() == {"error": "Automatic CDR export was not updated", "details": details}
    assert api.get(f"/automatic_cdr_exports/{task['id']}").get_json()["automatic_cdr_export"] == task


def test_all_problems_are_reported_together(api):
    resp = api.post("/automatic_cdr_exports", json={"period": "weekly", "send_cdr_to": "email"})
    assert resp.status_code == 422
    assert resp.get_json()["details"] == {
        "name": ["Name cannot be blank"], "template_id": ["Template must be selected"],
        "send_to_email": ["Send CDR to Email invalid format"]}


@pytest.mark.parametrize("target", ["ftp", "sftp"])
def test_ftp_and_sftp_are_accepted_without_configured_paths(api, target):
    task = api.create(send_cdr_to=target, send_to_user_id=None)
    assert task["send_cdr_to"] == target and task["send_to_user_id"] is None


def test_email_target_and_time_without_seconds(api):
    task = api.create(send_cdr_to="email", send_to_email=" noc@wholesale.example ",
                      cdr_export_at_time="07:30", period="daily")
    assert task["send_to_email"] == "noc@wholesale.example" and task["send_to_user_id"] is None
    assert task["cdr_export_at_time"] == "07:30:00" and task["next_run_at"] == "2026-06-11 07:30:00"


def test_only_once_accepted_with_a_future_instant(api):
    task = api.create(**ONCE)
    assert task["next_run_at"] == "2026-06-11 08:00:00"
    assert (task["s_from"], task["s_till"]) == ("2026-05-01 00:00:00", "2026-05-31 23:59:59")
    with_offset = api.create(**{**ONCE, "cdr_export_at_datetime": "2026-06-11T08:00:00+02:00"})
    assert with_offset["next_run_at"] == "2026-06-11 07:00:00"    # shown in London time


def test_iana_zones_when_configured():
    app = make_app(options={"accept_iana_timezones": True})
    api = Api(app.test_client(), app.extensions["mockcdr"])
    assert api.create(timezone="Europe/Vilnius", period="daily")["next_run_at"] == "2026-06-11 02:00:00"


def test_timezone_defaults_to_the_admins_zone(api):
    body = {k: v for k, v in QUICK_START.items() if k != "timezone"}
    resp = api.post("/automatic_cdr_exports", json={**body, "period": "daily"})
    task = resp.get_json()["automatic_cdr_export"]
    assert task["timezone"] == "Eastern Time (US & Canada)" and task["next_run_at"] == "2026-06-11 02:00:00"


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", b'"text"'])
def test_bodies_that_are_not_json_objects_are_400(api, data):
    resp = api.post("/automatic_cdr_exports", data=data, content_type="application/json")
    assert resp.status_code == 400
    assert set(resp.get_json()) == {"error"}
