"""The official SDK ``didww`` 2.0.0 (API 2022-05-10) against a live mock, from its own virtualenv.

``didww`` 2.x and 3.x cannot share one environment, so the first run creates
``.venv/didww2-sdk`` (``pip install didww==2.0.0`` through the configured index) and later runs
reuse it. The client script runs there; it also hosts a small receiver for the export's callback
and checks it with the 2.x SDK's own ``RequestValidator``.
"""
from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer
from places import PLACES, at

ROOT = Path(__file__).resolve().parents[3]
VENV = ROOT / ".venv" / "didww2-sdk"
PINNED = "2.0.0"

SCRIPT = r'''
import csv, datetime as dt, http.server, json, sys, threading, time, urllib.parse
from importlib.metadata import version

from didww.callback.request_validator import RequestValidator
from didww.client import DidwwClient
from didww.enums import CallbackMethod, ExportStatus, ExportType
from didww.exceptions import DidwwApiError
from didww.query_params import QueryParams
from didww.resources.export import Export

base_url, api_key, did, trunk, out_dir = sys.argv[1:6]
result = {"sdk": version("didww")}
calls = []

class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        calls.append({"url": f"http://127.0.0.1:{self.server.server_address[1]}{self.path}",
                      "form": dict(urllib.parse.parse_qsl(body)), "sig": self.headers.get("X-DIDWW-Signature")})
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass

hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=hook.serve_forever, daemon=True).start()
now = dt.datetime.now(dt.timezone.utc)
client = DidwwClient(api_key=api_key, base_url=base_url)

e = Export()
e.export_type = ExportType.CDR_IN
e.filters = {"year": now.year, "month": now.month, "did_number": did}
e.callback_url = f"http://127.0.0.1:{hook.server_address[1]}/didww"
e.callback_method = CallbackMethod.POST
created = client.exports().create(e)
result["create_meta"] = created.meta
result["create_status_is_enum"] = created.data.status is ExportStatus.PENDING
result["create_attributes"] = sorted(created.data.attributes.keys())
export_id = created.data.id

deadline = time.monotonic() + 20
seen = []
while True:
    found = client.exports().find(export_id).data
    if not seen or seen[-1] != found.status.value:
        seen.append(found.status.value)
    if found.status is ExportStatus.COMPLETED or time.monotonic() > deadline:
        break
    time.sleep(0.05)
result["statuses"] = seen
result["callback_method"] = found.callback_method.value

listed = client.exports().list(QueryParams().filter("id", export_id).sort("-created_at").page(1, 10))
result["list_total"] = listed.meta["total_records"]
result["list_ids"] = [x.id for x in listed.data]
result["list_version"] = listed.meta["api_version"]

client.download_and_decompress_export(found.url, f"{out_dir}/in.csv")
rows = list(csv.reader(open(f"{out_dir}/in.csv", encoding="utf-8")))
result["in_header"] = rows[0]
result["in_dids"] = sorted({r[4] for r in rows[1:]})

o = Export()
o.export_type = ExportType.CDR_OUT
o.filters = {"year": str(now.year), "month": str(now.month), "day": str(now.day), "voice_out_trunk.id": trunk}
out_id = client.exports().create(o).data.id
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    got = client.exports().find(out_id).data
    if got.status is ExportStatus.COMPLETED:
        break
    time.sleep(0.05)
client.download_and_decompress_export(got.url, f"{out_dir}/out.csv")
result["out_header"] = next(csv.reader(open(f"{out_dir}/out.csv", encoding="utf-8")))

bad = Export()
bad.export_type = ExportType.CDR_IN
bad.filters = {"year": now.year - 1, "month": now.month}
try:
    client.exports().create(bad)
except DidwwApiError as exc:
    result["error"] = [exc.status_code, str(exc)]

deadline = time.monotonic() + 20
while not calls and time.monotonic() < deadline:
    time.sleep(0.05)
result["callback_form"] = calls[0]["form"] if calls else None
result["callback_valid"] = bool(calls) and RequestValidator(api_key).validate(
    calls[0]["url"], calls[0]["form"], calls[0]["sig"])
result["callback_tampered_valid"] = bool(calls) and RequestValidator(api_key).validate(
    calls[0]["url"], {**calls[0]["form"], "status": "pending"}, calls[0]["sig"])
hook.shutdown()
print(json.dumps(result))
'''


def sdk2_python() -> Path:
    """The interpreter of the cached 2.x virtualenv, created on first use (under a file lock)."""
    python = VENV / "bin" / "python"
    marker = VENV / f".didww-{PINNED}-installed"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / "didww2-sdk.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True, timeout=300)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"didww=={PINNED}"],
                           check=True, timeout=900)
            marker.touch()
    return python


@pytest.mark.slow
@pytest.mark.parametrize("where", PLACES)
def test_sdk_2_against_the_mock(tmp_path, where):
    python = sdk2_python()
    # a second in Pending: the script's first poll sees it even on a busy machine
    settings = Settings(vendors=("didww",), seed="sdk2",
                        vendor_options={"didww": {"pending_seconds": 1.0, "processing_seconds": 0.5}})
    with LiveServer(settings) as live:
        places = at(live, where)
        srv = next(places)
        rt = srv.runtime
        customer = rt.state["didww"].by_name["acme"]          # default version 2022-05-10
        tenant = rt.tenant(customer.tenant)
        now = rt.clock.now()
        before = [c for c in rt.universe.calls(tenant, now.replace(day=1, hour=0, minute=0, second=0,
                                                                   microsecond=0), now)
                  if c.direction == "in" and c.did == tenant.dids[0]]
        script = tmp_path / "sdk2_client.py"
        script.write_text(SCRIPT, encoding="utf-8")
        proc = subprocess.run([str(python), str(script), f"{srv.url}/v3", customer.api_key, tenant.dids[0],
                               tenant.trunks[0].id, str(tmp_path)], capture_output=True, text=True, timeout=120)
        next(places, None)            # raises what the server raised, and deletes a session
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["sdk"] == PINNED
    assert result["create_meta"] == {"api_version": "2022-05-10"}
    assert result["create_status_is_enum"] is True
    assert result["create_attributes"] == sorted(["status", "created_at", "url", "callback_url",
                                                  "callback_method", "export_type"])
    assert result["statuses"][0] in ("Pending", "Processing") and result["statuses"][-1] == "Completed"
    assert result["callback_method"] == "POST"
    assert result["list_total"] == 1 and result["list_version"] == "2022-05-10"
    assert len(result["list_ids"]) == 1
    assert len(result["in_header"]) == 15 and result["in_header"][4] == "DID"
    assert result["in_dids"] == ([tenant.dids[0]] if before else [])
    assert result["out_header"][0] == "Date/Time Start (UTC)" and len(result["out_header"]) == 14
    assert result["error"] == [422, "filters - month must be within the current and 2 previous months"]
    assert result["callback_form"] == {"id": result["list_ids"][0], "status": "completed", "type": "exports"}
    assert result["callback_valid"] is True and result["callback_tampered_valid"] is False
