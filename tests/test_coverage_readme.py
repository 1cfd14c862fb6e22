"""The README's coverage examples are real: the example suite's run and a verification miss, as shown."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer
from readme_blocks import blocks

ROOT = Path(__file__).resolve().parent.parent


def block(info: str, starts: str) -> str:
    found = [body for kind, body, _, _ in blocks() if kind == info and body.startswith(starts)]
    assert len(found) == 1, f"README has {len(found)} {info} blocks starting {starts!r}"
    return found[0]


@pytest.mark.slow
def test_the_example_suite_run_prints_what_the_readme_shows(tmp_path):
    shown = block("console", "$ pytest -q tests/example_suite").splitlines()
    command = shown[0].removeprefix("$ pytest").split()
    shutil.copytree(ROOT / "tests" / "example_suite", tmp_path / "tests" / "example_suite")
    env = dict(os.environ, COLUMNS="80")
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run([sys.executable, "-m", "pytest", *command], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = done.stdout.rstrip("\n").splitlines()
    timing = re.compile(r" in [0-9.]+s$")
    assert [timing.sub("", line) for line in printed] == [timing.sub("", line) for line in shown[1:]]
    assert (tmp_path / "coverage.json").is_file() and (tmp_path / "coverage.json.html").is_file()


def test_the_verification_miss_reads_as_shown():
    shown = block("text", "VerificationError: ").rstrip("\n")
    key = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": "application/vnd.api+json",
           "Content-Type": "application/vnd.api+json"}
    export = {"data": {"type": "exports", "attributes": {
        "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}}
    with LiveServer(Settings(vendors=("didww",), clock_start="2026-04-20T12:00:00Z")) as server:
        session = server.session()
        session.control.add_fault("didww", "error", operation="createExport", status=503, count=1)
        for body in (export, export, {}):
            requests.post(f"{session.url}/v3/exports", json=body, headers=key)
        requests.get(f"{session.url}/v3/exports", headers=key)
        requests.head(f"{session.url}/v3/exports", headers=key)
        with pytest.raises(AssertionError) as caught:
            session.control.verify("didww", "createExport", count=2, status=201)
    assert f"{type(caught.value).__name__}: {caught.value}" == shown
