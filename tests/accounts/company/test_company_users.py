"""Company administration: an admin manages the users of their own company."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse

from accounts.audit import Action
from accounts.company.services import (
    CompanyUserError,
    Permissions,
    company_user_update,
)
from accounts.models import AuditEntry, User
from notifications.models import Message
from tests.factories import CompanyFactory, ContractFactory, UserFactory

from ..company_helpers import (
    actions,
    admin_client,
    make_admin,
    new_user_data,
    user_data,
)
from ..conftest import make_client_user
from ..helpers import last_code, last_sms

pytestmark = pytest.mark.django_db

ADD = reverse("accounts:company_user_add")


def detail(user) -> str:
    return reverse("accounts:company_user", args=[user.pk])


@pytest.fixture
def admin(company):
    return make_admin(company, first_name="Anna", last_name="Admin", phone="+48600100100")


@pytest.fixture
def client(admin):
    return admin_client(admin)


def test_the_list_shows_the_companys_users_with_state_and_permissions(client, admin, company):
    make_client_user(company=company, login="p.locked", first_name="Piotr", last_name="Zamek")
    User.objects.filter(login="p.locked").update(locked_at="2026-11-20T10:00:00Z")
    make_client_user(company=company, login="r.restricted", contracts_restricted=True)
    UserFactory(first_name="Obcy", last_name="Uzytkownik")  # another company's user

    page = client.get(reverse("accounts:company_users"))

    assert page.status_code == 200
    assert "Piotr Zamek" in page.text and "zablokowany" in page.text
    assert "Anna Admin" in page.text and "administrator" in page.text
    assert "tylko 0 wybrana umowa" not in page.text  # the count reads naturally
    assert "Obcy" not in page.text
    assert "jeszcze nie" in page.text  # never signed in


def test_the_list_filters_and_paginates_with_htmx(client, company):
    for n in range(30):
        make_client_user(company=company, login=f"user{n:02d}", last_name=f"Nazwisko{n:02d}")
    page = client.get(
        reverse("accounts:company_users"), {"q": "Nazwisko1"}, headers={"HX-Request": "true"}
    )
    assert page.status_code == 200
    assert "<html" not in page.text  # just the list
    assert page.text.count('class="fw-semibold"') == 10  # Nazwisko10..19

    second = client.get(reverse("accounts:company_users"), {"page": 2})
    assert "strona 2 z 2" in second.text


def test_an_admin_adds_a_user_confirmed_with_a_fresh_sms_code(client, admin, company):
    contract = ContractFactory(company=company)
    data = new_user_data(contracts_access="chosen", allowed_contracts=[contract.pk])

    first = client.post(ADD, data)

    assert first.status_code == 200
    assert "Potwierdź kodem SMS" in first.text
    assert not User.objects.filter(login="ewa.nowa").exists()
    sms = last_sms(admin)
    assert sms.recipient == "+48600100100"
    assert "dodanie uzytkownika ewa.nowa" in sms.body

    done = client.post(ADD, {**data, "stepup_code": last_code(admin)})

    user = User.objects.get(company=company, login="ewa.nowa")
    assert done.status_code == 302 and done["Location"] == detail(user)
    assert user.username == f"{company.client_number}.ewa.nowa"
    assert str(user.phone) == "+48601234567"
    assert user.contracts_restricted and list(user.allowed_contracts.all()) == [contract]
    assert user.must_change_password and not user.has_usable_password()
    invite = last_sms(user)
    assert invite.recipient == "+48601234567" and "haslo jednorazowe" in invite.body
    email = Message.objects.get(channel="email", user=user)
    assert company.client_number in email.body and "ewa.nowa" in email.body
    assert actions(company=company, object_id=str(user.pk)) == [
        Action.USER_CREATED,
        Action.ACCOUNT_INVITED,
    ]
    created = AuditEntry.objects.get(action=Action.USER_CREATED)
    assert created.user == admin
    assert created.details["permissions"]["contracts"] == [contract.number]
    assert Action.STEPUP_CONFIRMED in actions(user=admin)


def test_a_code_sent_for_other_data_adds_nobody(client, admin):
    client.post(ADD, new_user_data())
    code = last_code(admin)

    forged = client.post(ADD, {**new_user_data(phone="602 000 111"), "stepup_code": code})

    assert forged.status_code == 200
    assert "Nieprawidłowy lub nieważny kod SMS" in forged.text
    assert not User.objects.filter(login="ewa.nowa").exists()
    assert Action.STEPUP_FAILED in actions(user=admin)


def test_going_back_to_edit_sends_no_code(client, admin):
    client.post(ADD, new_user_data())
    sent = Message.objects.filter(user=admin).count()

    back = client.post(ADD, {**new_user_data(), "stepup_cancel": "1", "stepup_code": ""})

    assert back.status_code == 200
    assert 'name="stepup_code"' not in back.text
    assert 'value="ewa.nowa"' in back.text
    assert Message.objects.filter(user=admin).count() == sent


def test_the_htmx_form_answers_with_the_form_and_redirects_when_done(client, admin):
    htmx = {"HX-Request": "true", "HX-Target": "user-form"}
    first = client.post(ADD, new_user_data(), headers=htmx)
    assert first.text.lstrip().startswith('<form id="user-form"')
    done = client.post(ADD, {**new_user_data(), "stepup_code": last_code(admin)}, headers=htmx)
    assert done.status_code == 200
    assert done["HX-Redirect"].startswith("/firma/uzytkownicy/")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"login": "Ewa Nowa"}, "Login to 3–64 znaki"),
        ({"login": "x"}, "Login to 3–64 znaki"),
        ({"first_name": ""}, "To pole jest wymagane."),
        ({"last_name": "Nowa3"}, "Wpisz tylko litery"),
        ({"email": "ewa@"}, "Podaj poprawny adres e-mail"),
        ({"phone": "22 123 45 67"}, "To nie jest numer telefonu komórkowego"),
        ({"phone": "12"}, "Podaj poprawny numer telefonu komórkowego"),
        ({"contracts_access": "chosen"}, "Zaznacz co najmniej jedną umowę"),
        ({"contracts_access": "everything"}, "Wybierz: wszystkie umowy albo tylko wybrane."),
        (
            {"is_company_admin": "on", "contracts_access": "chosen"},
            "Administrator ma dostęp do wszystkich umów",
        ),
        ({"allowed_contracts": ["abc"]}, "Nieprawidłowy identyfikator umowy"),
    ],
)
def test_bad_input_gets_a_polish_message_and_changes_nothing(client, admin, changes, message):
    response = client.post(ADD, new_user_data(**changes))

    assert response.status_code == 200
    assert message in response.text
    assert 'name="stepup_code"' not in response.text
    assert not User.objects.filter(first_name="Ewa").exists()
    assert not Message.objects.filter(user=admin).exists()  # no code was sent


def test_a_login_can_be_used_once_per_company(client, admin, company):
    make_client_user(company=company, login="ewa.nowa")
    response = client.post(ADD, new_user_data(login="Ewa.Nowa"))
    assert "Ten login jest już zajęty w Twojej firmie" in response.text


def test_plain_changes_need_no_code(client, admin, company):
    user = make_client_user(
        company=company, login="jan.k", last_name="Kowalski", can_sign_documents=False
    )

    response = client.post(
        detail(user), user_data(user, last_name="Kowalski-Nowak", can_sign_documents="on")
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_name == "Kowalski-Nowak" and user.can_sign_documents
    assert not Message.objects.filter(user=admin).exists()
    assert actions(object_id=str(user.pk)) == [
        Action.USER_UPDATED,
        Action.USER_PERMISSIONS_CHANGED,
    ]
    entry = AuditEntry.objects.get(action=Action.USER_PERMISSIONS_CHANGED)
    assert entry.details["before"]["can_sign_documents"] is False
    assert entry.details["after"]["can_sign_documents"] is True


@pytest.mark.parametrize(
    ("changes", "summary"),
    [({"is_company_admin": "on"}, "zmiana danych uzytkownika"), ({"phone": "+48 602 111 222"}, "")],
)
def test_granting_admin_or_changing_the_phone_needs_the_admins_code(
    client, admin, company, changes, summary
):
    user = make_client_user(
        company=company, login="jan.k", last_name="Kowalski", phone="+48600999888"
    )

    first = client.post(detail(user), user_data(user, **changes))

    assert 'name="stepup_code"' in first.text
    user.refresh_from_db()
    assert not user.is_company_admin and str(user.phone) == "+48600999888"
    assert last_sms(admin).recipient == str(admin.phone)

    done = client.post(
        detail(user), {**user_data(user, **changes), "stepup_code": last_code(admin)}
    )

    assert done.status_code == 302
    user.refresh_from_db()
    if "is_company_admin" in changes:
        assert user.is_company_admin
    else:
        assert str(user.phone) == "+48602111222"
        # The old number hears about it: a hijack does not go unnoticed.
        notice = Message.objects.filter(recipient="+48600999888").latest("pk")
        assert "zmienil numer telefonu" in notice.body


def test_restricting_a_user_to_chosen_contracts(client, company):
    one, two = ContractFactory(company=company), ContractFactory(company=company)
    user = make_client_user(company=company, login="jan.k", last_name="Kowalski")

    client.post(
        detail(user), user_data(user, contracts_access="chosen", allowed_contracts=[two.pk])
    )

    user.refresh_from_db()
    assert user.contracts_restricted
    assert list(user.allowed_contracts.all()) == [two]
    page = client.get(detail(user))
    assert one.number in page.text  # offered
    assert f'value="{two.pk}"' in page.text and "checked" in page.text


def test_an_admin_blocks_unblocks_and_reinvites(client, admin, company):
    user = make_client_user(company=company, login="jan.k", last_name="Kowalski")

    client.post(reverse("accounts:company_user_lock", args=[user.pk]))
    user.refresh_from_db()
    assert user.is_locked and user.lock_reason == "admin"
    assert "zablokowany przez administratora" in last_sms(user).body

    client.post(reverse("accounts:company_user_unlock", args=[user.pk]))
    user.refresh_from_db()
    assert not user.is_locked

    client.post(reverse("accounts:company_user_reinvite", args=[user.pk]))
    user.refresh_from_db()
    assert user.must_change_password
    assert "haslo jednorazowe" in last_sms(user).body
    assert actions(object_id=str(user.pk)) == [
        Action.ACCOUNT_LOCKED,
        Action.ACCOUNT_UNLOCKED,
        Action.ACCOUNT_INVITED,
    ]
    assert set(
        AuditEntry.objects.filter(object_id=str(user.pk)).values_list("user", flat=True)
    ) == {admin.pk}


def test_an_admin_deactivates_a_user_and_their_sessions_end(client, company):
    user = make_client_user(company=company, login="jan.k", last_name="Kowalski")
    their_browser = admin_client(user)
    assert their_browser.get("/").status_code == 200

    confirm = client.get(reverse("accounts:company_user_deactivate", args=[user.pk]))
    assert "Dezaktywować konto" in confirm.text
    done = client.post(reverse("accounts:company_user_deactivate", args=[user.pk]))

    assert done.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert their_browser.get(reverse("contracts:list")).status_code == 302  # signed out
    assert actions(object_id=str(user.pk)) == [Action.USER_DEACTIVATED]
    # A deactivated account cannot be changed any more.
    client.post(detail(user), user_data(user, last_name="Inne"))
    user.refresh_from_db()
    assert user.last_name != "Inne"


# --- own rights and the last admin ---------------------------------------------------------------


def test_a_non_admin_cannot_reach_any_admin_page(company):
    user = make_client_user(
        company=company, login="jan.k", last_name="Kowalski", can_sign_documents=False
    )
    other = make_client_user(company=company, login="ola.k")
    client = admin_client(user)
    pages = [
        ("get", reverse("accounts:company_users")),
        ("get", ADD),
        ("post", ADD),
        ("get", detail(other)),
        ("post", detail(user)),  # their own record: no raising their own rights
        ("post", reverse("accounts:company_user_lock", args=[other.pk])),
        ("post", reverse("accounts:company_user_unlock", args=[other.pk])),
        ("post", reverse("accounts:company_user_reinvite", args=[other.pk])),
        ("post", reverse("accounts:company_user_deactivate", args=[other.pk])),
        ("get", reverse("accounts:company_audit")),
        ("get", reverse("accounts:company_audit_xlsx")),
    ]
    for method, url in pages:
        data = user_data(user, is_company_admin="on", can_sign_documents="on")
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, url
    user.refresh_from_db()
    assert not user.is_company_admin and not user.can_sign_documents
    nav = client.get("/").text
    assert reverse("accounts:company_users") not in nav


def test_an_admin_cannot_change_their_own_account(client, admin):
    page = client.get(detail(admin))
    assert "To Twoje konto" in page.text
    assert 'id="user-form"' not in page.text

    for url, data in [
        (detail(admin), user_data(admin, is_company_admin=None, can_view_finances=None)),
        (detail(admin), user_data(admin, phone="+48602111222")),
        (reverse("accounts:company_user_lock", args=[admin.pk]), {}),
        (reverse("accounts:company_user_deactivate", args=[admin.pk]), {}),
        (reverse("accounts:company_user_reinvite", args=[admin.pk]), {}),
    ]:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "Nie możesz zmieniać własnego konta" in response.text, url

    admin.refresh_from_db()
    assert admin.is_company_admin and admin.is_active and not admin.is_locked
    assert str(admin.phone) == "+48600100100"
    assert not admin.must_change_password


def test_the_only_admin_stays_an_admin(company, admin):
    """The only admin cannot leave the company without one: they cannot demote, block or
    deactivate themselves, and nobody else is left to do it."""
    with pytest.raises(CompanyUserError):
        company_user_update(
            actor=admin,
            user=admin,
            first_name="Anna",
            last_name="Admin",
            email=admin.email,
            phone=str(admin.phone),
            permissions=Permissions(is_company_admin=False),
        )
    admin.refresh_from_db()
    assert admin.is_company_admin


def test_a_demoted_admin_can_no_longer_act(company, admin):
    other = make_admin(company, login="drugi.admin")
    victim = make_client_user(company=company, login="jan.k", last_name="Kowalski")
    User.objects.filter(pk=admin.pk).update(is_company_admin=False)  # by `other`, meanwhile

    with pytest.raises(PermissionDenied):  # `admin` still holds the old object
        company_user_update(
            actor=admin,
            user=victim,
            first_name="Jan",
            last_name="K",
            email=victim.email,
            phone=str(victim.phone),
            permissions=Permissions(is_company_admin=True),
        )
    assert not User.objects.get(pk=victim.pk).is_company_admin
    assert other.is_company_admin


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    company = CompanyFactory()
    first = make_admin(company, login="pierwszy")
    second = make_admin(company, login="drugi")

    def demote(actor, user) -> None:
        company_user_update(
            actor=actor,
            user=user,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            phone=str(user.phone),
            permissions=Permissions(is_company_admin=False),
        )

    holding = threading.Event()
    release = threading.Event()
    outcome: dict[str, object] = {}

    def first_demotes_second() -> None:
        try:
            with transaction.atomic():
                demote(first, second)
                holding.set()
                release.wait(5)
            outcome["first"] = "ok"
        finally:
            connection.close()

    def second_demotes_first() -> None:
        try:
            demote(second, first)
            outcome["second"] = "ok"
        except (CompanyUserError, PermissionDenied) as error:
            outcome["second"] = error
        finally:
            connection.close()

    a = threading.Thread(target=first_demotes_second)
    a.start()
    assert holding.wait(5)
    b = threading.Thread(target=second_demotes_first)
    b.start()
    time.sleep(0.5)  # `b` now waits for the company row lock held by `a`
    release.set()
    a.join(10)
    b.join(10)

    assert outcome["first"] == "ok"
    assert isinstance(outcome["second"], CompanyUserError | PermissionDenied)
    admins = User.objects.filter(company=company, is_company_admin=True)
    assert list(admins) == [first]


def test_narrowing_a_users_contracts_drops_what_was_cached_for_them(company, admin):
    """Lists and figures are cached per company data version and per restricted user: a
    contract taken away from a user disappears from them at once, not at the next data change."""
    from contracts.selectors.scope import visible_contract_numbers

    kept, taken = ContractFactory(company=company), ContractFactory(company=company)
    user = make_client_user(company=company, login="jan.k", last_name="Kowalski")
    user.contracts_restricted = True
    user.save(update_fields=["contracts_restricted"])
    user.allowed_contracts.set([kept, taken])
    assert visible_contract_numbers(user=user) == sorted([kept.number, taken.number])

    company_user_update(
        actor=admin,
        user=user,
        first_name="Jan",
        last_name="Kowalski",
        email=user.email,
        phone=str(user.phone),
        permissions=Permissions(contracts_restricted=True, contract_ids=frozenset([kept.pk])),
    )

    user = User.objects.get(pk=user.pk)
    assert visible_contract_numbers(user=user) == [kept.number]
