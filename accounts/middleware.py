"""Session safety for client users: idle and absolute timeouts, and blocked accounts."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .audit import Action, audit_context, audit_log

SIGNED_IN_AT = "ebok_signed_in_at"
LAST_SEEN = "ebok_last_seen"
# Refreshing the idle clock on every request would write the session on every request.
TOUCH_EVERY = 30


class ClientSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.company_id:
            reason = self._ended(request, user)
            if reason:
                audit_log(
                    audit=audit_context(request),
                    action=Action.SESSION_EXPIRED,
                    details={"reason": reason},
                )
                logout(request)
                url = reverse("accounts:session_expired") + "?" + urlencode({"powod": reason})
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
        return self.get_response(request)

    @staticmethod
    def _ended(request: HttpRequest, user) -> str:
        now = time.time()
        session = request.session
        started, seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
        if not user.is_active or user.is_locked or not user.company.is_active:
            return "blocked"
        if started is None or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
            return "absolute"
        if seen is None or now - seen > settings.SESSION_IDLE_TIMEOUT:
            return "idle"
        if now - seen >= TOUCH_EVERY:
            session[LAST_SEEN] = now
        return ""
