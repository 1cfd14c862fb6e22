"""WireMock (the npm package's standalone jar) serving one static stub, as users run it: request journal on."""
from __future__ import annotations

import json
import shutil
import time
import urllib.request

from common import BENCH, OUT, Proc

JAR_DIR = BENCH / "node_modules" / "wiremock" / "build"


def jar() -> str | None:
    found = sorted(JAR_DIR.glob("wiremock-standalone-*.jar")) if JAR_DIR.exists() else []
    return str(found[-1]) if found and shutil.which("java") else None


def version() -> str:
    path = jar()
    return path.rsplit("wiremock-standalone-", 1)[1].removesuffix(".jar") if path else ""


def server(port: int) -> Proc:
    """``java -jar wiremock-standalone.jar`` on 127.0.0.1:port; its defaults otherwise (journal on)."""
    return Proc(["java", "-jar", jar(), "--port", str(port), "--bind-address", "127.0.0.1", "--disable-banner"],
                log=str(OUT / "wiremock.log"))


def stub(base: str, method: str, path: str, status: int, body: str, content_type: str, timeout: float = 60) -> None:
    """Wait for the admin API, then register one stub answering ``method path`` with this body."""
    mapping = {"request": {"method": method, "url": path},
               "response": {"status": status, "body": body, "headers": {"Content-Type": content_type}}}
    deadline = time.monotonic() + timeout
    while True:
        try:
            req = urllib.request.Request(f"{base}/__admin/mappings", data=json.dumps(mapping).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(req, timeout=5) as resp:
                if resp.status == 201:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def journal_count(base: str) -> int:
    with urllib.request.urlopen(f"{base}/__admin/requests/count", data=json.dumps({"method": "ANY"}).encode(),
                                timeout=30) as resp:
        return json.loads(resp.read())["count"]


def reset_journal(base: str) -> None:
    """Empty the request journal (as a test suite does between tests): each measured run starts
    from the same journal, as mockcdr's does (its journal is cleared before each run too)."""
    req = urllib.request.Request(f"{base}/__admin/requests", method="DELETE")
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()
