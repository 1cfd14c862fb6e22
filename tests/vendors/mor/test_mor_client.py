"""The client snippet of the README's MOR section, run as written against a live server."""
from __future__ import annotations

from readme_blocks import vendor_snippet

import io
import re
import tarfile
from pathlib import Path

from mor_support import START

import pytest
from places import PLACES, at

from mockcdr.core.clock import parse_instant
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer
from mockcdr.vendors.mor import VENDOR

DOC = "README.md"


def _snippet() -> str:
    return vendor_snippet("mor")


@pytest.mark.parametrize("where", PLACES)
def test_the_documented_snippet_works_against_the_mock(capsys, where):
    code = _snippet()
    assert 'BASE = "http://127.0.0.1:8080/billing/api/v2"' in code
    settings = Settings(vendors=("mor",), seed="mor-doc", clock_start=START, clock_frozen=True)
    with LiveServer(settings) as live:
        places = at(live, where)
        srv = next(places)
        code = code.replace("http://127.0.0.1:8080", srv.url)
        scope: dict = {}
        exec(compile(code, str(DOC), "exec"), scope)  # noqa: S102
        assert scope["created"].status_code == 201
        assert scope["shown"].status_code == 200
        assert scope["shown"].json()["automatic_cdr_export"] == scope["task"]
        assert set(scope["tokens"]) == {"token", "refresh_token", "expires_in"}
        assert capsys.readouterr().out.strip() == "201 1 2026-07-01 02:00:00"
        # the scheduler then delivers the archive when the virtual clock passes next_run_at
        srv.runtime.clock.set(parse_instant("2026-07-01T01:00:00Z"))
        (delivery,) = srv.runtime.deliveries.list(vendor="mor")
        data = VENDOR.render_file(srv.runtime, delivery["file"]).read()
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            assert tar.getnames() == ["ACME_cdr_export_1_20260601020000_20260701015959.csv"]
        next(places, None)            # raises what the server raised, and deletes a session
