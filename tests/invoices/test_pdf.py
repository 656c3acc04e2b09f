"""The invoice PDF: a Polish VAT invoice with every required item, stored once, served safely."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import threading
from decimal import Decimal
from itertools import pairwise

import pytest
from django.db import connection
from django.urls import reverse

from contracts.models import Contract
from invoices.models import Invoice
from invoices.services import (
    LineSpec,
    VatRate,
    invoice_correct,
    invoice_create,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
    invoice_pdf_ensure,
)
from tests.downloads import (
    client_user,
    contract_with_schedule,
    issue_invoice,
    pdf_page_count,
    pdf_text,
    streamed,
)
from tests.factories import CompanyFactory, ContractFactory, LeasedAssetFactory

D = Decimal


@pytest.fixture
def buyer(db):
    return CompanyFactory(
        name="Przedsiębiorstwo „Żółw” Sp. z o.o.",
        nip="7251801126",
        street="ul. Źródlana 12/3",
        postal_code="90-001",
        city="Łódź",
    )


def download(client, invoice) -> bytes:
    response = client.get(reverse("invoices:pdf", args=[invoice.pk]))
    assert response.status_code == 200
    return streamed(response)


@pytest.mark.django_db
def test_it_shows_what_a_polish_vat_invoice_must_contain(client, buyer):
    contract = contract_with_schedule(buyer, number="UL/2026/00042")
    first = contract.installments.get(number=1)
    invoice = invoice_issue_for_installment(installment=first, issue_date=dt.date(2026, 2, 10))
    client.force_login(client_user(buyer))

    text = pdf_text(download(client, invoice))

    assert "Faktura VAT" in text
    assert invoice.number in text
    # Seller: the lessor from settings, with NIP and the account formatted in groups of four.
    assert "eBOK Leasing Polska S.A." in text
    assert "NIP: 526-025-02-74" in text
    assert "PL61 1090 1014 0000 0712 1981 2874" in text
    # Buyer: the snapshot taken at issue, with its NIP and Polish characters intact.
    assert "Przedsiębiorstwo „Żółw” Sp. z o.o." in text
    assert "ul. Źródlana 12/3, 90-001 Łódź" in text
    assert "NIP: 725-180-11-26" in text
    # Dates: issue, sale (data dostawy/wykonania usługi) and due, all DD.MM.YYYY.
    assert "Data wystawienia 10.02.2026" in text
    assert f"Data dostawy/wykonania usługi {first.due_date:%d.%m.%Y}" in text
    assert f"Termin płatności {invoice.due_date:%d.%m.%Y}" in text
    assert "Sposób płatności przelew" in text
    assert "Umowa leasingu nr UL/2026/00042" in text
    # The line and the totals in Polish number format.
    assert "Rata leasingowa nr 1/36" in text
    net = f"{first.net:,.2f}".replace(",", " ").replace(".", ",")
    gross = f"{first.gross:,.2f}".replace(",", " ").replace(".", ",")
    vat = f"{first.vat:,.2f}".replace(",", " ").replace(".", ",")
    assert f"23% {vat}" in text
    assert f"Razem {net} {vat} {gross}" in text  # the VAT summary's totals row
    assert "Razem brutto" not in text  # not repeated when it is what is due
    assert f"Do zapłaty {gross} zł" in text
    assert "Słownie:" in text


@pytest.mark.django_db
def test_it_spells_out_the_amount_due_in_polish_words(client, buyer):
    invoice = issue_invoice(buyer, net="1000.00")  # 1 230,00 zł gross
    client.force_login(client_user(buyer))

    text = pdf_text(download(client, invoice))

    assert "Do zapłaty 1 230,00 zł" in text
    assert "Słownie: jeden tysiąc dwieście trzydzieści złotych 00/100" in text


@pytest.mark.django_db
def test_it_sums_vat_per_rate(client, buyer):
    invoice = invoice_create(
        company=buyer,
        kind=Invoice.Kind.FEE,
        lines=[
            LineSpec("Opłata administracyjna", D("1000.00"), VatRate.STANDARD),
            LineSpec("Ubezpieczenie", D("200.00"), VatRate.EXEMPT, exemption_basis="art. 43"),
            LineSpec("Wezwanie do zapłaty", D("50.00"), VatRate.NOT_SUBJECT),
            LineSpec("Rejestracja pojazdu", D("500.00"), VatRate.STANDARD),
        ],
        issue_date=dt.date(2026, 3, 2),
    )
    client.force_login(client_user(buyer))

    text = pdf_text(download(client, invoice))

    assert "23% 1 500,00 345,00 1 845,00" in text
    assert "zw. 200,00 0,00 200,00" in text
    assert "np. 50,00 0,00 50,00" in text
    assert "Razem 1 750,00 345,00 2 095,00" in text
    assert "Słownie: dwa tysiące dziewięćdziesiąt pięć złotych 00/100" in text


@pytest.mark.django_db
def test_a_correction_names_the_corrected_invoice_and_shows_before_and_after(client, buyer):
    original = issue_invoice(buyer, net="1000.00", issued=dt.date(2026, 3, 2))
    correction = invoice_correct(
        invoice=original,
        lines=[LineSpec("Obniżka ceny", D("-100.00"), VatRate.STANDARD)],
        reason="Rabat za terminowe płatności",
        issue_date=dt.date(2026, 3, 20),
    )
    client.force_login(client_user(buyer))

    text = pdf_text(download(client, correction))

    assert "Faktura korygująca" in text
    assert correction.number in text
    assert f"Korekta do faktury nr {original.number} z dnia 02.03.2026" in text
    assert "Przyczyna korekty: Rabat za terminowe płatności" in text
    # Per rate: before (1 000 + 230), the difference (-100 - 23) and after (900 + 207).
    assert "23% 1 000,00 230,00 1 230,00 −100,00 −23,00 −123,00 900,00 207,00 1 107,00" in text
    assert "Zmniejszenie należności 123,00 zł" in text


@pytest.mark.django_db
def test_a_long_invoice_continues_on_numbered_pages(client, buyer):
    lines = [LineSpec(f"Opłata dodatkowa nr {i}", D("10.00")) for i in range(1, 80)]
    invoice = invoice_create(
        company=buyer, kind=Invoice.Kind.FEE, lines=lines, issue_date=dt.date(2026, 3, 2)
    )
    client.force_login(client_user(buyer))

    content = download(client, invoice)

    pages = pdf_page_count(content)
    assert pages >= 2
    assert f"Strona {pages} z {pages}" in pdf_text(content)


@pytest.mark.django_db
def test_it_downloads_as_an_attachment_with_a_safe_name(client, buyer):
    invoice = issue_invoice(buyer, issued=dt.date(2026, 11, 5))
    client.force_login(client_user(buyer))

    response = client.get(reverse("invoices:pdf", args=[invoice.pk]))

    assert response["Content-Type"] == "application/pdf"
    safe = invoice.number.replace("/", "_")
    assert response["Content-Disposition"] == f'attachment; filename="Faktura_{safe}.pdf"'


@pytest.mark.django_db
def test_it_is_generated_once_and_then_served_as_stored(client, buyer):
    invoice = issue_invoice(buyer)
    client.force_login(client_user(buyer))
    first = download(client, invoice)
    invoice.refresh_from_db()
    stored_name = invoice.pdf.name
    # The company moves: the stored invoice must still show the buyer as it was at issue.
    Invoice.objects.filter(pk=invoice.pk).update(buyer_name="Nowa Nazwa S.A.")

    second = download(client, invoice)

    assert second == first
    assert "Nowa Nazwa" not in pdf_text(second)
    invoice.refresh_from_db()
    assert invoice.pdf.name == stored_name
    assert stored_name.startswith(f"invoices/{invoice.issue_date:%Y/%m}/")


@pytest.mark.django_db
def test_a_missing_file_is_generated_again(client, buyer):
    invoice = issue_invoice(buyer)
    client.force_login(client_user(buyer))
    download(client, invoice)
    invoice.refresh_from_db()
    invoice.pdf.storage.delete(invoice.pdf.name)

    content = download(client, invoice)

    assert invoice.number in pdf_text(content)
    invoice.refresh_from_db()
    assert invoice.pdf.storage.exists(invoice.pdf.name)


@pytest.mark.django_db(transaction=True)
def test_two_first_requests_at_once_store_one_file(buyer, settings):
    settings.INVOICE_PDF_ON_ISSUE = False  # no PDF stored at commit: both requests render
    invoice = issue_invoice(buyer)
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def fetch() -> None:
        try:
            start.wait()
            results.append(invoice_pdf_ensure(invoice=Invoice.objects.get(pk=invoice.pk)).pdf.name)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert results[0] == results[1]
    folder = settings.MEDIA_ROOT / "invoices" / f"{invoice.issue_date:%Y/%m}"
    assert [p.name for p in folder.iterdir()] == [results[0].rsplit("/", 1)[1]]


# --- who may download ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_checks_ownership(client, buyer, other_company):
    theirs = issue_invoice(other_company)
    client.force_login(client_user(buyer))

    response = client.get(reverse("invoices:pdf", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.pdf  # nothing rendered for a stranger either


@pytest.mark.django_db
def test_it_hides_invoices_of_contracts_a_restricted_user_was_not_given(client, buyer):
    given = ContractFactory(company=buyer)
    other = ContractFactory(company=buyer)
    user = client_user(buyer, contracts_restricted=True)
    user.allowed_contracts.add(given)
    client.force_login(user)

    hidden, shown = issue_invoice(buyer, contract=other), issue_invoice(buyer, contract=given)
    assert client.get(reverse("invoices:pdf", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("invoices:pdf", args=[shown.pk])).status_code == 200


@pytest.mark.django_db
def test_it_needs_the_finances_permission(client, buyer):
    invoice = issue_invoice(buyer)
    client.force_login(client_user(buyer, can_view_finances=False))

    assert client.get(reverse("invoices:pdf", args=[invoice.pk])).status_code == 403


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_sign_in(client, buyer):
    invoice = issue_invoice(buyer)

    response = client.get(reverse("invoices:pdf", args=[invoice.pk]))

    assert response.status_code == 302
    assert reverse("invoices:pdf", args=[invoice.pk]) in response["Location"]


def _word_boxes(content: bytes) -> list[tuple[float, float, float, str]]:
    """(x_min, y_min, x_max, word) of every word of the PDF (poppler's word boxes)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return [
        (float(x_min), float(y_min), float(x_max), word)
        for x_min, y_min, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            html,
        )
    ]


