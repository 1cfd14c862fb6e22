"""Fixtures for the Telnyx tests: an app on a frozen clock, credentials, and a small API helper."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from mockcdr.app import create_app
from mockcdr.settings import Settings

NOW = datetime(2024, 2, 12, 12, 0, tzinfo=timezone.utc)
V1 = "/reporting/cdr_requests"
V2 = "/v2/legacy/reporting/batch_detail_records/voice"


def iso(dt: datetime) -> str:
    return dt.isoformat()


class Api:
    """Requests as a user would send them, with the default fixture's credentials."""

    def __init__(self, app):
        self.app = app
        self.rt = app.extensions["mockcdr"]
        self.client = app.test_client()
        self.accounts = self.rt.state["telnyx"].accounts

    # credentials
    def v1_headers(self, account: str = "acme") -> dict:
        a = self.accounts[account]
        return {"x-api-user": a.email, "x-api-token": a.v1_token}

    def token(self, account: str = "acme") -> dict:
        return {"Authorization": f"Token {self.accounts[account].v1_token}"}

    def bearer(self, account: str = "acme") -> dict:
        return {"Authorization": f"Bearer {self.accounts[account].api_key}"}

    # V1
    def create(self, body: dict | None = None, account: str = "acme", **fields):
        body = dict(body or {"start_time": iso(self.rt.clock.now() - timedelta(days=1))}, **fields)
        return self.client.post(V1, json=body, headers=self.v1_headers(account))

    def created(self, body: dict | None = None, account: str = "acme", **fields) -> dict:
        resp = self.create(body, account, **fields)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def show(self, job_id: str, account: str = "acme"):
        return self.client.get(f"{V1}/{job_id}", headers=self.v1_headers(account))

    # V2
    def create_v2(self, body: dict, account: str = "acme"):
        return self.client.post(V2, json=body, headers=self.bearer(account))

    # reports
    def complete(self, job: dict) -> dict:
        self.rt.lifecycle.force(job["id"], "complete")
        return self.show(job["id"]).get_json()

    def download(self, url: str):
        assert url.startswith("http://localhost/"), url
        return self.client.get(url[len("http://localhost"):])

    def report_rows(self, body: dict | None = None, v2: bool = False, **fields) -> list[dict]:
        """Create a request, complete it and return the CSV rows as dicts."""
        if v2:
            resp = self.create_v2(dict(body or {}, **fields))
            assert resp.status_code == 200, resp.get_json()
            job = resp.get_json()["data"]
        else:
            job = self.created(body, **fields)
        url = self.complete(job)["report_url"]
        resp = self.download(url)
        assert resp.status_code == 200 and resp.mimetype == "text/csv"
        return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


SETTINGS = Settings(vendors=("telnyx",), seed="telnyx-tests", clock_start=iso(NOW), clock_frozen=True)


def make_app(**changes):
    app = create_app(SETTINGS.with_(**changes) if changes else SETTINGS)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def mockcdr_settings() -> Settings:
    return SETTINGS


@pytest.fixture
def api(app) -> Api:
    return Api(app)


@pytest.fixture
def make_api():
    """An Api over a fresh app built with Settings changes (e.g. vendor_options)."""
    return lambda **changes: Api(make_app(**changes))
