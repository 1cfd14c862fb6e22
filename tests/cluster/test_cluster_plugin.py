"""The pytest plugin pointed at the proxy, unchanged, under ``pytest -n 4``: the README's CI recipe at scale."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import requests

from cluster import Cluster, needs_nginx

pytestmark = [needs_nginx, pytest.mark.slow]
pytest_plugins = ["pytester"]
EXAMPLES = Path(__file__).resolve().parents[1] / "example_suite"

SHARED = """
import pytest, requests

JSONAPI = "application/vnd.api+json"

@pytest.mark.parametrize("n", range(24))
def test_export_listing_is_mine_alone(mockcdr_server, mockcdr_control, n):
    assert mockcdr_server.url.startswith(PROXY + "/_s/")
    mockcdr_control.set_transition("didww.export", "immediate")
    key = next(c["Api-Key"] for c in mockcdr_control.info()["vendors"][0]["credentials"]
               if c["default X-DIDWW-API-Version"] == "2026-04-16")
    headers = {"Api-Key": key, "Content-Type": JSONAPI, "Accept": JSONAPI}
    body = {"data": {"type": "exports", "attributes": {"export_type": "cdr_in",
            "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-02 00:00:00"},
            "external_reference_id": f"ref-{n}"}}}
    for _ in range(n % 3 + 1):
        assert requests.post(f"{mockcdr_server.url}/v3/exports", json=body, headers=headers).status_code == 201
    listed = requests.get(f"{mockcdr_server.url}/v3/exports", headers=headers).json()
    assert {e["attributes"]["external_reference_id"] for e in listed["data"]} == {f"ref-{n}"}
    url = requests.get(f"{mockcdr_server.url}/v3/exports/{listed['data'][0]['id']}", headers=headers).json()
    file_url = url["data"]["attributes"]["url"]
    assert file_url.startswith(mockcdr_server.url + "/v3/exports/")
    assert requests.get(file_url, headers={"Api-Key": key}).status_code == 200
    assert mockcdr_server.id in {s["id"] for s in mockcdr_control.list_sessions()}
"""


def test_pytest_n4_with_mockcdr_url_at_the_proxy(pytester, tmp_path_factory):
    for name in ("conftest.py", "importer.py", "test_example_didww_importer.py"):   # DIDWW's own SDK
        shutil.copy(EXAMPLES / name, pytester.path / name)
    with Cluster(tmp_path_factory.mktemp("plugin-cluster")) as cluster:
        pytester.makepyfile(test_shared=f"PROXY = {cluster.url!r}\n" + SHARED)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "4", "--mockcdr-url", cluster.url,
                                               timeout=600)
        result.assert_outcomes(passed=24 + 4)
        # every test's session was made through the proxy, on both processes, and deleted afterwards
        made = {n.name: len(re.findall(r'"PUT /_mockcdr/sessions/gw\d-', n.log.read_text())) for n in cluster.nodes}
        assert made["n1"] and made["n2"] and made["n1"] + made["n2"] >= 24 + 4, made
        left = requests.get(f"{cluster.url}/_mockcdr/sessions").json()
        assert [s["id"] for s in left] == ["default"]
