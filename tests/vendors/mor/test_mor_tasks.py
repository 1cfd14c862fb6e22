"""The automatic_cdr_exports endpoints and the read-only cdr_export_templates, as a client sees them."""
from __future__ import annotations

import pytest
from mor_support import QUICK_START, Api, make_app

SEED_CREATE_EXAMPLE = {    # the wiki's "Create (201)" example, less its id
    "name": "Wholesale ACME monthly CDR", "active": 1, "period": "monthly", "timezone": "London",
    "template_id": 5, "template_name": "My template", "send_cdr_to": "user", "send_to_user_id": 123,
    "next_run_at": "2026-07-01 02:00:00", "last_run_at": "", "cdr_export_at_time": "02:00:00",
    "monthly_export_day": 1, "query": {"s_user_id": 123, "s_call_type": "all"},
}


@pytest.mark.parametrize("prefix", ["/billing/api/v2", "/api/v2"])
def test_create_returns_201_with_the_seed_body(client, rt, prefix):
    api = Api(client, rt, prefix=prefix)
    resp = api.post("/automatic_cdr_exports", json=QUICK_START)
    assert resp.status_code == 201
    assert resp.content_type == "application/json; charset=utf-8"
    body = resp.get_json()
    assert list(body) == ["automatic_cdr_export"]
    task = body["automatic_cdr_export"]
    assert isinstance(task["id"], int)
    seed_keys = ["id"] + list(SEED_CREATE_EXAMPLE)
    assert list(task)[:len(seed_keys)] == seed_keys        # the seed's keys, in the seed's order
    assert {k: task[k] for k in SEED_CREATE_EXAMPLE} == SEED_CREATE_EXAMPLE
    assert task["filename_prefix"] == "ACME_" and task["archive_extension"] == "tgz"


def test_seed_only_body_when_extra_fields_are_off():
    app = make_app(options={"task_extra_fields": False})
    api = Api(app.test_client(), app.extensions["mockcdr"])
    task = api.create()
    assert list(task) == ["id"] + list(SEED_CREATE_EXAMPLE)


def test_flat_query_fields_land_in_query(api):
    body = {k: v for k, v in QUICK_START.items() if k != "query"}
    resp = api.post("/automatic_cdr_exports",
                    json={**body, "s_user_id": 123, "s_call_type": "answered", "calls_via_dids": 0})
    assert resp.status_code == 201
    task = resp.get_json()["automatic_cdr_export"]
    assert task["query"] == {"s_user_id": 123, "s_call_type": "answered", "calls_via_dids": 0}
    nested_wins = api.create(s_device=31, query={"s_device": 32})
    assert nested_wins["query"] == {"s_device": 32}


def test_rails_wrapped_params_are_accepted(api):
    resp = api.post("/automatic_cdr_exports", json={"automatic_cdr_export": QUICK_START})
    assert resp.status_code == 201
    assert resp.get_json()["automatic_cdr_export"]["name"] == QUICK_START["name"]


def test_form_encoded_body_with_nested_query(api):
    form = {k: str(v) for k, v in QUICK_START.items() if k != "query"}
    form.update({"active": "1", "query[s_user_id]": "123", "query[s_call_type]": "busy"})
    resp = api.post("/automatic_cdr_exports", data=form)
    assert resp.status_code == 201, resp.get_json()
    task = resp.get_json()["automatic_cdr_export"]
    assert task["template_id"] == 5 and task["send_to_user_id"] == 123 and task["active"] == 1
    assert task["query"] == {"s_user_id": "123", "s_call_type": "busy"}


def test_show_and_ids_are_per_owner(client, rt, api):
    task = api.create()
    shown = api.get(f"/automatic_cdr_exports/{task['id']}")
    assert shown.status_code == 200 and shown.get_json() == {"automatic_cdr_export": task}
    globex = Api(client, rt, "globex_admin")
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        resp = globex.call(method, f"/automatic_cdr_exports/{task['id']}", json={"name": "x"})
        assert resp.status_code == 404
        assert resp.get_json() == {"error": "Automatic CDR export was not found"}
    assert globex.get("/automatic_cdr_exports").get_json() == {"automatic_cdr_exports": []}
    for missing in ("999", "abc", "-1"):
        resp = api.get(f"/automatic_cdr_exports/{missing}")
        assert resp.status_code == 404
        assert resp.get_json() == {"error": "Automatic CDR export was not found"}


