"""Threads against a live server: concurrent creates lose nothing; a one-time link pays out once."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

V1 = "/reporting/cdr_requests"
V2 = "/v2/legacy/reporting/batch_detail_records/voice"
HEADERS = {  # (account, api) -> credentials
    ("acme", V1): {"x-api-user": "ops@acme.example", "x-api-token": "fake-v1-token-acme-0001"},
    ("acme", V2): {"Authorization": "Bearer KEYFAKEACME00000000000000000001_FakeSecretAcme0001"},
    ("globex", V1): {"Authorization": "Token fake-v1-token-globex-0001"},
    ("globex", V2): {"Authorization": "Bearer KEYFAKEGLOBEX000000000000000001_FakeSecretGlobex0001"},
}


def settings(**options) -> Settings:
    return Settings(vendors=("telnyx",), seed="threads", clock_start="2024-02-12T12:00:00Z", clock_frozen=True,
                    threads=8, vendor_options={"telnyx": options})


def test_concurrent_creates_are_all_kept():
    per_thread, threads = 10, 8
    start = threading.Barrier(threads)

    def work(n: int) -> list[str]:
        """Even threads are acme, odd globex; half of each use V1, half V2."""
        headers = HEADERS[("globex" if n % 2 else "acme", V1 if n % 4 < 2 else V2)]
        path = V1 if n % 4 < 2 else V2
        body = {"start_time": "2024-02-11T00:00:00Z", "end_time": "2024-02-12T00:00:00Z"}
        ids = []
        with requests.Session() as s:
            start.wait()
            for _ in range(per_thread):
                r = s.post(srv.url + path, json=body, headers=headers)
                assert r.status_code == 200, r.text
                ids.append((r.json().get("data") or r.json())["id"])
        return ids

    with LiveServer(settings()) as srv:
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(work, range(threads)))
        srv.raise_errors()
        created = [i for ids in results for i in ids]
        assert len(set(created)) == per_thread * threads
        acme = requests.get(srv.url + V1 + "?per_page=1000", headers=HEADERS[("acme", V1)]).json()
        globex = requests.get(srv.url + V1 + "?per_page=1000", headers=HEADERS[("globex", V1)]).json()
        assert {r["id"] for r in acme} == {i for n, ids in enumerate(results) if n % 2 == 0 for i in ids}
        assert {r["id"] for r in globex} == {i for n, ids in enumerate(results) if n % 2 for i in ids}


def test_one_time_link_is_redeemed_exactly_once():
    with LiveServer(settings(report_url_one_time=True)) as srv:
        srv.runtime.lifecycle.set_policy("telnyx.cdr_request", {"mode": "immediate"})
        url = requests.post(srv.url + V1, json={"start_time": "2024-02-11T00:00:00Z"},
                            headers=HEADERS[("acme", V1)]).json()["report_url"]
        threads = 12
        start = threading.Barrier(threads)

        def fetch(_):
            with requests.Session() as s:
                start.wait()
                r = s.get(url)
                return r.status_code, r.content

        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(fetch, range(threads)))
        srv.raise_errors()
        statuses = sorted(status for status, _ in results)
        assert statuses == [200] + [404] * (threads - 1)
        body = next(content for status, content in results if status == 200)
        assert body.startswith(b"billable_time,") and body.count(b"\n") > 1
