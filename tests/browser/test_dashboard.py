"""The dashboard in a real browser: jobs, the clock's buttons, the journal, deliveries, faults, sessions."""
from __future__ import annotations

import time

import pytest
import requests

DIDWW_KEY = "didww-test-globex-51a7c9d2"
JSONAPI = "application/vnd.api+json"
YEASTAR_LOGIN = {"username": "acme-api", "password": "7f2b71d957386f24a6904bdf329e821f", "port": "8260"}


def create_export(base_url: str, callback_url: str | None = None, ref: str = "nightly") -> dict:
    attributes = {"export_type": "cdr_in", "external_reference_id": ref,
                  "filters": {"from": "2026-04-01", "to": "2026-04-02"}}
    if callback_url:
        attributes.update(callback_url=callback_url, callback_method="post")
    resp = requests.post(f"{base_url}/v3/exports", json={"data": {"type": "exports", "attributes": attributes}},
                         headers={"Api-Key": DIDWW_KEY, "Content-Type": JSONAPI, "Accept": JSONAPI})
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def test_a_job_appears_completes_with_the_clock_button_and_its_callback_and_file_show(
        page, session, receiver, downloads):
    page.open()
    assert page.text("#clock-now") == "2026-04-16 12:00:00" and page.text("#clock-state") == "frozen"
    assert page.text("#session-name") == f"session {session.id}"
    export = create_export(session.url, f"{receiver.url}/cdr-callback")

    row = page.row("#jobs-rows", export["id"])                       # appears without a reload
    assert page.find(".state", row).text == "pending"
    assert "processing" in page.find(".next", row).text and "in 5 s" in page.find(".next", row).text
    assert page.all("a.file", row) == []

    page.click('[data-advance="PT1M"]')
    page.wait(lambda: page.text("#clock-now") == "2026-04-16 12:01:00", "the clock to move a minute")
    page.wait(lambda: page.find(".state", page.row("#jobs-rows", export["id"])).text == "completed",
              "the job to complete")
    row = page.row("#jobs-rows", export["id"])
    assert [li.text.split()[0] for li in page.all(".timeline li", row)] == ["pending", "processing", "completed"]
    assert "deleted" in page.find(".next", row).text and "retention" in page.find(".next", row).text
    assert session.control.get_clock()["now"] == "2026-04-16T12:01:00.000Z"    # the button moved the mock

    entry = page.wait(lambda: next((e for e in page.all("#journal-entries details")
                                    if "createExport" in e.text and "201" in e.text), None),
                      "the journal entry of the create")
    entry.find_element("css selector", "summary").click()
    assert export["id"] in page.find("pre", entry.find_elements("css selector", ".body")[1]).text
    assert '"external_reference_id": "nightly"' in page.find("pre", entry.find_elements("css selector", ".body")[0]).text

    delivery = page.wait(lambda: next(iter(page.all('#deliveries-list > details[data-state="delivered"]')), None),
                         "the callback's delivery")
    assert "1 attempt: HTTP 200" in delivery.text and "/cdr-callback" in delivery.text
    assert [(method, path) for method, path, _ in receiver.received] == [("POST", "/cdr-callback")]

    page.click("a.file", row)                                            # the export's file, downloaded
    name = session.control.get_job(export["id"])["attrs"]["file_id"] + ".csv.gz"     # as DIDWW names it
    page.wait(lambda: (downloads / name).is_file() and (downloads / name).stat().st_size > 0, "the download")
    assert (downloads / name).read_bytes() == session.control.get_job_file(export["id"])
    assert page.console_errors() == []


