"""Password hashing with scrypt (memory-hard, in the standard library), in a self-describing
format so the cost can be raised later without invalidating stored hashes:
`scrypt$<n>$<r>$<p>$<salt>$<hash>` (base64). Pure: the salt is passed in."""

from __future__ import annotations

import base64
import hashlib
import hmac

# OWASP's scrypt minimum (N=2^17 is preferred; 2^14 keeps a sign-in near 50 ms on this hardware
# and tests fast) with r=8, p=1.
COST, BLOCK_SIZE, PARALLELISM = 2**14, 8, 1
KEY_LENGTH = 32
MINIMUM_LENGTH = 12


class WeakPasswordError(ValueError):
    pass


def check_strength(password: str) -> None:
    """NCSC advice: length over complexity rules."""
    if len(password) < MINIMUM_LENGTH:
        raise WeakPasswordError(f"password: at least {MINIMUM_LENGTH} characters")
    if password.strip() != password:
        raise WeakPasswordError("password: no leading or trailing spaces")


def hash_password(password: str, salt: bytes) -> str:
    digest = _scrypt(password, salt, COST, BLOCK_SIZE, PARALLELISM)
    return "$".join(
        ("scrypt", str(COST), str(BLOCK_SIZE), str(PARALLELISM), _b64(salt), _b64(digest))
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=KEY_LENGTH, maxmem=64 * 1024 * 1024
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
