"""The claims pages with hostile query strings and form values (the walk of
tests/ebok/test_hostile_input.py, on a world that has a claim and its photo): no server error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.contracts.fleet.claim_factories import fleet_user, fleet_vehicle, signed_in
from tests.contracts.fleet.factories import DamageFactory, DamagePhotoFactory
from tests.ebok.test_hostile_input import BIGINT_PLUS_ONE, HUGE, fuzz

pytestmark = pytest.mark.django_db


def test_no_input_reaches_a_server_error(company):
    user = fleet_user(company, is_company_admin=True)
    damage = DamageFactory(asset=fleet_vehicle(company))
    photo = DamagePhotoFactory(damage=damage)
    urls = [
        reverse("fleet:claim_report"),
        reverse("fleet:claim_detail", args=[damage.pk]),
        reverse("fleet:claim_photo", args=[damage.pk, photo.pk]),
    ]
    failures: list = []
    for url in urls:
        statuses = fuzz(signed_in(user), url, failures)
        assert statuses[0] == 200, url
        fuzz(Client(), url, failures)
    for number in (HUGE, BIGINT_PLUS_ONE):
        for url in (f"/flota/szkody/{number}/", f"/flota/szkody/{damage.pk}/zdjecia/{number}/"):
            assert signed_in(user).get(url).status_code == 404
    assert failures == []