def test_a_fault_is_added_from_the_form_fires_and_another_is_cleared(page, session):
    page.open()
    page.choose("#fault-vendor", "yeastar")
    page.choose("#fault-kind", "error")
    page.fill("#fault-form [name=operation]", "login")
    page.fill("#fault-form [name=status]", "503")
    page.fill("#fault-form [name=count]", "1")
    assert not page.find("#fault-form [data-param=status]").get_attribute("hidden")
    assert page.find("#fault-form [data-param=latency_ms]").get_attribute("hidden")
    page.click("#fault-form button[type=submit]")
    row = page.row("#faults-rows", "1")
    assert "login" in row.text and "status 503" in row.text and "1 left" in row.text
    [fault] = session.control.list_faults()
    assert (fault["vendor"], fault["operation"], fault["status"], fault["count"]) == ("yeastar", "login", 503, 1)

    assert requests.post(f"{session.url}/api/v1.1.0/login", json=YEASTAR_LOGIN).status_code == 503
    page.wait(lambda: page.all("#faults-rows > tr") == [], "the used-up fault to leave the list")
    entry = page.wait(lambda: next(iter(page.all("#journal-entries details.failed")), None), "the 503 in the journal")
    assert "503" in entry.text and "fault: error" in entry.text

    page.choose("#fault-kind", "latency")
    page.fill("#fault-form [name=latency_ms]", "10")
    page.fill("#fault-form [name=operation]", "")
    page.fill("#fault-form [name=count]", "")
    page.click("#fault-form button[type=submit]")
    row = page.row("#faults-rows", "2")
    assert "latency_ms 10" in row.text and "until cleared" in row.text and "every operation" in row.text
    page.click("#faults-clear")
    page.wait(lambda: page.all("#faults-rows > tr") == [], "the list to empty")
    assert session.control.list_faults() == []
    assert page.console_errors() == []


def test_bad_input_shows_the_control_apis_own_message_and_changes_nothing(page, session):
    page.open()
    page.choose("#fault-vendor", "didww")
    page.choose("#fault-kind", "error")
    page.fill("#fault-form [name=status]", "200")
    page.click("#fault-form button[type=submit]")
    page.wait(lambda: "status" in page.text("#faults-note"), "the refusal")
    assert session.control.list_faults() == []
    page.fill("#advance-by", "soon")
    page.click("#advance-form button")
    page.wait(lambda: page.text("#clock-note").startswith("by:"), "the clock's refusal")
    assert session.control.get_clock()["now"] == "2026-04-16T12:00:00.000Z"
    # the browser reports the two refused requests themselves, and nothing else
    errors = page.console_errors()
    assert len(errors) == 2 and all("400" in e["message"] for e in errors), errors


def test_the_clock_freezes_unfreezes_advances_by_a_duration_and_is_set(page, session):
    page.open()
    page.fill("#advance-by", "P1DT2H30M")
    page.click("#advance-form button")
    page.wait(lambda: page.text("#clock-now") == "2026-04-17 14:30:00", "the advance")
    page.click("#clock-unfreeze")
    page.wait(lambda: page.text("#clock-state") == "running", "the clock to run")
    assert session.control.get_clock()["frozen"] is False
    first = page.text("#clock-now")
    page.wait(lambda: page.text("#clock-now") != first, "the running clock to tick on the page", timeout=5)
    page.click("#clock-freeze")
    page.wait(lambda: page.text("#clock-state") == "frozen", "the clock to freeze")
    page.fill("#set-clock-now", "2027-01-01T00:00:00Z")
    page.click("#set-clock-form button")
    page.wait(lambda: page.text("#clock-now") == "2027-01-01 00:00:00", "the clock to be set")
    assert session.control.get_clock() == {"now": "2027-01-01T00:00:00.000Z", "frozen": True,
                                           "offset_seconds": session.control.get_clock()["offset_seconds"]}
    assert page.console_errors() == []


def test_jobs_are_forced_from_their_row(page, session):
    page.open()
    export = create_export(session.url)
    row = page.row("#jobs-rows", export["id"])
    page.choose("select.force-state", "deleted", row)
    page.click("form button", row)
    page.wait(lambda: page.find(".state", page.row("#jobs-rows", export["id"])).text == "deleted", "the forced state")
    assert session.control.get_job(export["id"])["timeline"][-1] == {
        "state": "deleted", "at": "2026-04-16T12:00:00+00:00", "cause": "forced"}
    assert "final" in page.find(".next", page.row("#jobs-rows", export["id"])).text
    assert page.console_errors() == []


