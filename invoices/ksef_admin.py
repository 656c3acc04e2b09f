"""The back office's "Wpisz numer KSeF" action on invoices (joined to InvoiceAdmin in
invoices/admin.py): the number KSeF gave an invoice and the hash of the file sent."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_context
from ebok.admin_tools import action_form_response, action_form_submitted

from .ksef import KsefError, invoice_set_ksef_number


class KsefNumberForm(forms.Form):
    ksef_number = forms.CharField(label=gettext_lazy("numer KSeF"), max_length=40)
    ksef_hash = forms.CharField(
        label=gettext_lazy("skrót pliku faktury w KSeF (SHA-256, Base64)"), max_length=60
    )


@admin.action(description=gettext_lazy("Wpisz numer KSeF"), permissions=["issue_invoice"])
def set_ksef_number(modeladmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
    invoices = list(queryset[:2])
    if len(invoices) != 1:
        modeladmin.message_user(
            request, _("Numer KSeF wpisuje się do jednej faktury; zaznacz jedną."), messages.ERROR
        )
        return None
    invoice = invoices[0]
    form = KsefNumberForm(request.POST if action_form_submitted(request) else None)
    if form.is_bound and form.is_valid():
        try:
            invoice_set_ksef_number(
                invoice=invoice, audit=audit_context(request), **form.cleaned_data
            )
        except KsefError as error:
            modeladmin.message_user(request, f"{invoice}: {error}", messages.ERROR)
        else:
            modeladmin.message_user(
                request,
                _("%(number)s: zapisano numer KSeF.") % {"number": invoice.number},
                messages.SUCCESS,
            )
        return None
    return action_form_response(
        modeladmin,
        request,
        queryset,
        form,
        title=_("Numer KSeF faktury %(number)s") % {"number": invoice.number},
        action="set_ksef_number",
        submit_label=_("Zapisz numer KSeF"),
        intro=_(
            "Numer i skrót pliku podaje system źródłowy po przesłaniu faktury do KSeF. PDF "
            "faktury zostanie wygenerowany ponownie, z numerem KSeF i kodem weryfikacyjnym."
        ),
    )
