"""Client-side permissions: what a signed-in company user may see and do.

Views use `client_required(...)`; selectors narrow by `visible_contracts` (see contracts.selectors).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from ebok.http import client_user_required


class Perm(models.TextChoices):
    FINANCES = "finances", _("finanse (faktury, płatności, saldo)")
    CONTRACTS = "contracts", _("umowy")
    REQUESTS = "requests", _("składanie wniosków")
    DOCUMENTS = "documents", _("podpisywanie dokumentów")
    ADMIN = "admin", _("administrowanie użytkownikami")


_PERM_FIELDS = {
    Perm.FINANCES: "can_view_finances",
    Perm.CONTRACTS: "can_view_contracts",
    Perm.REQUESTS: "can_submit_requests",
    Perm.DOCUMENTS: "can_sign_documents",
    Perm.ADMIN: "is_company_admin",
}


def has_perm(user, perm: Perm | str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.company_id:
        return False
    if user.is_company_admin and perm != Perm.ADMIN:
        return True
    return bool(getattr(user, _PERM_FIELDS[Perm(perm)]))


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
