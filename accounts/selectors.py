from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEntry, Company, MaskedPassword, User


def client_user_by_identifiers(*, client_number: str, login: str) -> User | None:
    """The client user a sign-in names, or None. Staff (no company) can never match."""
    return (
        User.objects.select_related("company")
        .filter(
            username=User.client_username(client_number, login),
            company__client_number=client_number,
        )
        .first()
    )


def masked_password_for(user: User | None) -> MaskedPassword | None:
    """The user's masked password if they may sign in with it at all, else None."""
    if user is None or not user.is_active or not user.company_id or not user.company.is_active:
        return None
    return MaskedPassword.objects.filter(user=user).first()


def audit_entries_for_company(*, company: Company) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(company=company).select_related("user")
