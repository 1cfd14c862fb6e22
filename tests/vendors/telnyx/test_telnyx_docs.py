"""The snippet in the README's Telnyx section runs as written against a live mock."""
from __future__ import annotations

from readme_blocks import vendor_snippet

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

DOC = "README.md"


def test_fidelity_snippet_runs(monkeypatch, capsys):
    """Default timings on a frozen clock: the snippet gets its reports by moving the clock."""
    snippet = vendor_snippet("telnyx")
    assert 'BASE = "http://127.0.0.1:8080"' in snippet and "sleep" not in snippet
    start = (datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat()
    settings = Settings(vendors=("telnyx",), clock_start=start, clock_frozen=True)
    with LiveServer(settings) as srv:
        namespace: dict = {}
        exec(compile(snippet.replace("http://127.0.0.1:8080", srv.url), DOC, "exec"), namespace)
        for client in (namespace["v1"], namespace["voice"]._client):   # idle keep-alives delay stop()
            client.close()
        srv.raise_errors()
    assert namespace["report"].status == 2 and namespace["rows"]
    assert {r["direction"] for r in namespace["rows"]} == {"inbound", "outbound"}
    assert namespace["v1_rows"] and {r["direction"] for r in namespace["v1_rows"]} == {"inbound"}
    assert "V2 rows;" in capsys.readouterr().out
