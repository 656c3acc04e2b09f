"""Filters of the invoice and payment pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ebok.forms import ListFilterForm, choice_field, date_field, search_field

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
