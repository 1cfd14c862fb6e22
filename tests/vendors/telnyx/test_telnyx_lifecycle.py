"""Status 1 Pending -> 2 Complete | 3 Failed -> 4 Expired on the virtual clock; the report link."""
from __future__ import annotations

import threading
from datetime import timedelta

from mockcdr.vendors.telnyx import shapes

V1 = "/reporting/cdr_requests"
V2 = "/v2/legacy/reporting/batch_detail_records/voice"
KIND = "telnyx.cdr_request"


def test_pending_then_complete_after_generation_time(api):
    job = api.created()
    assert job["status"] == 1 and job["report_url"] == ""
    api.rt.clock.advance(timedelta(seconds=4))
    assert api.show(job["id"]).get_json()["status"] == 1
    api.rt.clock.advance(timedelta(seconds=1))
    done = api.show(job["id"]).get_json()
    assert done["status"] == 2
    assert done["updated_at"] == "2024-02-12T12:00:05+00:00"        # the instant it completed
    assert done["report_url"].startswith("http://localhost/reporting/cdr_reports/")
    assert done["report_url"].endswith(f"/cdr_report_{job['id'].replace('-', '')[:8]}.csv")


def test_report_url_uses_the_requests_own_host(api):
    api.rt.lifecycle.set_policy(KIND, {"mode": "immediate"})
    job = api.created(report_name="Daily report #1")
    resp = api.client.get(f"{V1}/{job['id']}", headers=api.v1_headers(), base_url="https://cdr.example:8443")
    url = resp.get_json()["report_url"]
    assert url.startswith("https://cdr.example:8443/reporting/cdr_reports/")
    assert url.endswith("/Daily_report_1_" + job["id"].replace("-", "")[:8] + ".csv")
    download = api.client.get(url.split(":8443", 1)[1])
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="{url.rsplit("/", 1)[1]}"'


def test_generation_time_is_an_option(make_api):
    api = make_api(vendor_options={"telnyx": {"generation_seconds": 60}})
    job = api.created()
    api.rt.clock.advance(timedelta(seconds=59))
    assert api.show(job["id"]).get_json()["status"] == 1
    api.rt.clock.advance(timedelta(seconds=1))
    assert api.show(job["id"]).get_json()["status"] == 2


def test_after_polls_policy(api):
    api.rt.lifecycle.set_policy(KIND, {"mode": "after_polls", "polls": 2})
    job = api.created()
    assert api.show(job["id"]).get_json()["status"] == 1
    assert api.show(job["id"]).get_json()["status"] == 2


def test_failure_outcome_gives_status_3_without_link(api):
    api.rt.lifecycle.set_policy(KIND, {"mode": "immediate", "outcome": "failure"})
    job = api.created()
    assert job["status"] == 3 and job["report_url"] == ""
    v2 = api.client.get(f"{V2}/{job['id']}", headers=api.bearer()).get_json()["data"]
    assert v2["status"] == 3


def test_forced_failure_kills_the_link(api):
    job = api.complete(api.created())
    assert api.download(job["report_url"]).status_code == 200
    api.rt.lifecycle.force(job["id"], "failed")
    assert api.show(job["id"]).get_json() == dict(job, status=3, report_url="",
                                                  updated_at="2024-02-12T12:00:00+00:00")
    assert api.download(job["report_url"]).status_code == 404


def test_expires_after_30_days_and_the_link_dies(api):
    api.rt.lifecycle.set_policy(KIND, {"mode": "immediate"})
    job = api.created()
    url = job["report_url"]
    api.rt.clock.advance(timedelta(days=30) - timedelta(seconds=1))
    assert api.show(job["id"]).get_json()["status"] == 2
    assert api.download(url).status_code == 200
    api.rt.clock.advance(timedelta(seconds=1))
    expired = api.show(job["id"]).get_json()
    assert expired["status"] == 4 and expired["updated_at"] == "2024-03-13T12:00:00+00:00"
    resp = api.download(url)
    assert resp.status_code == 404
    assert resp.get_json()["errors"][0]["detail"] == "This report link is expired."


def test_failed_requests_expire_too(api):
    api.rt.lifecycle.set_policy(KIND, {"mode": "immediate", "outcome": "failure"})
    job = api.created()
    api.rt.clock.advance(timedelta(days=30))
    assert api.show(job["id"]).get_json()["status"] == 4


def test_retention_is_an_option(make_api):
    api = make_api(vendor_options={"telnyx": {"retention_days": 1}})
    api.rt.lifecycle.set_policy(KIND, {"mode": "immediate"})
    job = api.created()
    api.rt.clock.advance(timedelta(days=1))
    assert api.show(job["id"]).get_json()["status"] == 4


def test_link_lifetime_option(make_api):
    api = make_api(vendor_options={"telnyx": {"report_url_ttl_seconds": 3600}})
    api.rt.lifecycle.set_policy(KIND, {"mode": "immediate"})
    job = api.created()
    api.rt.clock.advance(timedelta(minutes=59))
    assert api.download(job["report_url"]).status_code == 200
    api.rt.clock.advance(timedelta(minutes=1))
    resp = api.download(job["report_url"])
    assert resp.status_code == 404 and resp.get_json()["errors"][0]["detail"] == "This report link is expired."
    assert api.show(job["id"]).get_json()["status"] == 2          # the request itself is still complete