def test_the_journal_filters_by_vendor_operation_and_status_newest_first(page, session):
    page.open()
    requests.post(f"{session.url}/api/v1.1.0/login", json=YEASTAR_LOGIN)
    requests.get(f"{session.url}/v3/exports", headers={"Api-Key": "wrong"})
    requests.get(f"{session.url}/v3/exports", headers={"Api-Key": DIDWW_KEY})
    page.wait(lambda: len(page.all("#journal-entries details")) == 3, "three entries")
    ops = [e.find_element("css selector", ".op").text for e in page.all("#journal-entries details")]
    assert ops == ["listExports", "listExports", "login"]                   # newest first
    page.choose("#journal-vendor", "didww")
    page.wait(lambda: len(page.all("#journal-entries details")) == 2, "didww's two")
    page.fill("#journal-status", "401\n")
    page.wait(lambda: len(page.all("#journal-entries details")) == 1, "the refused one")
    assert "401" in page.text("#journal-entries details")
    page.choose("#journal-vendor", "")
    page.fill("#journal-status", "\n")
    page.fill("#journal-operation", "login\n")
    page.wait(lambda: [e.find_element("css selector", ".op").text for e in page.all("#journal-entries details")]
              == ["login"], "yeastar's login only")
    requests.post(f"{session.url}/api/v1.1.0/login", json=YEASTAR_LOGIN)
    page.wait(lambda: len(page.all("#journal-entries details")) == 2, "the tail to go on under the filter")
    page.click("#journal-clear")
    page.wait(lambda: page.all("#journal-entries details") == [], "the journal to clear")
    assert session.control.get_journal()["entries"] == []
    assert page.console_errors() == []


def test_sessions_link_into_each_dashboard_and_one_is_made_and_deleted(page, session, server):
    page.open(f"{server.url}/_mockcdr/ui/")
    assert page.text("#session-name") == "default session"
    mine = page.row("#sessions-rows", session.id)
    assert "(this page)" not in mine.text and "(this page)" in page.row("#sessions-rows", "default").text
    page.click("a.session-link", mine)
    page.wait(lambda: page.text("#session-name") == f"session {session.id}", "the session's own dashboard")
    assert page.driver.current_url == f"{session.url}/_mockcdr/ui/"
    page.click('[data-advance="PT1H"]')
    page.wait(lambda: page.text("#clock-now") == "2026-04-16 13:00:00", "this session's clock")
    assert server.runtime.clock.state()["now"] != "2026-04-16T13:00:00.000Z"    # the root's is its own

    page.fill("#session-form [name=id]", "made-in-the-page")
    page.fill("#session-form [name=seed]", "page-seed")
    page.fill("#session-form [name=now]", "2030-01-01T00:00:00Z")
    page.click("#session-form button")
    row = page.row("#sessions-rows", "made-in-the-page")
    assert "page-seed" in row.text and "2030-01-01 00:00:00" in row.text
    made = session.control.get_session("made-in-the-page")
    assert made["seed"] == "page-seed" and made["clock"]["frozen"] is True
    page.click("button.danger", row)
    page.driver.switch_to.alert.accept()
    page.wait(lambda: page.all('#sessions-rows > [data-key="made-in-the-page"]') == [], "the deleted row to go")
    assert "made-in-the-page" not in {s["id"] for s in session.control.list_sessions()}

    session.control.delete_session(session.id)               # the page of a session that is gone says so
    page.wait(lambda: "no longer exists" in page.text("#banner"), "the banner")
    page.click("#banner a")
    page.wait(lambda: page.text("#session-name") == "default session", "the way back to the root")
    errors = page.console_errors()
    assert all("404" in e["message"] for e in errors), errors     # the polls that found the session gone


