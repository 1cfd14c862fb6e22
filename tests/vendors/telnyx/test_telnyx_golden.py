"""Golden report files: a fixed seed, a frozen clock and a fixed request give byte-identical CSV.

Regenerate after an intended format change with ``MOCKCDR_REGEN_GOLDEN=1 make test
PYTEST_ARGS=tests/vendors/telnyx/test_telnyx_golden.py`` and review the diff.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockcdr.app import create_app
from mockcdr.settings import Settings

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "telnyx"
CASES = {
    "cdr_report_v1.csv": ("/reporting/cdr_requests", {
        "start_time": "2024-02-11T00:00:00+00:00", "call_types": [1, 2], "record_types": [1, 2, 3],
        "report_name": "golden"}),
    "cdr_report_v2_fields_tz.csv": ("/v2/legacy/reporting/batch_detail_records/voice", {
        "start_time": "2024-02-05T22:00:00Z", "end_time": "2024-02-12T00:00:00Z", "call_types": [2],
        "record_types": [1, 3], "timezone": "Asia/Kolkata",
        "fields": ["start_timestamp", "answer_timestamp", "end_timestamp", "origination_number",
                   "terminating_number", "billable_time", "cost", "hangup_code", "call_leg_id"],
        "filters": [{"filter_type": "and", "cld": "44", "cld_filter": "starts_with"},
                    {"filter_type": "or", "tags_list": "support"}]}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_report_matches_golden_file(name):
    app = create_app(Settings(vendors=("telnyx",), seed="golden", clock_start="2024-02-12T12:00:00Z",
                              clock_frozen=True))
    rt = app.extensions["mockcdr"]
    rt.lifecycle.set_policy("telnyx.cdr_request", {"mode": "immediate"})
    account = rt.state["telnyx"].accounts["acme"]
    path, body = CASES[name]
    client = app.test_client()
    resp = client.post(path, json=body, headers={"Authorization": f"Bearer {account.api_key}"})
    assert resp.status_code == 200, resp.get_json()
    job = resp.get_json()
    url = (job.get("data") or job)["report_url"]
    download = client.get(url[len("http://localhost"):])
    assert download.status_code == 200
    data = download.data
    golden = GOLDEN / name
    if os.environ.get("MOCKCDR_REGEN_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert golden.exists(), f"no golden file {golden}; run with MOCKCDR_REGEN_GOLDEN=1 to create it"
    assert data == golden.read_bytes()
    assert data.count(b"\n") > 5
