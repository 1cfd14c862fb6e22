"""MOR tokens cannot be forged: the signing key is random (not derived from the seed /info shows), lives
in the state (a snapshot carries it, a reset draws a new one), and a token acts only for the login that issued it."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from mockcdr.core.ids import derive_bytes

from hostile import MOR, make_app, mor_tokens

GLOBEX_ADMIN = ("globex_admin", "globex-admin-FAKE-pass")       # fixtures/default/mor.yaml, user 20
TASKS = f"{MOR}/automatic_cdr_exports"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _sign(claims: dict, key: bytes) -> str:
    head = _b64(b'{"alg":"HS256","typ":"JWT"}')
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}.{_b64(hmac.new(key, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


def _key_of(client) -> bytes:
    """The signing key, as only the control plane's snapshot shows it."""
    return bytes.fromhex(client.get("/_mockcdr/snapshot").get_json()["store"]["mor.keys"]["jwt"]["key"])


def _as(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client():
    return make_app(vendors=("mor",)).test_client()


def test_a_token_resigned_with_the_seed_derived_key_is_refused(client):
    """The reproduction: the key was derive_bytes(seed, "mor.jwt-key"), and the seed is in /info."""
    seed = client.get("/_mockcdr/info").get_json()["seed"]
    mine = mor_tokens(client)["token"]
    assert client.get(TASKS, headers=_as(mine)).status_code == 200
    forged = _sign(dict(_claims(mine), sub="globex_admin", user_id=20), derive_bytes(seed, "mor.jwt-key", size=32))
    response = client.get(TASKS, headers=_as(forged))
    assert response.status_code == 401 and response.get_json() == {"errors": "Unauthorized"}


def test_a_token_acts_only_for_the_login_that_issued_it_even_signed_with_the_real_key(client):
    mine = mor_tokens(client)["token"]
    key = _key_of(client)
    mor_tokens(client, GLOBEX_ADMIN)                                  # globex's admin exists and is logged in
    for change in ({"user_id": 20}, {"sub": "globex_admin"}, {"user_id": 20, "sub": "globex_admin"}):
        forged = _sign(dict(_claims(mine), **change), key)
        assert client.get(TASKS, headers=_as(forged)).status_code == 401, change
    same = _sign(_claims(mine), key)                                   # the very claims, re-signed: fine
    assert client.get(TASKS, headers=_as(same)).status_code == 200


def test_the_key_is_random_per_state_not_per_seed():
    one, two = make_app(vendors=("mor",)).test_client(), make_app(vendors=("mor",)).test_client()
    mor_tokens(one), mor_tokens(two)
    assert _key_of(one) != _key_of(two)
    assert len(_key_of(one)) == 32


def test_a_snapshot_carries_the_key_and_a_reset_draws_a_new_one(client):
    token = mor_tokens(client)["token"]
    snap = client.get("/_mockcdr/snapshot").get_json()
    key = _key_of(client)
    client.post("/_mockcdr/reset")
    assert client.get(TASKS, headers=_as(token)).status_code == 401
    mor_tokens(client)
    assert _key_of(client) != key
    assert client.post("/_mockcdr/snapshot", json=snap).status_code == 200
    assert _key_of(client) == key
    assert client.get(TASKS, headers=_as(token)).status_code == 200     # the restored login works again


def test_a_hand_edited_key_does_not_break_logins(client):
    mor_tokens(client)
    snap = client.get("/_mockcdr/snapshot").get_json()
    snap["store"]["mor.keys"]["jwt"]["key"] = "not hex"
    assert client.post("/_mockcdr/snapshot", json=snap).status_code == 200
    token = mor_tokens(client)["token"]
    assert client.get(TASKS, headers=_as(token)).status_code == 200
    assert len(_key_of(client)) == 32
