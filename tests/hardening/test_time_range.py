"""The end of time: the clock accepts instants from 1970-01-01 to 9000-01-01 (400 outside), and every
vendor works at both ends with every retention, lifetime and look-back at its longest (100 years)."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest

from mockcdr.app import create_app
from mockcdr.core.clock import EARLIEST, LATEST, LONGEST_SECONDS, LONGEST_SPAN, Clock
from mockcdr.settings import Settings, SettingsError

from hostile import (DIDWW_KEY, JSONAPI, MOR, MOR_USER, TELNYX_KEY, YETI, YETI_ACCOUNT, make_app, yeastar_token,
                     yeti_jwt)

UTC = timezone.utc
DAYS = LONGEST_SPAN.days
# every span a vendor lets you configure, at its longest
LONGEST_OPTIONS = {
    "didww": {"pending_seconds": LONGEST_SECONDS, "processing_seconds": LONGEST_SECONDS,
              "retention_seconds": LONGEST_SECONDS, "months_available": 1200,
              "callback_backoff": [0, LONGEST_SECONDS]},
    "telnyx": {"generation_seconds": LONGEST_SECONDS, "retention_days": DAYS, "max_lookback_days": DAYS,
               "report_url_ttl_seconds": LONGEST_SECONDS},
    "yeti": {"token_lifetime": int(LONGEST_SECONDS), "cdr_history_days": DAYS},
    "mor": {"token_ttl_seconds": LONGEST_SECONDS, "refresh_ttl_seconds": LONGEST_SECONDS},
    "yeastar": {"token_ttl_seconds": 86_400 * 365, "random_ttl_seconds": 86_400, "lockout_seconds": 86_400 * 30},
}


@pytest.fixture
def client():
    app = make_app(clock_frozen=False)
    return app.test_client()


# -- the reproductions ---------------------------------------------------------------------------------
def test_the_end_of_time_is_refused_and_the_clock_stays(client):
    """It answered 200, and within a second every request answered 500 until a reset."""
    before = client.post("/_mockcdr/clock/freeze").get_json()
    response = client.put("/_mockcdr/clock", json={"now": "9999-12-31T23:59:59Z", "frozen": False})
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert "from 1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z" in message
    assert client.get("/_mockcdr/clock").get_json() == before      # not even unfrozen
    assert client.get("/v3/exports").status_code == 401


def test_an_advance_past_any_datetime_is_400_not_500(client):
    before = client.post("/_mockcdr/clock/freeze").get_json()
    for by in ("P104909635608W", "P99999999999999999999D", "PT1e400S", 1e300, "9" * 400):
        response = client.post("/_mockcdr/clock/advance", json={"by": by})
        assert response.status_code == 400, (by, response.get_data())
        assert response.get_json()["error"]["message"].startswith("by: ")
    assert client.get("/_mockcdr/clock").get_json() == before


@pytest.mark.parametrize("call", [
    ("PUT", "/_mockcdr/clock", {"now": "1969-12-31T23:59:59Z"}),
    ("PUT", "/_mockcdr/clock", {"now": "9000-01-01T00:00:00.001Z", "frozen": True}),
    ("POST", "/_mockcdr/clock/freeze", {"at": "0001-01-01T00:00:00Z"}),
    ("POST", "/_mockcdr/clock/freeze", {"at": "9999-12-31T23:59:59Z"}),
    ("POST", "/_mockcdr/clock/advance", {"by": -86_400 * 365 * 100}),
    ("POST", "/_mockcdr/clock/advance", {"by": "P3000000D"}),
], ids=["set-1969", "set-past-9000", "freeze-year-1", "freeze-9999", "advance-back-100y", "advance-8000y"])
def test_every_way_of_moving_the_clock_keeps_to_the_range(client, call):
    method, path, body = call
    client.put("/_mockcdr/clock", json={"now": "2026-04-20T12:00:00Z", "frozen": True})
    response = client.open(path, method=method, json=body)
    assert response.status_code == 400 and "1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z" in \
        response.get_json()["error"]["message"]
    assert client.get("/_mockcdr/clock").get_json()["now"] == "2026-04-20T12:00:00.000Z"


@pytest.mark.parametrize("clock", [{"frozen_at": -1}, {"frozen_at": LATEST.timestamp() + 1}, {"now": 1e300},
                                   {"now": float("inf")}])
def test_a_snapshot_outside_the_range_is_refused(client, clock):
    client.get("/v3/exports")
    snap = client.get("/_mockcdr/snapshot").get_json()
    response = client.post("/_mockcdr/snapshot", json=dict(snap, clock=clock))
    assert response.status_code == 400


def test_the_range_is_inclusive_and_its_ends_are_reachable(client):
    assert client.put("/_mockcdr/clock", json={"now": "9000-01-01T00:00:00Z", "frozen": True}).status_code == 200
    assert client.post("/_mockcdr/clock/advance", json={"by": -1}).get_json()["now"] == "8999-12-31T23:59:59.000Z"
    assert client.post("/_mockcdr/clock/freeze", json={"at": "1970-01-01T00:00:00Z"}).status_code == 200
    assert client.post("/_mockcdr/clock/advance", json={"by": -1}).status_code == 400


def test_a_start_outside_the_range_stops_the_server_at_start():
    with pytest.raises(SettingsError, match="clock_start"):
        Settings(clock_start="9500-01-01T00:00:00Z").with_()
    with pytest.raises(ValueError):
        Clock(datetime(1969, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("slug,option,value", [
    ("didww", "retention_seconds", LONGEST_SECONDS + 1), ("didww", "months_available", 1201),
    ("didww", "callback_backoff", [0, 1e12]), ("telnyx", "retention_days", DAYS + 1),
    ("telnyx", "max_lookback_days", 1e9), ("telnyx", "report_url_ttl_seconds", 1e300),
    ("yeti", "token_lifetime", 10 ** 12), ("yeti", "cdr_history_days", DAYS + 1),
    ("mor", "token_ttl_seconds", 1e12), ("mor", "refresh_ttl_seconds", float("inf")),
])
def test_spans_longer_than_100_years_stop_the_server_at_start(slug, option, value):
    from mockcdr.core.fixtures import FixtureError

    with pytest.raises(FixtureError, match=option):
        create_app(Settings(vendors=(slug,), vendor_options={slug: {option: value}}))


def test_longer_job_timings_and_policies_are_refused():
    with pytest.raises(SettingsError, match="100 years"):
        Settings(timings={"didww.export": {"pending": 1e12}}).with_()
    app = make_app(vendors=("didww",))
    response = app.test_client().put("/_mockcdr/transitions/didww.export", json={"seconds": {"pending": 4e9}})
    assert response.status_code == 400 and "100 years" in response.get_json()["error"]["message"]


# -- headroom: every vendor at both ends of the range, every span at its longest ----------------------
def _exercise(app, now: datetime) -> list[tuple[str, int]]:
    """Log in, create, poll and download on every vendor with windows just before ``now``."""
    c = app.test_client()
    day = (now - timedelta(days=1)).date()
    out = []

    def hit(name, response):
        response.get_data()
        out.append((name, response.status_code))
        return response

    headers = {"Api-Key": DIDWW_KEY, "Content-Type": JSONAPI, "X-DIDWW-API-Version": "2026-04-16"}
    export = hit("didww create", c.post("/v3/exports", headers=headers, json={"data": {
        "type": "exports", "attributes": {"export_type": "cdr_in", "filters": {
            "from": str(day), "to": str(day + timedelta(days=1))}}}})).get_json()
    hit("didww poll", c.get(f"/v3/exports/{export['data']['id']}", headers=headers))
    hit("didww list", c.get("/v3/exports", headers=headers))

    bearer = {"Authorization": f"Bearer {TELNYX_KEY}"}
    job = hit("telnyx create", c.post("/reporting/cdr_requests", headers=bearer, json={
        "start_time": f"{day}T00:00:00Z", "end_time": f"{day}T12:00:00Z", "call_types": [1],
        "record_types": [1]})).get_json()
    hit("telnyx poll", c.get(f"/reporting/cdr_requests/{job['id']}", headers=bearer))
    hit("telnyx report", c.get(job["report_url"].removeprefix("http://localhost")))

    jwt = yeti_jwt(c)
    body = {"data": {"type": "cdr-exports", "attributes": {"filters": {
        "time_start_gteq": str(day), "time_start_lt": str(day + timedelta(days=1))}},
        "relationships": {"account": {"data": {"type": "accounts", "id": YETI_ACCOUNT}}}}}
    export = hit("yeti create", c.post(f"{YETI}/cdr-exports", json=body,
                                       headers={"Authorization": jwt, "Content-Type": JSONAPI})).get_json()
    hit("yeti download", c.get(f"{YETI}/cdr-exports/{export['data']['id']}/download", headers={"Authorization": jwt}))

    basic = base64.b64encode(f"{MOR_USER[0]}:{MOR_USER[1]}".encode()).decode()
    tokens = hit("mor login", c.post(f"{MOR}/authentication/login", headers={"Authorization": f"Basic {basic}"}))
    mor = {"Authorization": f"Bearer {tokens.get_json()['token']}"}
    hit("mor refresh", c.post(f"{MOR}/authentication/refresh",
                              json={"refresh_token": tokens.get_json()["refresh_token"]}))
    for period in ("daily", "weekly", "monthly"):
        hit(f"mor {period} task", c.post(f"{MOR}/automatic_cdr_exports", headers=mor, json={
            "name": period, "period": period, "timezone": "London", "cdr_export_at_time": "02:00:00",
            "monthly_export_day": 31, "template_id": 5, "send_cdr_to": "user", "send_to_user_id": 123,
            "query": {"s_user_id": 123}, "archive_extension": "tgz", "active": True}))
    hit("mor list", c.get(f"{MOR}/automatic_cdr_exports", headers=mor))

    token = yeastar_token(c)
    window = {"extid": "all", "starttime": f"{day} 00:00:00", "endtime": f"{day} 23:59:59"}
    random = hit("yeastar random", c.post(f"/api/v1.1.0/cdr/get_random?token={token}", json=window)).get_json()
    hit("yeastar download", c.get("/api/v1.1.0/cdr/download",
                                  query_string={**window, "token": token, "random": random.get("random")}))
    hit("journal", c.get("/_mockcdr/journal"))
    hit("snapshot", c.get("/_mockcdr/snapshot"))
    hit("jobs", c.get("/_mockcdr/jobs"))
    hit("deliveries", c.get("/_mockcdr/deliveries"))
    return out


@pytest.mark.parametrize("at", [EARLIEST + timedelta(days=2), LATEST], ids=["1970", "9000"])
def test_every_vendor_works_at_the_ends_of_the_range_with_the_longest_spans(at):
    app = create_app(Settings(seed="range", clock_start=at.isoformat(), clock_frozen=True,
                              vendor_options=LONGEST_OPTIONS))
    app.config["TESTING"] = True
    rt = app.extensions["mockcdr"]
    for kind in rt.lifecycle.kinds:               # jobs finish at once (their retention stays 100 years)
        rt.lifecycle.set_policy(kind, {"mode": "immediate"})
    statuses = _exercise(app, at)
    assert not rt.errors, rt.errors
    assert all(status < 500 for _, status in statuses), statuses
    assert dict(statuses)["didww create"] == 201 and dict(statuses)["yeti download"] == 200
    assert dict(statuses)["telnyx report"] == 200 and dict(statuses)["yeastar download"] == 200
    assert dict(statuses)["mor monthly task"] == 201
    rt.clock.unfreeze()                           # and on past the last accepted instant
    assert all(status < 500 for _, status in _exercise(app, at))
    assert not rt.errors, rt.errors


def test_windows_before_1970_are_served_from_a_clock_at_its_start():
    """At 1970-01-01 the look-back windows reach into 1969 (negative epoch seconds)."""
    app = make_app(clock_start="1970-01-01T06:00:00Z")
    rt = app.extensions["mockcdr"]
    for kind in rt.lifecycle.kinds:
        rt.lifecycle.set_policy(kind, {"mode": "immediate"})
    statuses = dict(_exercise(app, datetime(1970, 1, 1, 6, tzinfo=UTC)))
    assert not rt.errors, rt.errors
    assert statuses["didww create"] == 201 and statuses["yeastar download"] == 200


@pytest.mark.parametrize("now", ["9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z"])
def test_a_session_cannot_start_outside_the_range(client, now):
    rt = client.application.extensions["mockcdr"]
    response = client.put("/_mockcdr/sessions/far", json={"clock": {"now": now, "frozen": True}})
    assert response.status_code == 400
    assert "1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z" in response.get_json()["error"]["message"]
    assert client.get("/_mockcdr/sessions/far").status_code == 404 and not rt.errors
    assert client.put("/_mockcdr/sessions/far", json={"clock": {"now": "9000-01-01T00:00:00Z"}}).status_code == 201
    assert client.get("/_s/far/_mockcdr/clock").get_json()["now"] == "9000-01-01T00:00:00.000Z"
