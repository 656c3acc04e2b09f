"""The client pages: lists, the process page, downloads, and who may see and do what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from documents.models import DocumentEvent, DocumentProcess, DocumentVersion
from tests.factories import ContractFactory, UserFactory
from tests.portal_helpers import count_queries, signed_in, text

from .pdfs import simple_pdf

pytestmark = pytest.mark.django_db

Status = DocumentProcess.Status


def urls_of(process) -> dict[str, tuple[str, str]]:
    """Every URL of one process, with the method it takes."""
    version = process.versions.first()
    return {
        "detail": ("get", reverse("documents:detail", args=[process.pk])),
        "version": ("get", reverse("documents:version", args=[process.pk, version.pk])),
        "receive": ("post", reverse("documents:receive", args=[process.pk])),
        "comment": ("post", reverse("documents:comment", args=[process.pk])),
        "accept": ("post", reverse("documents:accept", args=[process.pk])),
        "reject": ("post", reverse("documents:reject", args=[process.pk])),
        "upload_signed": ("post", reverse("documents:upload_signed", args=[process.pk])),
    }


def menu_text(client) -> str:
    """The main menu's entry of the documents, as a screen reader reads it."""
    import re

    html = client.get(reverse("documents:sign")).content.decode()
    link = re.search(r'<a class="nav-link[^"]*" href="/dokumenty/".*?</a>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", link.group(0)).split())


def test_the_lists_show_documents_to_sign_to_receive_and_the_archive(make_process, signer):
    make_process(title="Aneks nr 1 do umowy")
    make_process(DocumentProcess.Kind.RECEIVE, title="Zawiadomienie o zmianie raty")
    client = signed_in(signer)

    to_sign = text(client.get(reverse("documents:sign")))
    assert "Aneks nr 1 do umowy" in to_sign and "Zawiadomienie" not in to_sign
    assert "w trakcie procesowania (Klient)" in to_sign
    to_receive = text(client.get(reverse("documents:receive_list")))
    assert "Zawiadomienie o zmianie raty" in to_receive and "nieodebrany" in to_receive
    assert "Brak dokumentów w archiwum" in text(client.get(reverse("documents:archive")))


def test_the_menu_and_tabs_count_unread_documents(make_process, signer):
    make_process(title="Aneks 1")
    make_process(DocumentProcess.Kind.RECEIVE, title="Pismo 1")
    assert "Dokumenty 2 nieprzeczytane" in menu_text(signed_in(signer))


def test_filters_search_and_bad_input_give_a_message_not_an_error(make_process, signer):
    make_process(title="Aneks nr 1")
    make_process(title="Oświadczenie o VAT", category=DocumentProcess.Category.STATEMENT)
    client = signed_in(signer)
    found = text(client.get(reverse("documents:sign"), {"q": "oświadczenie"}))
    assert "Oświadczenie o VAT" in found and "Aneks nr 1" not in found
    found = text(client.get(reverse("documents:sign"), {"category": "statement"}))
    assert "Aneks nr 1" not in found
    bad = client.get(reverse("documents:sign"), {"date_from": "31.02.2026", "status": "x"})
    assert bad.status_code == 200
    assert "Podaj datę w formacie DD.MM.RRRR." in text(bad)
    assert "Aneks nr 1" in text(bad)


def test_the_process_page_shows_versions_thread_and_history(process, signer):
    response = signed_in(signer).get(reverse("documents:detail", args=[process.pk]))
    page = text(response)
    assert process.title in page
    assert process.versions.get().sha256 in page
    assert "utworzenie procesu" in page
    assert "Prześlij podpisany dokument" in page


def test_opening_a_process_marks_it_seen_and_the_badge_goes(process, signer):
    client = signed_in(signer)
    client.get(reverse("documents:detail", args=[process.pk]))
    process.refresh_from_db()
    assert not process.unread_by_client
    assert menu_text(client) == "Dokumenty"


def test_every_version_downloads_whole_and_the_get_changes_nothing(process, signer, published_pdf):
    version = process.versions.get()
    before = (AuditEntry.objects.count(), DocumentEvent.objects.count())
    response = signed_in(signer).get(reverse("documents:version", args=[process.pk, version.pk]))
    body = b"".join(response.streaming_content)
    assert body == published_pdf
    assert int(response["Content-Length"]) == len(published_pdf)
    assert 'filename="umowa.pdf"' in response["Content-Disposition"]
    assert (AuditEntry.objects.count(), DocumentEvent.objects.count()) == before


def test_receiving_is_a_post_that_records_who_and_when(make_process, reader, published_pdf):
    process = make_process(DocumentProcess.Kind.RECEIVE, title="Pismo")
    client = signed_in(reader)
    client.get(reverse("documents:version", args=[process.pk, process.versions.get().pk]))
    process.refresh_from_db()
    assert process.received_at is None  # a GET download changes nothing

    response = client.post(reverse("documents:receive", args=[process.pk]), {"download": "1"})
    assert b"".join(response.streaming_content) == published_pdf
    process.refresh_from_db()
    assert process.received_by == reader and process.received_at is not None
    assert process.status == Status.DONE
    assert AuditEntry.objects.filter(action="documents.received", user=reader).count() == 1
    # Received documents stay: in "Odbierz" as received and in the archive.
    assert "Pismo" in text(client.get(reverse("documents:archive")))
    client.post(reverse("documents:receive", args=[process.pk]))
    assert AuditEntry.objects.filter(action="documents.received").count() == 1


def test_a_client_comments_accepts_and_rejects_with_a_reason(make_process, signer):
    process = make_process()
    client = signed_in(signer)
    client.post(reverse("documents:comment", args=[process.pk]), {"text": "Prosimy o zmianę §4."})
    process.refresh_from_db()
    assert process.status == Status.PROCESSING and process.unread_by_staff

    response = client.post(
        reverse("documents:reject", args=[process.pk]), {"reason": ""}, follow=True
    )
    assert "To pole jest wymagane." in text(response)
    process.refresh_from_db()
    assert process.status == Status.PROCESSING

    client.post(reverse("documents:reject", args=[process.pk]), {"reason": "Zła kwota raty"})
    process.refresh_from_db()
    assert process.status == Status.REJECTED
    page = text(client.get(reverse("documents:detail", args=[process.pk])))
    assert "Zła kwota raty" in page and "odrzucenie" in page

    other = make_process(title="Zgoda marketingowa")
    client.post(reverse("documents:accept", args=[other.pk]), {"text": ""})
    other.refresh_from_db()
    assert other.status == Status.PROCESSING
    assert other.comments.get().kind == "accept"


def test_a_user_without_the_signing_permission_reads_and_comments_but_cannot_sign(process, reader):
    client = signed_in(reader)
    assert client.get(reverse("documents:detail", args=[process.pk])).status_code == 200
    assert "Nie masz uprawnienia do podpisywania" in text(
        client.get(reverse("documents:detail", args=[process.pk]))
    )
    for name in ("accept", "reject", "upload_signed"):
        _method, url = urls_of(process)[name]
        assert client.post(url, {"reason": "x"}).status_code == 403, name
    assert client.post(urls_of(process)["comment"][1], {"text": "Pytanie"}).status_code == 302
    process.refresh_from_db()
    assert process.comments.count() == 1


def test_another_companys_process_and_files_answer_404(make_process, other_company):
    theirs = make_process(company=other_company, contract=None, title="Cudzy dokument")
    outsider = UserFactory(
        company=theirs.company.__class__.objects.exclude(pk=other_company.pk).first(),
        can_sign_documents=True,
        is_company_admin=True,
    )
    client = signed_in(outsider)
    for name, (method, url) in urls_of(theirs).items():
        response = getattr(client, method)(url, {"text": "x", "reason": "x"})
        assert response.status_code == 404, name
    assert DocumentVersion.objects.filter(process=theirs).count() == 1
    assert theirs.comments.count() == 0


def test_a_restricted_user_sees_only_their_contracts_documents(make_process, company, contract):
    mine = make_process(title="Mój aneks")
    other_contract = ContractFactory(company=company, number="UL/2026/00099")
    hidden = make_process(contract=other_contract, title="Aneks do cudzej umowy")
    general = make_process(contract=None, title="Regulamin ogólny")
    restricted = UserFactory(company=company, contracts_restricted=True, can_sign_documents=True)
    restricted.allowed_contracts.add(contract)
    client = signed_in(restricted)
    listing = text(client.get(reverse("documents:sign")))
    assert "Mój aneks" in listing
    assert "cudzej" not in listing and "Regulamin" not in listing
    for process in (hidden, general):
        for name, (method, url) in urls_of(process).items():
            assert getattr(client, method)(url).status_code == 404, name
    assert client.get(reverse("documents:detail", args=[mine.pk])).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(process, client):
    for name, (method, url) in urls_of(process).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:signin")), name


@pytest.fixture
def no_session_touch(monkeypatch):
    """The session's activity mark (written every minute) is not what these tests count; on a
    busy machine building the data can take that long."""
    monkeypatch.setattr("accounts.middleware.TOUCH_EVERY", 10**9)


@pytest.mark.usefixtures("no_session_touch")
@pytest.mark.parametrize("name", ["documents:sign", "documents:receive_list", "documents:archive"])
def test_lists_cost_the_same_queries_for_more_documents(make_process, signer, name):
    done = make_process(title="A")
    DocumentProcess.objects.filter(pk=done.pk).update(status=Status.DONE)
    make_process(title="A2")
    make_process(DocumentProcess.Kind.RECEIVE, title="B")
    client = signed_in(signer)
    count_queries(client, reverse(name))  # warm: the contract-number suggestions are cached
    few, _ = count_queries(client, reverse(name))
    for i in range(12):
        p = make_process(title=f"Aneks {i}")
        make_process(DocumentProcess.Kind.RECEIVE, title=f"Pismo {i}")
        if i % 3 == 0:
            DocumentProcess.objects.filter(pk=p.pk).update(status=Status.DONE)
    many, _ = count_queries(client, reverse(name))
    assert many == few


@pytest.mark.usefixtures("no_session_touch")
def test_the_process_page_costs_the_same_queries_for_a_long_history(process, signer, staff_audit):
    from documents import services

    from .conftest import checked

    client = signed_in(signer)
    url = reverse("documents:detail", args=[process.pk])
    few, _ = count_queries(client, url)
    for i in range(5):
        services.version_publish(
            process=process, file=checked(simple_pdf(f"Umowa v{i}")), audit=staff_audit
        )
        services.comment_add(
            process=process, text=f"Odpowiedź {i}", side="staff", audit=staff_audit
        )
    many, _ = count_queries(client, url)
    assert many == few


def test_hostile_input_on_every_document_url_never_reaches_a_server_error(
    make_process, company, signer
):
    from tests.ebok.test_hostile_input import fuzz

    admin = UserFactory(company=company, is_company_admin=True, can_sign_documents=True)
    to_sign = make_process()
    to_receive = make_process(DocumentProcess.Kind.RECEIVE, title="Pismo")
    failures: list = []
    urls = [reverse(n) for n in ("documents:sign", "documents:receive_list", "documents:archive")]
    for process in (to_sign, to_receive):
        urls += [url for _method, url in urls_of(process).values()]
    for url in urls:
        fuzz(signed_in(admin), url, failures)
    assert failures == []
    for overflow in ("99999999999999999999", "9223372036854775808"):
        response = signed_in(admin).get(f"/dokumenty/{overflow}/")
        assert response.status_code == 404
