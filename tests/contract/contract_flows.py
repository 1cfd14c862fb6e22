"""The stateful flows per vendor: create -> poll -> clock -> download -> reuse, and what each must show."""
# A Flow is a vendor's workflow for schemathesis' state machine, chained by the `links` in its
# spec. The machine (test_contract_stateful.py) also moves the virtual clock through the control
# API, so jobs complete, tokens and randoms expire, schedules run. A flow adds:
#   steer:    fills the few fields of a positive create that no schema can make valid (a window
#             the clock allows, an account of the caller), so chains start often enough;
#   observe:  the vendor's token rules, checked on every download (a one-time token serves one
#             file, a reusable one keeps serving it);
#   expected: what the run must have seen at least once, so a broken link fails the test.
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable

from contract_targets import (DIDWW_RULES, MOR_RULES, MOR_TASK, MOR_USER, TELNYX_RULES, YEASTAR_RULES, YEASTAR_USER,
                              YETI_ACCOUNT, YETI_BASE, YETI_LOGIN, YETI_RULES, mor_auth, no_network, telnyx_auth)
from mockcdr.settings import Settings

DAY = 86_400


@dataclass
class Flow:
    name: str
    spec: str
    settings: Settings
    config: dict = field(default_factory=dict)   # the stateless suite's rules, and static credentials
    advances: tuple = (5, 60)            # seconds the clock may move by, through the control API
    kinds: tuple = ()                    # job kinds whose progression each scenario chooses
    creates: frozenset = frozenset()     # operations after whose success the clock may move
    login: Callable | None = None        # (client) -> the Authorization header for secured operations
    steer: Callable | None = None        # (machine, case) for positive cases
    observe: Callable | None = None      # (machine, case, response)
    expected: frozenset = frozenset()    # events the run must have seen
    deliveries: bool = False             # fetch what the server delivered after the clock moves
    max_examples: int = 60               # scenarios (each up to `steps` steps)
    steps: int = 10

    def prepare(self, app) -> None:
        app.extensions["mockcdr"].deliveries.send = no_network


def _is_json(response) -> dict | None:
    if not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _reusable(op_id: str, key: Callable):
    """Downloads that must keep serving the file: the second one is 200 again."""
    def observe(machine, case, response) -> None:
        if case.operation.definition.raw.get("operationId") != op_id or response.status_code != 200:
            return
        k = key(case)
        if k in machine.memory.setdefault("downloaded", set()):
            machine.events.add("download served again")
        machine.memory["downloaded"].add(k)
        machine.events.add("file downloaded")
    return observe


# -- DIDWW: create -> poll (pending, processing, completed + url) -> download -> download again -------
def _didww_steer(machine, case) -> None:
    if case.operation.definition.raw.get("operationId") != "createExport" or not isinstance(case.body, dict):
        return
    attributes = (case.body.get("data") or {}).get("attributes")
    if isinstance(attributes, dict):    # a window the clock allows, in the serving version's words
        attributes["filters"] = {"from": "2026-04-01", "to": "2026-04-03"}
        attributes.pop("callback_method", None)
        attributes["callback_url"] = "https://callbacks.example/didww"


DIDWW = Flow(
    "didww", "didww",
    Settings(vendors=("didww",), seed="contract", clock_start="2026-04-20T12:00:00Z", clock_frozen=True),
    config={**DIDWW_RULES, "auth": {"openapi": {"api_key": {"api_key": "didww-test-globex-51a7c9d2"}}}},
    advances=(5, 10, 60, 31 * DAY), kinds=("didww.export",), creates=frozenset({"createExport"}),
    steer=_didww_steer,
    observe=_reusable("downloadExportFile", lambda case: case.path_parameters["file_id"]),
    expected=frozenset({"file downloaded", "download served again"}), max_examples=50)


# -- Telnyx: create (V1 or V2) -> poll -> download -> the one-time link refuses a second download ----
def _telnyx_steer(machine, case) -> None:
    if case.operation.definition.raw.get("operationId") not in ("addCdrRequest", "createVoiceReport"):
        return
    if isinstance(case.body, dict):     # at most 30 days back, ending before tomorrow
        case.body.update(start_time="2024-02-12T00:00:00Z", end_time="2024-02-12T18:00:00Z")
        for name in ("filters", "connections", "managed_accounts", "select_all_managed_accounts", "timezone"):
            case.body.pop(name, None)


def _telnyx_observe(machine, case, response) -> None:
    if case.operation.definition.raw.get("operationId") != "downloadCdrReport":
        return
    key = (case.path_parameters["token"], case.path_parameters["filename"])
    used = machine.memory.setdefault("used", set())
    if response.status_code == 200:
        assert key not in used, f"the one-time report link {key} served a second download"
        used.add(key)
        machine.events.add("file downloaded")
    elif key in used:
        machine.events.add("second download refused")


TELNYX = Flow(
    "telnyx", "telnyx",
    Settings(vendors=("telnyx",), seed="contract", clock_start="2024-02-12T20:00:00Z", clock_frozen=True,
             vendor_options={"telnyx": {"report_url_one_time": True}}),
    config={**TELNYX_RULES, "auth": {"openapi": telnyx_auth({})}},
    advances=(5, 60, 31 * DAY), kinds=("telnyx.cdr_request",),
    creates=frozenset({"addCdrRequest", "createVoiceReport"}), steer=_telnyx_steer, observe=_telnyx_observe,
    expected=frozenset({"file downloaded", "second download refused"}))


