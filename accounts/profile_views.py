"""The user's profile: own and company data, contact changes, consents with their history."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from stdnum.pl import nip as nip_number
from stdnum.pl import regon as regon_number

from ebok.http import htmx_redirect

from . import profile_services, selectors
from .codes import Check
from .models import Consent
from .permissions import Perm, client_required, has_perm
from .selfservice_forms import ConsentForm, ContactForm
from .stepup import StepUp, check_message, issue_messages, stepup_digest

CONTACT_SESSION = "ebok_contact_change"
NEW_PHONE_CODE = "new_phone_code"
NEW_PHONE_RESEND = "new_phone_resend"
CANCEL = "stepup_cancel"


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
            by=request.user, kind=kind, granted=granted, request=request
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
    user = request.user
    form = ContactForm(request.POST or None, user=user)
    stage, stepup, error, notice = "form", None, "", ""
    if request.method == "POST" and form.is_valid() and CANCEL not in request.POST:
        payload = profile_services.contact_payload(user=user, **form.cleaned_data)
        digest = stepup_digest(profile_services.CONTACT_CHANGE, payload)
        phone_changes = payload["phone"] != str(user.phone or "")
        if NEW_PHONE_CODE in request.POST or NEW_PHONE_RESEND in request.POST:
            stage = "new_phone"
            if _confirmed_digest(request) != digest:
                stage, error = "form", _("Czas na potwierdzenie minął. Zacznij od nowa.")
            elif NEW_PHONE_RESEND in request.POST:
                issue = profile_services.new_phone_send_code(
                    user=user, payload=payload, request=request
                )
                notice, error = issue_messages(issue, payload["phone"])
            else:
                result = profile_services.new_phone_verify(
                    user=user, payload=payload, code=request.POST[NEW_PHONE_CODE], request=request
                )
                if result is Check.OK:
                    return _contact_saved(request, form)
                error = check_message(result)
        else:
            stepup = StepUp(
                request,
                operation=profile_services.CONTACT_CHANGE,
                payload=payload,
                summary=_("zmiana danych kontaktowych"),
            )
            stage = "stepup"
            if stepup.confirmed():
                if not phone_changes:
                    return _contact_saved(request, form)
                request.session[CONTACT_SESSION] = {"digest": digest, "at": time.time()}
                issue = profile_services.new_phone_send_code(
                    user=user, payload=payload, request=request
                )
                notice, error = issue_messages(issue, payload["phone"])
                stage, stepup = "new_phone", None
    context = {"form": form, "stage": stage, "stepup": stepup, "error": error, "notice": notice}
    template = "accounts/profile/contact.html"
    if getattr(request, "htmx", False):
        template += "#contact-form"
    return render(request, template, context)


def _contact_saved(request: HttpRequest, form: ContactForm) -> HttpResponse:
    request.session.pop(CONTACT_SESSION, None)
    profile_services.contact_change(user=request.user, **form.cleaned_data, request=request)
    messages.success(request, _("Zapisano nowe dane kontaktowe."))
    return htmx_redirect(request, reverse("accounts:profile"))
