"""Writes of the feed's own records: API clients (created, revoked)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.audit import BACKGROUND, AuditContext, audit_log

from . import keys
from .models import ApiClient, AuditAction


@transaction.atomic
def api_client_create(
    *,
    name: str,
    scope: str = ApiClient.Scope.IMPORT,
    allowed_ips: str = "",
    rate_limit_per_minute: int | None = None,
    audit: AuditContext = BACKGROUND,
) -> tuple[ApiClient, str]:
    """A new client and its key. The key is returned once and never stored."""
    client = ApiClient(
        name=name,
        scope=scope,
        allowed_ips=allowed_ips,
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=audit.actor,
    )
    key = api_client_set_key(client=client)
    audit_log(audit=audit, action=AuditAction.CLIENT_CREATED, obj=client, details={"name": name})
    return client, key


def api_client_set_key(*, client: ApiClient) -> str:
    key, client.key_prefix, client.key_hash = keys.new_key()
    client.save()
    return key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, audit: AuditContext = BACKGROUND) -> None:
    if client.revoked_at is not None:
        return
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    audit_log(audit=audit, action=AuditAction.CLIENT_REVOKED, obj=client, details={})
