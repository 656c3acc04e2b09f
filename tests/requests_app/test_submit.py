"""Submitting a request ("Złóż nowy wniosek") and a contact case: what the client sees and
what is stored."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from requests_app.models import Application, StatusChange

from .helpers import (
    client_user,
    only_application,
    pdf,
    settlement_question,
    signed_in,
    submit,
    text,
    travel_abroad,
    vehicle_contract,
)

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_seeded_in_both_languages(company):
    client = signed_in(client_user(company))
    page = client.get(reverse("requests_app:new")).text
    for name in (
        "Zgoda na wyjazd pojazdem za granicę",
        "Zgoda na użyczenie pojazdu osobie trzeciej",
        "Przedterminowe zakończenie umowy",
        "Zmiana danych kontaktowych firmy",
        "Opinia o współpracy",
        "Oferta przedterminowego zakończenia umowy",
        "Duplikat polisy",
        "Oferta zmiany harmonogramu",
        "Zgłoszenie zmiany siedziby firmy",
        "Upoważnienie do wydziału komunikacji",
        "Pytanie o rozliczenia / księgowość",
    ):
        assert name in page
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("requests_app:new")).text
    assert "Authorisation for the vehicle registration office" in page
    assert "Settlement / accounting question" in page


def test_choosing_a_type_shows_its_fields_fee_and_handling_time(company):
    contract = vehicle_contract(company, plate="WA 777AB")
    client = signed_in(client_user(company))
    page = client.get(
        reverse("requests_app:new"),
        {"request_type": "travel-abroad", "contract": contract.pk},
        headers={"HX-Request": "true"},
    ).text
    assert 'id="submit-form"' in page and "<html" not in page  # only the form is swapped
    assert "Kraj docelowy" in page and "Okres wyjazdu" in page
    assert "184,50" in page  # 150,00 zł net + 23 % VAT from the fee table
    assert "do 3 dni roboczych" in page
    # The chosen contract's vehicle is offered as the registration number.
    assert '<option value="WA777AB">WA777AB</option>' in page


def test_a_request_is_sent_with_a_number_history_and_audit_entry(company):
    user = client_user(company)
    client = signed_in(user)
    response = submit(client, settlement_question())
    application = only_application()
    assert response.status_code == 302
    assert response.url == reverse("requests_app:detail", args=[application.pk])
    assert application.number.startswith("WN/")
    assert application.status == Application.Status.SENT
    assert [c.to_status for c in application.history.all()] == ["sent"]
    assert AuditEntry.objects.filter(action="application.submitted", user=user).exists()
    page = text(client.get(response.url))
    assert f"Wysłaliśmy Twój wniosek. Numer: {application.number}." in page
    assert "1 234,56" in page and "Proszę o potwierdzenie salda" in page


def test_a_request_about_a_contract_keeps_the_answers_as_submitted(company):
    contract = vehicle_contract(company, plate="KR1A234")
    client = signed_in(client_user(company))
    submit(client, travel_abroad(contract))
    application = only_application()
    assert application.contract == contract
    assert application.fee_gross == pytest.approx(184.50)
    page = client.get(reverse("requests_app:detail", args=[application.pk])).text
    assert "Niemcy" in page
    assert "01.07.2026 – 14.07.2026" in page
    assert "Jan Nowak (PESEL 44051401359, ABA300000)" in page


def test_posting_the_same_form_twice_creates_one_request(company):
    client = signed_in(client_user(company))
    data = settlement_question()
    first = submit(client, data)
    second = submit(client, data)
    assert Application.objects.count() == 1
    assert first.url == second.url


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"request_type": ""}, "Wybierz rodzaj wniosku."),
        ({"question": ""}, "To pole jest wymagane."),
        ({"amount": "12,345"}, "Podaj kwotę w złotych, np. 1 234,56."),
        ({"amount": "-5"}, "Podaj kwotę w złotych, np. 1 234,56."),
        ({"topic": "nieznany"}, "Wybierz poprawną wartość"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(company, changes, message):
    client = signed_in(client_user(company))
    response = submit(client, settlement_question(**changes))
    assert response.status_code == 200
    assert message in response.text
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"person__pesel": "44051401358"}, "Podaj poprawny numer PESEL (11 cyfr)."),
        ({"person__document": "ABA300001"}, "Podaj numer dowodu osobistego"),
        ({"period__to": "2026-06-01"}, "Data „do” nie może być wcześniejsza niż data „od”."),
        ({"period__from": "01.13.2026"}, "Podaj datę w formacie DD.MM.RRRR."),
        ({"country": "XX"}, "Wybierz poprawną wartość"),
        ({"vehicle": "PO99999"}, "Wybierz poprawną wartość"),
        ({"contract": ""}, "Wybierz umowę, której dotyczy wniosek."),
    ],
)
def test_typed_fields_are_validated(company, changes, message):
    contract = vehicle_contract(company)
    client = signed_in(client_user(company))
    response = submit(client, travel_abroad(contract, **changes))
    assert response.status_code == 200
    assert message in response.text
    assert not Application.objects.exists()


def test_a_contract_the_type_does_not_accept_is_refused(company):
    ended = vehicle_contract(company, status="ended")
    client = signed_in(client_user(company))
    response = submit(client, travel_abroad(ended))
    assert "Ta umowa nie może być przedmiotem tego wniosku." in response.text
    assert not Application.objects.exists()


def test_another_companys_contract_cannot_be_chosen(company, other_company):
    theirs = vehicle_contract(other_company)
    client = signed_in(client_user(company))
    response = submit(client, travel_abroad(theirs))
    assert "Ta umowa nie może być przedmiotem tego wniosku." in response.text
    assert not Application.objects.exists()


def test_a_required_attachment_must_be_added(company):
    client = signed_in(client_user(company))
    data = {
        "token": str(uuid.uuid4()),
        "request_type": "seat-change",
        "address": "ul. Nowa 5, 00-950 Warszawa",
        "from": "2026-05-01",
    }
    response = submit(client, data)
    assert "Dodaj ten załącznik." in response.text
    response = submit(client, data, {"register": pdf("odpis KRS.pdf")})
    application = only_application()
    assert "Potwierdź wniosek kodem SMS" in response.text  # critical: waits for the SMS code
    assert application.status == Application.Status.DRAFT
    assert application.attachments.get().name == "odpis KRS.pdf"


def test_a_contact_case_is_a_message_with_a_topic_and_an_attachment(company):
    user = client_user(company)
    client = signed_in(user)
    response = client.post(
        reverse("requests_app:contact"),
        {
            "token": str(uuid.uuid4()),
            "topic": "invoices",
            "contract": "",
            "subject": "Brak faktury za marzec",
            "body": "Nie widzę faktury za marzec.",
            "attachments": [pdf("zrzut.pdf")],
        },
    )
    case = only_application()
    assert response.status_code == 302
    assert case.kind == Application.Kind.CONTACT and case.number.startswith("SP/")
    assert case.attachments.get().name == "zrzut.pdf"
    assert StatusChange.objects.filter(application=case, to_status="sent").exists()
    listing = client.get(reverse("requests_app:list")).text
    assert "Brak faktury za marzec" in listing and "faktury i płatności" in listing


def test_a_contact_case_needs_a_topic_subject_and_message(company):
    client = signed_in(client_user(company))
    response = client.post(reverse("requests_app:contact"), {"token": str(uuid.uuid4())})
    for message in ("Wybierz temat.", "Wpisz tytuł wiadomości.", "Wpisz treść wiadomości."):
        assert message in response.text
    assert not Application.objects.exists()
