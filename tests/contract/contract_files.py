"""Response deserializers for CDR files (CSV, gzip, tar.gz, zip), held to the spec's ``x-file``."""
# schemathesis validates a body only when a deserializer turns it into something a JSON Schema
# can judge. A file's media type names only its outer layer (DIDWW's gzip is octet-stream, yeti's
# gzip is labelled text/csv), so each spec says what is inside under the media type's `x-file`:
#   packing: gzip | tar.gz | zip | none   (none when absent)
#   csv-headers: [[...], ...]             the header row is exactly one of these
#   csv-columns: [...]                    the header row is a selection of these, none repeated
# The file must unpack as stated, be UTF-8 CSV with a header row, and every data row must have
# as many fields as the header. The schema then sees the CSV text (a `type: string` schema) or
# its rows, header first (a `type: array` schema).
from __future__ import annotations

import csv
import gzip
import io
import tarfile
import zipfile

import schemathesis

GZIP_MAGIC = b"\x1f\x8b"


class FileContentError(ValueError):
    """The body is not the file its spec describes."""


def _resolve(node: dict, root: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def documented_media(operation, status: int, content_type: str) -> dict:
    """The spec's media type object for this response (``{}`` when it documents none)."""
    root = operation.schema.raw_schema
    responses = operation.definition.raw.get("responses", {})
    declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    content = _resolve(declared or {}, root).get("content") or {}
    wanted = content_type.split(";")[0].strip().lower()
    for name, media in content.items():
        if name.split(";")[0].strip().lower() == wanted:
            return _resolve(media, root)
    return {}


def unpack(body: bytes, packing: str) -> bytes:
    """The CSV bytes inside ``body`` packed as ``packing``; FileContentError if it is not."""
    if packing == "none":
        if body.startswith(GZIP_MAGIC):
            raise FileContentError("the file is gzip-compressed but its spec says it is plain")
        return body
    if packing in ("gzip", "tar.gz"):
        if not body.startswith(GZIP_MAGIC):
            raise FileContentError(f"the file is not gzip (starts {body[:4]!r})")
        try:
            inner = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            raise FileContentError(f"the gzip stream is broken: {exc}") from None
        if packing == "gzip":
            return inner
        return _only_member_of_tar(inner)
    if packing == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                names = archive.namelist()
                if len(names) != 1 or not names[0].endswith(".csv"):
                    raise FileContentError(f"the zip must hold one .csv file, not {names}")
                return archive.read(names[0])
        except zipfile.BadZipFile as exc:
            raise FileContentError(f"the zip is broken: {exc}") from None
    raise FileContentError(f"unknown packing {packing!r} in the spec's x-file")


def _only_member_of_tar(data: bytes) -> bytes:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            members = archive.getmembers()
            if len(members) != 1 or not members[0].isfile() or not members[0].name.endswith(".csv"):
                raise FileContentError(f"the tar must hold one .csv file, not {[m.name for m in members]}")
            return archive.extractfile(members[0]).read()
    except tarfile.TarError as exc:
        raise FileContentError(f"the tar is broken: {exc}") from None


def csv_rows(text: str, spec: dict) -> list[list[str]]:
    """The rows of a CSV file, header first, checked against the ``x-file`` description."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise FileContentError("the CSV has no header row")
    header = rows[0]
    headers = spec.get("csv-headers")
    if headers is not None and header not in [list(h) for h in headers]:
        raise FileContentError(f"unexpected CSV header {header}; the spec allows {headers}")
    columns = spec.get("csv-columns")
    if columns is not None:
        unknown = [name for name in header if name not in columns]
        if unknown or len(set(header)) != len(header) or not header:
            raise FileContentError(f"CSV header {header} is not a selection of {columns}")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise FileContentError(f"CSV line {number} has {len(row)} fields, the header {len(header)}")
    return rows


def read_file(body: bytes, media: dict):
    """What the schema of ``media`` judges: the CSV text, or its rows for an array schema."""
    spec = media.get("x-file") or {}
    try:
        text = unpack(body, spec.get("packing", "none")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileContentError(f"the CSV is not UTF-8: {exc}") from None
    rows = csv_rows(text, spec)
    return rows if (media.get("schema") or {}).get("type") == "array" else text


def deserialize(ctx, response):
    content_type = response.headers.get("content-type", [""])[0]
    media = documented_media(ctx.operation, response.status_code, content_type)
    return read_file(response.content, media)


FILE_MEDIA_TYPES = ("text/csv", "application/octet-stream", "application/gzip", "application/zip")
schemathesis.deserializer(*FILE_MEDIA_TYPES)(deserialize)
