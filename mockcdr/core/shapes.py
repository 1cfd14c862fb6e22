"""Call shapes: who calls whom, which way and how it ends; a tenant draws 4,096 of them once per seed."""
from __future__ import annotations

import random

from .numbering import PLANS

# (disposition, weight, [(sip code, reason, q850 cause)])
_OUTCOMES = (
    ("answered", 0.70, ((200, "OK", 16),)),
    ("no_answer", 0.12, ((480, "Temporarily Unavailable", 19), (487, "Request Terminated", 19))),
    ("busy", 0.10, ((486, "Busy Here", 17),)),
    ("failed", 0.08, ((503, "Service Unavailable", 34), (404, "Not Found", 1),
                      (403, "Forbidden", 21), (408, "Request Timeout", 102))),
)


def draw(rng: random.Random, tenant, people, pool) -> tuple:
    """One call shape of ``tenant`` (a cdrs.TenantProfile), in the order of cdrs._SHAPE."""
    r = rng.random
    exts = tenant.extensions
    trunks = tenant.trunks
    roll = r()
    if roll < 0.08 and len(exts) >= 2:
        direction = "internal"
    elif roll < 0.54 and tenant.dids:
        direction = "in"
    else:
        direction = "out"
    roll = r()
    for disposition, weight, codes in _OUTCOMES:
        if roll < weight:
            break
        roll -= weight
    sip_code, sip_reason, q850 = codes[int(r() * len(codes))]
    if disposition == "answered":
        initiator = "caller" if r() < 0.55 else "callee"
    elif disposition == "no_answer":
        initiator = "caller" if r() < 0.5 else "callee"
    else:
        initiator = "callee" if disposition == "busy" else "system"
    peer = people[int(r() * len(people))]
    extension = exts[int(r() * len(exts))] if exts else None
    peer_extension = None
    trunk = trunks[int(r() * len(trunks))] if trunks else None
    did = None
    network = peer.network
    if direction == "in":
        did = tenant.dids[int(r() * len(tenant.dids))]
        src, src_name, dst = peer.number, peer.name, did
        rate = 0.0085 if network == "tollfree" else 0.001
    elif direction == "out":
        src = tenant.dids[int(r() * len(tenant.dids))] if tenant.dids else (extension or "")
        src_name, dst = tenant.name, peer.number
        plan = PLANS.get(peer.country)
        rate = plan.rate(network) if plan else 0.0
    else:
        peer_extension = exts[int(r() * len(exts))]
        if peer_extension == extension:
            peer_extension = exts[(exts.index(extension) + 1) % len(exts)]
        src, src_name, dst, trunk, rate = extension, "", peer_extension, None, 0.0
    return (direction, disposition, sip_code, sip_reason, q850, initiator, src, src_name, dst, did,
            trunk, extension, peer_extension, peer.country, network, rate,
            pool.ips[int(r() * len(pool.ips))], pool.user_agents[int(r() * len(pool.user_agents))],
            pool.codecs[int(r() * len(pool.codecs))])
