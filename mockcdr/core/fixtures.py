"""Fixture files: loading YAML files or folders, merging over defaults, validating tenants by field."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates

from .cdrs import TenantProfile, Trunk
from .numbering import PLANS, normalize_e164

# libyaml's loader where PyYAML was built with it (the wheels are): the same documents, ~10x faster
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FixtureError(ValueError):
    """A fixture file is unreadable or a field in it is wrong; the message names the field."""


def flatten_errors(messages, prefix: str = "") -> list[str]:
    """marshmallow's nested error dict as ``path.to[0].field: message`` lines."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_errors(value, path))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out.extend(f"{prefix}: {m}" for m in messages)
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            out.extend(flatten_errors(value, f"{prefix}[{i}]"))
    else:
        out.append(f"{prefix}: {messages}")
    return out


def validate_section(schema: Schema, data, where: str):
    """Load ``data`` with ``schema`` or raise FixtureError listing every bad field under ``where``."""
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as exc:
        lines = flatten_errors(exc.messages, where)
        raise FixtureError("invalid fixtures:\n  " + "\n  ".join(lines)) from None


class TrunkSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1))
    name = fields.String(required=True, validate=validate.Length(min=1))


class TenantSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    country = fields.String(load_default="US", validate=validate.OneOf(sorted(PLANS)))
    calls_per_day = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 5_000_000))
    dids = fields.List(fields.String(), load_default=list)
    trunks = fields.List(fields.Nested(TrunkSchema), load_default=list)
    extensions = fields.List(fields.String(validate=validate.Regexp(r"^[0-9]{2,8}$")), load_default=list)

    @validates("dids")
    def _dids(self, value, **_):
        for i, did in enumerate(value):
            try:
                digits = normalize_e164(did)
            except ValueError:
                raise ValidationError({i: [f"{did!r} is not an E.164 number"]}) from None
            if not 8 <= len(digits) <= 15:
                raise ValidationError({i: [f"{did!r} must have 8 to 15 digits"]})


def parse_tenants(section) -> dict[str, TenantProfile]:
    if not isinstance(section, dict) or not section:
        raise FixtureError("invalid fixtures:\n  tenants: at least one tenant is required")
    out = {}
    schema = TenantSchema()
    for key, raw in section.items():
        data = validate_section(schema, raw, f"tenants.{key}")
        out[str(key)] = TenantProfile(
            key=str(key), name=data["name"], country=data["country"],
            dids=tuple(normalize_e164(d) for d in data["dids"]),
            trunks=tuple(Trunk(t["id"], t["name"]) for t in data["trunks"]),
            extensions=tuple(data["extensions"]), calls_per_day=data["calls_per_day"])
    return out


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except OSError as exc:
        raise FixtureError(f"cannot read fixtures file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise FixtureError(f"fixtures file {path}:{where}: not valid YAML "
                           f"({getattr(exc, 'problem', None) or exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FixtureError(f"fixtures file {path}: the top level must be a mapping of sections")
    return data


def read_tree(path: Path) -> dict:
    """One YAML file, or every ``*.yaml`` in a folder merged (a section may appear once)."""
    files: Iterable[Path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    elif path.exists():
        files = [path]
    else:
        raise FixtureError(f"fixtures file {path} does not exist")
    merged: dict = {}
    for f in files:
        for section, value in _read_yaml(f).items():
            if section == "tenants" and isinstance(value, dict):
                tenants = merged.setdefault("tenants", {})
                for key in value:
                    if key in tenants:
                        raise FixtureError(f"fixtures {f}: tenant {key!r} is defined twice")
                tenants.update(value)
            elif section in merged:
                raise FixtureError(f"fixtures {f}: section {section!r} is defined twice")
            else:
                merged[section] = value
    return merged


def overlay(defaults: dict, user: dict) -> dict:
    """A user's sections replace the default ones; user tenants add to or replace default tenants."""
    out = dict(defaults)
    for section, value in user.items():
        if section == "tenants" and isinstance(value, dict) and isinstance(out.get("tenants"), dict):
            out["tenants"] = {**out["tenants"], **value}
        else:
            out[section] = value
    return out
