"""The user's profile: own and company data, contact changes, consents with their history.

Also the link that confirms a new e-mail address (accounts.profile.email_change): public, as it
may be opened on another device than the one signed in.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from stdnum.pl import nip as nip_number
from stdnum.pl import regon as regon_number

from ebok.http import htmx_redirect

from .. import selectors
from ..audit import audit_context
from ..codes import Check
from ..models import Consent
from ..permissions import Perm, client_required, has_perm
from ..stepup import stepup_digest
from ..view_helpers import StepUp, check_message, issue_messages
from . import email_change
from . import services as profile_services
from .forms import ConsentForm, ContactForm

CONTACT_SESSION = "ebok_contact_change"
NEW_PHONE_CODE = "new_phone_code"
NEW_PHONE_RESEND = "new_phone_resend"
CANCEL = "stepup_cancel"
EMAIL_CHANGE_SESSION = "ebok_email_change"


def _consent_rows(user) -> list[dict]:
    company = user.company
    rows = []
    for kind, subject, editable, text in (
        (
            Consent.Kind.E_INVOICES,
            None,
            has_perm(user, Perm.ADMIN),
            _(
                "Faktury Twojej firmy w formie elektronicznej: PDF w eBOK i powiadomienie "
                "e-mailem, zamiast papierowych (zgoda firmy – zmienia ją administrator)."
            ),
        ),
        (
            Consent.Kind.MARKETING,
            user,
            True,
            _("Informacje o ofertach leasingodawcy e-mailem i SMS-em (Twoja zgoda)."),
        ),
    ):
        state = selectors.consent_state(company=company, user=subject, kind=kind)
        rows.append(
            {
                "kind": kind,
                "label": Consent.Kind(kind).label,
                "text": text,
                "granted": bool(state and state.granted),
                "state": state,
                "editable": editable,
            }
        )
    return rows


@never_cache
@require_GET
@client_required()
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    company = user.company
    context = {
        "company": company,
        "nip": nip_number.format(company.nip) if company.nip else "",
        "regon": regon_number.compact(company.regon) if company.regon else "",
        "consents": _consent_rows(user),
        "terms": selectors.consent_state(company=company, user=user, kind=Consent.Kind.TERMS),
        "history": selectors.consent_history(company=company, user=user),
        "email_change": email_change.email_change_pending(user=user),
    }
    return render(request, "accounts/profile/profile.html", context)


@require_POST
@client_required()
def profile_consent(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Nie udało się zmienić zgody – odśwież stronę i spróbuj ponownie.")
        )
    else:
        kind, granted = form.cleaned_data["kind"], form.cleaned_data["granted"]
        if kind == Consent.Kind.E_INVOICES and not has_perm(request.user, Perm.ADMIN):
            messages.error(
                request, _("Zgodę firmy na faktury elektroniczne zmienia administrator.")
            )
        elif profile_services.consent_set(
            by=request.user, kind=kind, granted=granted, audit=audit_context(request)
        ):
            label = Consent.Kind(kind).label
            if granted:
                messages.success(request, _("Udzielono zgody: %(what)s.") % {"what": label})
            else:
                messages.success(request, _("Wycofano zgodę: %(what)s.") % {"what": label})
    return htmx_redirect(request, reverse("accounts:profile") + "#zgody")


def _confirmed_digest(request: HttpRequest) -> str:
    """The change the old number confirmed in this session, while it may still be finished."""
    state = request.session.get(CONTACT_SESSION) or {}
    if time.time() - state.get("at", 0) > settings.CONTACT_CHANGE_TIMEOUT:
        return ""
    return state.get("digest", "")


@never_cache
@require_http_methods(["GET", "POST"])
@client_required()
def profile_contact(request: HttpRequest) -> HttpResponse:
    """Contact data change: form -> code to the current number -> (new phone) code to the new
    number -> saved. Each code is bound to exactly the data being confirmed."""
    form = ContactForm(request.POST or None, user=request.user)
    state = _stage("form")
    if request.method == "POST" and form.is_valid() and CANCEL not in request.POST:
        payload = profile_services.contact_payload(user=request.user, **form.cleaned_data)
        if NEW_PHONE_CODE in request.POST or NEW_PHONE_RESEND in request.POST:
            state = _new_phone_step(request, form, payload)
        else:
            state = _stepup_step(request, form, payload)
        if isinstance(state, HttpResponse):
            return state
    template = "accounts/profile/contact.html"
    if getattr(request, "htmx", False):
        template += "#contact-form"
    return render(request, template, {"form": form, **state})


def _stage(stage: str, *, stepup: StepUp | None = None, error: str = "", notice: str = "") -> dict:
    return {"stage": stage, "stepup": stepup, "error": error, "notice": notice}


def _stepup_step(request: HttpRequest, form: ContactForm, payload: dict) -> dict | HttpResponse:
    """The code to the current number; then the change is saved, or (a new phone number) a
    code goes to the new number."""
    stepup = StepUp(
        request,
        operation=profile_services.CONTACT_CHANGE,
        payload=payload,
        summary=_("zmiana danych kontaktowych"),
    )
    if not stepup.confirmed():
        return _stage("stepup", stepup=stepup)
    if payload["phone"] == str(request.user.phone or ""):
        return _contact_saved(request, form)
    digest = stepup_digest(profile_services.CONTACT_CHANGE, payload)
    request.session[CONTACT_SESSION] = {"digest": digest, "at": time.time()}
    issue = profile_services.new_phone_send_code(
        user=request.user, payload=payload, audit=audit_context(request)
    )
    notice, error = issue_messages(issue, payload["phone"])
    return _stage("new_phone", notice=notice, error=error)


def _new_phone_step(request: HttpRequest, form: ContactForm, payload: dict) -> dict | HttpResponse:
    """The code sent to the new number (or sending it again), for the change the current
    number confirmed in this session."""
    if _confirmed_digest(request) != stepup_digest(profile_services.CONTACT_CHANGE, payload):
        return _stage("form", error=_("Czas na potwierdzenie minął. Zacznij od nowa."))
    audit = audit_context(request)
    if NEW_PHONE_RESEND in request.POST:
        issue = profile_services.new_phone_send_code(
            user=request.user, payload=payload, audit=audit
        )
        notice, error = issue_messages(issue, payload["phone"])
        return _stage("new_phone", notice=notice, error=error)
    result = profile_services.new_phone_verify(
        user=request.user, payload=payload, code=request.POST[NEW_PHONE_CODE], audit=audit
    )
    if result is Check.OK:
        return _contact_saved(request, form)
    return _stage("new_phone", error=check_message(result))


def _contact_saved(request: HttpRequest, form: ContactForm) -> HttpResponse:
    request.session.pop(CONTACT_SESSION, None)
    changed = profile_services.contact_change(
        user=request.user, **form.cleaned_data, audit=audit_context(request)
    )
    if "phone" in changed:
        messages.success(request, _("Zapisano nowy numer telefonu."))
    if "email" in changed:
        messages.info(
            request,
            _(
                "Wysłaliśmy link potwierdzający na adres %(email)s. Nowy adres zacznie "
                "obowiązywać, gdy otworzysz ten link; do tego czasu używamy dotychczasowego."
            )
            % {"email": form.cleaned_data["email"]},
        )
    return htmx_redirect(request, reverse("accounts:profile"))


# --- Confirming a new e-mail address ------------------------------------------------------------

_RESEND_MESSAGES = {
    email_change.Resend.TOO_SOON: gettext_lazy(
        "Link wysłaliśmy przed chwilą. Spróbuj ponownie za minutę."
    ),
    email_change.Resend.DAILY_LIMIT: gettext_lazy(
        "Wysłano już dziś najwięcej linków, ile można. Spróbuj ponownie jutro."
    ),
    email_change.Resend.NOTHING_PENDING: gettext_lazy(
        "Żadna zmiana adresu e-mail nie czeka na potwierdzenie."
    ),
}


@require_POST
@client_required()
def profile_email_resend(request: HttpRequest) -> HttpResponse:
    result = email_change.email_change_resend(user=request.user, audit=audit_context(request))
    if result is email_change.Resend.SENT:
        pending = email_change.email_change_pending(user=request.user)
        messages.success(
            request,
            _("Wysłaliśmy nowy link na adres %(email)s. Poprzedni link już nie działa.")
            % {"email": pending.new_email},
        )
    else:
        messages.error(request, str(_RESEND_MESSAGES[result]))
    return htmx_redirect(request, reverse("accounts:profile"))


@require_POST
@client_required()
def profile_email_cancel(request: HttpRequest) -> HttpResponse:
    if email_change.email_change_cancel(user=request.user, audit=audit_context(request)):
        messages.success(
            request, _("Anulowano zmianę adresu e-mail. Obowiązuje dotychczasowy adres.")
        )
    else:
        messages.info(request, str(_RESEND_MESSAGES[email_change.Resend.NOTHING_PENDING]))
    return htmx_redirect(request, reverse("accounts:profile"))


_LINK_PROBLEMS = {
    email_change.LinkState.UNKNOWN: gettext_lazy(
        "Ten link jest nieprawidłowy – może został skopiowany tylko w części. Otwórz go "
        "bezpośrednio z wiadomości albo zmień adres ponownie w profilu."
    ),
    email_change.LinkState.EXPIRED: gettext_lazy(
        "Ten link wygasł. Zaloguj się i w profilu wyślij link ponownie – adres e-mail się nie "
        "zmienił."
    ),
    email_change.LinkState.USED: gettext_lazy(
        "Ten link został już użyty: nowy adres e-mail jest potwierdzony. Link działa tylko raz."
    ),
    email_change.LinkState.REPLACED: gettext_lazy(
        "Ten link już nie działa, bo wysłaliśmy nowszy. Użyj linku z ostatniej wiadomości."
    ),
    email_change.LinkState.CANCELLED: gettext_lazy(
        "Ta zmiana adresu e-mail została anulowana. Obowiązuje dotychczasowy adres."
    ),
    email_change.LinkState.INACTIVE: gettext_lazy(
        "Tego linku nie można teraz użyć, bo dostęp do konta jest zablokowany. Skontaktuj się "
        "z administratorem swojej firmy."
    ),
}


def _link_refused(request: HttpRequest, state: email_change.LinkState) -> HttpResponse:
    request.session.pop(EMAIL_CHANGE_SESSION, None)
    context = {"stage": "refused", "problem": _LINK_PROBLEMS[state]}
    return render(request, "accounts/profile/email_confirm.html", context, status=400)


@never_cache
@require_GET
def email_change_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: check it, keep the token in the session and move it out of the URL
    (no history, no Referer). Nothing changes on a GET: mail scanners open links too."""
    state, change = email_change.email_change_check(token=token)
    if state is not email_change.LinkState.VALID:
        email_change.email_change_refused(state=state, change=change, audit=audit_context(request))
        return _link_refused(request, state)
    request.session[EMAIL_CHANGE_SESSION] = token
    return redirect("accounts:email_change_confirm")


@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest) -> HttpResponse:
    token = request.session.get(EMAIL_CHANGE_SESSION, "")
    if request.method == "POST":
        state = email_change.email_change_confirm(token=token, audit=audit_context(request))
        if state is not email_change.LinkState.VALID:
            return _link_refused(request, state)
        request.session.pop(EMAIL_CHANGE_SESSION, None)
        return render(request, "accounts/profile/email_confirm.html", {"stage": "done"})
    state, change = email_change.email_change_check(token=token)
    if state is not email_change.LinkState.VALID:
        return _link_refused(request, state)
    context = {"stage": "confirm", "change": change}
    return render(request, "accounts/profile/email_confirm.html", context)