def test_link_is_reusable_by_default(api):
    job = api.complete(api.created())
    first = api.download(job["report_url"])
    second = api.download(job["report_url"])
    assert first.status_code == second.status_code == 200 and first.data == second.data


def test_one_time_link_option(make_api):
    api = make_api(vendor_options={"telnyx": {"report_url_one_time": True}})
    job = api.complete(api.created())
    url = job["report_url"][len("http://localhost"):]
    assert api.client.head(url).status_code == 200            # a HEAD does not spend it
    assert api.client.get(url).status_code == 200
    resp = api.client.get(url)
    assert resp.status_code == 404 and resp.get_json()["errors"][0]["detail"] == "This report link is already used."


def test_pending_report_url_option(make_api):
    api = make_api(vendor_options={"telnyx": {"report_url_while_pending": None}})
    assert api.created()["report_url"] is None


def test_deleting_kills_the_link(api):
    job = api.complete(api.created())
    assert api.client.delete(f"{V1}/{job['id']}", headers=api.v1_headers()).status_code == 200
    assert api.download(job["report_url"]).status_code == 404


def test_wrong_filename_or_token_is_404(api):
    job = api.complete(api.created())
    url = job["report_url"]
    assert api.download(url.rsplit("/", 1)[0] + "/other.csv").status_code == 404
    token = url.rsplit("/", 2)[1]
    assert api.download(url.replace(token, "0" * len(token))).status_code == 404


def test_report_covers_calls_up_to_the_moment_it_was_made(api):
    """end_time may lie up to 24 hours ahead; calls that had not started when the report was made
    are not in it."""
    job = api.created(start_time="2024-02-12T00:00:00Z", end_time="2024-02-13T11:00:00Z",
                      call_types=[1, 2], record_types=[1, 2, 3])
    api.rt.clock.advance(timedelta(seconds=5))
    url = api.show(job["id"]).get_json()["report_url"]
    lines = api.download(url).get_data(as_text=True).splitlines()
    starts = [line.split(",")[lines[0].split(",").index("start_timestamp_utc")] for line in lines[1:]]
    assert starts and all("2024-02-12T00:00:00Z" <= s <= "2024-02-12T12:00:05Z" for s in starts)
    assert max(starts) > "2024-02-12T09:00:00Z"        # and the morning is there


def test_the_control_api_serves_the_report_without_spending_a_one_time_link(make_api):
    from mockcdr.control_client import ControlClient

    api = make_api(vendor_options={"telnyx": {"report_url_one_time": True}})
    control = ControlClient.for_app(api.app)
    api.rt.lifecycle.set_policy(KIND, {"mode": "after_polls", "polls": 2})
    job = api.created()
    waiting = control.get_job(job["id"])
    assert waiting["next"] == {"state": "complete", "cause": "policy", "mode": "after_polls", "at": None,
                               "polls_left": 2}
    api.show(job["id"])
    assert control.get_job(job["id"])["next"]["polls_left"] == 1
    done = api.show(job["id"]).get_json()
    assert done["status"] == 2
    assert control.get_job(job["id"])["file_url"].endswith(f"/_mockcdr/jobs/{job['id']}/file")
    from_control = control.get_job_file(job["id"])
    assert len(from_control.splitlines()) > 1            # a header and the day's calls
    served = api.download(done["report_url"])                 # the one use is still there
    assert served.status_code == 200 and served.data == from_control
    assert control.get_job_file(job["id"]) == from_control    # and the control copy needs none


def test_a_poll_rendered_while_another_poll_completes_the_request_shows_one_state(api, monkeypatch):
    """Poll A is being rendered when poll B completes the request and is still minting its link:
    A shows the request as it was when A read it (status 1, no link), not status 2 without one."""
    api.rt.lifecycle.set_policy(KIND, {"mode": "after_polls", "polls": 2})
    job = api.created()
    a_rendering, b_completing, a_done = threading.Event(), threading.Event(), threading.Event()
    real_v1, real_issue = shapes.v1, api.rt.tokens.issue

    def v1(*args):
        if threading.current_thread().name != "poll-a":
            return real_v1(*args)
        a_rendering.set()
        b_completing.wait(5)        # B has entered "complete" and is minting the link
        try:
            return real_v1(*args)
        finally:
            a_done.set()

    def issue(*args, **kwargs):
        b_completing.set()
        a_done.wait(5)
        return real_issue(*args, **kwargs)
    monkeypatch.setattr(shapes, "v1", v1)
    monkeypatch.setattr(api.rt.tokens, "issue", issue)
    shown = {}

    def poll(name: str) -> None:
        shown[name] = api.app.test_client().get(f"{V1}/{job['id']}", headers=api.v1_headers()).get_json()
    a = threading.Thread(target=poll, args=("a",), name="poll-a")
    a.start()
    assert a_rendering.wait(5)
    b = threading.Thread(target=poll, args=("b",), name="poll-b")
    b.start()
    a.join(10)
    b.join(10)
    assert (shown["a"]["status"], shown["a"]["report_url"]) == (1, "")
    assert shown["b"]["status"] == 2 and shown["b"]["report_url"].startswith("http")
