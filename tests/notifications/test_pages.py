"""The notification pages: "Ustawienia → Powiadomienia" (the user's and, for a company
administrator, their users'), and "Wiadomości" (the inbox with its unread count)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from notifications.events import preference_events
from notifications.models import Message, NotificationSettings
from notifications.services import notify
from tests.factories import UserFactory
from tests.portal_helpers import HTMX, count_queries, signed_in, text

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/ustawienia/powiadomienia/"
INBOX_URL = "/wiadomosci/"


def form_data(**overrides) -> dict:
    """Every event at its default, except the changes asked for (None: box not ticked)."""
    data = {}
    for event in preference_events():
        name = event.code.replace(".", "__")
        if event.sms_default:
            data[f"{name}__sms"] = "on"
        if event.email_default:
            data[f"{name}__email"] = "on"
    data.update(
        {"payment_due_days": "5", "quiet_from": "22:00", "quiet_to": "07:00", "language": "pl"}
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_preferences_page_offers_every_event_with_its_defaults(company):
    page = signed_in(UserFactory(company=company)).get(SETTINGS_URL)
    assert page.status_code == 200
    body = page.content.decode()
    shown = text(page)
    for label in ("Nowa faktura", "Przypomnienie o terminie płatności", "Wygasająca polisa"):
        assert label in shown
    assert "Konto zablokowane" not in shown  # always sent, nothing to choose
    assert 'name="invoice__issued__sms" class="form-check-input" role="switch"' in body
    assert 'name="invoice__issued__sms" class="form-check-input" role="switch" id' in body
    assert 'value="7"' in body  # the default lead time


def test_saving_preferences_changes_what_is_sent_and_is_audited(company):
    user = UserFactory(company=company)
    client = signed_in(user)

    changes = {"invoice__issued__sms": None, "invoice__payment_due__sms": None}
    response = client.post(SETTINGS_URL, form_data(**changes), **HTMX)

    assert response.status_code == 200
    assert "Zapisano ustawienia powiadomień." in text(response)
    prefs = NotificationSettings.objects.get(user=user)
    assert prefs.channels["invoice.issued"] == {"sms": False, "email": True}
    assert prefs.payment_due_days == 5
    assert (prefs.quiet_from, prefs.quiet_to) == (dt.time(22), dt.time(7))
    entry = AuditEntry.objects.get(action="notifications.settings_changed")
    assert entry.user == user and entry.company == company
    assert entry.details["events"] == ["invoice.issued", "invoice.payment_due"]
    assert entry.details["payment_due_days"] == 5

    again = client.post(SETTINGS_URL, form_data(**changes), **HTMX)
    assert "Nic się nie zmieniło." in text(again)
    assert AuditEntry.objects.filter(action="notifications.settings_changed").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"payment_due_days": "0"}, "Podaj liczbę dni od 1 do 30."),
        ({"payment_due_days": "31"}, "Podaj liczbę dni od 1 do 30."),
        ({"payment_due_days": "siedem"}, "Podaj liczbę dni od 1 do 30."),
        ({"payment_due_days": "9" * 40}, "Podaj liczbę dni od 1 do 30."),
        ({"quiet_to": ""}, "Podaj obie godziny ciszy SMS albo żadnej."),
        ({"quiet_from": "25:99"}, "Podaj godzinę w postaci GG:MM, np. 22:00."),
        ({"quiet_to": "22:00"}, "Godzina końca ciszy musi być inna niż początku."),
        ({"language": "de"}, "Nieznany język „de”."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(company, changes, message):
    user = UserFactory(company=company)
    response = signed_in(user).post(SETTINGS_URL, form_data(**changes), **HTMX)
    assert response.status_code == 200
    assert message in text(response)
    assert not NotificationSettings.objects.filter(user=user).exists()
    assert not AuditEntry.objects.filter(action="notifications.settings_changed").exists()


def test_without_htmx_a_save_returns_to_the_page(company):
    client = signed_in(UserFactory(company=company))
    response = client.post(SETTINGS_URL, form_data())
    assert response.status_code == 302 and response.url == SETTINGS_URL
    assert "Zapisano ustawienia powiadomień." in text(client.get(SETTINGS_URL))


def test_a_company_admin_sets_a_users_preferences_and_only_their_own_companys(
    company, other_company
):
    admin = UserFactory(company=company, is_company_admin=True)
    user = UserFactory(company=company)
    stranger = UserFactory(company=other_company)
    client = signed_in(admin)
    url = f"/firma/uzytkownicy/{user.pk}/powiadomienia/"

    assert user.get_full_name() in text(client.get(url))
    client.post(url, form_data(payment_due_days="12"), **HTMX)

    assert NotificationSettings.objects.get(user=user).payment_due_days == 12
    entry = AuditEntry.objects.get(action="notifications.settings_changed")
    assert entry.user == admin and entry.object_id == str(user.pk)
    assert client.get(f"/firma/uzytkownicy/{stranger.pk}/powiadomienia/").status_code == 404
    assert client.post(f"/firma/uzytkownicy/{stranger.pk}/powiadomienia/").status_code == 404
    assert signed_in(user).get(url).status_code == 403


def message_for(user, *, event="invoice.issued", channel="email", body="Treść", **fields):
    return Message.objects.create(
        user=user,
        channel=channel,
        recipient="x",
        subject=fields.pop("subject", "Temat"),
        body=body,
        event=event,
        status=fields.pop("status", Message.Status.SENT),
        **fields,
    )


def test_the_inbox_lists_the_users_messages_newest_first_with_codes_hidden(company):
    user = UserFactory(company=company)
    old = message_for(user, subject="Stara", created_at=timezone.now() - dt.timedelta(days=2))
    new = message_for(user, subject="Nowa", channel="sms", status=Message.Status.DELIVERED)
    code = notify(
        channel="sms", recipient="+48600", body="eBOK: kod 482913", user=user, sensitive=True
    )
    message_for(UserFactory(company=company), subject="Cudza")

    page = text(signed_in(user).get(INBOX_URL))

    assert page.index("Nowa") < page.index("Stara")
    assert "Cudza" not in page
    assert "doręczona" in page and "wysłana" in page
    assert "482913" not in page and "treść ukryta" in page
    assert new.pk and old.pk and code.pk


def test_opening_a_message_marks_it_read_and_the_unread_count_goes_down(company):
    user = UserFactory(company=company)
    first, _second = message_for(user, subject="Pierwsza"), message_for(user, subject="Druga")
    client = signed_in(user)

    assert 'ebok-nav-badge">2<' in client.get(INBOX_URL).content.decode()
    detail = client.get(f"/wiadomosci/{first.pk}/")
    assert detail.status_code == 200 and "Pierwsza" in text(detail)
    assert 'ebok-nav-badge">1<' in client.get(INBOX_URL).content.decode()

    client.post("/wiadomosci/przeczytane/")
    assert "ebok-nav-badge" not in client.get(INBOX_URL).content.decode()


def test_another_users_message_is_not_found(company, other_company):
    mine = UserFactory(company=company)
    theirs = message_for(UserFactory(company=other_company))
    colleague = message_for(UserFactory(company=company))
    client = signed_in(mine)
    assert client.get(f"/wiadomosci/{theirs.pk}/").status_code == 404
    assert client.get(f"/wiadomosci/{colleague.pk}/").status_code == 404
    assert theirs.read_at is None


def test_the_inbox_filters_by_channel_event_date_and_state(company):
    user = UserFactory(company=company)
    message_for(user, subject="SMS-owa", channel="sms")
    message_for(user, subject="Polisowa", event="contract.policy_expiring")
    message_for(user, subject="Dawna", created_at=timezone.now() - dt.timedelta(days=40))
    read = message_for(user, subject="Przeczytana")
    read.read_at = timezone.now()
    read.save()
    client = signed_in(user)
    since = (timezone.localdate() - dt.timedelta(days=7)).strftime("%d.%m.%Y")

    def shown(query: str) -> str:
        return text(client.get(f"{INBOX_URL}?{query}", **HTMX))

    assert "Polisowa" not in shown("channel=sms") and "SMS-owa" in shown("channel=sms")
    assert "SMS-owa" not in shown("event=contract.policy_expiring")
    assert "Dawna" not in shown(f"date_from={since}") and "Polisowa" in shown(f"date_from={since}")
    assert "Przeczytana" not in shown("state=unread")


@pytest.mark.parametrize(
    "query",
    ["channel=fax", "event=nope", "date_from=32.13.2026", "date_from=01.01.99999", "page=abc"],
)
def test_bad_inbox_filters_get_a_message_not_an_error(company, query):
    response = signed_in(UserFactory(company=company)).get(f"{INBOX_URL}?{query}")
    assert response.status_code == 200


def test_the_inbox_and_preferences_take_a_constant_number_of_queries(company):
    user = UserFactory(company=company)
    client = signed_in(user)
    message_for(user)
    count_queries(client, INBOX_URL), count_queries(client, SETTINGS_URL)  # warm caches
    few = count_queries(client, INBOX_URL)[0], count_queries(client, SETTINGS_URL)[0]
    for n in range(30):
        message_for(user, subject=f"Wiadomość {n}", channel=("sms", "email", "inbox")[n % 3])
    many = count_queries(client, INBOX_URL)[0], count_queries(client, SETTINGS_URL)[0]
    assert many == few