def test_list_filters(api):
    a = api.create(name="ACME monthly")
    b = api.create(name="Daily acme", period="daily", active=False)
    c = api.create(name="Hourly to mail", period="hourly", send_cdr_to="email",
                   send_to_email="noc@example.com")
    d = api.create(name="Retail", send_to_user_id=124)

    def ids(**params):
        resp = api.get("/automatic_cdr_exports", query_string=params)
        assert resp.status_code == 200, resp.get_json()
        return [t["id"] for t in resp.get_json()["automatic_cdr_exports"]]

    assert ids() == [a["id"], b["id"], c["id"], d["id"]]
    assert ids(active=0) == [b["id"]]
    assert ids(active=1) == [a["id"], c["id"], d["id"]]
    assert ids(send_to_user_id=124) == [d["id"]]
    assert ids(period="hourly") == [c["id"]]
    assert ids(name="acme") == [a["id"], b["id"]]            # partial, case-insensitive
    assert ids(**{"from": 1, "max_results": 2}) == [b["id"], c["id"]]
    assert ids(max_results=0) == []
    assert ids(**{"from": 10}) == []


@pytest.mark.parametrize("params", [{"active": "yes"}, {"max_results": "-1"}, {"from": "x"},
                                    {"send_to_user_id": "1.5"}])
def test_list_refuses_bad_parameters(api, params):
    resp = api.get("/automatic_cdr_exports", query_string=params)
    assert resp.status_code == 400
    assert resp.get_json() == {"error": f"Invalid parameter: {next(iter(params))}"}


def test_list_wrapper_and_page_size_options():
    app = make_app(options={"list_wrapper": "", "list_default_max_results": 1})
    api = Api(app.test_client(), app.extensions["mockcdr"])
    first = api.create()
    api.create()
    assert [t["id"] for t in api.get("/automatic_cdr_exports").get_json()] == [first["id"]]


def test_patch_changes_only_what_is_given(api):
    task = api.create()
    resp = api.patch(f"/automatic_cdr_exports/{task['id']}", json={"name": "Renamed", "s_call_type": "answered"})
    assert resp.status_code == 200
    after = resp.get_json()["automatic_cdr_export"]
    assert after["name"] == "Renamed" and after["query"] == {"s_call_type": "answered"}
    assert {k: v for k, v in after.items() if k not in ("name", "query")} == \
        {k: v for k, v in task.items() if k not in ("name", "query")}
    empty = api.patch(f"/automatic_cdr_exports/{task['id']}")
    assert empty.status_code == 200 and empty.get_json()["automatic_cdr_export"] == after


def test_put_replaces_the_settings(api):
    task = api.create()
    partial = api.put(f"/automatic_cdr_exports/{task['id']}", json={"name": "Only a name"})
    assert partial.status_code == 422
    assert partial.get_json() == {"error": "Automatic CDR export was not updated", "details": {
        "period": ["Period can't be blank"], "template_id": ["Template must be selected"],
        "send_to_user_id": ["Send CDR to User must be selected"]}}
    full = {**QUICK_START, "name": "Replaced", "period": "daily"}
    full.pop("query")
    resp = api.put(f"/automatic_cdr_exports/{task['id']}", json=full)
    assert resp.status_code == 200
    after = resp.get_json()["automatic_cdr_export"]
    assert after["name"] == "Replaced" and after["period"] == "daily" and after["query"] == {}
    assert after["next_run_at"] == "2026-06-11 02:00:00"


