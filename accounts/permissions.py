"""Client-side permissions: what a signed-in company user may see and do.

`PERMISSIONS` is the one declaration of the permission flags. The `User` columns, `Perm`, the
company administrator's form and list, the step-up summary, the audit log's wording and the
back office all read it, so adding a permission is one entry here and a migration
(`makemigrations accounts` adds the column).

Views use `client_required(...)`; selectors narrow by `visible_contracts` (see contracts.selectors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from ebok.http import client_user_required


@dataclass(frozen=True)
class Permission:
    """One permission a company administrator grants to a user of their company."""

    name: str  # the member of `Perm`: Perm.FINANCES
    key: str  # its value, as views and the code name it: "finances"
    field: str  # the boolean column on accounts.User
    label: Any  # what it is: the column's name in the back office
    description: Any  # what it allows: the company administrator's checkbox and summary
    badge: Any  # one word: the company's user list and the audit log
    default: bool  # what a new user gets unless the administrator decides otherwise


PERMISSIONS: tuple[Permission, ...] = (
    # First: the role. An administrator manages the company's users and has every other
    # permission (and every contract) whatever the other flags say.
    Permission(
        name="ADMIN",
        key="admin",
        field="is_company_admin",
        label=_("administrator firmy"),
        description=_("Administrator firmy – zarządza użytkownikami, widzi wszystko"),
        badge=_("administrator"),
        default=False,
    ),
    Permission(
        name="FINANCES",
        key="finances",
        field="can_view_finances",
        label=_("finanse (faktury, płatności, saldo)"),
        description=_("Finanse – faktury, płatności, saldo"),
        badge=_("finanse"),
        default=True,
    ),
    Permission(
        name="CONTRACTS",
        key="contracts",
        field="can_view_contracts",
        label=_("umowy"),
        description=_("Umowy – harmonogramy, raty, ubezpieczenia, opłaty"),
        badge=_("umowy"),
        default=True,
    ),
    Permission(
        name="REQUESTS",
        key="requests",
        field="can_submit_requests",
        label=_("składanie wniosków"),
        description=_("Składanie wniosków"),
        badge=_("wnioski"),
        default=True,
    ),
    Permission(
        name="DOCUMENTS",
        key="documents",
        field="can_sign_documents",
        label=_("podpisywanie dokumentów"),
        description=_("Podpisywanie dokumentów"),
        badge=_("podpisywanie"),
        default=False,
    ),
    Permission(
        name="FLEET",
        key="fleet",
        field="can_view_fleet",
        label=_("flota (serwis, szkody, paliwo)"),
        description=_("Flota – serwis, szkody, karty paliwowe, koszty pojazdów"),
        badge=_("flota"),
        default=False,
    ),
)

# Perm.FINANCES == "finances", with the label of its declaration.
Perm = models.TextChoices(
    "Perm", [(p.name, (p.key, p.label)) for p in PERMISSIONS], module=__name__
)

_BY_KEY = {p.key: p for p in PERMISSIONS}
PERMISSION_FIELDS: tuple[str, ...] = tuple(p.field for p in PERMISSIONS)
ADMIN_FIELD = _BY_KEY["admin"].field


def permission(perm: Perm | str) -> Permission:
    return _BY_KEY[Perm(perm)]


def granted_permissions(user) -> list[Permission]:
    """The permissions set on `user`'s own flags (the administrator role included)."""
    return [p for p in PERMISSIONS if getattr(user, p.field)]


def has_perm(user, perm: Perm | str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.company_id:
        return False
    if user.is_company_admin and perm != Perm.ADMIN:
        return True
    return bool(getattr(user, permission(perm).field))


def client_required(*perms: Perm) -> Callable:
    """A signed-in client user with all of `perms`; others are sent to sign in or refused."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @client_user_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            for perm in perms:
                if not has_perm(request.user, perm):
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
