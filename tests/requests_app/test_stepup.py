"""Critical requests: sent only after the SMS code that confirms exactly their content."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from notifications.models import Message as OutboxMessage
from requests_app.models import Application
from tests.accounts.helpers import last_code

from .helpers import (
    client_user,
    lending,
    only_application,
    pdf,
    signed_in,
    submit,
    vehicle_contract,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(company):
    return client_user(company)


def test_a_critical_request_waits_for_the_sms_code(user):
    contract = vehicle_contract(user.company)
    client = signed_in(user)
    response = submit(client, lending(contract), {"attachments": [pdf("umowa uzyczenia.pdf")]})
    application = only_application()
    assert application.status == Application.Status.DRAFT and application.number == ""
    assert "Potwierdź wniosek kodem SMS" in response.text
    assert "Wysłaliśmy kod SMS na numer" in response.text
    assert "Anna Wiśniewska" in response.text  # the content the code confirms
    assert OutboxMessage.objects.filter(user=user, channel="sms").count() == 1
    # Nobody at the lessor sees it yet, and it is not in the history.
    assert not application.history.exists()

    url = reverse("requests_app:confirm", args=[application.pk])
    response = client.post(url, {"stepup_code": last_code(user)})
    application.refresh_from_db()
    assert response.status_code == 302
    assert application.status == Application.Status.SENT
    assert application.number.startswith("WN/")
    assert [(c.from_status, c.to_status) for c in application.history.all()] == [("draft", "sent")]
    assert AuditEntry.objects.filter(action="stepup.confirmed", user=user).exists()
    assert AuditEntry.objects.filter(action="application.confirmed", user=user).exists()
    page = client.get(response.url).text
    assert f"Numer: {application.number}" in page


def test_a_wrong_code_confirms_nothing(user):
    contract = vehicle_contract(user.company)
    client = signed_in(user)
    submit(client, lending(contract))
    application = only_application()
    code = last_code(user)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    response = client.post(
        reverse("requests_app:confirm", args=[application.pk]), {"stepup_code": wrong}
    )
    application.refresh_from_db()
    assert "Nieprawidłowy lub nieważny kod SMS." in response.text
    assert application.status == Application.Status.DRAFT


def test_the_code_of_one_request_does_not_confirm_another(user):
    contract = vehicle_contract(user.company)
    client = signed_in(user)
    submit(client, lending(contract, period__to="2026-08-10"))
    first = only_application()
    code_of_first = last_code(user)
    submit(client, lending(contract, period__to="2026-08-20"))
    second = Application.objects.exclude(pk=first.pk).get()
    client.post(reverse("requests_app:confirm", args=[second.pk]), {"stepup_code": code_of_first})
    second.refresh_from_db()
    assert second.status == Application.Status.DRAFT


def test_a_draft_is_seen_and_confirmed_only_by_its_author(user):
    contract = vehicle_contract(user.company)
    submit(signed_in(user), lending(contract))
    draft = only_application()
    colleague = signed_in(client_user(user.company))
    assert colleague.get(reverse("requests_app:detail", args=[draft.pk])).status_code == 404
    assert colleague.get(reverse("requests_app:confirm", args=[draft.pk])).status_code == 404
    link = reverse("requests_app:detail", args=[draft.pk])
    assert link not in colleague.get(reverse("requests_app:list")).text
    assert link in signed_in(user).get(reverse("requests_app:list")).text


def test_confirming_twice_sends_it_once(user):
    contract = vehicle_contract(user.company)
    client = signed_in(user)
    submit(client, lending(contract))
    application = only_application()
    code = last_code(user)
    url = reverse("requests_app:confirm", args=[application.pk])
    client.post(url, {"stepup_code": code})
    response = client.post(url, {"stepup_code": code})
    assert response.status_code == 302  # already sent: shown, not confirmed again
    assert application.history.count() == 1


def test_drafts_never_confirmed_are_purged_with_their_files(user, settings):
    import datetime as dt

    from django.utils import timezone

    from requests_app.tasks import purge_drafts

    contract = vehicle_contract(user.company)
    submit(signed_in(user), lending(contract), {"attachments": [pdf("a.pdf")]})
    draft = only_application()
    stored = settings.MEDIA_ROOT / draft.attachments.get().file.name
    assert stored.is_file()
    assert purge_drafts() == 0  # fresh: kept
    Application.objects.filter(pk=draft.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert purge_drafts() == 1
    assert not Application.objects.exists() and not stored.exists()
