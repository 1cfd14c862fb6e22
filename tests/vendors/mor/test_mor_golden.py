"""Golden files: a fixed seed and a frozen clock give byte-identical delivered archives."""
from __future__ import annotations

# Regenerate after an intended format change with
#   MOCKCDR_REGEN_GOLDEN=1 make test PYTEST_ARGS=tests/vendors/mor/test_mor_golden.py
# and review the difference of the extracted CSV before committing.

import gzip
import io
import os
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from mor_support import Api, make_app

from mockcdr.core.clock import parse_instant
from mockcdr.core.vendor import GenerateRequest
from mockcdr.vendors.mor import VENDOR

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "mor"
REGEN = os.environ.get("MOCKCDR_REGEN_GOLDEN") == "1"

CASES = {
    # the wiki's quick start: monthly, London, template 5, user 123's calls, tgz
    "quick_start_monthly.tgz": dict(),
    # every column of the full template, one day in Tokyo, ";" and "," separators, plain CSV
    "full_template_daily.csv": dict(name="Full", period="daily", template_id=6, timezone="Tokyo",
                                    archive_extension="none", filename_prefix="FULL_", query={}),
}


def _delivered(name: str, **options) -> tuple[bytes, dict]:
    app = make_app(seed="golden-mor", options=options or None)
    rt = app.extensions["mockcdr"]
    api = Api(app.test_client(), rt)
    api.create(**CASES[name])
    rt.clock.set(parse_instant("2026-07-01T12:00:00Z"))
    (delivery,) = [d for d in rt.deliveries.list(vendor="mor")][-1:]
    return VENDOR.render_file(rt, delivery["file"]).read(), delivery


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    options = {"csv_separator": ";", "csv_decimal": ","} if name.endswith(".csv") else {}
    data, _delivery = _delivered(name, **options)
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    golden = path.read_bytes()
    if name.endswith(".tgz"):
        # the tar is the format; the deflate bytes are the compressor's choice (ISA-L picks its
        # code by CPU), so the gzip header is pinned and the stream compared unpacked
        assert data[:10] == golden[:10]
        data, golden = gzip.decompress(data), gzip.decompress(golden)
    assert data == golden, f"{name} changed; see the comment at the top to regenerate"


def test_golden_archive_holds_the_prefixed_csv():
    data = (GOLDEN / "quick_start_monthly.tgz").read_bytes()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        (member,) = tar.getmembers()
        text = tar.extractfile(member).read().decode("utf-8")
    assert member.name == "ACME_cdr_export_1_20260601020000_20260701015959.csv"
    assert member.mtime == int(parse_instant("2026-07-01T01:00:00Z").timestamp())
    lines = text.splitlines()
    assert lines[0] == ("Date,Called from,Called to,Destination,Originator Billsec,Hangup cause,"
                        "Terminator,Originator,Originator Price")
    dates = [line[:19] for line in lines[1:]]
    assert len(dates) > 100 and dates == sorted(dates)
    assert "2026-06-01 02:00:00" <= dates[0] < "2026-06-02" and "2026-06-30" < dates[-1] <= "2026-07-01 01:59:59"


def test_generate_gives_the_delivered_bytes():
    data, delivery = _delivered("quick_start_monthly.tgz")
    rt = make_app(seed="golden-mor").extensions["mockcdr"]
    window = delivery["file"]["window"]
    out = VENDOR.generate(rt, GenerateRequest(
        tenant="acme", start=datetime.fromisoformat(window["from"]),
        end=datetime.fromisoformat(window["till"]), format="tgz",
        params={"template_id": "5", "timezone": "London", "filename_prefix": "ACME_", "task_id": 1,
                "s_user_id": "123", "s_call_type": "all"}))
    assert out.filename == delivery["payload"]["filename"]
    assert out.read() == data


def test_generate_limits_rows_and_refuses_bad_requests():
    rt = make_app().extensions["mockcdr"]
    start = parse_instant("2026-06-01T00:00:00Z")
    out = VENDOR.generate(rt, GenerateRequest(tenant="globex_admin", start=start, end=None, limit=5,
                                              format="none"))
    lines = out.read().decode().splitlines()
    assert len(lines) == 6 and lines[0] == "Date,Source Number,Called to,Billsec,Disposition"
    for bad in (dict(tenant="nobody"), dict(format="rar"), dict(params={"template_id": "8"}),
                dict(params={"timezone": "Mars"})):
        kwargs = dict(tenant="acme", start=start, end=start + timedelta(days=1))
        kwargs.update(bad)
        with pytest.raises(ValueError):
            VENDOR.generate(rt, GenerateRequest(**kwargs))


def test_cli_generate_writes_the_same_bytes(tmp_path):
    from mockcdr.cli import main

    out = tmp_path / "export.zip"
    argv = ["generate", "mor", "--from", "2026-06-01T00:00:00Z", "--to", "2026-06-02T00:00:00Z",
            "--tenant", "initech", "--format", "zip", "--seed", "golden-mor",
            "--param", "filename_prefix=INI_", "--param", "s_call_type=answered", "-o", str(out)]
    assert main(argv) == 0
    rt = make_app(seed="golden-mor").extensions["mockcdr"]
    expected = VENDOR.generate(rt, GenerateRequest(
        tenant="initech", start=parse_instant("2026-06-01T00:00:00Z"),
        end=parse_instant("2026-06-02T00:00:00Z"), format="zip",
        params={"filename_prefix": "INI_", "s_call_type": "answered"}))
    assert expected.filename == "INI_cdr_export_0_20260601020000_20260602015959.zip"
    assert out.read_bytes() == expected.read()
