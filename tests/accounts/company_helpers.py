"""Helpers for the company-administration and self-service tests."""

from __future__ import annotations

import re

from django.test import Client

from accounts.models import AuditEntry, User
from tests.portal_helpers import signed_in

from .conftest import make_client_user
from .helpers import last_code

_CSRF = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": ")"?[A-Za-z0-9]+')


def make_admin(company, **kwargs) -> User:
    kwargs.setdefault("login", f"admin.{company.client_number}")
    return make_client_user(company=company, is_company_admin=True, **kwargs)


def admin_client(admin: User) -> Client:
    return signed_in(admin)


def new_user_data(**overrides) -> dict:
    data = {
        "login": "ewa.nowa",
        "first_name": "Ewa",
        "last_name": "Nowa",
        "email": "ewa.nowa@firma.example.pl",
        "phone": "601 234 567",
        "can_view_finances": "on",
        "can_view_contracts": "on",
        "can_submit_requests": "on",
        "contracts_access": "all",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def user_data(target: User, **overrides) -> dict:
    """The edit form as the page shows it for `target`, with `overrides`."""
    user = target
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": str(user.phone),
        "contracts_access": "chosen" if user.contracts_restricted else "all",
    }
    for flag in (
        "is_company_admin",
        "can_view_finances",
        "can_view_contracts",
        "can_submit_requests",
        "can_sign_documents",
    ):
        if getattr(user, flag):
            data[flag] = "on"
    if user.contracts_restricted:
        data["allowed_contracts"] = [c.pk for c in user.allowed_contracts.all()]
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_confirmed(client: Client, url: str, data: dict, actor: User):
    """POST a form that needs the actor's SMS code: once to get the code, once with it."""
    first = client.post(url, data)
    assert first.status_code == 200, first.status_code
    assert 'name="stepup_code"' in first.text, "expected the SMS confirmation step"
    return client.post(url, {**data, "stepup_code": last_code(actor)})


def actions(**filters) -> list[str]:
    return list(
        AuditEntry.objects.filter(**filters).order_by("pk").values_list("action", flat=True)
    )


def without_csrf(html: str) -> str:
    """A page with its CSRF tokens blanked: the rest must match byte for byte."""
    return _CSRF.sub(r"\1CSRF", html)
