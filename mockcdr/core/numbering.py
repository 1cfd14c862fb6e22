"""Numbering plans: E.164 number shapes, country names, networks and per-minute rates for fake calls."""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    iso: str            # ISO 3166 alpha-2
    name: str
    cc: str             # country calling code
    fixed: tuple[str, ...]    # national prefixes of fixed lines
    mobile: tuple[str, ...]   # national prefixes of mobiles
    tollfree: tuple[str, ...]
    length: int         # national significant number length
    fixed_rate: float   # USD per minute, termination
    mobile_rate: float

    def number(self, rng: random.Random, network: str) -> str:
        prefixes = {"mobile": self.mobile, "tollfree": self.tollfree}.get(network, self.fixed)
        prefix = prefixes[int(rng.random() * len(prefixes))]
        rest = self.length - len(prefix)
        return f"{self.cc}{prefix}{int(rng.random() * 10 ** rest):0{rest}d}"

    def rate(self, network: str) -> float:
        if network == "mobile":
            return self.mobile_rate
        if network == "tollfree":
            return 0.0
        return self.fixed_rate


# Prefixes are taken from ranges set aside for drama/fiction or are plausible but fake.
PLANS: dict[str, Plan] = {p.iso: p for p in (
    Plan("US", "United States", "1", ("202555", "312555", "415555", "646555"), ("917555", "310555"),
         ("800555", "888555"), 10, 0.0045, 0.0045),
    Plan("GB", "United Kingdom", "44", ("20794", "1632960", "113496"), ("7700900",), ("800",), 10,
         0.0062, 0.0210),
    Plan("DE", "Germany", "49", ("30123", "89123", "40123"), ("15123", "17123"), ("800",), 11,
         0.0071, 0.0290),
    Plan("FR", "France", "33", ("1991", "4991"), ("6399", "7001"), ("800",), 9, 0.0065, 0.0230),
    Plan("NL", "Netherlands", "31", ("20123", "10123"), ("612",), ("800",), 9, 0.0080, 0.0360),
    Plan("UA", "Ukraine", "380", ("44123", "32123"), ("67123", "50123"), ("800",), 9, 0.0520, 0.0980),
    Plan("LT", "Lithuania", "370", ("5123", "37123"), ("612",), ("800",), 8, 0.0150, 0.0620),
    Plan("AU", "Australia", "61", ("255501", "355501"), ("4915",), ("1800",), 9, 0.0110, 0.0270),
    Plan("BR", "Brazil", "55", ("1134", "2134"), ("1191", "2199"), ("800",), 10, 0.0090, 0.0310),
    Plan("IN", "India", "91", ("1123", "2223"), ("98123", "70123"), ("1800",), 10, 0.0120, 0.0120),
)}

NETWORK_WEIGHTS = (("fixed", 0.55), ("mobile", 0.40), ("tollfree", 0.05))


def plan_for(number: str) -> Plan | None:
    """The plan whose country code prefixes an E.164 number (digits, optional leading +)."""
    digits = number.lstrip("+")
    for cc_len in (3, 2, 1):
        for plan in PLANS.values():
            if len(plan.cc) == cc_len and digits.startswith(plan.cc):
                return plan
    return None


def normalize_e164(number: str) -> str:
    """Digits only, no ``+``: the form the call universe stores."""
    digits = "".join(ch for ch in str(number) if "0" <= ch <= "9")
    if not digits:
        raise ValueError(f"{number!r} is not a phone number")
    return digits