def test_put_may_be_partial_when_configured():
    app = make_app(options={"put_requires_all": False})
    api = Api(app.test_client(), app.extensions["mockcdr"])
    task = api.create()
    resp = api.put(f"/automatic_cdr_exports/{task['id']}", json={"name": "Only a name"})
    assert resp.status_code == 200 and resp.get_json()["automatic_cdr_export"]["period"] == "monthly"


def test_set_active_is_explicit_not_a_toggle(api):
    task = api.create()
    path = f"/automatic_cdr_exports/{task['id']}/active"
    for value, expected in ((False, 0), (False, 0), (True, 1), (True, 1), ("0", 0), (1, 1)):
        resp = api.patch(path, json={"active": value})
        assert resp.status_code == 200
        assert resp.get_json()["automatic_cdr_export"]["active"] == expected
    for body, message in (({}, "Active can't be blank"),
                          ({"active": "maybe"}, "Active is not included in the list")):
        resp = api.patch(path, json=body)
        assert resp.status_code == 422
        assert resp.get_json() == {"error": "Automatic CDR export was not updated",
                                   "details": {"active": [message]}}
    assert api.patch("/automatic_cdr_exports/999/active", json={"active": True}).status_code == 404


def test_delete_then_gone(api):
    task = api.create()
    resp = api.delete(f"/automatic_cdr_exports/{task['id']}")
    assert resp.status_code == 204 and resp.data == b"" and "Content-Type" not in resp.headers
    assert api.get(f"/automatic_cdr_exports/{task['id']}").status_code == 404
    assert api.delete(f"/automatic_cdr_exports/{task['id']}").status_code == 404


def test_templates_list_only_the_callers_templates_with_columns(api, client, rt):
    resp = api.get("/cdr_export_templates")
    assert resp.status_code == 200
    body = resp.get_json()
    assert [t["id"] for t in body] == [5, 6]                 # 7 has no columns, 8 and 9 are others'
    assert body[0] == {"id": 5, "name": "My template", "column_count": 9, "columns": [
        "calldate2", "clid", "dst", "destination", "nice_billsec", "dispod", "provider", "user",
        "user_price"]}
    assert api.get("/cdr_export_templates/5").get_json() == body[0]
    for other in (8, 9, 404, "x"):
        resp = api.get(f"/cdr_export_templates/{other}")
        assert resp.status_code == 404
        assert resp.get_json() == {"error": "CDR export template was not found"}
    globex = Api(client, rt, "globex_admin")
    assert [t["id"] for t in globex.get("/cdr_export_templates").get_json()] == [8]


def test_templates_columns_as_a_string_when_configured():
    app = make_app(options={"template_columns_format": "string"})
    api = Api(app.test_client(), app.extensions["mockcdr"])
    tpl = api.get("/cdr_export_templates/8")
    assert tpl.status_code == 404
    tpl = api.get("/cdr_export_templates/5").get_json()
    assert tpl["columns"].split(";")[:2] == ["calldate2", "clid"] and tpl["column_count"] == 9


def test_templates_are_read_only(api):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        resp = api.call(method, "/cdr_export_templates/5", json={"name": "x"})
        assert resp.status_code == 405
        assert resp.get_json() == {"error": "Method not allowed"} and resp.headers["Allow"]


def test_journal_names_operations_by_operation_id_under_both_prefixes(client, rt):
    for prefix in ("/billing/api/v2", "/api/v2"):
        api = Api(client, rt, prefix=prefix)
        api.create()
        api.get("/cdr_export_templates/5")
    ops = [(e["operation"], e["path"].split("/automatic")[0].split("/cdr_export")[0].split("/authentication")[0],
            e["tenant"]) for e in rt.journal.query(vendor="mor")]
    assert ops == [
        ("authenticationLogin", "/billing/api/v2", "acme"),
        ("createAutomaticCdrExport", "/billing/api/v2", "acme"),
        ("showCdrExportTemplate", "/billing/api/v2", "acme"),
        ("authenticationLogin", "/api/v2", "acme"),
        ("createAutomaticCdrExport", "/api/v2", "acme"),
        ("showCdrExportTemplate", "/api/v2", "acme"),
    ]
