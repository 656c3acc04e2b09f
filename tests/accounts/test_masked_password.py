"""Masked-password storage: any k right characters open it, anything else does not, and the
stored data gives away neither the password nor any single character."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts import masked
from accounts.models import MaskedPassword, User
from accounts.services import masked_password_set, masked_record, pepper

from .helpers import PASSWORD

KDF = masked.Kdf(n=2**4, r=1)  # the scheme, not the cost, is under test here
PEPPER = b"pepper-for-tests"


@pytest.fixture(scope="module")
def record():
    # Module scope: hypothesis runs each example inside one test call.
    return masked.split_password(PASSWORD, threshold=5, pepper=PEPPER, kdf=KDF)


positions_sets = st.sets(st.integers(1, len(PASSWORD)), min_size=5, max_size=5)


@settings(max_examples=300, deadline=None)
@given(positions=positions_sets)
def test_any_k_correct_characters_verify(record, positions):
    answers = {p: PASSWORD[p - 1] for p in positions}
    assert masked.verify_characters(record, answers, pepper=PEPPER)


@settings(max_examples=300, deadline=None)
@given(positions=positions_sets, data=st.data())
def test_any_single_wrong_character_fails(record, positions, data):
    answers = {p: PASSWORD[p - 1] for p in positions}
    wrong_at = data.draw(st.sampled_from(sorted(positions)))
    typo = data.draw(
        st.characters(min_codepoint=33, max_codepoint=126).filter(lambda c: c != answers[wrong_at])
    )
    assert not masked.verify_characters(record, {**answers, wrong_at: typo}, pepper=PEPPER)


def test_too_few_too_many_or_malformed_answers_fail(record):
    right = {p: PASSWORD[p - 1] for p in (1, 2, 3, 4, 5, 6)}
    assert not masked.verify_characters(record, dict(list(right.items())[:4]), pepper=PEPPER)
    assert not masked.verify_characters(record, right, pepper=PEPPER)
    assert not masked.verify_characters(
        record, {**dict(list(right.items())[:4]), 99: "x"}, pepper=PEPPER
    )
    assert not masked.verify_characters(
        record, {1: "Zi", 2: "i", 3: "e", 4: "l", 5: "o"}, pepper=PEPPER
    )


def test_without_the_right_pepper_nothing_verifies(record):
    answers = {p: PASSWORD[p - 1] for p in (2, 4, 6, 8, 10)}
    assert masked.verify_characters(record, answers, pepper=PEPPER)
    assert not masked.verify_characters(record, answers, pepper=b"stolen-database-only")


def test_the_same_password_is_stored_differently_each_time():
    a = masked.split_password(PASSWORD, threshold=5, pepper=PEPPER, kdf=KDF)
    b = masked.split_password(PASSWORD, threshold=5, pepper=PEPPER, kdf=KDF)
    assert a.salt != b.salt
    assert not set(a.shares) & set(b.shares)
    assert a.secret_hash != b.secret_hash


def _unkeyed_digests(text: str, salt: bytes, position: int) -> set[str]:
    """What a careless scheme would store for one character: hashes without a secret key."""
    data = text.encode()
    candidates = set()
    for algorithm in ("md5", "sha1", "sha256", "sha512"):
        for message in (
            data,
            salt + data,
            salt + position.to_bytes(2, "big") + data,
            f"{position}{text}".encode(),
            f"{position}:{text}".encode(),
        ):
            digest = hashlib.new(algorithm, message).hexdigest()
            candidates |= {digest, digest[:32]}
    return candidates


@pytest.mark.django_db
def test_stored_rows_contain_no_password_and_no_single_character(client_user):
    stored = MaskedPassword.objects.get(user=client_user)
    rows = [model_to_dict(stored), model_to_dict(User.objects.get(pk=client_user.pk))]
    values = json.dumps(rows, default=str)
    assert PASSWORD not in values
    assert PASSWORD.lower() not in values.lower()
    assert PASSWORD[::-1] not in values
    assert not client_user.has_usable_password()

    # Everything the masked password stores, as text: salt, shares, hash, KDF parameters.
    salt = bytes.fromhex(stored.salt)
    stored_texts = {stored.salt, stored.secret_hash, *stored.shares, json.dumps(stored.kdf)}
    assert len(stored.shares) == len(PASSWORD)
    for position, char in enumerate(PASSWORD, start=1):
        assert char not in stored_texts  # no bare character
        assert not _unkeyed_digests(char, salt, position) & stored_texts, (position, char)
    # Each share is 16 bytes masked with a keyed HMAC: unmasking it needs the pepper.
    assert all(len(bytes.fromhex(share)) == 16 for share in stored.shares)


@pytest.mark.django_db
def test_a_full_database_dump_contains_no_password(client_user, client):
    from .helpers import sign_in

    sign_in(client, client_user)  # outbox, audit log, sessions, devices all written
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dump = out.getvalue()
    assert PASSWORD not in dump
    assert json.dumps(PASSWORD)[1:-1] not in dump


@pytest.mark.django_db
def test_the_service_record_verifies_with_the_configured_pepper(client_user):
    stored = MaskedPassword.objects.get(user=client_user)
    record = masked_record(stored)
    answers = {p: PASSWORD[p - 1] for p in (1, 3, 5, 7, 9)}
    assert record.threshold == 5
    assert record.length == len(PASSWORD)
    assert masked.verify_characters(record, answers, pepper=pepper())


@pytest.mark.django_db
def test_a_new_password_replaces_the_old_one_and_its_challenge(client_user):
    stored = MaskedPassword.objects.get(user=client_user)
    stored.challenge = [1, 2, 3, 4, 5]
    stored.save()
    masked_password_set(user=client_user, password="Inne#Haslo2027x")
    stored = MaskedPassword.objects.get(user=client_user)
    assert stored.challenge is None
    old = {p: PASSWORD[p - 1] for p in (1, 2, 3, 4, 5)}
    assert not masked.verify_characters(masked_record(stored), old, pepper=pepper())


def test_fake_challenges_look_like_real_ones():
    lengths = set()
    for n in range(300):
        positions = masked.fake_challenge(b"k", f"10000000.user{n}", count=5, min_length=12)
        assert len(set(positions)) == 5
        assert positions == sorted(positions)
        assert positions[0] >= 1 and positions[-1] <= 18
        lengths.add(positions[-1])
    assert max(lengths) > 12  # not all from the shortest length
