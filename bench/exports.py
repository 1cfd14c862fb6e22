"""The export variants of the export bench: generate arguments, window sizing, and download jobs per vendor.

Every variant reads one tenant's calls at ``CALLS_PER_DAY`` from ``START`` on. A download's
window is sized in-process beforehand: the share of calls the vendor's file keeps (from one
day's file), then the universe's own calls day by day until that share reaches the rows wanted.
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import requests

from common import CLOCK, OUT, checked, path_and_query

CALLS_PER_DAY = 20_000
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
CONFIG = {"calls_per_day": CALLS_PER_DAY, "vendor_options": {
    "telnyx": {"max_lookback_days": 3650}, "didww": {"months_available": 120}, "yeti": {"cdr_history_days": 3650}}}
JSONAPI = "application/vnd.api+json"


@dataclass
class Variant:
    vendor: str
    kind: str                     # csv | gzip | zip (what the vendor streams)
    tenant: str                   # the tenant key whose calls it holds
    generate: list                # ``mockcdr generate`` arguments after the slug
    fmt: str | None = None        # GenerateRequest.format for sizing
    gen_tenant: str | None = None
    no_gzip: bool = False         # generate only: the gzip stage swapped for a pass-through
    download: bool = True
    params: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.no_gzip:
            return "csv stage (gzip bypassed)"
        return {"didww": "csv.gz", "telnyx": "csv", "yeti": "csv.gz (COPY)", "yeastar": "csv"}.get(
            self.vendor, {"gzip": "tgz", "zip": "zip"}.get(self.kind, "csv"))


VARIANTS = [
    Variant("didww", "gzip", "globex", ["--tenant", "globex", "--format", "cdr_in"], "cdr_in", "globex"),
    Variant("telnyx", "csv", "acme", ["--tenant", "acme"], None, "acme"),
    Variant("yeti", "gzip", "acme", ["--tenant", "acme-api"], None, "acme-api"),
    Variant("mor", "csv", "acme", ["--tenant", "acme_admin", "--format", "none", "--param", "template_id=6"],
            "none", "acme_admin", params={"template_id": "6"}),
    Variant("mor", "gzip", "acme", ["--tenant", "acme_admin", "--format", "tgz", "--param", "template_id=6"],
            "tgz", "acme_admin", params={"template_id": "6"}),
    Variant("mor", "zip", "acme", ["--tenant", "acme_admin", "--format", "zip", "--param", "template_id=6"],
            "zip", "acme_admin", params={"template_id": "6"}),
    Variant("yeastar", "csv", "acme", ["--tenant", "acme-api"], None, "acme-api"),
]


def config_file() -> str:
    import yaml

    path = OUT / "export-config.yaml"
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(CONFIG))
    return str(path)


class Counter:
    """Counts CSV lines in a stream of bytes, gunzipping it first when it is gzip (or tgz); a zip
    is kept and read at the end (``done``)."""

    def __init__(self, compressed: bool | str):
        import zlib

        self.zip = compressed == "zip"
        self.parts: list[bytes] = []
        self.inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if compressed and not self.zip else None
        self.lines = 0
        self.bytes = 0

    def feed(self, chunk: bytes) -> None:
        self.bytes += len(chunk)
        if self.zip:
            self.parts.append(chunk)
            return
        self.lines += (self.inflate.decompress(chunk) if self.inflate else chunk).count(b"\n")

    def done(self) -> "Counter":
        if self.zip:
            import io
            import zipfile

            with zipfile.ZipFile(io.BytesIO(b"".join(self.parts))) as z:
                with z.open(z.namelist()[0]) as member:
                    while block := member.read(1 << 20):
                        self.lines += block.count(b"\n")
            self.parts.clear()
        return self


# -- window sizing (in-process) ------------------------------------------------------------
def runtime():
    from mockcdr.app import build_runtime
    from mockcdr.settings import from_sources

    return build_runtime(from_sources(cli={"config": config_file(), "clock_start": CLOCK}))


def share(rt, v: Variant) -> float:
    """Rows of one day's file over the tenant's calls that day."""
    from mockcdr.core.vendor import GenerateRequest

    out = rt.vendors[v.vendor].generate(rt, GenerateRequest(
        tenant=v.gen_tenant, start=START, end=START + timedelta(days=1), format=v.fmt, params=dict(v.params)))
    counter = Counter("zip" if v.kind == "zip" else out.compressed)
    for chunk in out.chunks:
        counter.feed(chunk)
    counter.done()
    return (counter.lines - 1) / len(rt.universe.day(rt.tenant(v.tenant), START.date()))


def window_end(rt, v: Variant, rows: int, fraction: float) -> datetime:
    """The end of a window from START that holds about ``rows`` rows of the variant's file."""
    tenant = rt.tenant(v.tenant)
    acc, day = 0.0, START.date()
    while True:
        calls = rt.universe.day(tenant, day)
        if acc + fraction * len(calls) >= rows:
            k = min(len(calls) - 1, math.ceil((rows - acc) / fraction))
            us = calls[k].start_us
            return datetime.fromtimestamp(us // 1_000_000 + 1, timezone.utc)
        acc += fraction * len(calls)
        day += timedelta(days=1)


# -- download jobs (over HTTP) ---------------------------------------------------------------
def download_request(s: requests.Session, base: str, v: Variant, end: datetime) -> tuple[str, dict]:
    """Create (through the vendor's API) what downloads the window [START, end); (path, headers)."""
    iso = lambda t: t.strftime("%Y-%m-%d %H:%M:%S")    # noqa: E731
    if v.vendor == "didww":
        key = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": JSONAPI, "Content-Type": JSONAPI}
        body = {"data": {"type": "exports", "attributes": {"export_type": "cdr_in", "filters": {
            "from": iso(START), "to": iso(end - timedelta(seconds=1))}}}}
        job = checked(s.post(f"{base}/v3/exports", headers=key, data=json.dumps(body)), 201).json()["data"]
        url = checked(s.get(f"{base}/v3/exports/{job['id']}", headers=key)).json()["data"]["attributes"]["url"]
        return path_and_query(url), {"Api-Key": key["Api-Key"]}
    if v.vendor == "telnyx":
        key = {"x-api-user": "ops@acme.example", "x-api-token": "fake-v1-token-acme-0001"}
        job = checked(s.post(f"{base}/reporting/cdr_requests", headers=key,
                         json={"start_time": START.isoformat(), "end_time": end.isoformat()})).json()
        shown = checked(s.get(f"{base}/reporting/cdr_requests/{job['id']}", headers=key)).json()
        return path_and_query(shown["report_url"]), {}
    if v.vendor == "yeti":
        jwt = checked(s.post(f"{base}/api/rest/customer/v1/auth", json={"auth": {
            "login": "acme-api", "password": "acme-fake-password"}}), 201).json()["jwt"]
        body = {"data": {"type": "cdr-exports", "attributes": {"filters": {
            "time_start_gteq": iso(START), "time_start_lt": iso(end)}},
            "relationships": {"account": {"data": {"type": "accounts", "id": "45c9f55f-fe50-42d5-92c8-c9745d696cf8"}}}}}
        job = checked(s.post(f"{base}/api/rest/customer/v1/cdr-exports", data=json.dumps(body), headers={
            "Authorization": jwt, "Accept": JSONAPI, "Content-Type": JSONAPI}), 201).json()["data"]
        return f"/api/rest/customer/v1/cdr-exports/{job['id']}/download", {"Authorization": jwt}
    if v.vendor == "mor":
        return _mor(s, base, v, end)
    login = {"username": "acme-api", "password": "7f2b71d957386f24a6904bdf329e821f", "port": "8260"}
    token = checked(s.post(f"{base}/api/v1.1.0/login", json=login)).json()["token"]
    window = {"extid": "all", "starttime": iso(START), "endtime": iso(end - timedelta(seconds=1))}
    random = checked(s.post(f"{base}/api/v1.1.0/cdr/get_random?token={token}", json=window)).json()["random"]
    query = "&".join(f"{k}={quote(val)}" for k, val in window.items())
    return f"/api/v1.1.0/cdr/download?token={token}&{query}&random={random}", {}


def _mor(s: requests.Session, base: str, v: Variant, end: datetime) -> tuple[str, dict]:
    """A one-off task over the window, due in a minute; the clock moves two so it is delivered."""
    basic = base64.b64encode(b"acme_admin:acme-admin-FAKE-pass").decode()
    token = checked(s.post(f"{base}/billing/api/v2/authentication/login",
                       headers={"Authorization": f"Basic {basic}"})).json()["token"]
    now = datetime.fromisoformat(checked(s.get(f"{base}/_mockcdr/clock")).json()["now"].replace("Z", "+00:00"))
    task = {"name": "bench export", "period": "only_once", "timezone": "UTC", "template_id": 6,
            "send_cdr_to": "user", "send_to_user_id": 123, "active": True,
            "archive_extension": {"csv": "none", "gzip": "tgz"}.get(v.kind, v.kind),
            "s_from": START.isoformat(), "s_till": (end - timedelta(seconds=1)).isoformat(),
            "cdr_export_at_datetime": (now + timedelta(minutes=1)).isoformat()}
    created = checked(s.post(f"{base}/billing/api/v2/automatic_cdr_exports", json=task,
                         headers={"Authorization": f"Bearer {token}"}), 201).json()["automatic_cdr_export"]
    checked(s.post(f"{base}/_mockcdr/clock/advance", json={"by": "PT2M"}))
    delivery = [d for d in checked(s.get(f"{base}/_mockcdr/deliveries?vendor=mor")).json()
                if d["source"]["task"] == created["id"]][-1]
    return f"/_mockcdr/deliveries/{delivery['id']}/file", {}


def immediate(s: requests.Session, base: str) -> None:
    for kind in ("didww.export", "telnyx.cdr_request", "yeti.cdr_export"):
        checked(s.put(f"{base}/_mockcdr/transitions/{kind}", json={"mode": "immediate"}))
