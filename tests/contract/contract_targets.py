"""What the contract suite runs per spec: the app, its default credentials, and each relaxed check's reason."""
# Every spec in openapi/ is a Target (DIDWW twice: a customer on the current API version and one
# on a legacy version answer differently). A target builds a fresh in-process app on a frozen
# virtual clock, gives it a little state to find, and tells schemathesis how to log in with the
# default fixture credentials, so generated requests reach the logic behind authentication.
# Checks are relaxed per operation, never per vendor, and only where a vendor fact needs it.
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable

from flask import Flask

from mockcdr.app import create_app
from mockcdr.settings import Settings

JSONAPI = "application/vnd.api+json"


def no_network(method, url, form, headers, timeout):
    """Callbacks (DIDWW) are recorded as delivered, never sent: the suite makes no network calls."""
    return 204, "HTTP 204 (not sent: contract tests make no network calls)"


@dataclass
class Target:
    name: str
    spec: str
    settings: Settings
    rules: dict = field(default_factory=dict)              # schemathesis generation and check config
    prepare: Callable[[Flask], dict] = lambda app: {}     # state to find; returns credentials
    auth: Callable[[dict], dict] = lambda creds: {}        # schemathesis auth config for them
    adjust: Callable[[object, Flask, dict], None] | None = None   # per generated case
    max_examples: int = 25

    def build(self) -> tuple[Flask, dict]:
        app = create_app(self.settings)
        app.config["TESTING"] = True
        app.extensions["mockcdr"].deliveries.send = no_network
        return app, self.prepare(app)

    def config(self, creds: dict) -> dict:
        auth = self.auth(creds)
        return {**self.rules, "auth": {"openapi": auth}} if auth else dict(self.rules)


def _relax(operation_ids, **checks) -> dict:
    """A per-operation config block: ``checks`` for these operations only."""
    ids = [operation_ids] if isinstance(operation_ids, str) else list(operation_ids)
    return {"include-operation-id-regex": "^(" + "|".join(ids) + ")$", "checks": checks}


OFF = {"enabled": False}


# -- DIDWW -----------------------------------------------------------------------------------------
def _didww_prepare(customer: str):
    def prepare(app: Flask) -> dict:
        rt = app.extensions["mockcdr"]
        rt.lifecycle.set_policy("didww.export", {"mode": "immediate"})
        key = rt.state["didww"].by_name[customer].api_key
        client = app.test_client()
        version = "2026-04-16"   # a few exports for the list (and ids that sometimes exist)
        for ref in ("seed-1", "seed-2"):
            client.post("/v3/exports", headers={"Api-Key": key, "Content-Type": JSONAPI,
                                                "X-DIDWW-API-Version": version}, json={
                "data": {"type": "exports", "attributes": {
                    "export_type": "cdr_in", "external_reference_id": ref,
                    "filters": {"from": "2026-04-01", "to": "2026-04-02"}}}})
        return {"api_key": key}
    return prepare


DIDWW_RULES = {
    # Rails ignores query parameters it does not know; OpenAPI cannot say so.
    "generation": {"allow-extra-parameters": False},
    "operations": [
        # A schema-valid create or update can break rules JSON Schema cannot express: a window
        # relative to the virtual clock, filters of the other API version (422), a body id
        # that must equal the URL's (400), an export that does not exist (404), PATCH under a
        # legacy version (405).
        _relax(["createExport", "updateExport", "replaceExport"], positive_data_acceptance={
            "expected-statuses": ["2xx", "400", "404", "405", "422"]}),
        # The spec lists the filters, sort keys and sparse fields of every API version; those of
        # another version than the one serving the request are refused (400, codes 102/104).
        _relax("listExports", positive_data_acceptance={"expected-statuses": ["2xx", "400"]}),
        # ... and any id matching the pattern is valid, but only this customer's exports exist
        _relax("getExport", positive_data_acceptance={"expected-statuses": ["2xx", "400", "404"]}),
        _relax("downloadExportFile", positive_data_acceptance={"expected-statuses": ["2xx", "404"]}),
    ],
}


