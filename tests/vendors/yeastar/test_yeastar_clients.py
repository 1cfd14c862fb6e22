"""Real HTTP clients against a live server, called the way the reference clients call a PBX."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from urllib.parse import quote

import pytest
import requests

from mockcdr.testing import LiveServer
from places import PLACES, at
from yeastar_helpers import DAY, PASSWORD, USER, yeastar_settings


@pytest.fixture(scope="module")
def live():
    with LiveServer(yeastar_settings()) as srv:
        yield srv


@pytest.fixture(scope="module", params=PLACES)
def server(live, request):
    """Every test runs at the server's root and again inside a session."""
    yield from at(live, request.param)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class OkallStyle:
    """A small requests client: JSON headers, GET download with the times as typed, logout."""

    def __init__(self, base: str):
        self.base = base
        self.headers = {"Content-type": "application/json", "charset": "utf-8"}
        self.token = None

    def login(self) -> bool:
        r = requests.post(f"{self.base}/login", headers=self.headers,
                          json={"username": USER, "password": _md5(PASSWORD), "port": "8260"})
        self.token = r.json().get("token")
        return self.token is not None

    def cdr(self, extid: str, start: str, end: str) -> str | None:
        r = requests.post(f"{self.base}/cdr/get_random?token={self.token}", headers=self.headers,
                          json={"extid": extid, "starttime": start, "endtime": end})
        random = r.json()["random"]
        r = requests.get(f"{self.base}/cdr/download?extid={extid}&starttime={start}&endtime={end}"
                         f"&token={self.token}&random={random}")
        return None if "errno" in r.text else r.text

    def logout(self) -> bool:
        r = requests.post(f"{self.base}/logout?token={self.token}", headers=self.headers)
        return "Success" in r.text


def test_a_requests_client_walks_login_random_download_logout(server):
    client = OkallStyle(f"{server.url}/api/v1.1.0")
    assert client.login()
    text = client.cdr("1000,1001", *DAY)
    assert text is not None
    lines = text.splitlines()
    assert lines[0].split(",")[0] == "callid" and len(lines) > 2
    assert client.logout()
    r = requests.post(f"{client.base}/heartbeat?token={client.token}")
    assert r.status_code == 200 and r.json() == {"status": "Failed", "errno": "20004"}


def test_a_text_plain_json_body_and_a_positional_csv_load(server):
    base = f"{server.url}/api/v1.1.0"
    token = requests.post(f"{base}/login", json={"username": USER, "password": _md5(PASSWORD),
                                                 "port": "8260"}).json()["token"]
    body = '{"extid": "all", "starttime": "%s", "endtime": "%s"}' % DAY
    r = requests.post(f"{base}/cdr/get_random?token={token}", data=body,
                      headers={"Content-Type": "text/plain"})
    random = r.json()["random"]
    r = requests.get(f"{base}/cdr/download?extid=all&starttime={DAY[0]}&endtime={DAY[1]}"
                     f"&token={token}&random={random}")
    reader = csv.reader(io.StringIO(r.text))
    next(reader)
    rows = list(reader)
    assert rows and all(len(row) == 14 for row in rows)


def test_a_post_download_with_an_empty_body_and_a_numeric_port(server):
    base = f"{server.url}/api/v1.1.0"
    payload = json.dumps({"username": USER, "password": _md5(PASSWORD), "port": 0})
    r = requests.post(f"{base}/login", data=payload,
                      headers={"Content-Type": "application/json; charset=utf8",
                               "Content-Length": str(len(payload))})
    assert r.json()["status"] != "Failed"
    token = r.json()["token"]
    response = requests.post(f"{base}/cdr/get_random?token={token}",
                             json={"extid": "all", "starttime": DAY[0], "endtime": DAY[1]}).json()
    r = requests.post(f"{base}/cdr/download?extid=all&starttime={response['starttime']}"
                      f"&endtime={response['endtime']}&token={token}&random={response['random']}")
    assert r.status_code == 200
    cells = [line.split(",") for line in r.text.strip().split("\n")]
    assert cells[0][13] == "sn" and all(len(c) == 14 for c in cells[1:])


def test_an_encode_uri_component_client_on_api_v2(server):
    base = f"{server.url}/api/v2.0.0"
    headers = {"User-Agent": "YeastarConnector/1.0", "Content-Type": "application/json; charset=utf-8"}
    token = requests.post(f"{base}/login", headers=headers, json={
        "username": USER, "password": _md5(PASSWORD), "version": "2.0.0", "port": "8260"}).json()["token"]
    random = requests.post(f"{base}/cdr/get_random?token={quote(token, safe='')}", headers=headers,
                           json={"number": "1002,1003", "starttime": DAY[0], "endtime": DAY[1]}).json()["random"]
    url = (f"{base}/cdr/download?number={quote('1002,1003', safe='')}&starttime={quote(DAY[0], safe='')}"
           f"&endtime={quote(DAY[1], safe='')}&token={token}&random={random}")
    r = requests.get(url, headers={"User-Agent": "YeastarConnector/1.0"}, timeout=15)
    assert r.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(r.text)))
    assert [h.lower() for h in header][:2] == ["callid", "timestart"] and rows


def _session(server):
    base = f"{server.url}/api/v1.1.0"
    token = requests.post(f"{base}/login", json={"username": USER, "password": _md5(PASSWORD),
                                                 "port": "8260"}).json()["token"]
    return base, token


def test_fifty_concurrent_redeems_of_one_random_serve_one_csv(server):
    base, token = _session(server)
    random = requests.post(f"{base}/cdr/get_random?token={token}",
                           json={"extid": "all", "starttime": DAY[0], "endtime": DAY[1]}).json()["random"]
    url = (f"{base}/cdr/download?extid=all&starttime={DAY[0]}&endtime={DAY[1]}"
           f"&token={token}&random={random}")
    barrier = threading.Barrier(50)
    results = []
    lock = threading.Lock()

    def redeem():
        with requests.Session() as s:
            barrier.wait()
            r = s.get(url)
        with lock:
            results.append((r.status_code, r.headers["Content-Type"], r.text))

    threads = [threading.Thread(target=redeem) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 50 and all(status == 200 for status, _, _ in results)
    csvs = [text for _, kind, text in results if kind.startswith("text/csv")]
    refusals = [json.loads(text) for _, kind, text in results if kind.startswith("application/json")]
    assert len(csvs) == 1 and csvs[0].startswith("callid,")
    assert refusals == [{"status": "Failed", "errno": "20020"}] * 49


def test_concurrent_get_randoms_are_all_distinct_and_each_usable_once(server):
    base, token = _session(server)
    randoms = []
    lock = threading.Lock()

    def ask():
        r = requests.post(f"{base}/cdr/get_random?token={token}",
                          json={"extid": "1000", "starttime": DAY[0], "endtime": DAY[1]})
        with lock:
            randoms.append(r.json()["random"])

    threads = [threading.Thread(target=ask) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(randoms)) == 20
    for random in randoms:
        r = requests.get(f"{base}/cdr/download?extid=1000&starttime={DAY[0]}&endtime={DAY[1]}"
                         f"&token={token}&random={random}")
        assert r.headers["Content-Type"].startswith("text/csv")
