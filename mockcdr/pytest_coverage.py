"""--mockcdr-coverage: every test session's API coverage merged (xdist workers too), written as JSON and HTML."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from .core.coverage import document
from .coverage_html import render
from .coverage_report import merge, responses_percent, summary_lines

WORKER_KEY = "mockcdr_coverage"


class CoverageCollector:
    """Takes the coverage of each session a test used before it is deleted: in-process sessions
    as raw counts (cheap), sessions of a server in another process as documents. xdist workers
    hand their merged document to the controller (``workeroutput``), which writes the report."""

    def __init__(self, config, path: str | None, fail_under: float | None, vendors: list[str] | None):
        self.config = config
        self.path = Path(path) if path else None
        self.fail_under = fail_under
        self.vendors = vendors                  # what the percentage is over (None: those exercised)
        self.counts: dict[tuple, int] = {}
        self.catalogues: dict = {}
        self.docs: list[dict] = []
        self.sessions = 0
        self.lost: list[str] = []               # sessions whose coverage could not be read
        self.since = time.time()
        self.result: dict | None = None
        self.failed: str | None = None

    @property
    def worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    # -- taking a session's coverage --------------------------------------------------------------
    def take(self, session=None, control=None) -> None:
        """One session's coverage: in process (a Session) or through its ControlClient."""
        if session is not None:
            coverage = session.coverage
            for slug in session.vendors:
                self.catalogues.setdefault(slug, coverage.catalogue(slug))
            for key, hits in coverage.counts().items():
                self.counts[key] = self.counts.get(key, 0) + hits
            self.sessions += 1
        elif control is not None:
            try:
                self.docs.append(control.get_coverage())
            except Exception as exc:          # the server is gone, or refused: reported, not fatal
                self.lost.append(f"{control.session_id or 'a session'}: {exc}")
            if len(self.docs) > 50:             # keep memory flat over a long run
                self.docs = [merge(self.docs)]

    def merged(self) -> dict:
        local = []
        if self.sessions:
            doc = document(self.counts, list(self.catalogues.values()), "merged", self.since)
            doc["sessions"] = self.sessions
            local = [doc]
        return merge(local + self.docs) if local or self.docs else merge([])

    # -- xdist ------------------------------------------------------------------------------------------
    def pytest_sessionfinish(self, session):
        if self.worker:
            self.config.workeroutput[WORKER_KEY] = json.dumps(self.merged())

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        data = getattr(node, "workeroutput", {}).get(WORKER_KEY)
        if data:
            self.docs.append(json.loads(data))

    # -- the report ---------------------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtestloop(self, session):
        yield
        if self.worker:
            return
        doc = self.result = self.merged()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
            Path(f"{self.path}.html").write_text(render(doc, self.vendors), encoding="utf-8")
        covered = responses_percent(doc, self.vendors)
        if self.fail_under is not None and covered < self.fail_under:
            self.failed = (f"mockcdr API coverage: {covered:.2f}% of documented responses, "
                           f"under --mockcdr-coverage-fail-under={self.fail_under:g}")
            session.testsfailed += 1

    def pytest_terminal_summary(self, terminalreporter):
        if self.worker or self.result is None:
            return
        doc = self.result
        tr = terminalreporter
        sessions = f"{doc['sessions']} session{'' if doc['sessions'] == 1 else 's'}"
        where = f": {self.path} and {self.path}.html" if self.path is not None else ""
        tr.write_sep("-", f"mockcdr API coverage of {sessions}{where}")
        for line in summary_lines(doc):
            tr.write_line(line)
        if self.lost:
            tr.write_line(f"{len(self.lost)} sessions could not be read (not in the report); the first: "
                          f"{self.lost[0]}", yellow=True)
        if self.failed:
            tr.write_line(f"FAIL {self.failed}", red=True, bold=True)


def configure(config) -> None:
    """Register the collector when ``--mockcdr-coverage`` or its fail-under is given."""
    path = config.getoption("--mockcdr-coverage")
    fail_under = config.getoption("--mockcdr-coverage-fail-under")
    if path is None and fail_under is None:
        return
    if fail_under is not None and not 0 <= fail_under <= 100:
        raise pytest.UsageError("--mockcdr-coverage-fail-under takes a percentage from 0 to 100")
    named = config.getoption("--mockcdr-vendors") or config.getini("mockcdr_vendors") or \
        os.environ.get("MOCKCDR_VENDORS")
    vendors = [v.strip() for v in named.split(",") if v.strip()] if named else None
    config.pluginmanager.register(CoverageCollector(config, path, fail_under, vendors), "mockcdr-coverage")


def collector(config) -> CoverageCollector | None:
    return config.pluginmanager.get_plugin("mockcdr-coverage")
