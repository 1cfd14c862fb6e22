"""Golden files: a fixed seed, frozen clock and request give byte-identical CSV files.

Regenerate after an intended change with ``MOCKCDR_REGEN_GOLDEN=1 make test
PYTEST_ARGS=tests/vendors/didww/test_didww_golden.py`` and review the diff.
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from mockcdr.app import create_app
from mockcdr.settings import Settings

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "didww"
CASES = {
    "cdr_in-2026-04-16.csv": ("globex", {"export_type": "cdr_in", "filters": {
        "from": "2026-03-30 00:00:00", "to": "2026-04-01 00:00:00"}}),
    "cdr_out-2026-04-16.csv": ("acme-eu", {"export_type": "cdr_out", "filters": {
        "from": "2026-03-30 00:00:00", "to": "2026-04-01 00:00:00",
        "voice_out_trunk.id": "457bf47d-446d-41cd-91c3-dfbda7bf0753"}}),
    "cdr_in-2022-05-10.csv": ("acme", {"export_type": "cdr_in", "filters": {
        "year": "2026", "month": "4", "did_number": "12025550143"}}),
    "cdr_out-2021-12-15.csv": ("initech", {"export_type": "cdr_out", "filters": {
        "year": 2026, "month": 4, "day": 2}}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_file(name):
    settings = Settings(vendors=("didww",), seed="golden", clock_start="2026-04-03T00:00:00Z", clock_frozen=True)
    app = create_app(settings)
    rt = app.extensions["mockcdr"]
    rt.lifecycle.set_policy("didww.export", {"mode": "immediate"})
    client = app.test_client()
    customer, attributes = CASES[name]
    headers = {"Api-Key": rt.state["didww"].by_name[customer].api_key,
               "Content-Type": "application/vnd.api+json"}
    created = client.post("/v3/exports", json={"data": {"type": "exports", "attributes": attributes}},
                          headers=headers)
    assert created.status_code == 201, created.json
    url = created.json["data"]["attributes"]["url"]
    resp = client.get(url.removeprefix("http://localhost"), headers={"Api-Key": headers["Api-Key"]})
    assert resp.status_code == 200
    data = gzip.decompress(resp.data)
    path = GOLDEN / name
    if os.environ.get("MOCKCDR_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} is missing; run with MOCKCDR_REGEN_GOLDEN=1 to create it"
    assert data == path.read_bytes()
    assert data.count(b"\n") > 10
