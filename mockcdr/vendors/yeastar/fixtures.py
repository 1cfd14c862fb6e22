"""The yeastar fixture section and options: validation, defaults, and the per-runtime state."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from ...core.fixtures import FixtureError, validate_section
from ...core.timefmt import zone
from .formats import COLUMNS

SLUG = "yeastar"
_UNSET = object()


class UserSchema(Schema):
    """One API user of one PBX (Settings > PBX > General > API), mapped to a tenant."""
    username = fields.String(required=True, validate=validate.Length(min=1))
    password = fields.String(required=True, validate=validate.Length(min=1))   # the plain API password
    tenant = fields.String(required=True, validate=validate.Length(min=1))
    sn = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z]{6,20}$"))


class OptionsSchema(Schema):
    """Behaviour the research marks inferred or unknown (see the README's Yeastar fidelity notes)."""
    timezone = fields.String(load_default="UTC")
    token_ttl_seconds = fields.Integer(load_default=1800, validate=validate.Range(1, 86_400 * 365))
    token_extends_on_use = fields.Boolean(load_default=True)
    expired_token_errno = fields.String(load_default="20006", validate=validate.OneOf(["20006", "20004"]))
    random_ttl_seconds = fields.Integer(load_default=30, validate=validate.Range(1, 86_400))
    lockout_failures = fields.Integer(load_default=5, validate=validate.Range(1, 1000))
    lockout_seconds = fields.Integer(load_default=600, validate=validate.Range(0, 86_400 * 30))
    lockout_scope = fields.String(load_default="user", validate=validate.OneOf(["user", "ip"]))
    reject_unknown_extensions = fields.Boolean(load_default=True)
    bind_random = fields.Boolean(load_default=True)
    check_download_ip = fields.Boolean(load_default=True)
    empty_result = fields.String(load_default="error", validate=validate.OneOf(["error", "header"]))
    csv_header = fields.List(fields.String(), load_default=lambda: list(COLUMNS),
                             validate=validate.Length(equal=len(COLUMNS)))
    csv_line_terminator = fields.String(load_default="\n", validate=validate.OneOf(["\n", "\r\n"]))
    csv_content_type = fields.String(load_default="text/csv", validate=validate.Length(min=1))
    recordings = fields.Boolean(load_default=True)

    @validates("timezone")
    def _timezone(self, value, **_):
        try:
            zone(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class SectionSchema(Schema):
    users = fields.List(fields.Nested(UserSchema), required=True, validate=validate.Length(min=1))
    options = fields.Nested(OptionsSchema, load_default=dict)

    @validates_schema
    def _unique(self, data, **_):
        names = [u["username"] for u in data.get("users", [])]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValidationError({"users": [f"username {', '.join(dupes)} is defined twice"]})


@dataclass(frozen=True)
class State:
    """What setup() keeps in ``runtime.state["yeastar"]``."""
    users: dict            # username -> {"username", "password", "password_md5", "tenant", "sn"}
    options: dict
    tz: object             # the PBX's local time zone


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def setup(world, section: dict) -> State:
    data = validate_section(SectionSchema(), section, SLUG)
    users = {}
    for i, user in enumerate(data["users"]):
        if user["tenant"] not in world.tenants:
            raise FixtureError(f"invalid fixtures:\n  {SLUG}.users[{i}].tenant: unknown tenant "
                               f"{user['tenant']!r}; tenants are {', '.join(sorted(world.tenants))}")
        users[user["username"]] = dict(user, password_md5=md5_hex(user["password"]))
    names = OptionsSchema().fields
    unknown = sorted(set(world.settings.vendor_options.get(SLUG, {})) - set(names))
    if unknown:
        raise FixtureError(f"vendor_options.{SLUG}: unknown options {', '.join(unknown)}")
    raw = {}
    for name in names:
        value = world.option(SLUG, name, _UNSET)
        if value is not _UNSET:
            raw[name] = value
    options = validate_section(OptionsSchema(), raw, f"{SLUG}.options")
    return State(users=users, options=options, tz=zone(options["timezone"]))


def state(rt) -> State:
    return rt.state[SLUG]


def find_user(st: State, who: str | None) -> dict:
    """A user by username or tenant key (the first user when ``who`` is None)."""
    if who is None:
        return next(iter(st.users.values()))
    if who in st.users:
        return st.users[who]
    for user in st.users.values():
        if user["tenant"] == who:
            return user
    raise ValueError(f"no yeastar user or tenant {who!r}; users: {', '.join(st.users)}")
