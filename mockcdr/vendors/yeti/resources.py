"""cdr-exports and accounts as jsonapi-resources 0.9 serializes them: keys, links, included, meta."""
from __future__ import annotations

from decimal import Decimal

from mockcdr.core.clock import iso

from .fixtures import Account, Directory
from .jsonapi import Query, page_links

API = "/api/rest/customer/v1"


def export_url(base: str, export_id: str) -> str:
    return f"{base}{API}/cdr-exports/{export_id}"


def _ruby_decimal(value: Decimal | None) -> str | None:
    """BigDecimal#as_json: a plain string with at least one decimal (``100.0``, ``1523.4``)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def _only(fields: dict, resource: str, names):
    wanted = fields.get(resource)
    return [n for n in names if wanted is None or n in wanted]


def export_object(job: dict, base: str, fields: dict, linkage: bool = False) -> dict:
    attrs = job["attrs"]
    values = {
        "filters": attrs["filters"], "status": job["state"], "rows_count": attrs["rows_count"],
        "created_at": iso(job["created_at"]), "updated_at": iso(job["entered_at"]),
        "time_format": attrs["time_format"], "time_zone_name": attrs["time_zone_name"],
    }
    url = export_url(base, job["id"])
    out = {"id": job["id"], "type": "cdr-exports", "links": {"self": url}}
    attributes = {name.replace("_", "-"): values[name] for name in _only(fields, "cdr_exports", values)}
    if attributes:
        out["attributes"] = attributes
    if _only(fields, "cdr_exports", ["account"]):
        account = {"links": {"self": f"{url}/relationships/account", "related": f"{url}/account"}}
        if linkage:
            account["data"] = {"type": "accounts", "id": attrs["account"]}
        out["relationships"] = {"account": account}
    return out


def account_object(account: Account, base: str, fields: dict) -> dict:
    values = {
        "name": account.name, "balance": _ruby_decimal(account.balance),
        "min_balance": _ruby_decimal(account.min_balance), "max_balance": _ruby_decimal(account.max_balance),
        "destination_rate_limit": _ruby_decimal(account.destination_rate_limit),
        "origination_capacity": account.origination_capacity,
        "termination_capacity": account.termination_capacity, "total_capacity": account.total_capacity,
        "currency": account.currency,
    }
    out = {"id": account.uuid, "type": "accounts", "links": {"self": f"{base}{API}/accounts/{account.uuid}"}}
    attributes = {name.replace("_", "-"): values[name] for name in _only(fields, "accounts", values)}
    if attributes:
        out["attributes"] = attributes
    return out


def _included(jobs: list[dict], directory: Directory, base: str, q: Query) -> list[dict]:
    if "account" not in q.include:
        return []
    seen = dict.fromkeys(job["attrs"]["account"] for job in jobs)
    return [account_object(directory.accounts[uuid], base, q.fields) for uuid in seen]


def export_document(job: dict, directory: Directory, base: str, q: Query) -> dict:
    doc = {"data": export_object(job, base, q.fields, linkage="account" in q.include)}
    included = _included([job], directory, base, q)
    if included:
        doc["included"] = included
    return doc


def collection_document(page: list[dict], total: int, directory: Directory, base: str, q: Query) -> dict:
    linkage = "account" in q.include
    doc: dict = {"data": [export_object(job, base, q.fields, linkage) for job in page]}
    included = _included(page, directory, base, q)
    if included:
        doc["included"] = included
    doc["meta"] = {"total-count": total}
    doc["links"] = page_links(f"{base}{API}/cdr-exports", q, total)
    return doc


def relationship_document(job: dict, base: str) -> dict:
    url = export_url(base, job["id"])
    return {"links": {"self": f"{url}/relationships/account", "related": f"{url}/account"},
            "data": {"type": "accounts", "id": job["attrs"]["account"]}}


def account_document(account: Account, base: str, q: Query) -> dict:
    return {"data": account_object(account, base, q.fields)}
