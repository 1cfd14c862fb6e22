"""Telnyx accounts from the fixture section: credentials, connections, number tags, and vendor options."""
from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema, fields, validate

from ...core.clock import LONGEST_SECONDS, LONGEST_SPAN
from ...core.fixtures import FixtureError, validate_section
from ...core.numbering import normalize_e164

SLUG = "telnyx"
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

# Every inferred behaviour is an option: Settings.vendor_options["telnyx"] first, then the
# ``options:`` mapping of the fixture section, then these defaults.
LONGEST_DAYS = LONGEST_SPAN.days
OPTION_DEFAULTS = {
    "generation_seconds": 5,          # Pending -> Complete delay under the default policy
    "retention_days": 30,             # Complete/Failed -> Expired
    "max_lookback_days": 30,          # start_time may not reach further back than this
    "report_url_one_time": False,     # True: the report_url downloads exactly once
    "report_url_ttl_seconds": None,   # None: the report_url works until the request expires
    "report_url_while_pending": "",   # what report_url holds before the report exists ("" or None)
    "v1_filters_format": "list",      # V1 echoes filters as a JSON "list" or as a JSON-text "string"
    "v2_default_page_size": 20,
    "v2_max_page_size": 250,
}


@dataclass(frozen=True)
class Connection:
    id: str                      # decimal digits (Telnyx connection ids are int64)
    name: str
    trunk: str                   # the tenant trunk this connection carries
    billing_group_id: str


@dataclass(frozen=True)
class Account:
    key: str
    tenant: str
    email: str
    v1_token: str
    api_key: str
    connections: tuple[Connection, ...] = ()
    number_tags: dict = field(default_factory=dict, compare=False, hash=False)   # DID digits -> tags


@dataclass
class State:
    """What ``setup`` returns: accounts and their credential indexes, and the resolved options."""
    accounts: dict[str, Account]
    options: dict
    by_v1_token: dict[str, Account]
    by_api_key: dict[str, Account]


class _Connection(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{1,19}$", error="must be 1 to 19 digits"))
    name = fields.String(load_default="")
    trunk = fields.String(required=True, validate=validate.Length(min=1))
    billing_group_id = fields.String(load_default="", validate=validate.Regexp(
        _UUID + "|^$", error="must be a UUID"))


class _Account(Schema):
    tenant = fields.String(required=True, validate=validate.Length(min=1))
    email = fields.Email(required=True)
    v1_token = fields.String(required=True, validate=validate.Length(min=8))
    api_key = fields.String(required=True, validate=validate.Length(min=8))
    connections = fields.List(fields.Nested(_Connection), load_default=list)
    number_tags = fields.Dict(keys=fields.String(), load_default=dict,
                              values=fields.List(fields.String(validate=validate.Length(min=1))))


class _Options(Schema):
    # spans stop at 100 years (core.clock.LONGEST_SPAN): the clock's range leaves that much room
    generation_seconds = fields.Float(validate=validate.Range(min=0, max=LONGEST_SECONDS))
    retention_days = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=LONGEST_DAYS))
    max_lookback_days = fields.Float(validate=validate.Range(min=0, max=LONGEST_DAYS))
    report_url_one_time = fields.Boolean()
    report_url_ttl_seconds = fields.Float(allow_none=True, validate=validate.Range(
        min=0, min_inclusive=False, max=LONGEST_SECONDS))
    report_url_while_pending = fields.String(allow_none=True)
    v1_filters_format = fields.String(validate=validate.OneOf(("list", "string")))
    v2_default_page_size = fields.Integer(validate=validate.Range(min=1))
    v2_max_page_size = fields.Integer(validate=validate.Range(min=1))


class _Section(Schema):
    accounts = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_.-]+$")),
                           values=fields.Raw(), required=True,       # each checked by _Account
                           validate=validate.Length(min=1, error="at least one account is required"))
    options = fields.Dict(load_default=dict)


