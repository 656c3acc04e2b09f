"""A financial lease's contract page shows the asset's price with its VAT and how it is paid."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contracts.models import Contract
from tests.portal_helpers import client_user, make_contract, signed_in, text

pytestmark = pytest.mark.django_db


def test_the_contract_page_shows_the_price_its_vat_and_how_it_is_paid(company):
    contract = make_contract(
        company,
        months=36,
        kind=Contract.Kind.FINANCIAL,
        net_value="120000.00",
        initial_payment="12000.00",
        buyout_value="1200.00",
    )

    page = text(
        signed_in(client_user(company)).get(reverse("contracts:detail", args=[contract.pk]))
    )

    for expected in (
        "Cena przedmiotu leasingu i jej rozliczenie",
        "Wartość przedmiotu netto 120 000,00 zł",
        "VAT 23% 27 600,00 zł",
        "Wartość przedmiotu brutto 147 600,00 zł",
        # the handover invoice: initial payment + VAT on the whole value
        "Faktura przy wydaniu przedmiotu 39 600,00 zł",
        "opłata wstępna 12 000,00 zł + VAT od całej wartości 27 600,00 zł",
        "Części kapitałowe rat 106 800,00 zł poza VAT (np.), wg harmonogramu",
        "Wykup 1 200,00 zł poza VAT (np.)",
        "zwolnione z VAT (art. 43 ust. 1 pkt 38 ustawy o VAT)",
    ):
        assert expected in page, expected


def test_an_operating_lease_page_has_no_price_settlement(company):
    contract = make_contract(company, kind=Contract.Kind.OPERATING)

    page = text(
        signed_in(client_user(company)).get(reverse("contracts:detail", args=[contract.pk]))
    )

    assert "Parametry umowy" in page
    assert "Cena przedmiotu leasingu i jej rozliczenie" not in page
