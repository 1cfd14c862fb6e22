"""The dashboard in Firefox too (headless, through WebDriver BiDi): jobs, the clock's button, a fault."""
from __future__ import annotations

import pytest
import requests

from test_dashboard import DIDWW_KEY, create_export     # noqa: E402 (the same helpers as in Chromium)


@pytest.fixture(scope="module")
def firefox():
    pytest.importorskip("websocket", reason="the Firefox test needs websocket-client (pip install -e '.[test]')")
    from firefox_bidi import Firefox, firefox as binary

    found = binary()
    if not found:
        pytest.skip("the dashboard's Firefox test needs firefox-esr (apt-get install firefox-esr)")
    browser = Firefox(found)
    yield browser
    browser.close()


def test_the_dashboard_works_in_firefox(firefox, session):
    firefox.open(f"{session.url}/_mockcdr/ui/")
    firefox.wait("document.querySelector('#clock-now').textContent === '2026-04-16 12:00:00'", "the clock")
    export = create_export(session.url)
    row = f"document.querySelector('#jobs-rows > [data-key=\"{export['id']}\"]')"
    firefox.wait(f"{row} && {row}.querySelector('.state').textContent === 'pending'", "the job")
    firefox.js("document.querySelector('[data-advance=\"PT1M\"]').click()")
    firefox.wait(f"{row} && {row}.querySelector('.state').textContent === 'completed'", "the job to complete")
    assert firefox.js("document.querySelector('#clock-now').textContent") == "2026-04-16 12:01:00"
    assert requests.get(f"{session.url}/v3/exports", headers={"Api-Key": DIDWW_KEY}).status_code == 200
    firefox.wait("[...document.querySelectorAll('#journal-entries details')].some(e => e.textContent.includes('listExports'))",
                 "the journal's tail")
    firefox.js("const f = document.querySelector('#fault-form'); f.vendor.value = 'yeastar'; f.kind.value = 'drop';"
               "f.kind.dispatchEvent(new Event('change')); f.requestSubmit()")
    firefox.wait("document.querySelectorAll('#faults-rows > tr').length === 1", "the fault")
    assert [(f["vendor"], f["kind"]) for f in session.control.list_faults()] == [("yeastar", "drop")]
    firefox.js("document.querySelector('#faults-clear').click()")
    firefox.wait("document.querySelectorAll('#faults-rows > tr').length === 0", "the cleared list")
    assert session.control.list_faults() == []
    assert firefox.errors() == []
    firefox.open("about:blank")
