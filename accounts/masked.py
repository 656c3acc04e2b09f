"""Masked passwords with Shamir secret sharing (pure functions, no database).

At password set we draw a random 16-byte secret and split it with Shamir's scheme into one
share per password position, any `threshold` of which rebuild it. Share i is XOR-ed with
mask(pepper, salt, i, password[i]); only the masked shares and a slow hash of the secret are
stored. To verify the characters typed at `threshold` asked positions, unmask those shares with
the typed characters, combine them and compare the slow hash. A wrong character yields a
different "secret", so the hash does not match; no single share or character is ever checkable
on its own, and without the pepper (kept outside the database) the shares say nothing at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir

SECRET_BYTES = 16  # the size pycryptodome's Shamir works with (GF(2^128))


@dataclass(frozen=True)
class Kdf:
    n: int
    r: int = 8
    p: int = 1

    def as_dict(self) -> dict:
        return {"alg": "scrypt", "n": self.n, "r": self.r, "p": self.p}

    @classmethod
    def from_dict(cls, data: dict) -> Kdf:
        return cls(n=int(data["n"]), r=int(data["r"]), p=int(data["p"]))


@dataclass(frozen=True)
class MaskedSecret:
    salt: bytes
    length: int
    threshold: int
    shares: tuple[bytes, ...]  # masked; shares[i] belongs to position i + 1
    secret_hash: bytes
    kdf: Kdf


def _mask(pepper: bytes, salt: bytes, position: int, char: str) -> bytes:
    message = b"ebok-masked-share|" + salt + position.to_bytes(2, "big") + char.encode()
    return hmac.new(pepper, message, hashlib.sha256).digest()[:SECRET_BYTES]


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def slow_hash(secret: bytes, salt: bytes, kdf: Kdf) -> bytes:
    return hashlib.scrypt(
        secret, salt=salt, n=kdf.n, r=kdf.r, p=kdf.p, maxmem=256 * kdf.r * kdf.n, dklen=32
    )


def split_password(password: str, *, threshold: int, pepper: bytes, kdf: Kdf) -> MaskedSecret:
    if not 2 <= threshold <= len(password):
        raise ValueError("threshold must be between 2 and the password length")
    secret = secrets.token_bytes(SECRET_BYTES)
    salt = secrets.token_bytes(16)
    shares = Shamir.split(threshold, len(password), secret)
    masked = tuple(
        _xor(share, _mask(pepper, salt, index, password[index - 1])) for index, share in shares
    )
    return MaskedSecret(
        salt=salt,
        length=len(password),
        threshold=threshold,
        shares=masked,
        secret_hash=slow_hash(secret, salt, kdf),
        kdf=kdf,
    )


def verify_characters(record: MaskedSecret, answers: dict[int, str], *, pepper: bytes) -> bool:
    """True when `answers` ({position: character}, 1-based) are `threshold` correct characters.

    Always spends one slow hash, whatever the input, so a malformed answer costs the same time.
    """
    valid = (
        len(answers) == record.threshold
        and all(1 <= pos <= record.length for pos in answers)
        and all(isinstance(c, str) and len(c) == 1 for c in answers.values())
    )
    if valid:
        shares = [
            (pos, _xor(record.shares[pos - 1], _mask(pepper, record.salt, pos, answers[pos])))
            for pos in sorted(answers)
        ]
        candidate = Shamir.combine(shares)
    else:
        candidate = secrets.token_bytes(SECRET_BYTES)
    digest = slow_hash(candidate, record.salt, record.kdf)
    return valid and hmac.compare_digest(digest, record.secret_hash)


def recover_secret(record: MaskedSecret, answers: dict[int, str], *, pepper: bytes) -> bytes:
    shares = [
        (pos, _xor(record.shares[pos - 1], _mask(pepper, record.salt, pos, answers[pos])))
        for pos in sorted(answers)
    ]
    return Shamir.combine(shares)


def dummy_verify(kdf: Kdf) -> None:
    """The same slow hash a real check costs, for identifiers that have no password."""
    slow_hash(secrets.token_bytes(SECRET_BYTES), secrets.token_bytes(16), kdf)


def draw_positions(length: int, count: int) -> list[int]:
    """`count` distinct random 1-based positions of a password of `length`, ascending."""
    return sorted(secrets.SystemRandom().sample(range(1, length + 1), count))


def fake_challenge(key: bytes, identity: str, *, count: int, min_length: int) -> list[int]:
    """A stable, plausible challenge for an identity that has no password.

    Derived by HMAC from the identity, so repeated tries see the same positions, like a real
    user's pinned challenge. The pretended length follows what people choose (mostly a little
    above the minimum), so the positions look like a real user's.
    """
    stream = hmac.new(key, b"ebok-fake-challenge|" + identity.encode(), hashlib.sha256).digest()
    length = max(min_length, count) + stream[0] % 7
    positions = list(range(1, length + 1))
    chosen = []
    for byte in stream[1 : 1 + count]:
        chosen.append(positions.pop(byte % len(positions)))
    return sorted(chosen)