# -- yeti: create -> poll (Pending, Completed) -> download -> download again ---------------------------
def _yeti_login(client) -> str:
    return client.post(f"{YETI_BASE}/auth", json={"auth": {"login": YETI_LOGIN[0], "password": YETI_LOGIN[1]}}
                       ).get_json()["jwt"]


def _yeti_steer(machine, case) -> None:
    try:
        identifier = case.body["data"]["relationships"]["account"]["data"]
    except (KeyError, TypeError):
        return
    if isinstance(identifier, dict):    # any UUID is schema-valid; only the caller's accounts export
        identifier["id"] = YETI_ACCOUNT


YETI = Flow(
    "yeti", "yeti",
    Settings(vendors=("yeti",), seed="contract", clock_start="2026-07-18T10:00:00Z", clock_frozen=True),
    config=YETI_RULES, advances=(5, 601, DAY), kinds=("yeti.cdr_export",), creates=frozenset({"createCdrExport"}),
    login=_yeti_login, steer=_yeti_steer,
    observe=_reusable("downloadCdrExport", lambda case: case.path_parameters["export_id"]),
    expected=frozenset({"file downloaded", "download served again"}))


# -- MOR: log in -> refresh; create a task -> show/update -> the clock runs it -> its delivered file ---
def _mor_login(client) -> str:
    basic = base64.b64encode(f"{MOR_USER[0]}:{MOR_USER[1]}".encode()).decode()
    token = client.post("/billing/api/v2/authentication/login",
                        headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    return f"Bearer {token}"


def _mor_steer(machine, case) -> None:
    if case.operation.definition.raw.get("operationId") != "createAutomaticCdrExport":
        return
    if isinstance(case.body, dict):     # a template, a user and a zone of the caller's system
        generated = {k: v for k, v in case.body.items() if k in ("name", "archive_extension", "active")}
        case.body = {**MOR_TASK, "period": "daily", **generated}


MOR = Flow(
    "mor", "mor",
    Settings(vendors=("mor",), seed="contract", clock_start="2026-06-10T10:00:00Z", clock_frozen=True),
    config={**MOR_RULES, "auth": {"openapi": mor_auth({})}},
    advances=(DAY, 31 * DAY), creates=frozenset({"createAutomaticCdrExport"}), login=_mor_login,
    steer=_mor_steer, deliveries=True,
    expected=frozenset({"delivered file downloaded"}))


# -- Yeastar: log in -> get_random -> download -> the random is spent (and expires in 30 s) --------
def _yeastar_login_body() -> dict:
    return {"username": YEASTAR_USER[0], "port": "8260", "password": hashlib.md5(YEASTAR_USER[1].encode()).hexdigest()}


def _yeastar_steer(machine, case) -> None:
    op_id = case.operation.definition.raw.get("operationId")
    if "token" in (case.query or {}) and "token" not in machine.linked:
        # A request that does not follow login's link still needs a live token (see
        # contract_targets), logged in through the same transport: a random is bound to the
        # address that logged in.
        version = case.path.split("/")[2]
        login = machine.schema[f"/api/{version}/login"]["POST"].Case(body=_yeastar_login_body(),
                                                                       media_type="application/json")
        case.query["token"] = login.call().json()["token"]
    if op_id in ("login", "loginV2"):
        body = _yeastar_login_body()
    elif op_id in ("getCdrRandom", "getCdrRandomV2"):   # a window of real dates, every extension
        body = {"extid" if op_id == "getCdrRandom" else "number": "all",
                "starttime": "2026-03-01 00:00:00", "endtime": "2026-03-01 23:59:59"}
    else:
        return
    # the body is JSON whatever its media type (text/plain bodies are JSON text)
    case.body = json.dumps(body) if isinstance(case.body, str) else {**(case.body or {}), **body}
    if isinstance(case.body, dict):
        case.body.pop("allowedip", None)


def _yeastar_observe(machine, case, response) -> None:
    op_id = case.operation.definition.raw.get("operationId")
    body = _is_json(response)
    now = machine.rt.clock.timestamp()
    issued = machine.memory.setdefault("issued", {})
    if op_id in ("getCdrRandom", "getCdrRandomV2") and body and body.get("status") == "Success":
        issued[body["random"]] = now
        return
    if not op_id.startswith("downloadCdr"):
        return
    random = (case.query or {}).get("random")
    spent = machine.memory.setdefault("spent", set())
    if response.status_code == 200 and body is None:      # the CSV
        assert random not in spent, f"random {random} served a second download"
        assert now - issued.get(random, now) < 30, f"random {random} served a file after its 30 seconds"
        spent.add(random)
        machine.events.add("file downloaded")
    elif body and body.get("errno") == "20020":
        if random in spent:
            machine.events.add("spent random refused")
        elif random in issued and now - issued[random] >= 30:
            machine.events.add("expired random refused")


YEASTAR = Flow(
    "yeastar", "yeastar",
    Settings(vendors=("yeastar",), seed="contract", clock_start="2026-03-02T12:00:00Z", clock_frozen=True),
    config=YEASTAR_RULES,
    advances=(31, 1801), creates=frozenset({"getCdrRandom", "getCdrRandomV2"}), steer=_yeastar_steer,
    observe=_yeastar_observe,
    expected=frozenset({"file downloaded", "spent random refused", "expired random refused"}), max_examples=80)

FLOWS = (DIDWW, TELNYX, YETI, MOR, YEASTAR)
