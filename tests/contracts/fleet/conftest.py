"""The fleet fixture for the fleet page tests."""

from __future__ import annotations

import pytest

from tests.contracts.fleet.page_helpers import cfm_contract, fleet_user
from tests.factories import LeasedAssetFactory
from tests.portal_helpers import make_contract


@pytest.fixture
def fleet(company, other_company):
    """Two vehicles on a CFM contract, a car on a plain contract, another company's CFM car."""
    contract = cfm_contract(company, number="CFM/2026/001")
    first = contract.assets.get()
    first.registration_number = "WA12345"
    first.save()
    second = LeasedAssetFactory(contract=contract, registration_number="KR98765", make="Toyota")
    plain = make_contract(company, number="UL/2026/777")
    foreign = cfm_contract(other_company, number="CFM/OBCA/1")
    return {
        "contract": contract,
        "vehicle": first,
        "second": second,
        "plain_vehicle": plain.assets.get(),
        "foreign_vehicle": foreign.assets.get(),
        "user": fleet_user(company),
    }
