"""Filters of the invoice and payment pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ebok.forms import IdField, ListFilterForm, choice_field, date_field, search_field

from . import selectors
from .models import Invoice


class InvoiceFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.INVOICE_ORDERINGS)
    DEFAULT_SORT = "-issued"
    DATE_RANGES = (("issued_from", "issued_to"), ("due_from", "due_to"))

    q = search_field(_("Numer faktury"), _("np. FV/2026/03"))
    contract = search_field(_("Umowa"), _("numer umowy"), datalist="contract-numbers")
    status = choice_field(
        _("Status"),
        [*Invoice.Status.choices, (selectors.OUTSTANDING, _("do zapłaty (całość lub część)"))],
        empty_label=_("wszystkie"),
    )
    kind = choice_field(_("Rodzaj"), Invoice.Kind.choices, empty_label=_("wszystkie"))
    issued_from = date_field(_("Wystawiona od"))
    issued_to = date_field(_("Wystawiona do"))
    due_from = date_field(_("Termin płatności od"))
    due_to = date_field(_("Termin płatności do"))

    def filters(self, *, contract_id: int | None = None) -> selectors.InvoiceFilters:
        return selectors.InvoiceFilters(
            q=self.value("q"),
            contract=self.value("contract"),
            contract_id=contract_id,
            status=self.value("status"),
            kind=self.value("kind"),
            issued_from=self.date("issued_from"),
            issued_to=self.date("issued_to"),
            due_from=self.date("due_from"),
            due_to=self.date("due_to"),
            sort=self.sort_key,
        )


class PaymentFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.PAYMENT_ORDERINGS)
    DEFAULT_SORT = "-received"
    DATE_RANGES = (("received_from", "received_to"),)

    q = search_field(_("Szukaj"), _("tytuł przelewu, numer faktury"))
    received_from = date_field(_("Wpłata od"))
    received_to = date_field(_("Wpłata do"))

    def filters(self) -> selectors.PaymentFilters:
        return selectors.PaymentFilters(
            received_from=self.date("received_from"),
            received_to=self.date("received_to"),
            q=self.value("q"),
            sort=self.sort_key,
        )


class InvoiceIdsField(forms.Field):
    """Several invoice ids (`invoice=1&invoice=2`): each a positive whole number that fits the
    database key, or the whole selection is refused."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("Nie rozpoznano zaznaczonych faktur. Zaznacz je ponownie na liście."),
    }

    def to_python(self, value) -> list[int]:
        item = IdField()  # the shared id parser: ASCII digits within the database key
        try:
            return [item.clean(one) for one in value or []]
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class InvoiceSelectionForm(forms.Form):
    """The invoices ticked in the list for one ZIP (ids of other companies' invoices pass
    here and are dropped by the selector)."""

    invoice = InvoiceIdsField(required=False)
