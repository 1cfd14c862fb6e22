"""API coverage of MOR: operations under both prefixes as one, MOR's messages under the 401s and 400s."""
from __future__ import annotations

import pytest
import yaml
from mor_support import Api, basic, make_app

from coverage_support import coverage, declared, hit_map, hits, operation
from mockcdr import resources
from mockcdr.vendors.mor import VENDOR
from mockcdr.vendors.mor.errors import PERMISSIONS, not_permitted


def test_a_flow_under_both_prefixes_is_counted_per_operation(app, api, client, rt):
    task = api.create()
    assert api.get(f"/automatic_cdr_exports/{task['id']}").status_code == 200
    billing = Api(client, rt, prefix="/billing/api/v2")
    assert billing.get(f"/automatic_cdr_exports/{task['id']}").status_code == 200
    assert api.delete(f"/automatic_cdr_exports/{task['id']}").status_code == 204
    assert api.get(f"/automatic_cdr_exports/{task['id']}").status_code == 404
    assert api.get("/cdr_export_templates").status_code == 200

    doc = coverage(app, "mor")
    assert hit_map(doc, "mor") == {
        ("authenticationLogin", "200"): 2, ("createAutomaticCdrExport", "201"): 1,
        ("showAutomaticCdrExport", "200"): 2, ("showAutomaticCdrExport", "404"): 1,
        ("deleteAutomaticCdrExport", "204"): 1, ("listCdrExportTemplates", "200"): 1}
    assert hits(doc, "mor", "showAutomaticCdrExport", 401, "Unauthorized") == 0
    assert operation(doc, "mor", "authenticationRefresh")["hits"] == 0
    assert doc["vendors"][0]["totals"]["operations_hit"] == 5


@pytest.fixture
def no_permissions(tmp_path):
    """The default MOR fixtures plus an admin whose API permission group holds no method."""
    data = yaml.safe_load((resources.default_fixtures() / "mor.yaml").read_text())
    data["mor"]["permission_groups"]["nothing"] = []
    data["mor"]["users"].append({"id": 99, "username": "bare_admin", "password": "bare-FAKE-pass",
                                 "usertype": "admin", "tenant": "acme", "permission_group": "nothing"})
    path = tmp_path / "mor.yaml"
    path.write_text(yaml.safe_dump(data))
    app = make_app(fixtures=str(path))
    client = app.test_client()
    token = client.post("/api/v2/authentication/login", headers=basic("bare_admin", "bare-FAKE-pass")).get_json()
    return app, client, {"Authorization": f"Bearer {token['token']}"}


ROUTES = {
    "listAutomaticCdrExports": ("GET", "/automatic_cdr_exports"),
    "createAutomaticCdrExport": ("POST", "/automatic_cdr_exports"),
    "showAutomaticCdrExport": ("GET", "/automatic_cdr_exports/1"),
    "replaceAutomaticCdrExport": ("PUT", "/automatic_cdr_exports/1"),
    "updateAutomaticCdrExport": ("PATCH", "/automatic_cdr_exports/1"),
    "deleteAutomaticCdrExport": ("DELETE", "/automatic_cdr_exports/1"),
    "setAutomaticCdrExportActive": ("PATCH", "/automatic_cdr_exports/1/active"),
    "listCdrExportTemplates": ("GET", "/cdr_export_templates"),
    "showCdrExportTemplate": ("GET", "/cdr_export_templates/5"),
}


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_operation_names_its_own_permission(no_permissions, name):
    app, client, headers = no_permissions
    method, path = ROUTES[name]
    client.delete("/_mockcdr/coverage")
    resp = client.open(f"/api/v2{path}", method=method, headers=headers, json={})
    assert resp.status_code == 401 and resp.get_json() == {"errors": not_permitted(PERMISSIONS[name])}
    assert hit_map(coverage(app, "mor"), "mor") == {(name, "401"): 1,
                                                     (name, "401", not_permitted(PERMISSIONS[name])): 1}


def _raw(api, method, path, data):
    return api.call(method, path, data=data, headers={"Content-Type": "application/json"})


RECIPES = {
    "Unauthorized": (401, "authenticationLogin", lambda api: api.client.post(
        "/api/v2/authentication/login", headers=basic("acme_admin", "wrong"))),
    "Request body must be a JSON object": (400, "createAutomaticCdrExport",
                                           lambda api: _raw(api, "POST", "/automatic_cdr_exports", "[1]")),
    "Invalid JSON in request body": (400, "authenticationRefresh",
                                     lambda api: _raw(api, "POST", "/authentication/refresh", "{nope")),
    "Invalid parameter: active": (400, "listAutomaticCdrExports",
                                  lambda api: api.get("/automatic_cdr_exports?active=maybe")),
    "Invalid parameter: send_to_user_id": (400, "listAutomaticCdrExports",
                                           lambda api: api.get("/automatic_cdr_exports?send_to_user_id=x")),
    "Invalid parameter: from": (400, "listAutomaticCdrExports",
                                lambda api: api.get("/automatic_cdr_exports?from=-1")),
    "Invalid parameter: max_results": (400, "listAutomaticCdrExports",
                                       lambda api: api.get("/automatic_cdr_exports?max_results=many")),
}


def test_every_declared_message_has_a_recipe():
    permissions = {(401, not_permitted(p)) for p in PERMISSIONS.values()}
    assert {(status, kind) for kind, (status, _, _) in RECIPES.items()} | permissions == declared(VENDOR)
    assert set(PERMISSIONS) == set(ROUTES)


@pytest.mark.parametrize("kind", sorted(RECIPES))
def test_each_declared_message_is_counted_under_its_operation(app, api, kind):
    status, name, send = RECIPES[kind]
    api.client.delete("/_mockcdr/coverage")
    resp = send(api)
    assert resp.status_code == status
    assert hit_map(coverage(app, "mor"), "mor") == {(name, str(status)): 1, (name, str(status), kind): 1}

