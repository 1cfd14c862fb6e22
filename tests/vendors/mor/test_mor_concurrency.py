"""Many threads against a live server: no create lost, no run twice, a refresh token used once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from mor_support import PASSWORDS, QUICK_START, START

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer


def _settings(**options) -> Settings:
    return Settings(vendors=("mor",), seed="mor-live", clock_start=START, clock_frozen=True,
                    vendor_options={"mor": options} if options else {})


def _login(base: str) -> dict:
    resp = requests.post(f"{base}/authentication/login", auth=("acme_admin", PASSWORDS["acme_admin"]),
                         timeout=10)
    assert resp.status_code == 200
    return resp.json()


def test_concurrent_creates_are_all_kept_and_each_period_runs_once():
    with LiveServer(_settings()) as srv:
        base = f"{srv.url}/billing/api/v2"
        token = _login(base)["token"]
        headers = {"Authorization": f"Bearer {token}"}

        def create(i: int) -> int:
            with requests.Session() as session:
                resp = session.post(f"{base}/automatic_cdr_exports", headers=headers, timeout=10,
                                    json={**QUICK_START, "name": f"task {i}", "period": "hourly"})
                assert resp.status_code == 201, resp.text
                return resp.json()["automatic_cdr_export"]["id"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(create, range(40)))
        assert sorted(ids) == list(range(1, 41))
        listed = requests.get(f"{base}/automatic_cdr_exports", headers=headers, timeout=10).json()
        assert sorted(t["id"] for t in listed["automatic_cdr_exports"]) == sorted(ids)

        rt = srv.runtime

        def poke(_i: int) -> int:
            rt.clock.advance(timedelta(minutes=15))          # each move sweeps the scheduler
            return requests.get(f"{base}/cdr_export_templates", headers=headers, timeout=10).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(poke, range(12)))          # three virtual hours, from 8 threads
        assert set(codes) <= {200, 401}
        rt.tick()
        runs = [(d["source"]["task"], d["file"]["run_at"]) for d in rt.deliveries.list(vendor="mor")]
        assert len(runs) == len(set(runs)) == 40 * 3
        srv.raise_errors()


def test_a_rotating_refresh_token_is_redeemed_exactly_once():
    with LiveServer(_settings(rotate_refresh_tokens=True)) as srv:
        base = f"{srv.url}/api/v2"
        refresh = _login(base)["refresh_token"]

        def redeem(_i: int) -> int:
            return requests.post(f"{base}/authentication/refresh", json={"refresh_token": refresh},
                                 timeout=10).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(redeem, range(16)))
        assert sorted(codes) == [200] + [401] * 15
        srv.raise_errors()
