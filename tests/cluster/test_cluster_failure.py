"""One process of the cluster dies: only its sessions fail, with an answer that says so."""
from __future__ import annotations

import requests

from cluster import Cluster, needs_nginx

pytestmark = needs_nginx
JSONAPI = "application/vnd.api+json"
DIDWW = {"Api-Key": "didww-test-globex-51a7c9d2", "Content-Type": JSONAPI, "Accept": JSONAPI}
EXPORT = {"data": {"type": "exports", "attributes": {
    "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}}


def test_killing_one_process_fails_its_sessions_alone(tmp_path):
    with Cluster(tmp_path) as cluster:
        ids = [f"job-{i}" for i in range(20)]
        for sid in ids:
            assert requests.put(f"{cluster.url}/_mockcdr/sessions/{sid}").status_code == 201
            assert requests.post(f"{cluster.url}/_s/{sid}/v3/exports", json=EXPORT, headers=DIDWW).status_code == 201
        on = {n.name: n.sessions() for n in cluster.nodes}
        assert on["n1"] and on["n2"]

        cluster.node("n2").kill()

        for sid in sorted(on["n1"]):            # the survivor's sessions: untouched, their jobs still there
            jobs = requests.get(f"{cluster.url}/_s/{sid}/v3/exports", headers=DIDWW)
            assert jobs.status_code == 200 and len(jobs.json()["data"]) == 1
        for sid in sorted(on["n2"]):            # the dead process's: 502, saying whose and why
            gone = requests.get(f"{cluster.url}/_s/{sid}/v3/exports", headers=DIDWW)
            assert gone.status_code == 502 and gone.headers["Content-Type"] == "application/json"
            error = gone.json()["error"]
            assert error["kind"] == "node_unreachable"
            assert f"session '{sid}'" in error["message"] and str(cluster.node("n2").port) in error["message"]
            assert gone.headers["Retry-After"] == "5"
            # not quietly made again on the survivor, where it would be lost when n2 is back
            assert requests.put(f"{cluster.url}/_mockcdr/sessions/{sid}").status_code == 502
        assert not on["n2"] & cluster.node("n1").sessions()

        # the root URL's process lives: health, and a list that names what is missing
        assert requests.get(f"{cluster.url}/_mockcdr/health").status_code == 200
        listed = requests.get(f"{cluster.url}/_mockcdr/sessions")
        assert listed.status_code == 200
        assert listed.headers["Mockcdr-Unreachable-Nodes"].startswith("n2 (")
        assert {d["id"] for d in listed.json() if not d["default"]} == on["n1"]
        view = requests.get(f"{cluster.url}/_mockcdr/cluster")
        assert view.status_code == 503 and view.json()["status"] == "degraded"
        assert [(n["node"], n["status"]) for n in view.json()["nodes"]] == [("n1", "ok"), ("n2", "unreachable")]
        made = requests.post(f"{cluster.url}/_mockcdr/sessions")    # new sessions still come from n1
        assert made.status_code == 201 and made.json()["id"].startswith("n1.")


def test_the_root_urls_process_down_is_a_502_for_the_root_alone(tmp_path):
    with Cluster(tmp_path) as cluster:
        sid = next(f"s{i}" for i in range(64)
                   if requests.put(f"{cluster.url}/_mockcdr/sessions/s{i}").json()["node"] == "n2")
        cluster.node("n1").kill()
        root = requests.get(f"{cluster.url}/_mockcdr/health")
        assert root.status_code == 502 and "the root URL (the default session)" in root.json()["error"]["message"]
        assert requests.get(f"{cluster.url}/_s/{sid}/_mockcdr/clock").status_code == 200
        # the cluster view, asked of the survivor through a session it holds
        view = requests.get(f"{cluster.url}/_s/{sid}/_mockcdr/cluster").json()
        assert [(n["node"], n["status"]) for n in view["nodes"]] == [("n1", "unreachable"), ("n2", "ok")]
