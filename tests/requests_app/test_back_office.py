"""The lessor's work in admin and the thread: every change in the status history, the audit
log and a notification to the client, who sees the answer, the unread marker and replies."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from notifications.models import Message as OutboxMessage
from requests_app.models import Application

from .helpers import client_user, only_application, pdf, settlement_question, signed_in, submit

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:requests_app_application_changelist"


@pytest.fixture
def user(company):
    return client_user(company, email="klient@firma.example.pl")


@pytest.fixture
def application(user):
    submit(signed_in(user), settlement_question())
    return only_application()


def menu_badge(page: str) -> str | None:
    """The count beside "Wnioski" in the main menu."""
    link = re.search(r'<a class="nav-link[^"]*" href="/wnioski/".*?</a>', page, re.S).group(0)
    badge = re.search(r'ebok-nav-badge">(\d+)', link)
    return badge.group(1) if badge else None


def process(admin, application, **data):
    url = reverse("admin:requests_app_application_process", args=[application.pk])
    return admin.post(url, data)


def test_the_queue_lists_and_filters_requests(otp_admin_client, application):
    page = otp_admin_client.get(reverse(CHANGELIST)).text
    assert application.number in page
    for query in (
        "?open=yes",
        "?assignee=none",
        "?age=1",
        f"?request_type__id__exact={application.request_type_id}",
    ):
        assert application.number in otp_admin_client.get(reverse(CHANGELIST) + query).text
    assert application.number not in otp_admin_client.get(reverse(CHANGELIST) + "?age=older").text
    assert application.number not in otp_admin_client.get(reverse(CHANGELIST) + "?assignee=me").text


def test_taking_a_request_puts_it_in_progress(otp_admin_client, staff_user, application, user):
    otp_admin_client.post(
        reverse(CHANGELIST), {"action": "take", "_selected_action": [application.pk]}
    )
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert application.assignee == staff_user
    assert [c.to_status for c in application.history.all()] == ["sent", "in_progress"]
    assert AuditEntry.objects.filter(
        action="application.status_changed", company=user.company, user=staff_user
    ).exists()
    assert OutboxMessage.objects.filter(user=user, event="application.status_changed").exists()


def test_assigning_to_a_colleague(otp_admin_client, application):
    from tests.factories import StaffUserFactory

    colleague = StaffUserFactory()
    data = {"action": "assign", "_selected_action": [application.pk], "apply": "1"}
    response = otp_admin_client.post(reverse(CHANGELIST), {**data, "assignee": colleague.pk})
    application.refresh_from_db()
    assert response.status_code == 302
    assert application.assignee == colleague


def test_completing_with_an_answer_and_a_file_reaches_the_client(
    otp_admin_client, application, user
):
    response = process(
        otp_admin_client,
        application,
        step="complete",
        text="Saldo na 31.03.2026 wynosi 0,00 zł.",
        attachments=[pdf("potwierdzenie salda.pdf")],
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETED
    assert application.closed_at is not None
    assert application.client_unread == 1
    change = application.history.last()
    assert change.to_status == "completed" and "0,00 zł" in change.note
    email = OutboxMessage.objects.get(
        user=user, event="application.status_changed", channel="email"
    )
    assert application.number in email.subject and "zrealizowany" in email.body

    client = signed_in(user)
    listing = client.get(reverse("requests_app:list")).text
    assert 'class="ebok-unread"' in listing
    assert menu_badge(listing) == "1"  # the unread count in the menu
    detail = client.get(reverse("requests_app:detail", args=[application.pk])).text
    assert "Saldo na 31.03.2026 wynosi 0,00 zł." in detail
    assert "potwierdzenie salda.pdf" in detail and "zrealizowany" in detail
    application.refresh_from_db()
    assert application.client_unread == 0  # opened: read
    assert menu_badge(client.get(reverse("requests_app:list")).text) is None


def test_asking_the_client_for_more_and_the_client_answers(otp_admin_client, application, user):
    process(otp_admin_client, application, step="ask", text="Prosimy o numer faktury.")
    application.refresh_from_db()
    assert application.status == Application.Status.WAITING

    client = signed_in(user)
    url = reverse("requests_app:reply", args=[application.pk])
    response = client.post(url, {"body": "FV/2026/03/0001", "attachments": [pdf("faktura.pdf")]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.IN_PROGRESS
    assert application.staff_unread >= 1
    message = application.messages.get(from_lessor=False)
    assert message.attachments.get().name == "faktura.pdf"
    assert AuditEntry.objects.filter(action="application.client_replied", user=user).exists()
    admin_page = otp_admin_client.get(
        reverse("admin:requests_app_application_change", args=[application.pk])
    ).text
    assert "FV/2026/03/0001" in admin_page and "faktura.pdf" in admin_page


def test_an_empty_reply_is_refused_with_a_message(application, user):
    client = signed_in(user)
    response = client.post(reverse("requests_app:reply", args=[application.pk]), {"body": ""})
    assert response.status_code == 200
    assert "Wpisz treść odpowiedzi." in response.text
    assert not application.messages.exists()


def test_rejecting_needs_a_reason_and_closes_the_thread(otp_admin_client, application, user):
    data = {"action": "reject", "_selected_action": [application.pk], "apply": "1"}
    response = otp_admin_client.post(reverse(CHANGELIST), data)
    assert "Podaj powód odrzucenia." in response.text
    otp_admin_client.post(reverse(CHANGELIST), {**data, "reason": "Brak umowy o tym numerze."})
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.history.last().note == "Brak umowy o tym numerze."

    client = signed_in(user)
    page = client.get(reverse("requests_app:detail", args=[application.pk])).text
    assert "Brak umowy o tym numerze." in page and "Sprawa jest zakończona." in page
    # The client may still answer; the request stays rejected and the lessor sees the reply.
    client.post(reverse("requests_app:reply", args=[application.pk]), {"body": "Dlaczego?"})
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.messages.filter(from_lessor=False, body="Dlaczego?").exists()
    queue = otp_admin_client.get(reverse(CHANGELIST) + "?open=reply").text
    assert application.number in queue


def test_a_step_without_text_is_refused(otp_admin_client, application):
    response = process(otp_admin_client, application, step="ask", text="")
    assert "Ten krok wymaga treści dla klienta." in response.text
    application.refresh_from_db()
    assert application.status == Application.Status.SENT


def test_a_closed_request_cannot_be_completed_again(otp_admin_client, application):
    process(otp_admin_client, application, step="complete", text="Gotowe.")
    response = process(otp_admin_client, application, step="complete", text="Jeszcze raz.")
    assert "Wniosek jest zamknięty." in response.text
    assert application.history.filter(to_status="completed").count() == 1


def test_a_lessor_reply_notifies_without_changing_the_status(otp_admin_client, application, user):
    process(otp_admin_client, application, step="reply", text="Pracujemy nad tym.")
    application.refresh_from_db()
    assert application.status == Application.Status.SENT
    assert OutboxMessage.objects.filter(user=user, event="application.reply").exists()
    assert application.client_unread == 1


def test_the_catalogue_admin_pages_open(otp_admin_client):
    for name in ("requesttype", "fee"):
        assert (
            otp_admin_client.get(reverse(f"admin:requests_app_{name}_changelist")).status_code
            == 200
        )
    from requests_app.models import RequestType

    travel = RequestType.objects.get(code="travel-abroad")
    page = otp_admin_client.get(reverse("admin:requests_app_requesttype_change", args=[travel.pk]))
    assert page.status_code == 200 and "Kraj docelowy" in page.text


def test_the_dashboard_tile_counts_open_requests_and_new_answers(
    otp_admin_client, application, user
):
    process(otp_admin_client, application, step="reply", text="Pracujemy nad tym.")
    page = signed_in(user).get("/").content.decode()
    tile = re.search(r'aria-labelledby="tile-applications".*?</section>', page, re.S).group(0)
    assert 'class="ebok-count">1<' in tile
    assert "nowe odpowiedzi: 1" in tile
