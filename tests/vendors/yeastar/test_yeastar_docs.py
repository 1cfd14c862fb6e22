"""The client snippet of docs/fidelity/yeastar.md runs, as printed, against a live server."""
from __future__ import annotations

import re
from pathlib import Path

from mockcdr.testing import LiveServer
from yeastar_helpers import yeastar_settings

NOTES = Path(__file__).resolve().parents[3] / "docs" / "fidelity" / "yeastar.md"


def test_the_client_snippet_runs(capsys):
    text = NOTES.read_text(encoding="utf-8")
    section = text[text.index("### Pointing a client at the mock"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert 'BASE = "http://127.0.0.1:8080/api/v1.1.0"' in code
    with LiveServer(yeastar_settings()) as srv:
        exec(compile(code.replace("http://127.0.0.1:8080", srv.url), str(NOTES), "exec"), {})
        srv.raise_errors()
        logouts = srv.runtime.journal.query(operation="logout")
    out = capsys.readouterr().out
    count = int(out.split()[0])
    assert count > 10 and " calls; first: " in out
    assert [e["response"]["body"] for e in logouts] == ['{"status":"Success"}']
