"""The ZIP of invoice PDFs: a complete file with its length when every PDF is stored, an export
job with a progress page when PDFs must be rendered first; never a 200 with a partial file."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from ebok.models import ExportJob
from invoices.models import Invoice
from invoices.services import invoice_pdf_ensure, payment_record
from tests.downloads import client_user, issue_invoice, pdf_text, streamed, zip_names


def pdf_name(invoice: Invoice) -> str:
    return f"Faktura_{invoice.number.replace('/', '_')}.pdf"


def stored(invoice: Invoice) -> Invoice:
    """The invoice with its PDF stored, as the worker does after it is issued."""
    return invoice_pdf_ensure(invoice=invoice)


def stored_pdf(invoice: Invoice) -> bytes:
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as handle:
        return handle.read()


def assert_whole_zip(response, invoices: list[Invoice]) -> bytes:
    """A complete download: its announced length is its length, and it holds every PDF whole."""
    body = streamed(response)
    assert int(response["Content-Length"]) == len(body)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted(pdf_name(i) for i in invoices)
        for invoice in invoices:
            assert archive.read(pdf_name(invoice)) == stored_pdf(invoice)
    return body


# --- every PDF stored: one complete file --------------------------------------------------------


@pytest.mark.django_db
def test_the_zip_holds_exactly_the_selected_invoices(client, company, other_company):
    first, second, not_selected = (stored(issue_invoice(company)) for _ in range(3))
    foreign = issue_invoice(other_company)
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"invoice": [first.pk, second.pk, foreign.pk]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="Faktury_')
    assert response["Content-Disposition"].endswith('.zip"')
    assert_whole_zip(response, [first, second])
    assert not ExportJob.objects.exists()
    foreign.refresh_from_db()
    assert not foreign.pdf
    assert pdf_name(not_selected) not in zip_names(
        streamed(client.post(reverse("invoices:zip"), {"invoice": [first.pk]}))
    )


@pytest.mark.django_db
def test_the_zip_is_sent_with_its_length_and_holds_every_pdf_whole(client, company):
    invoices = [stored(issue_invoice(company, net=f"{100 * n}.00")) for n in range(1, 6)]
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"invoice": [i.pk for i in invoices]})

    body = assert_whole_zip(response, invoices)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        # Stored as they are (PDFs are compressed already), so the size is known up front.
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
        assert invoices[0].number in pdf_text(archive.read(pdf_name(invoices[0])))


@pytest.mark.django_db
def test_the_zip_contains_the_same_pdf_as_the_single_download(client, company):
    invoice = issue_invoice(company)
    client.force_login(client_user(company))
    single = streamed(client.get(reverse("invoices:pdf", args=[invoice.pk])))

    response = client.post(reverse("invoices:zip"), {"invoice": [invoice.pk]})

    with zipfile.ZipFile(io.BytesIO(streamed(response))) as archive:
        assert archive.read(pdf_name(invoice)) == single
    assert invoice.number in pdf_text(single)


@pytest.mark.django_db
def test_a_stored_pdf_is_served_without_reading_what_it_does_not_show(client, company):
    """The download of a stored PDF reads the invoice row and nothing else of the invoice
    (not its lines, corrections or payments: the file is the document)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invoice = stored(issue_invoice(company))
    client.force_login(client_user(company))
    with CaptureQueriesContext(connection) as queries:
        body = streamed(client.get(reverse("invoices:pdf", args=[invoice.pk])))
    assert body == stored_pdf(invoice)
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "invoices_invoiceline" not in read and "invoices_paymentallocation" not in read
    assert read.count('FROM "invoices_invoice"') == 1


@pytest.mark.django_db
def test_the_zip_of_the_filtered_list_follows_the_filters(client, company):
    paid = stored(issue_invoice(company, net="100.00", due_date=dt.date(2026, 3, 10)))
    unpaid = stored(issue_invoice(company, net="200.00", due_date=dt.date(2026, 4, 10)))
    payment_record(company=company, amount=paid.gross, received_on=dt.date(2026, 3, 5))
    client.force_login(client_user(company))

    response = client.get(reverse("invoices:zip"), {"status": "unpaid", "page": "7"})

    assert_whole_zip(response, [unpaid])


# --- PDFs still to render: an export job --------------------------------------------------------


