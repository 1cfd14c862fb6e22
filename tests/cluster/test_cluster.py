"""Two mockcdr processes behind nginx (deploy/nginx): sessions pinned by id, URLs that name the proxy."""
from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
from urllib.parse import urlsplit

import pytest
import requests

from cluster import CLOCK, MOCKCDR, Cluster, needs_nginx

pytestmark = needs_nginx
JSONAPI = "application/vnd.api+json"
DIDWW = {"Api-Key": "didww-test-globex-51a7c9d2", "Content-Type": JSONAPI, "Accept": JSONAPI}
YEASTAR_LOGIN = {"username": "acme-api", "password": "7f2b71d957386f24a6904bdf329e821f", "port": "8260"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with Cluster(tmp_path_factory.mktemp("cluster")) as running:
        yield running


def put(base: str, session_id: str, **spec) -> requests.Response:
    return requests.put(f"{base}/_mockcdr/sessions/{session_id}", json=spec or None, timeout=10)


def on_each_node(cluster, stem: str) -> dict[str, str]:
    """A session id held by each node: named sessions until both nodes hold one."""
    found: dict[str, str] = {}
    for i in range(64):
        sid = f"{stem}-{i}"
        assert put(cluster.url, sid).status_code == 201
        node = requests.get(f"{cluster.url}/_mockcdr/sessions/{sid}").json()["node"]
        found.setdefault(node, sid)
        if len(found) == len(cluster.nodes):
            return found
    raise AssertionError(f"64 ids all hashed to {set(found)}")


def test_forty_named_sessions_spread_over_both_processes_and_stay_reachable(cluster):
    ids = [f"ci-job-{i}" for i in range(40)]
    for sid in ids:
        created = put(cluster.url, sid, seed=sid)
        assert created.status_code == 201, created.text
        assert created.json()["base_url"] == f"{cluster.url}/_s/{sid}"
    held = {n.name: n.sessions() & set(ids) for n in cluster.nodes}
    assert held["n1"] and held["n2"], held                          # both processes hold some
    assert held["n1"].isdisjoint(held["n2"]) and held["n1"] | held["n2"] == set(ids)
    for sid in ids:                                                 # and each is found again by its id
        info = requests.get(f"{cluster.url}/_s/{sid}/_mockcdr/info").json()
        assert info["seed"] == sid and info["session"]["id"] == sid
        doc = requests.get(f"{cluster.url}/_mockcdr/sessions/{sid}").json()
        assert sid in held[doc["node"]]
    again = put(cluster.url, ids[0], seed="other")                  # PUT of an existing one: unchanged
    assert again.status_code == 200 and again.json()["seed"] == ids[0]
    listed = requests.get(f"{cluster.url}/_mockcdr/sessions")
    assert listed.status_code == 200 and "Mockcdr-Unreachable-Nodes" not in listed.headers
    docs = {d["id"]: d for d in listed.json()}
    assert set(ids) <= set(docs) and docs["default"]["node"] == "n1"
    assert [d["id"] for d in listed.json() if d["default"]] == ["default"]     # n1's alone: the root URL's
    assert all(docs[sid]["base_url"] == f"{cluster.url}/_s/{sid}" for sid in ids)
    assert {docs[sid]["node"] for sid in ids} == {"n1", "n2"}
    for sid in ids:
        assert requests.delete(f"{cluster.url}/_mockcdr/sessions/{sid}").status_code == 200
    assert not any(n.sessions() & set(ids) for n in cluster.nodes)


def test_post_makes_ids_that_route_back_to_the_process_that_made_them(cluster):
    made = requests.post(f"{cluster.url}/_mockcdr/sessions", json={"seed": "posted"})
    assert made.status_code == 201
    doc = made.json()
    assert doc["id"].startswith("n1.") and doc["node"] == "n1"       # the root URL's process made it
    assert requests.get(f"{doc['base_url']}/_mockcdr/info").json()["seed"] == "posted"
    on_n2 = on_each_node(cluster, "post-from")["n2"]
    inner = requests.post(f"{cluster.url}/_s/{on_n2}/_mockcdr/sessions").json()
    assert inner["id"].startswith("n2.") and inner["id"] in cluster.node("n2").sessions()
    assert requests.get(f"{inner['base_url']}/_mockcdr/clock").status_code == 200
    # a session's own control call under another session's prefix still goes by the named id
    shown = requests.get(f"{cluster.url}/_s/{on_n2}/_mockcdr/sessions/{doc['id']}")
    assert shown.status_code == 200 and shown.json()["node"] == "n1"
    for sid in (doc["id"], inner["id"]):
        assert requests.delete(f"{cluster.url}/_mockcdr/sessions/{sid}").status_code == 200


def journal_ops(cluster, node: str, sid: str) -> list[str]:
    """The operations a session's journal holds, asked of its process directly (not the proxy)."""
    journal = requests.get(f"{cluster.node(node).url}/_s/{sid}/_mockcdr/journal", timeout=10).json()
    return [e["operation"] for e in journal["entries"]]


def didww_export(base: str) -> tuple[str, dict]:
    """Create a DIDWW export in the session at ``base``, move its clock, poll it to completed."""
    body = {"data": {"type": "exports", "attributes": {
        "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}}
    created = requests.post(f"{base}/v3/exports", json=body, headers=DIDWW)
    assert created.status_code == 201, created.text
    export_id = created.json()["data"]["id"]
    assert created.json()["data"]["attributes"]["status"] == "pending"
    requests.post(f"{base}/_mockcdr/clock/advance", json={"by": "PT10M"}).raise_for_status()
    polled = requests.get(f"{base}/v3/exports/{export_id}", headers=DIDWW)
    assert polled.status_code == 200
    return export_id, polled.json()["data"]


def test_a_didww_export_in_a_session_on_each_process(cluster):
    for node, sid in on_each_node(cluster, "didww").items():
        base = f"{cluster.url}/_s/{sid}"
        export_id, data = didww_export(base)
        assert data["attributes"]["status"] == "completed"
        url = data["attributes"]["url"]
        assert url.startswith(f"{base}/v3/exports/") and url.endswith(".csv.gz")   # the proxy, the session
        file = requests.get(url, headers={"Api-Key": DIDWW["Api-Key"]})
        assert file.status_code == 200, (node, file.text[:300])
        rows = list(csv.reader(io.StringIO(gzip.decompress(file.content).decode("utf-8"))))
        assert rows[0][0] and len(rows) > 1
        assert "downloadExportFile" in journal_ops(cluster, node, sid)  # served by the process that holds it
        listed = requests.get(f"{base}/v3/exports", headers=DIDWW).json()
        assert [e["id"] for e in listed["data"]] == [export_id]     # the session's own, on its process
        requests.delete(f"{cluster.url}/_mockcdr/sessions/{sid}")


def test_a_yeastar_download_in_a_session_on_each_process(cluster):
    for node, sid in on_each_node(cluster, "yeastar").items():
        base = f"{cluster.url}/_s/{sid}"
        token = requests.post(f"{base}/api/v1.1.0/login", json=YEASTAR_LOGIN).json()["token"]
        window = {"extid": "all", "starttime": "2026-04-19 00:00:00", "endtime": "2026-04-19 23:59:59"}
        random = requests.post(f"{base}/api/v1.1.0/cdr/get_random", params={"token": token}, json=window).json()
        assert random["status"] == "Success", random
        got = requests.get(f"{base}/api/v1.1.0/cdr/download",
                           params={**window, "token": token, "random": random["random"]})
        assert got.status_code == 200, got.text[:300]
        assert got.text.splitlines()[0].startswith("callid") and len(got.text.splitlines()) > 1
        spent = requests.get(got.url)                                # the random was spent: exactly once
        assert spent.status_code != 200 or spent.json().get("status") == "Failed"
        assert "downloadCdr" in journal_ops(cluster, node, sid)
        requests.delete(f"{cluster.url}/_mockcdr/sessions/{sid}")


def test_a_nodes_own_5xx_passes_through_unchanged(cluster):
    sid = on_each_node(cluster, "fault")["n2"]
    base = f"{cluster.url}/_s/{sid}"
    requests.post(f"{base}/_mockcdr/faults", json={"vendor": "didww", "kind": "error", "status": 502,
                                                   "operation": "listExports"}).raise_for_status()
    failed = requests.get(f"{base}/v3/exports", headers=DIDWW)
    assert failed.status_code == 502
    assert "errors" in failed.json() and "node_unreachable" not in failed.text   # DIDWW's envelope
    requests.delete(f"{cluster.url}/_mockcdr/sessions/{sid}")


def test_health_the_cluster_view_and_a_node_asked_directly(cluster):
    assert requests.get(f"{cluster.url}/_mockcdr/health").json() == {"status": "ok"}
    view = requests.get(f"{cluster.url}/_mockcdr/cluster")
    assert view.status_code == 200
    nodes = view.json()["nodes"]
    assert [(n["node"], n["status"], n["primary"]) for n in nodes] == [("n1", "ok", True), ("n2", "ok", False)]
    sid = on_each_node(cluster, "direct")["n2"]
    # n2 asked directly (no proxy) lists every node's sessions too, with its own address in the URLs
    direct = requests.get(f"{cluster.node('n2').url}/_mockcdr/sessions").json()
    assert {d["id"] for d in direct} >= {"default", sid}
    assert next(d for d in direct if d["id"] == sid)["base_url"] == f"{cluster.node('n2').url}/_s/{sid}"
    only = requests.get(f"{cluster.url}/_mockcdr/sessions", params={"scope": "node"}).json()
    assert sid not in {d["id"] for d in only}                       # n1 alone: the root URL's process
    bad = requests.get(f"{cluster.url}/_mockcdr/sessions", params={"scope": "everywhere"})
    assert bad.status_code == 400 and "scope" in bad.json()["error"]["message"]
    # the same views from the command line
    cli = [MOCKCDR, "control", "--url", cluster.url]
    shown = json.loads(subprocess.run([*cli, "cluster"], capture_output=True, text=True, check=True).stdout)
    assert [n["node"] for n in shown["nodes"]] == ["n1", "n2"] and shown["status"] == "ok"
    mine = json.loads(subprocess.run([*cli, "sessions", "--scope", "node"], capture_output=True, text=True,
                                     check=True).stdout)
    assert sid not in {d["id"] for d in mine}


def test_under_a_path_prefix_every_url_carries_it(cluster):
    proxy = cluster.add_proxy("/mock")
    assert proxy.url.endswith("/mock")
    doc = put(proxy.url, "prefixed").json()
    assert doc["base_url"] == f"{proxy.url}/_s/prefixed"
    _id, data = didww_export(doc["base_url"])
    url = data["attributes"]["url"]
    assert urlsplit(url).path.startswith("/mock/_s/prefixed/v3/exports/")
    assert requests.get(url, headers={"Api-Key": DIDWW["Api-Key"]}).status_code == 200
    info = requests.get(f"{proxy.url}/_mockcdr/info").json()
    assert info["session"]["base_url"] == proxy.url and info["clock"]["now"].startswith(CLOCK[:10])
    outside = requests.get(f"http://127.0.0.1:{proxy.port}/_mockcdr/health")
    assert outside.status_code == 404                                 # nginx serves the mock under /mock only
    requests.delete(f"{proxy.url}/_mockcdr/sessions/prefixed")


def test_with_a_control_token_the_nodes_ask_each_other_with_it(tmp_path):
    token = {"Authorization": "Bearer s3cret-token"}
    with Cluster(tmp_path, args=("--control-token", "s3cret-token")) as secured:
        refused = requests.put(f"{secured.url}/_mockcdr/sessions/locked")
        assert refused.status_code == 401 and "control token" in refused.json()["error"]["message"]
        ids = [f"tok-{i}" for i in range(12)]
        for sid in ids:
            assert requests.put(f"{secured.url}/_mockcdr/sessions/{sid}", headers=token).status_code == 201
        listed = requests.get(f"{secured.url}/_mockcdr/sessions", headers=token)
        assert "Mockcdr-Unreachable-Nodes" not in listed.headers
        docs = {d["id"]: d["node"] for d in listed.json()}
        assert set(ids) <= set(docs) and {docs[sid] for sid in ids} == {"n1", "n2"}
        view = requests.get(f"{secured.url}/_mockcdr/cluster", headers=token)
        assert view.status_code == 200 and [n["status"] for n in view.json()["nodes"]] == ["ok", "ok"]
        assert requests.get(f"{secured.url}/_mockcdr/cluster").status_code == 401
        assert requests.get(f"{secured.url}/_mockcdr/health").status_code == 200     # needs no token
