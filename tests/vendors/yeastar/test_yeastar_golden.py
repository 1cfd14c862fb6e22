"""Golden CSV: a fixed seed, frozen clock and request give byte-identical downloads.

Regenerate after an intended change of the file format with
``MOCKCDR_REGEN_GOLDEN=1 make test PYTEST_ARGS=tests/vendors/yeastar/test_yeastar_golden.py``
and review the diff of tests/golden/yeastar/.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from mockcdr.settings import Settings

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "yeastar"
CASES = {
    # file name: (API base, options, extid, window)
    "acme-all-2026-03-01.csv": ("/api/v1.1.0", {}, "all", ("2026-03-01 00:00:00", "2026-03-01 23:59:59")),
    "acme-1001-1004-berlin-v2.csv": ("/api/v2.0.0", {"timezone": "Europe/Berlin"}, "1001,1004",
                                     ("2026-03-01 00:00:00", "2026-03-03 23:59:59")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_download(make_pbx, name):
    base, options, extid, window = CASES[name]
    settings = Settings(vendors=("yeastar",), seed="golden", clock_start="2026-03-05T09:30:00Z",
                        clock_frozen=True, vendor_options={"yeastar": options})
    pbx = make_pbx(base, settings=settings)
    token = pbx.token()
    resp = pbx.download(token, pbx.random(token, extid, window), extid, window)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    path = GOLDEN / name
    if os.environ.get("MOCKCDR_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(resp.data)
    assert resp.data == path.read_bytes()
