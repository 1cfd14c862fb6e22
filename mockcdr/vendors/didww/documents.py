"""Request documents: the JSON:API checks jsonapi-resources makes, then the export's own validations."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from mockcdr.core.errors import Problem

from . import errors
from .filters import EXPORT_TYPES, Window, legacy_window, modern_window
from .versions import is_legacy, method_words

TYPE = "exports"
LEGACY_CREATABLE = ("export_type", "filters", "callback_url", "callback_method")
MODERN_CREATABLE = LEGACY_CREATABLE + ("external_reference_id",)
UPDATABLE = ("external_reference_id",)
REFERENCE_MAX = 100


@dataclass
class NewExport:
    export_type: str
    window: Window
    callback_url: str | None
    callback_method: str | None      # stored lower case
    external_reference_id: str | None


def _shown(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def resource_object(body, *, update_id: str | None = None) -> dict:
    """``data`` of a create (``update_id`` None) or update document, with its type checked."""
    if not isinstance(body, dict) or body.get("data") is None:
        raise errors.param_missing("data")
    data = body["data"]
    if not isinstance(data, dict):
        raise errors.invalid_data_format()
    if update_id is not None:
        if data.get("id") is None:
            raise errors.bad_request("A key is required", "The resource object does not contain a key.",
                                     errors.KEY_ORDER_MISMATCH)
        if _shown(data["id"]) != update_id:
            raise errors.bad_request("Key is not included in URL",
                                     f"The URL does not support the key {_shown(data['id'])}",
                                     errors.KEY_NOT_INCLUDED_IN_URL)
    if data.get("type") is None:
        raise errors.param_missing("type")
    if data["type"] != TYPE:
        raise errors.bad_request("Invalid resource", f"{_shown(data['type'])} is not a valid resource.",
                                 errors.INVALID_RESOURCE)
    attributes = data.get("attributes", {})
    relationships = data.get("relationships", {})
    if not isinstance(attributes, dict) or not isinstance(relationships, dict):
        raise errors.invalid_data_format()
    return data


def check_params(data: dict, allowed: tuple[str, ...], *, id_allowed: bool) -> dict:
    """Every key not permitted here is a 400 "Param not allowed" (one error object per key)."""
    refused = []
    for key in data:
        if key in ("type", "attributes", "links") or (key == "id" and id_allowed):
            continue
        if key == "relationships":
            refused.extend(data["relationships"])
        else:
            refused.append(key)
    attributes = data.get("attributes", {})
    refused.extend(k for k in attributes if k not in allowed)
    if refused:
        raise errors.params_not_allowed([str(k) for k in refused])
    return attributes


def _valid_url(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def check_reference(attributes: dict, problems: list[Problem]) -> str | None:
    value = attributes.get("external_reference_id")
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(errors.invalid("external_reference_id", "is invalid"))
    elif len(value) > REFERENCE_MAX:
        problems.append(errors.invalid("external_reference_id",
                                       f"is too long (maximum is {REFERENCE_MAX} characters)"))
    return value


def parse_create(body, version: str, now: datetime, months: int) -> NewExport:
    data = resource_object(body)
    attributes = check_params(data, LEGACY_CREATABLE if is_legacy(version) else MODERN_CREATABLE,
                              id_allowed=False)
    problems: list[Problem] = []
    export_type = attributes.get("export_type")
    if export_type in (None, ""):
        problems.append(errors.invalid("export_type", "can't be blank"))
    elif export_type not in EXPORT_TYPES:
        problems.append(errors.invalid("export_type", "is not included in the list"))
    filters = attributes.get("filters")
    window = None
    if filters in (None, {}, "", []):
        problems.append(errors.invalid("filters", "can't be blank"))
    elif not isinstance(filters, dict):
        problems.append(errors.invalid("filters", "is invalid"))
    elif export_type in EXPORT_TYPES:
        pick = legacy_window if is_legacy(version) else modern_window
        window = pick(export_type, filters, now, months, problems)
    callback_url = attributes.get("callback_url")
    if callback_url == "":
        callback_url = None
    if callback_url is not None and not _valid_url(callback_url):
        problems.append(errors.invalid("callback_url", "is invalid"))
    method = attributes.get("callback_method")
    if method is not None and method not in method_words(version):
        problems.append(errors.invalid("callback_method", "is not included in the list"))
    reference = check_reference(attributes, problems)
    if problems:
        raise errors.validation_failed(problems)
    assert window is not None
    return NewExport(export_type, window, callback_url, method.lower() if method else None, reference)


def parse_update(body, export_id: str) -> dict:
    """The attributes of a PATCH/PUT document (2026-04-16: only ``external_reference_id``)."""
    data = resource_object(body, update_id=export_id)
    return check_params(data, UPDATABLE, id_allowed=True)


def validate_update(attributes: dict) -> dict:
    """The changes to apply, or 422 (validations run once the record is found)."""
    problems: list[Problem] = []
    reference = check_reference(attributes, problems)
    if problems:
        raise errors.validation_failed(problems)
    return {"external_reference_id": reference} if "external_reference_id" in attributes else {}
