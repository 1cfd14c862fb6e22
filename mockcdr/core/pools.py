"""Value pools drawn once per seed (Faker is slow per field); rows pick from them with a seeded Random."""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from .ids import derive_seed
from .numbering import NETWORK_WEIGHTS, PLANS

USER_AGENTS = (
    "Asterisk PBX 18.20.2", "FreeSWITCH-mod_sofia/1.10.11-release", "Yeastar S50 30.12.0.21",
    "Grandstream GXP2170 1.0.11.23", "Linphone/5.2.5 (belle-sip/5.2.0)", "Zoiper rv2.10.19.6",
    "Cisco-SIPGateway/IOS-15.5", "PolycomVVX-VVX_411-UA/6.4.3.5156", "Yealink SIP-T46U 108.86.0.90",
    "Kamailio (5.7.4 (x86_64/linux))", "3CXPhoneSystem 18.0.9.20", "MicroSIP/3.21.3",
)
CODECS = ("PCMA", "PCMU", "G729", "G722", "OPUS")


@dataclass(frozen=True)
class Contact:
    number: str     # E.164 digits, no +
    country: str    # ISO alpha-2
    network: str    # fixed | mobile | tollfree
    name: str       # caller name as CNAM would show it, may be empty


@dataclass(frozen=True)
class Pools:
    names: tuple[str, ...]
    companies: tuple[str, ...]
    domains: tuple[str, ...]
    ips: tuple[str, ...]
    user_agents: tuple[str, ...] = USER_AGENTS
    codecs: tuple[str, ...] = CODECS


_lock = threading.Lock()
_pools: dict[object, Pools] = {}
_contacts: dict[tuple, tuple[Contact, ...]] = {}


def pools(seed: object) -> Pools:
    """Faker-drawn pools for a seed, built on first use and then shared (read-only)."""
    cached = _pools.get(seed)
    if cached is not None:
        return cached
    with _lock:
        if seed not in _pools:
            from faker import Faker  # imported lazily: it costs a quarter of a second

            fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR"])
            fake.seed_instance(derive_seed(seed, "pools"))
            _pools[seed] = Pools(
                names=tuple(fake.name() for _ in range(400)),
                companies=tuple(fake.company() for _ in range(120)),
                domains=tuple(fake.domain_name() for _ in range(60)),
                ips=tuple(fake.ipv4_public() for _ in range(200)),
            )
        return _pools[seed]


def contacts(seed: object, tenant_key: str, home: str, size: int = 600) -> tuple[Contact, ...]:
    """The people a tenant talks to: mostly in its home country, some abroad, some unnamed."""
    key = (seed, tenant_key, home, size)
    cached = _contacts.get(key)
    if cached is not None:
        return cached
    names = pools(seed).names
    rng = random.Random(derive_seed(seed, "contacts", tenant_key))
    abroad = [iso for iso in sorted(PLANS) if iso != home]
    home_plan = PLANS.get(home, PLANS["US"])
    out = []
    for _ in range(size):
        plan = home_plan if rng.random() < 0.65 else PLANS[abroad[int(rng.random() * len(abroad))]]
        r = rng.random()
        network = NETWORK_WEIGHTS[-1][0]
        for candidate, weight in NETWORK_WEIGHTS:
            if r < weight:
                network = candidate
                break
            r -= weight
        name = names[int(rng.random() * len(names))] if rng.random() < 0.7 else ""
        out.append(Contact(plan.number(rng, network), plan.iso, network, name))
    result = tuple(out)
    with _lock:
        _contacts[key] = result
    return result
