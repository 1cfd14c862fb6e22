"""The yeti fixture section: customers, their accounts and API accesses, and the vendor options."""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates

from mockcdr.core.clock import LONGEST_SECONDS, LONGEST_SPAN
from mockcdr.core.fixtures import FixtureError, validate_section

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DIRECTIONS = ("out", "in")   # internal calls never cross a trunk, so no account has them

# The customer CDR fields of yeti's CustomerApi::CdrExportForm, in file order.
FIELDS = (
    "time_start", "time_connect", "time_end", "success", "duration", "src_name_in", "src_prefix_in",
    "dst_prefix_in", "from_domain", "to_domain", "ruri_domain", "lega_disconnect_code",
    "lega_disconnect_reason", "auth_orig_ip", "auth_orig_port", "src_prefix_routing",
    "dst_prefix_routing", "destination_prefix", "destination_initial_interval",
    "destination_next_interval", "destination_initial_rate", "destination_next_rate",
    "destination_fee", "customer_price", "customer_duration", "orig_call_id", "local_tag",
    "lega_user_agent", "diversion_in",
)

# name -> (default, check(value) -> error message or None)
OPTIONS = {
    "token_lifetime": (600, lambda v: None if v is None or (isinstance(v, int) and not isinstance(v, bool)
                                                            and 0 < v <= LONGEST_SECONDS)
                       else f"must be a number of seconds from 1 to {LONGEST_SECONDS:.0f} (100 years) or null "
                            "(tokens never expire)"),
    "jwt_secret": (None, lambda v: None if v is None or (isinstance(v, str) and v)
                   else "must be a non-empty string, or null (a random key per session)"),
    "hidden_fields": ((), lambda v: None if isinstance(v, (list, tuple)) and all(f in FIELDS for f in v)
                      else f"must be a list of field names from: {', '.join(FIELDS)}"),
    "directions": (("out",), lambda v: None if isinstance(v, (list, tuple)) and v and all(d in DIRECTIONS for d in v)
                   else f"must be a non-empty list of: {', '.join(DIRECTIONS)}"),
    "cdr_history_days": (365, lambda v: None if isinstance(v, (int, float)) and not isinstance(v, bool)
                         and 0 < v <= LONGEST_SPAN.days else f"must be a number of days above 0, at most {LONGEST_SPAN.days}"),
    "switch_host": ("198.51.100.10", lambda v: None if isinstance(v, str) and v else "must be a non-empty string"),
    "strict_content_type": (True, lambda v: None if isinstance(v, bool) else "must be true or false"),
    "time_zone_case_insensitive": (False, lambda v: None if isinstance(v, bool) else "must be true or false"),
    "filters_in_time_zone": (False, lambda v: None if isinstance(v, bool) else "must be true or false"),
}


def _uuid(value, **_):
    if not UUID_RE.match(str(value)):
        raise ValidationError(f"{value!r} is not a UUID")


class AccountSchema(Schema):
    uuid = fields.String(required=True, validate=_uuid)
    name = fields.String(required=True, validate=validate.Length(min=1))
    currency = fields.String(load_default="USD", validate=validate.Length(min=1))
    balance = fields.Decimal(load_default=Decimal("0"))
    min_balance = fields.Decimal(load_default=Decimal("0"))
    max_balance = fields.Decimal(load_default=Decimal("100000"))
    destination_rate_limit = fields.Decimal(load_default=None, allow_none=True)
    origination_capacity = fields.Integer(load_default=None, allow_none=True)
    termination_capacity = fields.Integer(load_default=None, allow_none=True)
    total_capacity = fields.Integer(load_default=None, allow_none=True)
    trunks = fields.List(fields.String(), load_default=None, allow_none=True)


class ApiAccessSchema(Schema):
    id = fields.Integer(required=True, validate=validate.Range(min=1))
    login = fields.String(required=True, validate=validate.Length(min=1))
    password = fields.String(required=True, validate=validate.Length(min=1))
    accounts = fields.List(fields.String(validate=_uuid), load_default=list)
    allowed_ips = fields.List(fields.String(), load_default=list)

    @validates("allowed_ips")
    def _ips(self, value, **_):
        for i, net in enumerate(value):
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValidationError({i: [f"{net!r} is not an IP address or network"]}) from None


class CustomerSchema(Schema):
    id = fields.Integer(required=True, validate=validate.Range(min=1))
    name = fields.String(required=True, validate=validate.Length(min=1))
    tenant = fields.String(required=True)
    allow_listen_recording = fields.Boolean(load_default=False)
    accounts = fields.List(fields.Nested(AccountSchema), required=True, validate=validate.Length(min=1))
    api_accesses = fields.List(fields.Nested(ApiAccessSchema), required=True, validate=validate.Length(min=1))


class SectionSchema(Schema):
    customers = fields.List(fields.Nested(CustomerSchema), required=True, validate=validate.Length(min=1))
    options = fields.Dict(keys=fields.String(), load_default=dict)


@dataclass(frozen=True)
class Account:
    uuid: str
    customer_id: int
    tenant: str
    name: str
    currency: str
    balance: Decimal
    min_balance: Decimal
    max_balance: Decimal
    destination_rate_limit: Decimal | None
    origination_capacity: int | None
    termination_capacity: int | None
    total_capacity: int | None
    trunks: frozenset