# A4 is 595.3 pt wide; the documents' right page margin is 13 mm (36.9 pt).
RIGHT_EDGE_PT = 595.3 - 36.9


def words_past_the_margin(content: bytes) -> list[str]:
    """Words printed beyond the right page margin: a row wider than its box runs out of it."""
    return [word for _, _, x_max, word in _word_boxes(content) if x_max > RIGHT_EDGE_PT + 0.5]


def overlapping_words(content: bytes) -> list[tuple[str, str]]:
    """Pairs of words printed over each other on a line of the PDF (poppler's word boxes): an
    amount too wide for its table cell runs into the next one."""
    lines: dict[int, list[tuple[float, float, str]]] = {}
    for x_min, y_min, x_max, word in _word_boxes(content):
        lines.setdefault(round(y_min), []).append((x_min, x_max, word))
    found = []
    for words in lines.values():
        words.sort()
        for (_, left_end, left), (right_start, _, right) in pairwise(words):
            if right_start < left_end - 0.5:
                found.append((left, right))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("net", ["1000.00", "1003713.73", "10037137.32", "99999999.99"])
def test_amounts_of_any_size_stay_inside_their_cells(client, buyer, net):
    invoice = invoice_create(
        company=buyer,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Przedmiot leasingu: linia produkcyjna wraz z montażem", D(net))],
        issue_date=dt.date(2026, 3, 2),
    )
    correction = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Korekta ceny", -D(net) / 3)],
        reason="Rabat",
        issue_date=dt.date(2026, 3, 9),
    )
    client.force_login(client_user(buyer))

    for document in (invoice, correction):
        content = download(client, document)
        assert overlapping_words(content) == [], document.number
        assert words_past_the_margin(content) == [], document.number
        assert f"{invoice.gross:,.2f}".replace(",", " ").replace(".", ",") in pdf_text(content)


