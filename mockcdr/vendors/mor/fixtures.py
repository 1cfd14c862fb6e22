"""The ``mor:`` fixture section: users, API permission groups, devices, providers, templates, options."""
from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...core.fixtures import FixtureError, validate_section
from .columns import KNOWN
from .zones import MAPPING

USER_TYPES = ("admin", "accountant", "reseller", "user")
METHODS = tuple(f"v2_automatic_cdr_exports_{m}" for m in
                ("index", "show", "create", "update", "destroy", "update_active")) + \
    ("v2_cdr_export_templates_index", "v2_cdr_export_templates_show")


class DeviceSchema(Schema):
    id = fields.Integer(required=True, validate=validate.Range(min=1))
    extension = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{2,8}$"))


class UserSchema(Schema):
    id = fields.Integer(required=True, validate=validate.Range(min=0))
    username = fields.String(required=True, validate=validate.Length(min=1))
    password = fields.String(required=True, validate=validate.Length(min=1))
    usertype = fields.String(required=True, validate=validate.OneOf(USER_TYPES))
    tenant = fields.String(required=True)
    permission_group = fields.String(load_default=None, allow_none=True)
    first_name = fields.String(load_default="")
    last_name = fields.String(load_default="")
    email = fields.Email(load_default=None, allow_none=True)
    time_zone = fields.String(load_default="UTC", validate=validate.OneOf(sorted(MAPPING)))
    devices = fields.List(fields.Nested(DeviceSchema), load_default=list)


class ProviderSchema(Schema):
    id = fields.Integer(required=True, validate=validate.Range(min=1))
    tenant = fields.String(required=True)
    trunk = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))
    ip = fields.String(load_default="", validate=validate.Regexp(r"^([0-9]{1,3}\.){3}[0-9]{1,3}$|^$"))


class TemplateSchema(Schema):
    id = fields.Integer(required=True, validate=validate.Range(min=1))
    owner_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))
    columns = fields.List(fields.String(validate=validate.OneOf(KNOWN)), load_default=list)


class SectionSchema(Schema):
    permission_groups = fields.Dict(keys=fields.String(),
                                    values=fields.List(fields.String(validate=validate.OneOf(METHODS))),
                                    load_default=dict)
    users = fields.List(fields.Nested(UserSchema), required=True, validate=validate.Length(min=1))
    providers = fields.List(fields.Nested(ProviderSchema), load_default=list)
    templates = fields.List(fields.Nested(TemplateSchema), load_default=list)
    options = fields.Dict(keys=fields.String(), load_default=dict)

    @validates_schema
    def _references(self, data, **_):
        errors: dict = {}
        ids, names, device_ids = set(), set(), set()
        for i, user in enumerate(data.get("users", [])):
            problems = []
            if user["id"] in ids:
                problems.append(f"user id {user['id']} is defined twice")
            if user["username"] in names:
                problems.append(f"username {user['username']!r} is defined twice")
            group = user.get("permission_group")
            if group is not None and group not in data.get("permission_groups", {}):
                problems.append(f"permission_group {group!r} is not defined in permission_groups")
            for dev in user["devices"]:
                if dev["id"] in device_ids:
                    problems.append(f"device id {dev['id']} is defined twice")
                device_ids.add(dev["id"])
            ids.add(user["id"])
            names.add(user["username"])
            if problems:
                errors.setdefault("users", {})[i] = problems
        admins = {u["id"] for u in data.get("users", []) if u["usertype"] == "admin"}
        seen = set()
        for i, tpl in enumerate(data.get("templates", [])):
            problems = []
            if tpl["id"] in seen:
                problems.append(f"template id {tpl['id']} is defined twice")
            if tpl["owner_id"] not in admins:
                problems.append(f"owner_id {tpl['owner_id']} is not an admin user")
            seen.add(tpl["id"])
            if problems:
                errors.setdefault("templates", {})[i] = problems
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True)
class Device:
    id: int
    extension: str
    user_id: int
    user_name: str


@dataclass
class Directory:
    """The fixture, indexed: who may log in, what they may call, who owns which extension."""
    users: dict[int, dict]
    by_username: dict[str, dict]
    groups: dict[str, frozenset]
    templates: dict[int, dict]
    devices: dict[str, dict[str, Device]]            # tenant -> extension -> device
    providers: dict[str, dict[str, tuple]]           # tenant -> trunk id -> (provider id, name, ip)
    provider_ids: dict[int, dict] = field(default_factory=dict)

    def allowed(self, user: dict, method: str) -> bool:
        return method in self.groups.get(user.get("permission_group") or "", frozenset())

    def tenant_users(self, tenant: str) -> list[dict]:
        return [u for u in self.users.values() if u["tenant"] == tenant]


def load(world, section: dict) -> Directory:
    data = validate_section(SectionSchema(), section, "mor")
    where = "invalid fixtures:\n  mor."
    for i, user in enumerate(data["users"]):
        if user["tenant"] not in world.tenants:
            raise FixtureError(f"{where}users[{i}].tenant: unknown tenant {user['tenant']!r}; "
                               f"tenants are {', '.join(sorted(world.tenants))}")
        exts = set(world.tenants[user["tenant"]].extensions)
        for j, dev in enumerate(user["devices"]):
            if dev["extension"] not in exts:
                raise FixtureError(f"{where}users[{i}].devices[{j}].extension: {dev['extension']!r} "
                                   f"is not an extension of tenant {user['tenant']!r}")
    devices: dict[str, dict[str, Device]] = {}
    for user in data["users"]:
        name = " ".join(p for p in (user["first_name"], user["last_name"]) if p) or user["username"]
        for dev in user["devices"]:
            devices.setdefault(user["tenant"], {})[dev["extension"]] = Device(
                dev["id"], dev["extension"], user["id"], name)
    providers: dict[str, dict[str, tuple]] = {}
    provider_ids = {}
    for i, prov in enumerate(data["providers"]):
        tenant = world.tenants.get(prov["tenant"])
        if tenant is None or prov["trunk"] not in {t.id for t in tenant.trunks}:
            raise FixtureError(f"{where}providers[{i}].trunk: {prov['trunk']!r} is not a trunk of "
                               f"tenant {prov['tenant']!r}")
        providers.setdefault(prov["tenant"], {})[prov["trunk"]] = (prov["id"], prov["name"], prov["ip"])
        provider_ids[prov["id"]] = prov
    return Directory(
        users={u["id"]: u for u in data["users"]},
        by_username={u["username"]: u for u in data["users"]},
        groups={name: frozenset(methods) for name, methods in data["permission_groups"].items()},
        templates={t["id"]: t for t in data["templates"]},
        devices=devices, providers=providers, provider_ids=provider_ids)


def describe(world, base_url: str) -> dict:
    directory: Directory = world.state["mor"]
    creds = [{"username": u["username"], "password": u["password"], "usertype": u["usertype"],
              "tenant": u["tenant"], "permission_group": u.get("permission_group") or ""}
             for u in directory.users.values()]
    return {"base_urls": [f"{base_url}/billing/api/v2", f"{base_url}/api/v2"],
            "credentials": creds}
