"""Access applications ("Wniosek o nadanie dostępu"): submitted publicly, decided by staff.

Submitting only stores the application and acknowledges it: nothing is looked up, so the
public answer (and its timing) is the same whether or not the company or the contract exists.
Staff verify it in the back office; approving creates the company's admin user and sends the
first-sign-in SMS (`user_invite`), rejecting tells the applicant why.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Message
from notifications.services import notify

from .audit import Action, audit_log, client_ip
from .models import AccessApplication, Company, Consent, User
from .services import user_invite


class AccessApplicationError(Exception):
    """The application cannot be approved as it is; the message is for staff."""


@transaction.atomic
def access_application_submit(
    *,
    nip: str,
    contract_number: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    marketing_consent: bool,
    request: HttpRequest | None = None,
) -> AccessApplication:
    application = AccessApplication.objects.create(
        nip=nip,
        contract_number=contract_number.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        phone=phone,
        terms_accepted_at=timezone.now(),
        marketing_consent=marketing_consent,
        ip=client_ip(request),
        user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:300],
    )
    notify(
        channel=Message.Channel.EMAIL,
        recipient=application.email,
        subject=_("eBOK: otrzymaliśmy wniosek o nadanie dostępu"),
        body=_(
            "Dzień dobry,\n\notrzymaliśmy Twój wniosek o nadanie dostępu do eBOK (numer "
            "wniosku: %(number)s). Sprawdzimy podane dane i odpowiemy e-mailem. Po pozytywnej "
            "weryfikacji otrzymasz e-mailem numer klienta i login, a SMS-em hasło jednorazowe "
            "do pierwszego logowania.\n\nJeśli to nie Ty złożyłeś(-aś) wniosek, zignoruj tę "
            "wiadomość.\n"
        )
        % {"number": application.pk},
    )
    audit_log(request=request, action=Action.ACCESS_APPLICATION_SUBMITTED, obj=application)
    return application


def application_company(application: AccessApplication) -> Company | None:
    """The active company the application names, if its contract number is that company's."""
    company = Company.objects.filter(nip=application.nip, is_active=True).first()
    if company is None:
        return None
    number = application.contract_number.strip()
    if not company.contracts.filter(number__iexact=number).exists():
        return None
    return company


def _fold(text: str) -> str:
    text = text.lower().replace("ł", "l")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def derive_login(company: Company, first_name: str, last_name: str) -> str:
    """ "jan.kowalski" (then "jan.kowalski2", ...): readable, unique in the company."""
    base = ".".join(p for p in (_fold(first_name), _fold(last_name)) if p)[:60] or "admin"
    if len(base) < 3:
        base = f"{base}.admin"
    taken = set(
        User.objects.filter(company=company, login__startswith=base).values_list("login", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def access_application_approve(
    *, application: AccessApplication, by: User, request: HttpRequest | None = None
) -> User:
    """Create the company's administrator from the application and send the first sign-in."""
    application = AccessApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != AccessApplication.Status.NEW:
        raise AccessApplicationError(_("Wniosek został już rozpatrzony."))
    company = Company.objects.filter(nip=application.nip).first()
    if company is None or not company.is_active:
        raise AccessApplicationError(
            _("Nie ma aktywnej firmy o NIP %(nip)s. Odrzuć wniosek, podając powód.")
            % {"nip": application.nip}
        )
    if application_company(application) is None:
        raise AccessApplicationError(
            _("Umowa %(number)s nie jest umową firmy %(company)s. Odrzuć wniosek, podając powód.")
            % {"number": application.contract_number, "company": company.name}
        )
    login = derive_login(company, application.first_name, application.last_name)
    user = User(
        username=User.client_username(company.client_number, login),
        company=company,
        login=login,
        first_name=application.first_name,
        last_name=application.last_name,
        email=application.email,
        phone=application.phone,
        is_company_admin=True,
        can_view_finances=True,
        can_view_contracts=True,
        can_submit_requests=True,
        can_sign_documents=True,
    )
    user.set_unusable_password()
    user.save()
    for kind, granted in (
        (Consent.Kind.TERMS, True),
        (Consent.Kind.MARKETING, application.marketing_consent),
    ):
        Consent.objects.create(
            company=company,
            user=user,
            kind=kind,
            granted=granted,
            created_at=application.terms_accepted_at,
            by=user,
            source=Consent.Source.APPLICATION,
            ip=application.ip,
        )
    application.status = AccessApplication.Status.APPROVED
    application.company = company
    application.created_user = user
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(
        update_fields=["status", "company", "created_user", "decided_at", "decided_by"]
    )
    audit_log(
        request=request,
        user=by,
        company=company,
        action=Action.ACCESS_APPLICATION_APPROVED,
        obj=application,
        details={"login": login},
    )
    audit_log(
        request=request,
        user=by,
        company=company,
        action=Action.USER_CREATED,
        obj=user,
        details={"login": login, "access_application": application.pk, "company_admin": True},
    )
    user_invite(user=user, by=by, request=request)
    return user


@transaction.atomic
def access_application_reject(
    *,
    application: AccessApplication,
    by: User,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Close the application and tell the applicant why by e-mail."""
    reason = reason.strip()
    if not reason:
        raise AccessApplicationError(_("Podaj powód odrzucenia – wyślemy go wnioskodawcy."))
    application = AccessApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != AccessApplication.Status.NEW:
        raise AccessApplicationError(_("Wniosek został już rozpatrzony."))
    application.status = AccessApplication.Status.REJECTED
    application.reject_reason = reason
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(update_fields=["status", "reject_reason", "decided_at", "decided_by"])
    notify(
        channel=Message.Channel.EMAIL,
        recipient=application.email,
        subject=_("eBOK: wniosek o nadanie dostępu"),
        body=_(
            "Dzień dobry,\n\nnie możemy zatwierdzić Twojego wniosku o nadanie dostępu do eBOK "
            "(numer wniosku: %(number)s).\n\nPowód: %(reason)s\n\nMożesz złożyć nowy wniosek "
            "z poprawionymi danymi lub skontaktować się z nami.\n"
        )
        % {"number": application.pk, "reason": reason},
    )
    audit_log(
        request=request,
        user=by,
        action=Action.ACCESS_APPLICATION_REJECTED,
        obj=application,
        details={"reason": reason},
    )
