"""The code under test in this example: a CDR importer built on the official DIDWW SDK."""
import csv
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from didww.client import DidwwClient
from didww.exceptions import DidwwApiError
from didww.resources.export import Export


def import_inbound_calls(client: DidwwClient, since: datetime, until: datetime, wait,
                         retries: int = 1) -> list[dict]:
    """Create a cdr_in export for [since, until), wait for it, download it, return its rows.

    ``wait`` is called between polls (a sleep in production; a clock advance in tests).
    A server error on create is retried ``retries`` times.
    """
    export = Export()
    export.export_type = "cdr_in"
    export.filters = {"from": since.strftime("%Y-%m-%d %H:%M:%S"), "to": until.strftime("%Y-%m-%d %H:%M:%S")}
    for attempt in range(retries + 1):
        try:
            created = client.exports().create(export).data
            break
        except DidwwApiError as exc:
            if attempt == retries or exc.status_code < 500:
                raise
    for _ in range(100):
        found = client.exports().find(created.id).data
        if found.is_completed:
            break
        wait()
    else:
        raise TimeoutError(f"export {created.id} never completed")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cdr_in.csv"
        client.download_and_decompress_export(found.url, str(path))
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))


def last_day(now: datetime) -> tuple[datetime, datetime]:
    until = now.replace(minute=0, second=0, microsecond=0)
    return until - timedelta(days=1), until