def _didww_auth(creds: dict) -> dict:
    return {"api_key": {"api_key": creds["api_key"]}}


DIDWW = Target("didww", "didww", Settings(vendors=("didww",), seed="contract",
                                          clock_start="2026-04-20T12:00:00Z", clock_frozen=True),
               DIDWW_RULES, prepare=_didww_prepare("globex"), auth=_didww_auth, max_examples=50)
DIDWW_LEGACY = Target("didww-legacy", "didww", DIDWW.settings, DIDWW_RULES, prepare=_didww_prepare("acme"),
                      auth=_didww_auth, max_examples=20)


# -- Telnyx ------------------------------------------------------------------------------------------
TELNYX_KEY = "KEYFAKEACME00000000000000000001_FakeSecretAcme0001"   # fixtures/default/telnyx.yaml
TELNYX_V1 = ("ops@acme.example", "fake-v1-token-acme-0001")


def _telnyx_prepare(app: Flask) -> dict:
    app.extensions["mockcdr"].lifecycle.set_policy("telnyx.cdr_request", {"mode": "immediate"})
    return {"bearer": TELNYX_KEY}


def telnyx_auth(creds: dict) -> dict:
    """Every scheme the spec names: V1 paths take the V1 headers first, V2 paths the API key."""
    return {"v1User": {"api_key": TELNYX_V1[0]}, "v1Token": {"api_key": TELNYX_V1[1]},
            "tokenAuth": {"api_key": f"Token {TELNYX_V1[1]}"}, "bearerAuth": {"bearer": TELNYX_KEY}}


TELNYX_RULES = {
    "generation": {"allow-extra-parameters": False},
    "operations": [
        # Windows relative to the clock (at most 30 days back, ending before tomorrow) and
        # rules between filter objects are beyond JSON Schema: valid bodies may still be 400.
        _relax(["addCdrRequest", "createVoiceReport"], positive_data_acceptance={
            "expected-statuses": ["2xx", "400"]}),
        _relax(["getCdrRequest", "deleteCdrRequest", "getVoiceReport", "deleteVoiceReport",
                "downloadCdrReport"], positive_data_acceptance={"expected-statuses": ["2xx", "404"]}),
        # (stateful runs) A CDR request is one resource seen through two APIs: deleted through
        # /reporting/cdr_requests/{id} it is a 404 at /v2/.../voice/{id} too, and the check only
        # knows deletes under the same path.
        _relax(["getCdrRequest", "deleteCdrRequest", "getVoiceReport", "deleteVoiceReport"],
               ensure_resource_availability=OFF),
    ],
}


TELNYX = Target("telnyx", "telnyx", Settings(vendors=("telnyx",), seed="contract",
                                             clock_start="2024-02-12T20:00:00Z", clock_frozen=True),
                TELNYX_RULES, prepare=_telnyx_prepare, auth=telnyx_auth)


# -- yeti ------------------------------------------------------------------------------------------------
YETI_BASE = "/api/rest/customer/v1"
YETI_LOGIN = ("acme-api", "acme-fake-password")                     # fixtures/default/yeti.yaml
YETI_ACCOUNT = "45c9f55f-fe50-42d5-92c8-c9745d696cf8"


def _yeti_prepare(app: Flask) -> dict:
    app.extensions["mockcdr"].lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})
    client = app.test_client()
    jwt = client.post(f"{YETI_BASE}/auth", json={"auth": {"login": YETI_LOGIN[0], "password": YETI_LOGIN[1]}}
                      ).get_json()["jwt"]
    body = {"data": {"type": "cdr-exports", "attributes": {"filters": {
        "time_start_gteq": "2026-07-15", "time_start_lt": "2026-07-16"}}, "relationships": {"account": {
            "data": {"type": "accounts", "id": YETI_ACCOUNT}}}}}
    client.post(f"{YETI_BASE}/cdr-exports", data=json.dumps(body),
                headers={"Authorization": jwt, "Content-Type": JSONAPI})
    return {"jwt": jwt}


