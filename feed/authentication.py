"""How a system signs its requests: `Authorization: Bearer <key>`; then the IP allow-list,
the key's scope and its rate limit."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions, throttling

from accounts.audit import client_ip

from . import keys
from .models import ApiClient


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _sep, key = header.partition(" ")
        key = key.strip()
        if scheme != self.keyword or not key:
            raise exceptions.AuthenticationFailed(_("Nagłówek Authorization: Bearer <klucz>."))
        prefix = keys.prefix_of(key)
        client = ApiClient.objects.filter(key_prefix=prefix).first() if prefix else None
        if client is None or not keys.matches(key, client.key_hash):
            raise exceptions.AuthenticationFailed(_("Nieznany klucz API."))
        if client.is_revoked:
            raise exceptions.AuthenticationFailed(_("Klucz API został unieważniony."))
        if not client.allows_ip(client_ip(request._request)):
            raise exceptions.PermissionDenied(_("Adres IP spoza listy dozwolonych dla klucza."))
        if client.last_used_at is None or (timezone.now() - client.last_used_at).seconds > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client, client

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class HasScope(permissions.BasePermission):
    """The view names the scope it needs in `required_scope`."""

    message = ""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        needed = getattr(view, "required_scope", ApiClient.Scope.IMPORT)
        if isinstance(needed, str):
            needed = (needed,)
        if client.scope not in needed:
            self.message = _("Klucz API nie ma uprawnienia do tej operacji.")
            return False
        return True


class PerClientRateThrottle(throttling.BaseThrottle):
    """A fixed one-minute window per client, counted in the shared cache (all workers)."""

    def allow_request(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return True
        now = time.time()
        window = int(now // 60)
        key = f"feed-throttle:{client.pk}:{window}"
        cache.add(key, 0, timeout=90)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=90)
            count = 1
        self._wait = 60 - (now % 60)
        return count <= client.rate_limit

    def wait(self) -> float:
        return getattr(self, "_wait", 60.0)
