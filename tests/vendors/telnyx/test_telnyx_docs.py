"""The snippet in the README's Telnyx section runs as written against a live mock."""
from __future__ import annotations

from readme_blocks import vendor_snippet

import re
from pathlib import Path

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

DOC = "README.md"


def test_fidelity_snippet_runs(monkeypatch, capsys):
    snippet = vendor_snippet("telnyx")
    settings = Settings(vendors=("telnyx",), vendor_options={"telnyx": {"generation_seconds": 0}})
    with LiveServer(settings) as srv:
        monkeypatch.setenv("MOCKCDR_URL", srv.url)
        namespace: dict = {}
        exec(compile(snippet, DOC, "exec"), namespace)
        for client in (namespace["v1"], namespace["voice"]._client):   # idle keep-alives delay stop()
            client.close()
        srv.raise_errors()
    assert namespace["report"].status == 2 and namespace["rows"]
    assert {r["direction"] for r in namespace["rows"]} == {"inbound", "outbound"}
    assert namespace["v1_rows"] and {r["direction"] for r in namespace["v1_rows"]} == {"inbound"}
    assert "V2 rows;" in capsys.readouterr().out
