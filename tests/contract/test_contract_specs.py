"""Every spec in openapi/ against the in-process app: schemathesis' positive and negative cases, every default check."""
# One suite, parametrized by target (contract_targets.py): for each spec, every operation gets
# its explicit examples, the coverage phase's boundary and negative cases, and max_examples
# fuzzed cases, and every response is held to status codes, content types, headers and schemas
# (file bodies through contract_files.py). Generation is derandomized: CI sees the same cases.
from __future__ import annotations

import hypothesis
import schemathesis
from hypothesis import HealthCheck
from schemathesis.config import SchemathesisConfig

import contract_files  # noqa: F401  (registers the file deserializers)
from contract_targets import TARGETS
from mockcdr.resources import spec_names, spec_path


def test_every_spec_is_a_target():
    assert sorted({target.spec for target in TARGETS}) == spec_names()


def undeclared(rt) -> list[str]:
    """Response kinds the vendors' answers showed that their declarations do not list."""
    out = []
    for vendor in rt.coverage.document(rt.id)["vendors"]:
        for op in vendor["operations"]:
            for r in op["responses"]:
                out += [f"{vendor['vendor']} {op['operation']} {r['status']}: {u['kind']}"
                        for u in r.get("undeclared", ())]
    return out


def _suite(target):
    app, creds = target.build()
    rt = app.extensions["mockcdr"]
    schema = schemathesis.openapi.from_path(spec_path(target.spec),
                                            config=SchemathesisConfig.from_dict(target.config(creds)))
    schema.app = app      # every request, the checks' own follow-ups included, goes in-process

    @schema.parametrize()
    @hypothesis.settings(max_examples=target.max_examples, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    def test(case):
        if target.adjust is not None:
            target.adjust(case, app, creds)
        rt.errors.clear()
        case.call_and_validate()
        if rt.errors:
            raise rt.errors.pop(0)
        # every kind an answer showed is one its vendor declares (API coverage lists them)
        assert not undeclared(rt), undeclared(rt)

    test.__name__ = test.__qualname__ = f"test_{target.name.replace('-', '_')}"
    return test


for _target in TARGETS:
    _test = _suite(_target)
    globals()[_test.__name__] = _test
del _target, _test