YETI_RULES = {
    "operations": [
        # Rails routes no other method on these paths: they answer 404 (its routing error),
        # not 405.
        _relax([".*"], unsupported_method=OFF),
    ],
}


def _yeti_adjust(case, app, creds) -> None:
    """Any UUID is schema-valid, but only the caller's own accounts can be exported."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    try:
        identifier = case.body["data"]["relationships"]["account"]["data"]
    except (KeyError, TypeError):
        return
    if isinstance(identifier, dict) and "id" in identifier:
        identifier["id"] = YETI_ACCOUNT


YETI = Target("yeti", "yeti", Settings(vendors=("yeti",), seed="contract", clock_start="2026-07-18T10:00:00Z",
                                       clock_frozen=True),
              YETI_RULES, prepare=_yeti_prepare, auth=lambda creds: {"jwt": {"api_key": creds["jwt"]}},
              adjust=_yeti_adjust)


# -- MOR -------------------------------------------------------------------------------------------------
MOR_USER = ("acme_admin", "acme-admin-FAKE-pass")                  # fixtures/default/mor.yaml
MOR_TASK = {"name": "contract", "period": "monthly", "timezone": "London", "cdr_export_at_time": "02:00:00",
            "monthly_export_day": 1, "template_id": 5, "send_cdr_to": "user", "send_to_user_id": 123,
            "query": {"s_user_id": 123}, "archive_extension": "tgz", "active": True}


def mor_login(client, prefix: str = "/billing/api/v2") -> dict:
    basic = base64.b64encode(f"{MOR_USER[0]}:{MOR_USER[1]}".encode()).decode()
    return client.post(f"{prefix}/authentication/login", headers={"Authorization": f"Basic {basic}"}).get_json()


def _mor_prepare(app: Flask) -> dict:
    client = app.test_client()
    tokens = mor_login(client)
    for i in range(3):        # a few real tasks (ids 1-3), so generated ids sometimes hit one
        client.post("/billing/api/v2/automatic_cdr_exports", json={**MOR_TASK, "name": f"contract {i}"},
                    headers={"Authorization": f"Bearer {tokens['token']}"})
    return {"jwt": tokens["token"]}


def mor_auth(creds: dict) -> dict:
    basic = {"basicAuth": {"username": MOR_USER[0], "password": MOR_USER[1]}}
    return {**basic, "bearerAuth": {"bearer": creds["jwt"]}} if "jwt" in creds else basic


MOR_RULES = {
    "operations": [
        # A valid body can still name a template the caller does not own, a user outside its
        # system or an instant in the past (422), or a task that does not exist (404).
        _relax(["createAutomaticCdrExport", "replaceAutomaticCdrExport", "updateAutomaticCdrExport",
                "setAutomaticCdrExportActive"], positive_data_acceptance={
            "expected-statuses": ["2xx", "404", "422"]}),
        _relax(["showAutomaticCdrExport", "deleteAutomaticCdrExport", "showCdrExportTemplate"],
               positive_data_acceptance={"expected-statuses": ["2xx", "404"]}),
        # a refresh token is a secret the schema cannot produce
        _relax(["authenticationRefresh"], positive_data_acceptance={"expected-statuses": ["2xx", "401"]}),
    ],
}


MOR = Target("mor", "mor", Settings(vendors=("mor",), seed="contract", clock_start="2026-06-10T10:00:00Z",
                                    clock_frozen=True),
             MOR_RULES, prepare=_mor_prepare, auth=mor_auth, max_examples=60)


# -- Yeastar -----------------------------------------------------------------------------------------------
YEASTAR_USER = ("acme-api", "acme-fake-api-pass")                  # fixtures/default/yeastar.yaml


def yeastar_token(client, version: str) -> str:
    body = {"username": YEASTAR_USER[0], "password": hashlib.md5(YEASTAR_USER[1].encode()).hexdigest(),
            "port": "8260"}
    return client.post(f"/api/{version}/login", json=body).get_json()["token"]


def _yeastar_adjust(case, app, creds) -> None:
    """The token is a query parameter, not a security scheme: give generated requests a live one
    (a fresh login each time, since a generated logout ends the token it is given)."""
    if case.query is not None and "token" in case.query:
        case.query["token"] = yeastar_token(app.test_client(), case.path.split("/")[2])


# The PBX answers every request with HTTP 200 and says what was wrong in the body
# ({"status": "Failed", "errno": ...}): invalid data is never a 4xx and another method is not a
# 405 (the spec documents only 200 for every operation).
YEASTAR_RULES = {"operations": [_relax([".*"], negative_data_rejection=OFF, unsupported_method=OFF)]}


YEASTAR = Target("yeastar", "yeastar",
                 # generated logins must not lock out the account the suite logs in with
                 Settings(vendors=("yeastar",), seed="contract", clock_start="2026-03-02T12:00:00Z",
                          clock_frozen=True, vendor_options={"yeastar": {"lockout_failures": 1000}}),
                 YEASTAR_RULES, adjust=_yeastar_adjust)


# -- control -------------------------------------------------------------------------------------------------
CONTROL_RULES = {"operations": [
        # A policy is checked against its job kind: a kind without a failure state refuses
        # outcome "failure", and only the states a kind leaves by progression take seconds (400).
        _relax("set_transition", positive_data_acceptance={"expected-statuses": ["2xx", "400", "404"]}),
        # the clock stays from 1970-01-01 to 9000-01-01: a valid number of seconds, or a valid
        # date-time (a format JSON Schema cannot bound), can leave that
        _relax(["advance_clock", "set_clock", "freeze_clock"],
               positive_data_acceptance={"expected-statuses": ["2xx", "400"]}),
        # A fault is checked against its vendor: an operationId the vendor lacks, or a download
        # fault (truncate, corrupt_gzip) on an operation that serves no such file, could never
        # fire and is refused (400).
        _relax("add_fault", positive_data_acceptance={"expected-statuses": ["2xx", "400"]}),
        # ... and so is a restored one; and a schema-valid snapshot can still hold two faults with
        # one id, or records its owner's shape refuses (400, nothing changed).
        _relax("restore_snapshot", positive_data_acceptance={"expected-statuses": ["2xx", "400"]}),
        # ids that match the schema but name no job or delivery
        _relax(["get_job", "get_job_file", "force_job_state", "get_delivery", "get_delivery_file", "delete_fault",
                "get_session", "delete_session"],
               positive_data_acceptance={"expected-statuses": ["2xx", "404"]}),
        # A schema-valid session document can name vendor options or a policy its job kind
        # refuses, or ask for a port of its own, which an in-process app (this suite) cannot open
        # (400); "default" names the root's session, which cannot be deleted (409).
        _relax(["create_session", "put_session"],
               positive_data_acceptance={"expected-statuses": ["2xx", "400"]}),
        _relax("delete_session", positive_data_acceptance={"expected-statuses": ["2xx", "404", "409"]}),
]}


def _control_adjust(case, app, creds) -> None:
    """Each case starts from the seeded state: reset, seed and snapshot restores replace the state
    the next case would otherwise inherit, and sessions made by earlier cases are gone."""
    app.extensions["mockcdr"].reset("contract")
    app.extensions["mockcdr.sessions"].close_all()


CONTROL = Target("control", "control", Settings(seed="contract", clock_start="2026-04-20T12:00:00Z",
                                                clock_frozen=True),
                 CONTROL_RULES, adjust=_control_adjust)

# The same API behind a control token, every call carrying it (schemathesis' auth): the guard
# lets every documented case through. (The spec makes the token optional, so schemathesis does
# not send calls without it; tests/hardening/test_control_plane.py checks those are 401s.)
CONTROL_TOKEN = Target("control-token", "control", CONTROL.settings.with_(control_token="contract-token"),
                       CONTROL_RULES, auth=lambda creds: {"controlToken": {"bearer": "contract-token"}},
                       adjust=_control_adjust, max_examples=10)

TARGETS = (DIDWW, DIDWW_LEGACY, TELNYX, YETI, MOR, YEASTAR, CONTROL, CONTROL_TOKEN)
