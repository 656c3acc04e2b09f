"""Masked passwords with Shamir secret sharing (pure functions, no database).

At password set we draw a random 16-byte secret and split it with Shamir's scheme into one
share per password position, any `threshold` of which rebuild it. Share i is XOR-ed with
mask(pepper, salt, i, password[i]); only the masked shares and a slow hash of the secret are
stored. To verify the characters typed at `threshold` asked positions, unmask those shares with
the typed characters, combine them and compare the slow hash. A wrong character yields a
different "secret", so the hash does not match; no single share or character is ever checkable
on its own, and without the pepper (kept outside the database) the shares say nothing at all.

Peppers are versioned (a `Keyring`): each record is masked under one version, verifies with that
version's pepper and is re-masked under the current one after a successful check (`remask`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from Crypto.Protocol.SecretSharing import Shamir

SECRET_BYTES = 16  # the size pycryptodome's Shamir works with (GF(2^128))
# Every character a client password may hold (password_policy.AllowedCharactersValidator;
# one-time passwords use a subset): the candidates when re-masking recovers a position.
PASSWORD_CHARACTERS = tuple(chr(code) for code in range(33, 127))


@dataclass(frozen=True)
class Keyring:
    """The peppers this server can unmask with, by version; new records use `current_version`."""

    current_version: int
    peppers: Mapping[int, bytes]

    @property
    def current(self) -> bytes:
        return self.peppers[self.current_version]

    def get(self, version: int) -> bytes | None:
        return self.peppers.get(version)


def parse_retired_peppers(entries: Iterable[str]) -> tuple[dict[int, bytes], list[str]]:
    """({version: pepper}, problems) from "version:value" entries.

    A malformed entry or a repeated version is left out and named in `problems` by its place in
    the list, never by its value (the problems go to logs and `check --deploy` output).
    """
    peppers: dict[int, bytes] = {}
    problems: list[str] = []
    for place, entry in enumerate(entries, start=1):
        version_text, separator, value = entry.strip().partition(":")
        if not separator or not value or not version_text.strip().isdigit():
            problems.append(f"entry {place} is not of the form version:value")
            continue
        version = int(version_text)
        if version < 1:
            problems.append(f"entry {place}: the version must be a positive integer")
        elif version in peppers:
            problems.append(f"entry {place}: version {version} is listed twice")
        else:
            peppers[version] = value.encode()
    return peppers, problems


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


def _share_at(known: list[tuple[int, bytes]], position: int) -> bytes:
    """The plain share of `position` from `threshold` known plain shares.

    In GF(2^128) addition is XOR, so P(position) is the constant term of Q(x) = P(x + position),
    which the points (x XOR position, y) interpolate: Shamir.combine works it out.
    """
    return Shamir.combine([(index ^ position, share) for index, share in known])


def remask(
    record: MaskedSecret, answers: dict[int, str], *, old_pepper: bytes, new_pepper: bytes
) -> MaskedSecret:
    """The same secret with every share masked by `new_pepper` instead of `old_pepper`.

    `answers` must be characters that `verify_characters` accepted (a successful sign-in). A
    share's mask depends on its position's character, and a sign-in types only `threshold` of
    them: their shares give the polynomial, hence every other position's plain share; XOR with
    the stored share gives that position's old mask, which exactly one allowed character
    produces. The characters live only in this call. Raises ValueError if a position matches
    no character (a record that `answers` do not open, or a character outside the policy).
    """
    plain = {
        pos: _xor(record.shares[pos - 1], _mask(old_pepper, record.salt, pos, answers[pos]))
        for pos in sorted(answers)
    }
    known = list(plain.items())
    characters = dict(answers)
    for pos in range(1, record.length + 1):
        if pos in plain:
            continue
        plain[pos] = _share_at(known, pos)
        old_mask = _xor(record.shares[pos - 1], plain[pos])
        matches = [
            char
            for char in PASSWORD_CHARACTERS
            if hmac.compare_digest(_mask(old_pepper, record.salt, pos, char), old_mask)
        ]
        if len(matches) != 1:
            raise ValueError(f"position {pos} matches no allowed character")
        characters[pos] = matches[0]
    shares = tuple(
        _xor(plain[pos], _mask(new_pepper, record.salt, pos, characters[pos]))
        for pos in range(1, record.length + 1)
    )
    return dataclasses.replace(record, shares=shares)


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
