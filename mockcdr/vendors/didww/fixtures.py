"""DIDWW fixture section: customers (one per API key), their default API versions, and options."""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from mockcdr.core.fixtures import FixtureError, validate_section

from .versions import KNOWN_VERSIONS, LATEST

SLUG = "didww"

# Inferred or undocumented behaviour, overridable per run (Settings.vendor_options["didww"]) or in
# the fixture's ``options:`` mapping. Each is listed in the README's DIDWW fidelity notes.
OPTION_DEFAULTS = {
    "pending_seconds": 5.0,            # Pending -> Processing (no published figure)
    "processing_seconds": 10.0,        # Processing -> Completed
    "retention_seconds": 30 * 86400,   # "deletion ... in 1 month after completion": 30 days
    "months_available": 3,             # current + 2 previous months
    "callback_backoff": [0, 10, 30, 60, 120, 300],   # seconds before each attempt
    "callback_status": "completed",    # status word sent in the callback payload
    "default_callback_method": "post", # when callback_url is sent without callback_method
    "api_version_in_errors": False,    # recorded error bodies carry no meta
    "legacy_cdr_out_columns": None,    # None = the mock's chosen layout (see formats.py)
}


class CustomerSchema(Schema):
    api_key = fields.String(required=True, validate=validate.Length(min=8))
    tenant = fields.String(required=True, validate=validate.Length(min=1))
    default_api_version = fields.String(load_default=LATEST, validate=validate.OneOf(KNOWN_VERSIONS))
    callback_secret = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1))
    customer_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 10**9))


class SectionSchema(Schema):
    customers = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_.-]+$")),
                            values=fields.Nested(CustomerSchema), required=True,
                            validate=validate.Length(min=1))
    options = fields.Dict(keys=fields.String(), load_default=dict)

    @validates_schema
    def _unique_keys(self, data, **_):
        seen: dict[str, str] = {}
        for name, customer in data.get("customers", {}).items():
            key = customer["api_key"]
            if key in seen:
                raise ValidationError({"customers": {name: {"api_key": [
                    f"the same key is already used by customer {seen[key]!r}"]}}})
            seen[key] = name
        unknown = sorted(set(data.get("options", {})) - set(OPTION_DEFAULTS))
        if unknown:
            raise ValidationError({"options": [f"unknown options: {', '.join(unknown)}; known: "
                                               f"{', '.join(sorted(OPTION_DEFAULTS))}"]})


@dataclass(frozen=True)
class Customer:
    """One DIDWW account: an API key, the call-universe tenant it owns, its default API version."""
    name: str
    api_key: str
    tenant: str
    default_api_version: str
    callback_secret: str | None
    customer_id: int

    @property
    def signing_key(self) -> str:
        """The HMAC key of its callbacks: the callback secret if set, else the API key."""
        return self.callback_secret or self.api_key


@dataclass
class State:
    """The vendor's per-runtime state: customers by API key and by name."""
    by_key: dict[str, Customer]
    by_name: dict[str, Customer]


def load(world, section: dict) -> State:
    data = validate_section(SectionSchema(), section, SLUG)
    by_key, by_name = {}, {}
    for i, (name, raw) in enumerate(sorted(data["customers"].items())):
        if raw["tenant"] not in world.tenants:
            raise FixtureError(f"invalid fixtures:\n  {SLUG}.customers.{name}.tenant: unknown tenant "
                               f"{raw['tenant']!r}; fixtures define: {', '.join(sorted(world.tenants))}")
        customer = Customer(name=name, api_key=raw["api_key"], tenant=raw["tenant"],
                            default_api_version=raw["default_api_version"],
                            callback_secret=raw["callback_secret"],
                            customer_id=raw["customer_id"] or 100001 + i)
        by_key[customer.api_key] = customer
        by_name[name] = customer
    return State(by_key=by_key, by_name=by_name)


def option(rt, name: str):
    """An option's value: Settings.vendor_options, then the fixture's ``options``, then the default."""
    return rt.option(SLUG, name, OPTION_DEFAULTS[name])