def load_state(world, section: dict) -> State:
    """Validate the ``telnyx:`` fixture section; every error names its field."""
    data = validate_section(_Section(), section, SLUG)
    given = set(data["options"]) | set(world.settings.vendor_options.get(SLUG, {}))
    unknown = sorted(given - set(OPTION_DEFAULTS))
    if unknown:
        raise FixtureError(f"invalid fixtures:\n  {SLUG}.options.{unknown[0]}: unknown option; known: "
                           f"{', '.join(OPTION_DEFAULTS)}")
    merged = {name: world.option(SLUG, name, default) for name, default in OPTION_DEFAULTS.items()}
    options = dict(OPTION_DEFAULTS, **validate_section(_Options(), merged, f"{SLUG}.options"))
    if options["v2_default_page_size"] > options["v2_max_page_size"]:
        raise FixtureError(f"invalid fixtures:\n  {SLUG}.options.v2_default_page_size: must not exceed "
                           f"v2_max_page_size ({options['v2_max_page_size']})")
    accounts: dict[str, Account] = {}
    by_v1: dict[str, Account] = {}
    by_key: dict[str, Account] = {}
    seen_conn: dict[str, str] = {}
    for key, raw in data["accounts"].items():
        where = f"{SLUG}.accounts.{key}"
        account = _account(world, key, validate_section(_Account(), raw, where), where, seen_conn)
        for index, value, what in ((by_v1, account.v1_token, "v1_token"), (by_key, account.api_key, "api_key")):
            if value in by_v1 or value in by_key:
                raise FixtureError(f"invalid fixtures:\n  {where}.{what}: already used by another credential")
            index[value] = account
        accounts[key] = account
    return State(accounts=accounts, options=options, by_v1_token=by_v1, by_api_key=by_key)


def _account(rt, key: str, raw: dict, where: str, seen_conn: dict) -> Account:
    if raw["tenant"] not in rt.tenants:
        raise FixtureError(f"invalid fixtures:\n  {where}.tenant: unknown tenant {raw['tenant']!r}; "
                           f"fixtures define: {', '.join(sorted(rt.tenants))}")
    tenant = rt.tenants[raw["tenant"]]
    trunks = {t.id for t in tenant.trunks}
    conns = []
    for i, c in enumerate(raw["connections"]):
        if c["trunk"] not in trunks:
            raise FixtureError(f"invalid fixtures:\n  {where}.connections[{i}].trunk: {c['trunk']!r} is not "
                               f"a trunk of tenant {tenant.key!r}")
        if c["id"] in seen_conn:
            raise FixtureError(f"invalid fixtures:\n  {where}.connections[{i}].id: {c['id']} is already "
                               f"a connection of account {seen_conn[c['id']]!r}")
        if any(other.trunk == c["trunk"] for other in conns):
            raise FixtureError(f"invalid fixtures:\n  {where}.connections[{i}].trunk: another connection "
                               f"already carries trunk {c['trunk']!r}")
        seen_conn[c["id"]] = key
        conns.append(Connection(c["id"], c["name"], c["trunk"], c["billing_group_id"]))
    tags = {}
    for number, values in raw["number_tags"].items():
        try:
            digits = normalize_e164(number)
        except ValueError:
            digits = ""
        if digits not in tenant.dids:
            raise FixtureError(f"invalid fixtures:\n  {where}.number_tags.{number}: not a DID of tenant "
                               f"{tenant.key!r}")
        tags[digits] = tuple(values)
    return Account(key=key, tenant=tenant.key, email=raw["email"].lower(), v1_token=raw["v1_token"],
                   api_key=raw["api_key"], connections=tuple(conns), number_tags=tags)


def describe(world, base_url: str) -> dict:
    state: State = world.state[SLUG]
    creds = [{"account": a.key, "tenant": a.tenant, "x-api-user": a.email, "x-api-token": a.v1_token,
              "Authorization": f"Bearer {a.api_key}"} for a in state.accounts.values()]
    return {"base_urls": [base_url, f"{base_url}/v2"], "credentials": creds}
