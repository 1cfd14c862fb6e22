"""The file deserializers catch what a broken download would look like: packing, header, row widths."""
from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest
import requests
import schemathesis
from schemathesis.core.transport import Response
from schemathesis.openapi.checks import ContentDeserializationError

import contract_files  # noqa: F401  (registers the file deserializers)
from mockcdr.resources import spec_path

DIDWW_2026_IN = ("Date/Time Start (UTC),Date/Time Connect (UTC),Date/Time End (UTC),Status,Source,Source Name,"
                 "Destination DID,Duration (sec),Attempt,Disconnect Code,Response,Disconnect Initiator,"
                 "Voice IN Trunk,Destination,Trunk Group,Capacity Group,Toll-free (USD),PSTN (USD),Metered (USD),"
                 "CNAM IN (USD),Total (USD),Call ID")
YETI = ("Time Start,Time Connect,Time End,Success,Duration,Src Name In,Src Prefix In,Dst Prefix In,From Domain,"
        "To Domain,Ruri Domain,Lega Disconnect Code,Lega Disconnect Reason,Auth Orig Ip,Auth Orig Port,"
        "Src Prefix Routing,Dst Prefix Routing,Destination Prefix,Destination Initial Interval,"
        "Destination Next Interval,Destination Initial Rate,Destination Next Rate,Destination Fee,Customer Price,"
        "Customer Duration,Orig Call,Local Tag,Lega User Agent,Diversion In")
YEASTAR = "callid,timestart,callfrom,callto,callduraction,talkduraction,srctrunkname,dsttrunkname,status,type,pincode,recording,didnumber,sn"
DOWNLOADS = {
    "didww": ("/v3/exports/{file_id}.csv.gz", "application/octet-stream",
              {"content-disposition": ['attachment; filename="f.csv.gz"']}),
    "telnyx": ("/reporting/cdr_reports/{token}/{filename}", "text/csv", {}),
    "yeti": ("/api/rest/customer/v1/cdr-exports/{export_id}/download", "text/csv; charset=utf-8",
             {"content-disposition": ['attachment; filename="1cf51e5d-88b4-4fb5-acdb-7d4022016fb5.csv.gz"']}),
    "yeastar": ("/api/v1.1.0/cdr/download", "text/csv", {}),
    "control": ("/_mockcdr/deliveries/{delivery_id}/file", None, {}),
}


def _tgz(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def validate(spec: str, body: bytes, content_type: str | None = None) -> None:
    path, default_type, headers = DOWNLOADS[spec]
    operation = schemathesis.openapi.from_path(spec_path(spec))[path]["GET"]
    request = requests.Request("GET", f"http://localhost{path}").prepare()
    response = Response(200, {"content-type": [content_type or default_type], **headers}, body, request,
                        elapsed=0.0, verify=False)
    operation.validate_response(response)


@pytest.mark.parametrize("spec, body, content_type", [
    ("didww", gzip.compress(f"{DIDWW_2026_IN}\n".encode() + b",,,,,,,,,,,,,,,,,,,,,\n"), None),
    ("telnyx", b'cost,mos\n0.01,4.1\n0.02,""\n', None),
    ("yeti", gzip.compress(f"{YETI}\n".encode()), None),
    ("yeastar", f"{YEASTAR}\n".encode(), None),
    ("control", _tgz({"x.csv": b"Date,Called to\n2026-06-01,100\n"}), "application/gzip"),
    ("control", _zip({"x.csv": b"Date\n2026-06-01\n"}), "application/zip"),
], ids=["didww-gzip", "telnyx-fields", "yeti-gzip-as-csv", "yeastar-header-only", "control-tgz", "control-zip"])
def test_files_as_the_specs_describe_them_pass(spec, body, content_type):
    validate(spec, body, content_type)


@pytest.mark.parametrize("spec, body, content_type, problem", [
    ("didww", f"{DIDWW_2026_IN}\n".encode(), None, "not gzip"),
    ("didww", gzip.compress(f"{DIDWW_2026_IN}\n".encode())[:-12], None, "gzip stream is broken"),
    ("didww", gzip.compress(b"Start,Status\n"), None, "unexpected CSV header"),
    ("didww", gzip.compress(f"{DIDWW_2026_IN}\n1,2\n".encode()), None, "has 2 fields, the header 22"),
    ("telnyx", b"cost,colour\n1,red\n", None, "not a selection"),
    ("telnyx", b"cost,cost\n1,1\n", None, "not a selection"),
    ("telnyx", b"cost\n1\n\n", None, "has 0 fields"),
    ("yeti", f"{YETI}\n".encode(), None, "not gzip"),
    ("yeastar", gzip.compress(f"{YEASTAR}\n".encode()), None, "gzip-compressed"),
    ("yeastar", b"\xff\xfe", None, "not UTF-8"),
    ("control", _tgz({"a.csv": b"x\n", "b.csv": b"y\n"}), "application/gzip", "one .csv file"),
    ("control", _zip({"a.txt": b"x\n"}), "application/zip", "one .csv file"),
], ids=["didww-plain", "didww-cut", "didww-header", "didww-width", "telnyx-unknown", "telnyx-repeated",
        "telnyx-blank-line", "yeti-plain", "yeastar-gzip", "yeastar-bytes", "control-tgz-two", "control-zip-txt"])
def test_a_broken_file_fails_the_response_check(spec, body, content_type, problem):
    with pytest.raises(ContentDeserializationError, match=problem):
        validate(spec, body, content_type)