@pytest.mark.django_db
def test_the_handover_invoices_price_box_stays_inside_the_page(client, buyer):
    """Its indented rows (what is paid now, what the schedule pays) ran 4 mm past the box."""
    contract = contract_with_schedule(buyer, kind=Contract.Kind.FINANCIAL)
    LeasedAssetFactory(contract=contract)
    invoice = invoice_issue_initial_payment(contract=contract, issue_date=dt.date(2026, 1, 15))
    client.force_login(client_user(buyer))

    content = download(client, invoice)

    assert "opłata wstępna (część ceny netto)" in pdf_text(content)
    assert words_past_the_margin(content) == []


CONTRACT_NUMBERS = ["LF/2023/90002", "UL/2026/00042", "OP/2025/123456", "LO/2024/7", "38/60"]


@pytest.mark.django_db
def test_numbers_in_a_description_never_wrap_inside(client, buyer):
    """A line break may fall after a slash: "LF/" on one line, "2023/90002" on the next."""
    description = " ".join(f"umowa {number} – rata" for number in CONTRACT_NUMBERS * 2)
    invoice = issue_invoice(buyer, description=description)
    client.force_login(client_user(buyer))

    words = [word for _, _, _, word in _word_boxes(download(client, invoice))]

    for number in CONTRACT_NUMBERS:
        assert words.count(number) == 2, number
