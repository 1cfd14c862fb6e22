"""Golden files: a fixed seed, frozen clock and request give byte-identical CSV files.

The goldens hold the decompressed CSV (gzip's deflate bytes may differ between zlib builds).
After an intended change to the file format, regenerate them with

    MOCKCDR_REGEN_GOLDEN=1 make test PYTEST_ARGS="tests/vendors/yeti/test_yeti_golden.py"

and review the diff before committing.
"""
from __future__ import annotations

import gzip
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mockcdr.settings import Settings

from yeti_helpers import ACME_PRIMARY, GLOBEX, GLOBEX_LOGIN

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "yeti"
CASES = {
    "acme_kyiv_with_timezone.csv": dict(account=ACME_PRIMARY, time_format="with_timezone",
                                        time_zone_name="Europe/Kyiv",
                                        filters={"time_start_gteq": "2026-07-10 00:00:00",
                                                 "time_start_lt": "2026-07-12 00:00:00"}),
    "globex_utc_round_to_seconds_answered.csv": dict(account=GLOBEX, time_format="round_to_seconds",
                                                     filters={"time_start_gteq": "2026-07-10T00:00:00Z",
                                                              "time_start_lt": "2026-07-11T00:00:00Z",
                                                              "success_eq": True}),
}


@pytest.fixture
def settings() -> Settings:
    return Settings(vendors=("yeti",), seed="golden-1", clock_start="2026-07-18T10:00:00Z", clock_frozen=True)


def test_the_frozen_clock_starts_exactly_at_clock_start(rt):
    """Goldens and boundary tests rely on it (created-at, completion instant, the CDR cap)."""
    assert rt.clock.now() == datetime(2026, 7, 18, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_file_matches_the_golden_bytes(yeti, rt, name):
    rt.lifecycle.set_policy("yeti.cdr_export", {"mode": "immediate"})
    if CASES[name]["account"] == GLOBEX:
        yeti.login(GLOBEX_LOGIN)
    export_id = yeti.create(**CASES[name])["id"]
    data = gzip.decompress(yeti.download(export_id).data)
    path = GOLDEN / name
    if os.environ.get("MOCKCDR_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes()