@pytest.mark.django_db
def test_a_zip_that_needs_rendering_becomes_a_job_with_progress_then_a_link(
    client, company, django_capture_on_commit_callbacks
):
    ready = stored(issue_invoice(company))
    missing = [issue_invoice(company) for _ in range(2)]
    user = client_user(company)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("invoices:zip"), {"invoice": [ready.pk, *(i.pk for i in missing)]}
        )

    # No file during the request: the browser goes to the job page instead.
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert (job.owner, job.kind, job.rows_total) == (user, "invoices_zip", 3)
    page = client.get(response["Location"]).content.decode()
    assert "Archiwum ZIP" in page
    assert "Plik czeka w kolejce" in page
    assert "0 z 3 plików PDF" in page
    assert reverse("exports:download", args=[job.pk]) not in page

    for callback in callbacks:  # the commit: the task runs (in-process in tests)
        callback()

    html = client.get(reverse("exports:status", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert "hx-trigger" not in html
    assert "Archiwum ZIP jest gotowe. Plików PDF: 3." in html
    assert "Pobierz plik ZIP" in html
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="Faktury_')
    assert_whole_zip(download, [ready, *missing])
    # The PDFs rendered for the ZIP are stored: the next ZIP of them is a download at once.
    assert (
        client.post(reverse("invoices:zip"), {"invoice": [i.pk for i in missing]})["Content-Type"]
        == "application/zip"
    )


@pytest.mark.django_db
def test_a_filtered_zip_that_needs_rendering_keeps_the_filters_in_its_job(
    client, company, django_capture_on_commit_callbacks
):
    issue_invoice(company, net="100.00", kind=Invoice.Kind.FEE)
    other = issue_invoice(company, net="200.00", kind=Invoice.Kind.OTHER)
    client.force_login(client_user(company))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("invoices:zip"), {"kind": Invoice.Kind.OTHER})

    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert job.status == ExportJob.Status.DONE
    assert_whole_zip(client.get(reverse("exports:download", args=[job.pk])), [other])


@pytest.mark.django_db
def test_a_zip_job_fails_when_the_permission_is_gone_and_offers_no_retry(
    client, company, django_capture_on_commit_callbacks
):
    invoice = issue_invoice(company)
    owner = client_user(company)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("invoices:zip"), {"invoice": [invoice.pk]})
    owner.can_view_finances = False
    owner.save(update_fields=["can_view_finances"])

    for callback in callbacks:
        callback()

    job = ExportJob.objects.get()
    assert (job.status, job.failure) == (ExportJob.Status.FAILED, ExportJob.Failure.PERMISSION)
    assert not job.file
    invoice.refresh_from_db()
    assert not invoice.pdf  # nothing rendered for a user who may no longer see it


# --- bad input answered, nothing changed --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["²", "9223372036854775808", "0", "-1", "x", "1.5", "", "9" * 5000]
)
def test_an_unreadable_selection_is_refused_with_a_message(client, company, value):
    invoice = stored(issue_invoice(company))
    client.force_login(client_user(company))
    back = reverse("invoices:list") + "?status=unpaid"

    response = client.post(reverse("invoices:zip"), {"invoice": [invoice.pk, value], "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nie rozpoznano zaznaczonych faktur. Zaznacz je ponownie na liście."
    ]
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_the_largest_possible_id_is_simply_not_found(client, company):
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"invoice": [str(2**63 - 1)]})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Zaznacz co najmniej jedną fakturę do pobrania."
    ]


@pytest.mark.django_db
def test_an_empty_selection_is_refused_with_a_message(client, company):
    issue_invoice(company)
    client.force_login(client_user(company))
    back = reverse("invoices:list") + "?status=unpaid"

    response = client.post(reverse("invoices:zip"), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Zaznacz co najmniej jedną fakturę do pobrania."
    ]


@pytest.mark.django_db
def test_only_foreign_ids_count_as_an_empty_selection(client, company, other_company):
    foreign = issue_invoice(other_company)
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"invoice": [foreign.pk]})

    assert response.status_code == 302
    assert response["Location"] == reverse("invoices:list")
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_an_off_site_return_address_is_ignored(client, company):
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("invoices:list")


@pytest.mark.django_db
def test_a_zip_above_the_limit_is_refused(client, company, settings):
    settings.INVOICE_ZIP_MAX_INVOICES = 2
    invoices = [issue_invoice(company) for _ in range(3)]
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"invoice": [i.pk for i in invoices]})

    assert response.status_code == 302
    assert "najwyżej 2 faktur" in str(next(iter(get_messages(response.wsgi_request))))
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_the_zip_needs_the_finances_permission(client, company):
    invoice = issue_invoice(company)
    client.force_login(client_user(company, can_view_finances=False))

    assert client.post(reverse("invoices:zip"), {"invoice": [invoice.pk]}).status_code == 403
    assert client.get(reverse("invoices:zip")).status_code == 403


# --- PDFs rendered when issued, and the catch-up command ----------------------------------------


@pytest.mark.django_db
def test_an_invoice_gets_its_pdf_once_issued(company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_invoice(company)

    invoice.refresh_from_db()
    assert invoice.pdf
    assert invoice.number in pdf_text(stored_pdf(invoice))


@pytest.mark.django_db
def test_no_pdf_is_rendered_before_the_invoice_is_committed(
    company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invoice = issue_invoice(company)

    invoice.refresh_from_db()
    assert not invoice.pdf
    assert len(callbacks) >= 1


@pytest.mark.django_db
def test_the_command_renders_every_missing_pdf_once(company, other_company):
    done = stored(issue_invoice(company))
    first_file = done.pdf.name
    missing = [issue_invoice(company), issue_invoice(other_company)]
    out = io.StringIO()

    call_command("render_missing_invoice_pdfs", stdout=out)

    assert "2 invoice PDFs rendered" in out.getvalue()
    for invoice in missing:
        assert invoice.number in pdf_text(stored_pdf(invoice))
    done.refresh_from_db()
    assert done.pdf.name == first_file  # a stored PDF is the document sent: never re-rendered
    out = io.StringIO()
    call_command("render_missing_invoice_pdfs", stdout=out)
    assert "0 invoice PDFs rendered" in out.getvalue()


@pytest.mark.django_db
def test_the_command_can_restore_files_lost_from_storage(company):
    invoice = stored(issue_invoice(company))
    invoice.pdf.storage.delete(invoice.pdf.name)

    call_command("render_missing_invoice_pdfs", stdout=io.StringIO())
    assert not invoice.pdf.storage.exists(invoice.pdf.name)  # only empty records by default

    call_command("render_missing_invoice_pdfs", "--check-storage", stdout=io.StringIO())
    invoice.refresh_from_db()
    assert invoice.number in pdf_text(stored_pdf(invoice))
