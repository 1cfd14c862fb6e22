"""The --mockcdr-coverage page, opened in headless Chromium: it renders, filters, and loads nothing from outside."""
from __future__ import annotations

import json
import shutil

import pytest

pytest_plugins = ["pytester"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Chromium and its WebDriver (Debian: apt-get install chromium "
                                       "chromium-driver; CI's .ci/run installs them)")

SUITE = """
KEY = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": "application/vnd.api+json"}

def test_list(mockcdr_client):
    mockcdr_client.get("/v3/exports", headers=KEY)
    mockcdr_client.get("/v3/exports?sort=nope", headers=KEY)
    mockcdr_client.head("/v3/exports", headers=KEY)

def test_fault(mockcdr_client):
    mockcdr_client.post("/_mockcdr/faults", json={"vendor": "didww", "kind": "error", "status": 503,
                                                  "operation": "getExport", "count": 1})
    mockcdr_client.get("/v3/exports/abc", headers=KEY)
"""


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def page(pytester):
    """The page a real run writes: a two-test suite run with --mockcdr-coverage."""
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--mockcdr-vendors", "didww,mor",
                                          "--mockcdr-coverage=report/cov.json")
    result.assert_outcomes(passed=2)
    return pytester.path / "report" / "cov.json.html", json.loads((pytester.path / "report" / "cov.json").read_text())


def visible_rows(browser, section: str | None = None) -> list[list[str]]:
    rows = browser.execute_script("""
        var scope = arguments[0] ? document.getElementById(arguments[0]) : document;
        return Array.from(scope.querySelectorAll('tbody.op tr'))
            .filter(function (tr) { return tr.offsetParent !== null; })
            .map(function (tr) { return Array.from(tr.cells).map(function (td) { return td.textContent.trim(); }); });
    """, section)
    return rows


def test_the_page_shows_every_documented_response_and_filters_to_the_gaps(browser, page):
    path, doc = page
    browser.get(path.as_uri())
    assert browser.find_element("id", "overall").text == "2%"     # 2 of 64 + 55: mor is named, though untouched
    assert browser.title == "mockcdr API coverage (2%)"
    summary = [[td.text for td in tr.find_elements("tag name", "td")]
               for tr in browser.find_elements("css selector", "table.summary tbody tr")]
    assert [row[:3] for row in summary] == [["didww", "1/6", "2/64"], ["mor", "0/11", "0/55"]]

    didww = visible_rows(browser, "vendor-didww")
    expected = sum(1 + len(op["responses"]) + sum(len(r.get("kinds", ())) for r in op["responses"])
                   + len(op["faults"]) for op in doc["vendors"][0]["operations"]) + len(doc["vendors"][0]["other"])
    assert len(didww) == expected
    assert ["listExports", "GET /v3/exports", "", "", "3"][:2] == didww[0][:2]
    assert ["", "400", "114", "Invalid sort criteria", "1"] in didww
    assert ["", "400", "102", "Filter not allowed", "0"] in didww
    assert ["", "503", "", "injected fault: error", "1"] in didww
    assert ["", "200", "", "HEAD /v3/exports: no operation matched", "1"] in didww
    colours = browser.execute_script("""
        return ['tr.hit td.hits', 'tr.zero td.hits'].map(function (s) {
            return getComputedStyle(document.querySelector(s)).backgroundColor; });""")
    assert colours[0] != colours[1]

    total = len(visible_rows(browser))
    browser.find_element("id", "gaps").click()
    gaps = visible_rows(browser, "vendor-didww")
    assert ["", "200", "", "A page of exports", "1"] not in gaps           # reached: hidden
    assert ["", "400", "102", "Filter not allowed", "0"] in gaps
    assert all(row[-1] == "0" for row in gaps if row[0] == "" and row[2] != "" and "fault" not in row[3])
    assert browser.find_element("id", "shown").text == f"{len(visible_rows(browser))} rows shown"
    assert len(visible_rows(browser)) < total

    box = browser.find_element("id", "filter")
    box.send_keys("automatic_cdr_exports/{id}/active")
    shown = visible_rows(browser)
    assert shown[0][:2] == ["setAutomaticCdrExportActive", "PATCH /automatic_cdr_exports/{id}/active"]
    assert {row[0] for row in shown} <= {"setAutomaticCdrExportActive", ""}


def test_the_page_needs_nothing_from_the_network_and_raises_no_script_error(browser, page):
    path, _ = page
    browser.get(path.as_uri())
    outside = browser.execute_script("""
        return {resources: performance.getEntriesByType('resource').length,
                links: document.querySelectorAll('[src], link[href], img, iframe, object, embed').length};""")
    assert outside == {"resources": 0, "links": 0}
    text = path.read_text()
    assert "http://" not in text and "https://" not in text and "@import" not in text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
