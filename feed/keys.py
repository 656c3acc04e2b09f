"""API keys: `ebok_<prefix>_<secret>`, shown once; only the SHA-256 of the whole key is kept."""

from __future__ import annotations

import hashlib
import secrets

from django.utils.crypto import constant_time_compare

PREFIX_BYTES = 6
SECRET_BYTES = 32


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """(key, prefix, hash): the key goes to the operator once; prefix and hash are stored."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    key = f"ebok_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return key, prefix, key_hash(key)


def prefix_of(key: str) -> str | None:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "ebok" or len(parts[1]) != PREFIX_BYTES * 2:
        return None
    return parts[1]


def matches(key: str, stored_hash: str) -> bool:
    return constant_time_compare(key_hash(key), stored_hash)