def test_the_session_s_coverage_shows_what_its_requests_reached(page, session):
    page.open()
    page.wait(lambda: page.all('#coverage-body [data-vendor="didww"]'), "the coverage tables")
    didww = page.find('#coverage-body [data-vendor="didww"]')
    assert page.find(".totals", didww).text.startswith("0/6 operations, 0/")
    assert not page.find('tr[data-operation="createExport"]', didww).is_displayed()    # folded to its totals
    page.click("summary", didww)                                        # opened by the reader ...

    create_export(session.url)
    assert requests.get(f"{session.url}/v3/exports", params={"sort": "nonsense"},
                        headers={"Api-Key": DIDWW_KEY, "Accept": JSONAPI}).status_code == 400

    def counted():
        table = page.find('#coverage-body [data-vendor="didww"]')
        return table if page.find(".totals", table).text.startswith("2/6 operations") else None
    didww = page.wait(counted, "the two operations counted")
    create = page.find('tr[data-operation="createExport"]', didww)
    assert create.is_displayed() and page.find(".hits", create).text == "1"     # ... and still open
    invalid_sort = page.all('tr[data-kind="114"].hit .hits', didww)    # Invalid sort criteria, under its 400
    assert [cell.text for cell in invalid_sort] == ["1"]
    totals = session.control.get_coverage(vendor="didww")["vendors"][0]["totals"]
    assert page.find(".totals", didww).text.startswith(
        f"{totals['operations_hit']}/6 operations, {totals['responses_hit']}/{totals['responses']} responses")
    assert page.console_errors() == []


def test_a_busy_session_renders_every_panel_and_its_screenshot(driver, make_session, receiver, tmp_path):
    """The README's screenshot comes from here: MOCKCDR_SCREENSHOT=docs/dashboard.png keeps it."""
    import os
    import shutil
    import struct

    from dashboard_page import DashboardPage

    session = make_session("local-dev", seed="demo")
    page = DashboardPage(driver, session.url)
    driver.get_log("browser")
    for ref in ("nightly", "backfill"):
        create_export(session.url, f"{receiver.url}/cdr-callback", ref)
        session.control.advance_clock("PT20S")
    requests.post(f"{session.url}/reporting/cdr_requests", json={"start_time": "2026-04-15T00:00:00Z"},
                  headers={"x-api-user": "ops@acme.example", "x-api-token": "fake-v1-token-acme-0001"})
    requests.post(f"{session.url}/api/v1.1.0/login", json=dict(YEASTAR_LOGIN, password="wrong"))
    requests.post(f"{session.url}/api/v1.1.0/login", json=YEASTAR_LOGIN)
    session.control.add_fault("yeastar", "rate_limit", retry_after=5, count=2)
    session.control.add_fault("didww", "error", operation="getExport", status=503)
    make_session("ci-worker-2", seed="ci")
    try:
        page.driver.set_window_size(1440, 1000)
        page.open()
        page.wait(lambda: len(page.all("#jobs-rows > tr")) == 3 and len(page.all("#faults-rows > tr")) == 2
                  and len(page.all("#journal-entries details")) == 5 and len(page.all("#deliveries-list details")) == 2
                  and page.all('#sessions-rows > [data-key="ci-worker-2"]'), "every panel to fill")
        page.click("#journal-entries details:nth-child(4) summary")      # the first DIDWW create
        page.click("#deliveries-list details summary")
        page.driver.execute_script("window.scrollTo(0, 0)")
        height = page.driver.execute_script("return document.documentElement.scrollHeight")
        page.driver.set_window_size(1440, height)
        shot = tmp_path / "dashboard.png"
        page.wait(lambda: page.driver.save_screenshot(str(shot)), "the screenshot")
        width, tall = struct.unpack(">II", shot.read_bytes()[16:24])         # the PNG's IHDR
        assert width == 1440 and tall >= 1000
        assert page.console_errors() == []
        if os.environ.get("MOCKCDR_SCREENSHOT"):
            shutil.copyfile(shot, os.environ["MOCKCDR_SCREENSHOT"])
    finally:
        driver.get("about:blank")            # no more polls once the sessions are deleted
        driver.set_window_size(1440, 1000)


