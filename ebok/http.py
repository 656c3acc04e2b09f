"""Small helpers for the apps' views: who may open a client page, and HTMX-aware redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect


def client_user_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in user of an active client company; anyone else is sent to sign in (staff
    too: they have no company) and a user of a deactivated company goes home.

    ebok sits below accounts, so this knows no permissions: `accounts.permissions.
    client_required` adds them on top.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not user.company_id:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not user.company.is_active:
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapper


def htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Go to `url`: an HTMX request is told to load it as a whole page, any other gets a 302."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