@dataclass(frozen=True)
class ApiAccess:
    id: int
    customer_id: int
    login: str
    password: str
    account_uuids: tuple[str, ...]     # the whitelist; empty = every account of the customer
    networks: tuple                    # allowed source networks; empty = any address

    def ip_allowed(self, address: str | None) -> bool:
        if not self.networks:
            return True
        try:
            ip = ipaddress.ip_address((address or "").strip())
        except ValueError:
            return False
        return any(ip.version == net.version and ip in net for net in self.networks)


@dataclass(frozen=True)
class Customer:
    id: int
    name: str
    tenant: str
    allow_listen_recording: bool
    accounts: tuple[Account, ...]


@dataclass
class Directory:
    """Everything the fixture section declares, indexed the ways the views look it up."""
    customers: dict[int, Customer] = field(default_factory=dict)
    accesses: dict[int, ApiAccess] = field(default_factory=dict)
    logins: dict[str, ApiAccess] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    def visible_accounts(self, access: ApiAccess) -> dict[str, Account]:
        """The accounts an API access may use: its customer's, narrowed by its whitelist."""
        customer = self.customers[access.customer_id]
        allowed = set(access.account_uuids)
        return {a.uuid: a for a in customer.accounts if not allowed or a.uuid in allowed}


def load_directory(world, section: dict) -> Directory:
    """Validate the section against the schema and the tenants; raise FixtureError naming the field."""
    data = validate_section(SectionSchema(), section, "yeti")
    directory = Directory(options=resolve_options(world, data["options"]))
    problems: list[str] = []
    seen_customers: set[int] = set()
    for ci, raw in enumerate(data["customers"]):
        where = f"yeti.customers[{ci}]"
        if raw["id"] in seen_customers:
            problems.append(f"{where}.id: customer id {raw['id']} is used twice")
        seen_customers.add(raw["id"])
        tenant = world.tenants.get(raw["tenant"])
        if tenant is None:
            problems.append(f"{where}.tenant: unknown tenant {raw['tenant']!r}; fixtures define: "
                            f"{', '.join(sorted(world.tenants))}")
            continue
        accounts = _accounts(raw, tenant, where, directory, problems)
        customer = Customer(raw["id"], raw["name"], raw["tenant"], raw["allow_listen_recording"], accounts)
        directory.customers[customer.id] = customer
        for ai, acc in enumerate(raw["api_accesses"]):
            _api_access(acc, customer, f"{where}.api_accesses[{ai}]", directory, problems)
    if problems:
        raise FixtureError("invalid fixtures:\n  " + "\n  ".join(problems))
    return directory


def _accounts(raw, tenant, where, directory, problems) -> tuple[Account, ...]:
    known_trunks = {t.id for t in tenant.trunks}
    claimed: dict[str, int] = {}
    out = []
    for ai, acc in enumerate(raw["accounts"]):
        here = f"{where}.accounts[{ai}]"
        uuid = acc["uuid"].lower()
        if uuid in directory.accounts or any(a.uuid == uuid for a in out):
            problems.append(f"{here}.uuid: account {uuid} is defined twice")
        trunks = known_trunks if acc["trunks"] is None else set(acc["trunks"])
        for ti, trunk in enumerate(acc["trunks"] or ()):
            if trunk not in known_trunks:
                problems.append(f"{here}.trunks[{ti}]: {trunk!r} is not a trunk of tenant {tenant.key!r} "
                                f"(its trunks: {', '.join(sorted(known_trunks)) or 'none'})")
        for trunk in sorted(trunks & set(claimed)):
            problems.append(f"{here}.trunks: trunk {trunk} already belongs to accounts[{claimed[trunk]}]; "
                            "a call must belong to one account")
        claimed.update({t: ai for t in trunks})
        account = Account(uuid, raw["id"], raw["tenant"], acc["name"], acc["currency"], acc["balance"],
                          acc["min_balance"], acc["max_balance"], acc["destination_rate_limit"],
                          acc["origination_capacity"], acc["termination_capacity"],
                          acc["total_capacity"], frozenset(trunks))
        out.append(account)
        directory.accounts[uuid] = account
    return tuple(out)


def _api_access(acc, customer: Customer, where, directory, problems) -> None:
    if acc["id"] in directory.accesses:
        problems.append(f"{where}.id: API access id {acc['id']} is used twice")
    if acc["login"] in directory.logins:
        problems.append(f"{where}.login: login {acc['login']!r} is used twice")
    own = {a.uuid for a in customer.accounts}
    whitelist = tuple(u.lower() for u in acc["accounts"])
    for i, uuid in enumerate(whitelist):
        if uuid not in own:
            problems.append(f"{where}.accounts[{i}]: {uuid} is not an account of customer {customer.id}")
    access = ApiAccess(acc["id"], customer.id, acc["login"], acc["password"], whitelist,
                       tuple(ipaddress.ip_network(n, strict=False) for n in acc["allowed_ips"]))
    directory.accesses[access.id] = access
    directory.logins[access.login] = access


def resolve_options(world, fixture_options: dict) -> dict:
    """Every option with its value (settings, then the fixture's ``options``, then the default)."""
    from_settings = dict(world.settings.vendor_options.get("yeti", {}))
    problems = [f"yeti.options.{name}: unknown option; known: {', '.join(OPTIONS)}"
                for name in list(from_settings) + list(fixture_options) if name not in OPTIONS]
    resolved = {}
    for name, (default, check) in OPTIONS.items():
        value = world.option("yeti", name, default)
        message = check(value)
        if message:
            problems.append(f"yeti.options.{name}: {message}")
        resolved[name] = tuple(value) if isinstance(value, list) else value
    if problems:
        raise FixtureError("invalid fixtures:\n  " + "\n  ".join(problems))
    return resolved