def test_the_page_talks_to_its_own_server_only_sends_json_and_the_token_it_is_given(page, session, server):
    page.open()
    before = page.requests()
    assert before and all(r["url"].startswith(server.url + "/") for r in before if not r["url"].startswith("data:"))
    assert not any("Authorization" in r["headers"] for r in before)        # no token given yet
    page.fill("#token", "s3cret-token")
    page.click("#token-form button")
    page.wait(lambda: page.text("#token-state") == "token set", "the token")
    page.requests()                                            # from here on, every request has it
    page.click('[data-advance="PT1H"]')
    page.wait(lambda: page.text("#clock-now") == "2026-04-16 13:00:00", "the advance")
    page.choose("#fault-vendor", "mor")
    page.click("#fault-form button[type=submit]")
    page.row("#faults-rows", "1")
    sent = page.requests()
    assert sent and all(r["url"].startswith(server.url + "/") for r in sent if not r["url"].startswith("data:"))
    control = [r for r in sent if "/_mockcdr/" in r["url"] and "/_mockcdr/ui/" not in r["url"]]
    assert control and all(r["url"].startswith(f"{session.url}/_mockcdr/") for r in control)
    assert all(r["headers"].get("Authorization") == "Bearer s3cret-token" for r in control)
    changes = [r for r in control if r["method"] != "GET"]
    assert {(r["method"], r["url"].rsplit("/_mockcdr/", 1)[1]) for r in changes} == {
        ("POST", "clock/advance"), ("POST", "faults")}
    for r in changes:
        assert r["headers"]["Content-Type"] == "application/json"
    advance = next(r for r in changes if r["url"].endswith("clock/advance"))
    assert advance["body"] == '{"by":"PT1H"}'
    page.driver.refresh()                                     # kept for the tab, not beyond it
    page.wait(lambda: page.find("#token").get_attribute("value") == "s3cret-token", "the token after a reload")
    assert page.driver.execute_script("return sessionStorage.getItem('mockcdr.controlToken')") == "s3cret-token"
    assert page.driver.execute_script("return localStorage.length") == 0
    assert page.console_errors() == []


def test_a_server_with_a_control_token_asks_for_it_and_works_once_it_is_given(driver, token_server):
    from dashboard_page import DashboardPage

    token = token_server.settings.control_token
    handle = token_server.session(clock={"now": "2026-04-16T12:00:00Z", "frozen": True})
    page = DashboardPage(driver, handle.url)
    driver.get_log("browser")
    try:
        driver.get(page.url)                                  # the page itself needs no token
        page.wait(lambda: "control token" in page.text("#banner"), "the page to ask for the token")
        assert page.text("#clock-now") in ("", "…")          # and shows nothing without it
        page.fill("#token", token)
        page.click("#token-form button")
        page.wait(lambda: page.text("#clock-now") == "2026-04-16 12:00:00", "the clock, with the token")
        page.wait(lambda: not page.find("#banner").is_displayed(), "the banner to go")
        page.click('[data-advance="P1D"]')
        page.wait(lambda: page.text("#clock-now") == "2026-04-17 12:00:00", "the advance")
        assert handle.control.get_clock()["now"] == "2026-04-17T12:00:00.000Z"
        refused = page.console_errors()
        assert refused and all("401" in e["message"] for e in refused), refused   # only those before the token
    finally:
        driver.execute_script("try { sessionStorage.clear() } catch (e) {}")
        driver.get("about:blank")
        handle.close()


def test_the_journal_shows_passwords_and_issued_tokens_masked(page, session):
    page.open()
    login = requests.post(f"{session.url}/api/v1.1.0/login", json=YEASTAR_LOGIN).json()
    entry = page.wait(lambda: next(iter(page.all("#journal-entries details")), None), "the login")
    entry.find_element("css selector", "summary").click()
    shown = entry.text
    assert '"password": "***"' in shown and YEASTAR_LOGIN["password"] not in shown
    assert login["token"] not in shown and '"token": "***"' in shown
    assert page.console_errors() == []
