"""Testing against an in-process app (no sockets): Yeastar's one-time, 30-second random."""
import csv
import hashlib
import io
from datetime import timedelta

from mockcdr.control_client import ControlClient

LOGIN = {"username": "acme-api", "password": hashlib.md5(b"acme-fake-api-pass").hexdigest(), "port": "8260"}
WINDOW = {"extid": "all", "starttime": "2026-04-15 00:00:00", "endtime": "2026-04-15 23:59:59"}


def token(client):
    return client.post("/api/v1.1.0/login", json=LOGIN).get_json()["token"]


def download(client, tok, random):
    return client.get("/api/v1.1.0/cdr/download", query_string={**WINDOW, "token": tok, "random": random})


def test_a_random_buys_one_csv(mockcdr_client):
    tok = token(mockcdr_client)
    random = mockcdr_client.post(f"/api/v1.1.0/cdr/get_random?token={tok}", json=WINDOW).get_json()["random"]
    first = download(mockcdr_client, tok, random)
    rows = list(csv.reader(io.StringIO(first.get_data(as_text=True))))
    assert rows[0][:3] == ["callid", "timestart", "callfrom"] and len(rows) > 1
    assert all(r[1].startswith("2026-04-15") for r in rows[1:])
    assert download(mockcdr_client, tok, random).get_json() == {"status": "Failed", "errno": "20020"}


def test_a_random_expires_after_thirty_seconds_on_the_virtual_clock(mockcdr_app, mockcdr_client):
    tok = token(mockcdr_client)
    random = mockcdr_client.post(f"/api/v1.1.0/cdr/get_random?token={tok}", json=WINDOW).get_json()["random"]
    mockcdr_app.extensions["mockcdr"].clock.advance(timedelta(seconds=31))   # or ControlClient.for_app
    assert download(mockcdr_client, tok, random).get_json()["errno"] == "20020"


def test_the_session_expires_after_thirty_idle_minutes(mockcdr_app, mockcdr_client):
    tok = token(mockcdr_client)
    ControlClient.for_app(mockcdr_app).advance_clock("PT31M")
    answer = mockcdr_client.post(f"/api/v1.1.0/cdr/get_random?token={tok}", json=WINDOW).get_json()
    assert answer["status"] == "Failed" and answer["errno"] in ("20004", "20006")
