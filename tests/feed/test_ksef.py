"""Invoice and correction records carry the KSeF number (and the file's hash), on create or
later, validated: format, checksum, the lessor's NIP; once given it never changes."""

from __future__ import annotations

import pytest
import yaml
from django.conf import settings

from invoices.models import Invoice
from tests.feed import builders as b

pytestmark = pytest.mark.django_db

FILE_HASH = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="  # SHA-256 of b"", Base64


def crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def ksef_number(technical: str = "0100001AF629", nip: str | None = None) -> str:
    head = f"{nip or settings.LESSOR['nip']}-20260203-{technical}"
    return f"{head}-{crc8(head.encode()):02X}"


def base(n: int = 1) -> list[dict]:
    return [b.company(n), b.contract(n)]


def test_an_invoice_is_created_with_its_ksef_number(feed_api):
    number = ksef_number()
    record = b.invoice(1, "I1", ksef_number=number.lower(), ksef_hash=FILE_HASH)

    response = feed_api.post([*base(), record])

    assert response.status_code == 200, response.json()["errors"]
    invoice = Invoice.objects.get(external_id="C1-I1")
    assert (invoice.ksef_number, invoice.ksef_hash) == (number, FILE_HASH)


def test_the_ksef_number_may_come_later_for_an_invoice_already_fed(feed_api, client):
    feed_api.post([*base(), b.invoice(1, "I1")])
    Invoice.objects.filter(external_id="C1-I1").update(pdf="invoices/2026/02/old.pdf")
    number = ksef_number()
    later = b.invoice(1, "I1", ksef_number=number, ksef_hash=FILE_HASH)

    report = feed_api.post([later]).json()

    assert report["counts"]["invoice"] == {"updated": 1}, report["errors"]
    invoice = Invoice.objects.get(external_id="C1-I1")
    assert invoice.ksef_number == number and invoice.ksef_hash == FILE_HASH
    assert not invoice.pdf  # rendered again, now with the number and KOD I
    assert feed_api.post([later]).json()["counts"]["invoice"] == {"unchanged": 1}
    # the record without the number afterwards does not take it away
    assert feed_api.post([b.invoice(1, "I1")]).json()["counts"]["invoice"] == {"unchanged": 1}
    assert Invoice.objects.get(external_id="C1-I1").ksef_number == number


def test_a_correction_carries_its_own_ksef_number(feed_api):
    number = ksef_number("0100001AF630")
    records = [*base(), b.invoice(1, "I1")]
    records.append({**b.correction(1, "K1", "I1", "-100.00"), "ksef_number": number})
    records[-1]["ksef_hash"] = FILE_HASH

    response = feed_api.post(records)

    assert response.status_code == 200, response.json()["errors"]
    assert Invoice.objects.get(external_id="C1-K1").ksef_number == number


def test_the_ksef_number_may_come_later_for_a_correction_already_fed(feed_api):
    feed_api.post([*base(), b.invoice(1, "I1"), b.correction(1, "K1", "I1", "-100.00")])
    Invoice.objects.filter(external_id="C1-K1").update(pdf="invoices/2026/02/old.pdf")
    number = ksef_number("0100001AF630")
    later = {**b.correction(1, "K1", "I1", "-100.00"), "ksef_number": number}
    later["ksef_hash"] = FILE_HASH

    report = feed_api.post([later]).json()

    assert report["counts"]["correction"] == {"updated": 1}, report["errors"]
    correction = Invoice.objects.get(external_id="C1-K1")
    assert (correction.ksef_number, correction.ksef_hash) == (number, FILE_HASH)
    assert not correction.pdf  # rendered again, now with the number and KOD I
    assert Invoice.objects.filter(external_id__startswith="C1-K").count() == 1


def test_a_given_ksef_number_never_changes(feed_api):
    first = ksef_number()
    feed_api.post([*base(), b.invoice(1, "I1", ksef_number=first, ksef_hash=FILE_HASH)])
    other = ksef_number("0100001AF631")

    response = feed_api.post([b.invoice(1, "I1", ksef_number=other, ksef_hash=FILE_HASH)])

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["path"] == "ksef_number" and first in error["message"]
    assert Invoice.objects.get(external_id="C1-I1").ksef_number == first


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"ksef_number": "123", "ksef_hash": FILE_HASH}, "ksef_number"),
        ({"ksef_number": ksef_number()[:-2] + "00", "ksef_hash": FILE_HASH}, "ksef_number"),
        ({"ksef_number": ksef_number(nip="1111111111"), "ksef_hash": FILE_HASH}, "ksef_number"),
        ({"ksef_number": ksef_number()}, "ksef_hash"),
        ({"ksef_hash": FILE_HASH}, "ksef_number"),
        ({"ksef_number": ksef_number(), "ksef_hash": "abc"}, "ksef_hash"),
    ],
    ids=["format", "checksum", "another-seller", "no-hash", "no-number", "bad-hash"],
)
def test_a_wrong_ksef_number_is_an_error_with_its_path(feed_api, fields, path):
    response = feed_api.post([*base(), b.invoice(1, "I1", **fields)])

    assert response.status_code == 422
    paths = {(e["external_id"], e["path"]) for e in response.json()["errors"]}
    assert paths == {("C1-I1", path)}
    assert not Invoice.objects.exists()


def test_the_openapi_document_describes_the_ksef_fields(client):
    document = yaml.safe_load(client.get("/api/core/v1/schema/").content)

    for name in ("InvoiceRecord", "CorrectionRecord"):
        fields = document["components"]["schemas"][name]["properties"]
        assert {"ksef_number", "ksef_hash"} <= set(fields)
        assert "NIP-YYYYMMDD" in fields["ksef_number"]["description"]


def ksef_later_queries(feed_api, n: int, invoices: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    records = [b.invoice(n, f"I{i}", number=f"FR/{n}/{i}") for i in range(invoices)]
    assert feed_api.post([*base(n), *records]).status_code == 200
    later = [
        {**record, "ksef_number": ksef_number(f"{n:04d}{i:08X}"), "ksef_hash": FILE_HASH}
        for i, record in enumerate(records)
    ]
    with CaptureQueriesContext(connection) as queries:
        report = feed_api.post(later).json()
    assert report["updated"] == invoices, report["errors"]
    return len(queries)


def test_ksef_numbers_for_3_or_30_invoices_cost_the_same_queries(feed_api):
    ksef_later_queries(feed_api, 9, 1)  # the key's first use of the day is recorded once
    assert ksef_later_queries(feed_api, 1, 3) == ksef_later_queries(feed_api, 2, 30)
    assert Invoice.objects.filter(ksef_number="").count() == 0
