"""Money: half-up rounding to the grosz and the Polish / English formats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from ebok.money import format_amount, format_count, format_money, to_money, vat_of

D = Decimal
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("2.675", "2.68"),
        ("2.665", "2.67"),  # half-even would give 2.66
        ("2.674999", "2.67"),
        ("1.004", "1.00"),
        ("-0.005", "-0.01"),  # ties away from zero, symmetric for corrections
        ("-2.675", "-2.68"),
        ("1234.5", "1234.50"),
        ("12", "12.00"),
    ],
)
def test_to_money_rounds_half_up(value, expected):
    rounded = to_money(D(value))
    assert rounded == D(expected)
    assert str(rounded) == expected  # always two decimals


def test_to_money_accepts_strings_and_ints():
    assert to_money("12.345") == D("12.35")
    assert str(to_money(7)) == "7.00"


@pytest.mark.parametrize(
    ("net", "vat"),
    [
        ("100.00", "23.00"),
        ("0.02", "0.00"),
        ("0.03", "0.01"),
        ("2070.13", "476.13"),
        ("1246.85", "286.78"),
        ("-243.90", "-56.10"),
    ],
)
def test_vat_of_23_percent(net, vat):
    assert vat_of(D(net), 23) == D(vat)


def test_polish_format():
    assert format_money(D("1234.5"), "pl") == f"1{NBSP}234,50{NBSP}zł"
    assert format_money(D("1234567.891"), "pl") == f"1{NBSP}234{NBSP}567,89{NBSP}zł"
    assert format_money(D("999.999"), "pl") == f"1{NBSP}000,00{NBSP}zł"
    assert format_money(D("0"), "pl") == f"0,00{NBSP}zł"
    assert format_amount(D("2.675"), "pl") == "2,68"


def test_negative_amounts_carry_a_real_minus_sign():
    # U+2212, as wide as a digit and never a line break after it, not the hyphen.
    assert format_money(D("-1234.5"), "pl") == f"\u22121{NBSP}234,50{NBSP}zł"
    assert format_money(D("-0.5"), "en") == f"\u22120.50{NBSP}PLN"
    # rounds to zero: no "-0,00"
    assert format_money(D("-0.004"), "pl") == f"0,00{NBSP}zł"


def test_english_format():
    assert format_money(D("1234.5"), "en") == f"1,234.50{NBSP}PLN"
    assert format_amount(D("1234567.891"), "en") == "1,234,567.89"


def test_active_language_decides_when_none_is_given():
    with translation.override("pl"):
        assert format_money(D("1234.5")) == f"1{NBSP}234,50{NBSP}zł"
    with translation.override("en"):
        assert format_money(D("1234.5")) == f"1,234.50{NBSP}PLN"


def test_none_renders_empty():
    assert format_money(None) == ""
    assert format_amount(None) == ""


def test_template_filters():
    template = engines["django"].from_string("{{ value|money }} / {{ value|amount }}")
    with translation.override("pl"):
        assert template.render({"value": D("1234.5")}) == f"1{NBSP}234,50{NBSP}zł / 1{NBSP}234,50"


def test_counts_are_grouped_like_amounts():
    template = engines["django"].from_string("{{ n|grouped }}")
    with translation.override("pl"):
        assert template.render({"n": 47904}) == f"47{NBSP}904"
        assert template.render({"n": 999}) == "999"
        assert template.render({"n": 1234567}) == f"1{NBSP}234{NBSP}567"
    with translation.override("en"):
        assert template.render({"n": 47904}) == "47,904"
    assert format_count(None) == ""


def test_a_nip_is_written_one_way_everywhere():
    template = engines["django"].from_string("{{ nip|nip }}")
    assert template.render({"nip": "5260250274"}) == "526-025-02-74"
    assert template.render({"nip": "12345"}) == "12345"  # not a NIP: shown as stored
    assert template.render({"nip": ""}) == ""


def test_an_email_address_wraps_only_at_its_at_sign_and_dots():
    template = engines["django"].from_string("{{ email|email }}")
    html = template.render({"email": "barbara.kowalczyk@<firma>.pl"})
    assert html == (
        '<span class="ebok-email">barbara<wbr>.kowalczyk<wbr>@&lt;firma&gt;<wbr>.pl</span>'
    )
    assert template.render({"email": ""}) == ""


def test_numbers_in_document_text_are_kept_whole_and_the_rest_escaped():
    template = engines["django"].from_string("{{ text|nobreak_numbers }}")
    html = template.render({"text": "Rata nr 38/60, umowa LF/2023/90002 – <część> z 01.02.2026"})
    assert html == (
        'Rata nr <span class="nowrap">38/60,</span> umowa <span class="nowrap">LF/2023/90002'
        '</span> – &lt;część&gt; z <span class="nowrap">01.02.2026</span>'
    )
    assert template.render({"text": "Opłata za aneks"}) == "Opłata za aneks"
    assert template.render({"text": None}) == ""
