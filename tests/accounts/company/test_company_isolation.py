"""A company admin of A can neither see nor change anything of company B: 404 for B's users,
nothing of B in the lists and the audit log, and forged form fields change nothing of B."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.audit import Action, audit_log
from accounts.models import AuditEntry, User
from notifications.models import Message
from tests.factories import CompanyFactory, ContractFactory, StaffUserFactory

from ..company_helpers import admin_client, make_admin, new_user_data, post_confirmed, user_data
from ..conftest import make_client_user
from ..helpers import last_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def a():
    company = CompanyFactory(name="Alfa Sp. z o.o.")
    return {"company": company, "admin": make_admin(company, last_name="Alfowa")}


@pytest.fixture
def b():
    company = CompanyFactory(name="Beta Sp. z o.o.")
    admin = make_admin(company, last_name="Betowa")
    user = make_client_user(company=company, login="beta.user", last_name="Betowski")
    contract = ContractFactory(company=company, number="UL/BETA/1")
    audit_log(user=user, action=Action.SIGNIN_SUCCEEDED, details={"marker": "BETA-ENTRY"})
    return {"company": company, "admin": admin, "user": user, "contract": contract}


def snapshot(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.first_name,
        user.last_name,
        user.email,
        str(user.phone),
        user.is_active,
        user.locked_at,
        user.is_company_admin,
        user.contracts_restricted,
        user.password,
        tuple(user.allowed_contracts.values_list("pk", flat=True)),
    )


def test_another_companys_users_answer_404_for_every_page_and_action(a, b):
    client = admin_client(a["admin"])
    before = snapshot(b["user"]), snapshot(b["admin"])
    pk = b["user"].pk
    for method, name in [
        ("get", "accounts:company_user"),
        ("post", "accounts:company_user"),
        ("post", "accounts:company_user_lock"),
        ("post", "accounts:company_user_unlock"),
        ("post", "accounts:company_user_reinvite"),
        ("get", "accounts:company_user_deactivate"),
        ("post", "accounts:company_user_deactivate"),
    ]:
        for target in (pk, b["admin"].pk):
            url = reverse(name, args=[target])
            data = user_data(b["user"], is_company_admin="on") if method == "post" else None
            response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
            assert response.status_code == 404, (method, name)
    assert (snapshot(b["user"]), snapshot(b["admin"])) == before
    assert not Message.objects.filter(user__company=b["company"]).exists()


def test_staff_accounts_are_not_reachable_either(a):
    staff = StaffUserFactory()
    client = admin_client(a["admin"])
    assert client.get(reverse("accounts:company_user", args=[staff.pk])).status_code == 404
    assert client.post(reverse("accounts:company_user_lock", args=[staff.pk])).status_code == 404


def test_lists_show_nothing_of_another_company(a, b):
    mine = make_client_user(company=a["company"], login="alfa.user", last_name="Alfowski")
    gone = make_client_user(company=a["company"], login="alfa.gone", last_name="Odszedł")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    client = admin_client(a["admin"])

    listed = client.get(reverse("accounts:company_users"))
    inactive = client.get(reverse("accounts:company_users"), {"state": "inactive"})
    searched = client.get(reverse("accounts:company_users"), {"q": "Betow"})
    own_search = client.get(reverse("accounts:company_users"), {"q": "Alfow"})

    for response in (listed, inactive, searched, own_search):
        assert response.status_code == 200
        assert "Betowski" not in response.text and "beta.user" not in response.text
        assert "Betowa" not in response.text
    # The lists do show the own company's users, so the absences above could fail.
    assert mine.login in listed.text and a["admin"].login in listed.text
    assert gone.login in inactive.text and mine.login not in inactive.text
    assert mine.login in own_search.text


def test_the_audit_log_shows_only_the_own_company(a, b):
    audit_log(user=a["admin"], action=Action.SIGNIN_SUCCEEDED, details={"marker": "ALFA-ENTRY"})
    client = admin_client(a["admin"])

    page = client.get(reverse("accounts:company_audit")).text
    assert "ALFA-ENTRY" in page and "BETA-ENTRY" not in page

    # Naming B's user in the filter is refused, and still shows nothing of B.
    forged = client.get(reverse("accounts:company_audit"), {"user": b["user"].pk}).text
    assert "Nieznany użytkownik." in forged
    assert "BETA-ENTRY" not in forged and "Betowski" not in forged

    workbook = load_workbook(
        io.BytesIO(
            b"".join(
                client.get(
                    reverse("accounts:company_audit_xlsx"), {"user": b["user"].pk}
                ).streaming_content
            )
        ),
        read_only=True,
    )
    cells = " ".join(
        str(v) for row in workbook.active.iter_rows(values_only=True) for v in row if v
    )
    assert "ALFA-ENTRY" in cells and "BETA-ENTRY" not in cells


def test_a_forged_company_id_adds_the_user_to_the_own_company(a, b):
    client = admin_client(a["admin"])
    data = new_user_data(company=b["company"].pk, company_id=b["company"].pk, username="x")

    post_confirmed(client, reverse("accounts:company_user_add"), data, a["admin"])

    created = User.objects.get(login="ewa.nowa")
    assert created.company == a["company"]
    assert created.username == f"{a['company'].client_number}.ewa.nowa"
    assert not User.objects.filter(company=b["company"], login="ewa.nowa").exists()


def test_another_companys_contracts_cannot_be_granted(a, b):
    client = admin_client(a["admin"])
    forged = new_user_data(contracts_access="chosen", allowed_contracts=[b["contract"].pk])

    response = client.post(reverse("accounts:company_user_add"), forged)

    assert response.status_code == 200
    assert f"Umowa {b['contract'].pk} nie należy do Twojej firmy." in response.text
    assert "UL/BETA/1" not in response.text  # never offered
    assert not User.objects.filter(login="ewa.nowa").exists()

    mine = make_client_user(company=a["company"], login="jan.k", last_name="Kowalski")
    before = snapshot(mine)
    edit = client.post(
        reverse("accounts:company_user", args=[mine.pk]),
        user_data(mine, contracts_access="chosen", allowed_contracts=[b["contract"].pk]),
    )
    assert "nie należy do Twojej firmy" in edit.text
    assert snapshot(mine) == before


def test_a_forged_user_id_in_the_form_changes_only_the_user_in_the_url(a, b):
    client = admin_client(a["admin"])
    mine = make_client_user(company=a["company"], login="jan.k", last_name="Kowalski")
    before = snapshot(b["user"])

    client.post(
        reverse("accounts:company_user", args=[mine.pk]),
        user_data(mine, last_name="Zmieniony", user=b["user"].pk, id=b["user"].pk, pk=b["user"].pk),
    )

    mine.refresh_from_db()
    assert mine.last_name == "Zmieniony"
    assert snapshot(b["user"]) == before


def test_a_code_confirmed_in_one_company_confirms_nothing_in_another(a, b):
    """The step-up payload names the company: a code cannot be replayed across tenants."""
    client = admin_client(a["admin"])
    client.post(reverse("accounts:company_user_add"), new_user_data())
    code = last_code(a["admin"])
    other = admin_client(b["admin"])
    response = other.post(
        reverse("accounts:company_user_add"), {**new_user_data(), "stepup_code": code}
    )
    assert "Nieprawidłowy lub nieważny kod SMS" in response.text
    assert not User.objects.filter(login="ewa.nowa").exists()


def test_audit_entries_of_a_change_belong_to_the_changed_users_company(a):
    client = admin_client(a["admin"])
    post_confirmed(client, reverse("accounts:company_user_add"), new_user_data(), a["admin"])
    companies = set(AuditEntry.objects.filter(user=a["admin"]).values_list("company", flat=True))
    assert companies == {a["company"].pk}
