"""Passwords and recovery codes (salted scrypt) and the lock-out after repeated failures.

A hash is stored as ``scrypt$N$r$p$salt$digest``, so its cost travels with it: older
hashes (N=2^14) still verify and are re-hashed at today's cost on the next successful
sign-in (``needs_rehash``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

# scrypt cost of new hashes: N=2^17, r=8 (OWASP's recommendation) needs 128 MiB and
# about half a second on the bureaus' old PCs; stored with the hash so it can rise.
DEFAULT_LOG2_N = 17
_R, _P = 8, 1
# The test suite hashes hundreds of passwords; it sets this variable to a lower cost
# (tests/conftest.py). It can only lower the cost, and a hash made at a lower cost is
# raised to the default at its next sign-in in any process without the variable.
TEST_COST_VARIABLE = "SAFECREDIT_TEST_ONLY_SCRYPT_LOG2N"

MAX_FAILURES = 5
LOCKOUT_SECONDS = 300
MIN_PASSWORD_LENGTH = 8

# Stored parameters beyond these are not ours: refused as malformed rather than tried
# (a forged N=2^30 would ask for 128 GiB).
_MAX_MEMORY = 256 * 1024 * 1024
_RECOVERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud safely
_RECOVERY_GROUPS, _RECOVERY_GROUP_LENGTH = 4, 5  # 20 characters × 5 bits = 100 bits


class MalformedHashError(ValueError):
    """A stored hash that is not one this program wrote."""


@dataclass(frozen=True)
class Cost:
    n: int
    r: int
    p: int

    def memory(self) -> int:
        """What OpenSSL's scrypt allocates (V: 128·r·(N+2), B: 128·r·p), for maxmem."""
        return 128 * self.r * (self.n + 2) + 128 * self.r * self.p


def current_cost() -> Cost:
    """The cost of new hashes: the default, unless the tests asked for a lower one."""
    wanted = os.environ.get(TEST_COST_VARIABLE, "")
    if wanted.isdigit() and 1 <= int(wanted) < DEFAULT_LOG2_N:
        return Cost(2 ** int(wanted), _R, _P)
    return Cost(2**DEFAULT_LOG2_N, _R, _P)


def _scrypt(secret: str, salt: bytes, cost: Cost, length: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"),
        salt=salt,
        n=cost.n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.memory() + 1024 * 1024,
        dklen=length,
    )


def hash_password(password: str, cost: Cost | None = None) -> str:
    cost = cost or current_cost()
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, cost, 32)
    return f"scrypt${cost.n}${cost.r}${cost.p}${salt.hex()}${digest.hex()}"


@dataclass(frozen=True)
class _Parsed:
    cost: Cost
    salt: bytes
    digest: bytes


def _parse(stored: str) -> _Parsed:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise MalformedHashError("not an scrypt hash")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError as exc:
        raise MalformedHashError(str(exc)) from None
    cost = Cost(n, r, p)
    if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 16:
        raise MalformedHashError("scrypt parameters out of range")
    if cost.memory() > _MAX_MEMORY or not salt or not 16 <= len(digest) <= 64:
        raise MalformedHashError("scrypt parameters out of range")
    return _Parsed(cost, salt, digest)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; MalformedHashError when ``stored`` is not
    a hash this program wrote (a damaged or hand-edited row)."""
    parsed = _parse(stored)
    digest = _scrypt(password, parsed.salt, parsed.cost, len(parsed.digest))
    return hmac.compare_digest(digest, parsed.digest)


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made at a lower cost than new hashes get today."""
    try:
        cost = _parse(stored).cost
    except MalformedHashError:
        return True
    wanted = current_cost()
    return cost.n < wanted.n or cost.r < wanted.r


# -- recovery codes ---------------------------------------------------------------------


def new_recovery_code() -> str:
    """A random code like ``K7QM2-X9HRT-4BWZD-PN3CE``, printed once, stored hashed."""
    groups = (
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
        for _ in range(_RECOVERY_GROUPS)
    )
    return "-".join(groups)


def normalize_recovery_code(text: str) -> str:
    """The code as typed, without spaces or dashes, in capitals."""
    return "".join(c for c in text.upper() if c not in " -\t")


def hash_recovery_code(code: str) -> str:
    return hash_password(normalize_recovery_code(code))


def verify_recovery_code(code: str, stored: str) -> bool:
    return verify_password(normalize_recovery_code(code), stored)
