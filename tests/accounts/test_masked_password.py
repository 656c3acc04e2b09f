"""Masked-password storage: any k right characters open it, anything else does not, and the
stored data gives away neither the password nor any single character."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts import masked
from accounts.models import AuditEntry, MaskedPassword, User
from accounts.services import masked_password_set, masked_record, pepper
from notifications.models import Message

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


# --- Pepper rotation (README "Rotating the pepper") ---------------------------------------------

OLD_PEPPER = "old-pepper-" + "o" * 40
NEW_PEPPER = "new-pepper-" + "n" * 40


def test_remasking_keeps_the_secret_under_the_new_pepper(record):
    answers = {p: PASSWORD[p - 1] for p in (2, 4, 6, 8, 10)}
    new = b"another-pepper"
    remasked = masked.remask(record, answers, old_pepper=PEPPER, new_pepper=new)

    assert remasked.shares != record.shares
    assert remasked.secret_hash == record.secret_hash and remasked.salt == record.salt
    # Any k positions now open it with the new pepper, none with the old one.
    other = {p: PASSWORD[p - 1] for p in (1, 3, 11, 12, 15)}
    assert masked.verify_characters(remasked, other, pepper=new)
    assert not masked.verify_characters(remasked, other, pepper=PEPPER)


def test_remasking_with_wrong_characters_is_refused(record):
    wrong = {1: "x", 2: "y", 3: "z", 4: "q", 5: "w"}
    with pytest.raises(ValueError):
        masked.remask(record, wrong, old_pepper=PEPPER, new_pepper=b"another-pepper")


def test_retired_peppers_are_parsed_and_bad_entries_named_without_their_value():
    peppers, problems = masked.parse_retired_peppers(
        ["1:" + "a" * 40, " 2:b:c ", "x:secret-value", "1:" + "d" * 40, "3:", "0:zero"]
    )
    assert peppers == {1: b"a" * 40, 2: b"b:c"}
    assert problems == [
        "entry 3 is not of the form version:value",
        "entry 4: version 1 is listed twice",
        "entry 5 is not of the form version:value",
        "entry 6: the version must be a positive integer",
    ]
    assert not any("secret-value" in problem for problem in problems)


def _rotate(settings) -> None:
    """The operator's rotation: a new current pepper, the old one kept as retired version 1."""
    settings.MASKED_PASSWORD_PEPPER = NEW_PEPPER
    settings.MASKED_PASSWORD_PEPPER_VERSION = 2
    settings.MASKED_PASSWORD_RETIRED_PEPPERS = [f"1:{OLD_PEPPER}"]


@pytest.mark.django_db
def test_a_user_masked_under_the_old_pepper_signs_in_after_rotation_and_is_remasked(
    client, settings
):
    from .conftest import make_client_user
    from .helpers import sign_in

    settings.MASKED_PASSWORD_PEPPER = OLD_PEPPER
    user = make_client_user(login="rotacja")
    before = MaskedPassword.objects.get(user=user)
    assert before.pepper_version == 1
    _rotate(settings)

    done = sign_in(client, user)

    assert done.status_code == 302 and done["Location"] == "/"
    after = MaskedPassword.objects.get(user=user)
    assert after.pepper_version == 2
    assert after.shares != before.shares
    assert after.secret_hash == before.secret_hash  # the same password, re-masked
    # The old pepper is no longer needed: drop it, and the next sign-in still works.
    settings.MASKED_PASSWORD_RETIRED_PEPPERS = []
    client.post(reverse("accounts:signout"))
    assert sign_in(client, user).status_code == 302
    assert MaskedPassword.objects.get(user=user).pepper_version == 2


@pytest.mark.django_db
def test_new_passwords_are_masked_under_the_current_version(settings):
    from .conftest import make_client_user

    _rotate(settings)
    user = make_client_user(login="nowy")
    stored = MaskedPassword.objects.get(user=user)
    assert stored.pepper_version == 2
    answers = {p: PASSWORD[p - 1] for p in (1, 3, 5, 7, 9)}
    assert masked.verify_characters(masked_record(stored), answers, pepper=NEW_PEPPER.encode())


@pytest.mark.django_db
def test_a_record_whose_pepper_is_gone_fails_sign_in_cleanly_and_is_logged(
    client, settings, caplog
):
    from accounts.audit import Action

    from .conftest import make_client_user
    from .helpers import enter_password, identify

    settings.MASKED_PASSWORD_PEPPER = OLD_PEPPER
    user = make_client_user(login="bez.pieprzu")
    settings.MASKED_PASSWORD_PEPPER = NEW_PEPPER
    settings.MASKED_PASSWORD_PEPPER_VERSION = 2  # version 1 retired too early: not listed

    identify(client, user.company.client_number, user.login)
    response = enter_password(client, PASSWORD)

    assert response.status_code == 200
    assert "Nieprawidłowe dane logowania" in response.text
    user.refresh_from_db()
    assert user.failed_signin_count == 0 and not user.is_locked  # not the user's fault
    assert not Message.objects.filter(user=user, channel="sms").exists()  # no code went out
    assert "pepper version 1, which is not configured" in caplog.text
    entry = AuditEntry.objects.filter(user=user, action=Action.SIGNIN_PASSWORD_FAILED).get()
    assert entry.details == {"pepper_version_unavailable": 1}
    assert MaskedPassword.objects.get(user=user).pepper_version == 1  # left for the operator


@pytest.mark.django_db
def test_pepper_status_counts_records_per_version_and_fails_on_a_missing_pepper(settings):
    from django.core.management.base import CommandError

    from .conftest import make_client_user

    settings.MASKED_PASSWORD_PEPPER = OLD_PEPPER
    make_client_user(login="stary")
    _rotate(settings)
    make_client_user(login="nowy")

    out = io.StringIO()
    call_command("pepper_status", stdout=out)
    assert out.getvalue().splitlines() == [
        "version 1: 1 record(s), retired",
        "version 2: 1 record(s), current",
    ]

    settings.MASKED_PASSWORD_RETIRED_PEPPERS = []
    with pytest.raises(CommandError, match="1 masked password"):
        call_command("pepper_status", stdout=io.StringIO())
