"""The client snippet of the README's Yeastar section runs, as printed, against a live server."""
from __future__ import annotations

from readme_blocks import vendor_snippet

import re
from pathlib import Path

from mockcdr.testing import LiveServer
from yeastar_helpers import yeastar_settings

DOC = "README.md"


def test_the_client_snippet_runs(capsys):
    code = vendor_snippet("yeastar")
    assert 'BASE = "http://127.0.0.1:8080/api/v1.1.0"' in code
    with LiveServer(yeastar_settings()) as srv:
        exec(compile(code.replace("http://127.0.0.1:8080", srv.url), DOC, "exec"), {})
        srv.raise_errors()
        logouts = srv.runtime.journal.query(operation="logout")
    out = capsys.readouterr().out
    count = int(out.split()[0])
    assert count > 10 and " calls; first: " in out
    assert [e["response"]["body"] for e in logouts] == ['{"status":"Success"}']
