"""Filters of the contract pages: each form turns the query string into the selector's filters."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from ebok.forms import ListFilterForm, choice_field, date_field, search_field

from . import selectors
from .models import AdditionalFee, Contract, InsurancePolicy

INSTALLMENT_STATUS_CHOICES = [
    ("paid", _("zapłacone")),
    ("unpaid", _("niezapłacone")),
    ("overdue", _("po terminie")),
]


class ContractFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.CONTRACT_ORDERINGS)
    DEFAULT_SORT = "-start"

    q = search_field(_("Szukaj"), _("numer umowy, rejestracja, VIN"))
    status = choice_field(_("Status"), Contract.Status.choices, empty_label=_("wszystkie"))
    kind = choice_field(_("Rodzaj"), Contract.Kind.choices, empty_label=_("wszystkie"))

    def filters(self) -> selectors.ContractFilters:
        return selectors.ContractFilters(
            q=self.value("q"),
            status=self.value("status"),
            kind=self.value("kind"),
            sort=self.sort_key,
        )


class ScheduleFilterForm(ListFilterForm):
    """A contract's schedule: due-date range and payment status."""

    DATE_RANGES = (("date_from", "date_to"),)

    date_from = date_field(_("Termin od"))
    date_to = date_field(_("Termin do"))
    status = choice_field(_("Status"), INSTALLMENT_STATUS_CHOICES, empty_label=_("wszystkie"))

    def filters(self) -> selectors.InstallmentFilters:
        return selectors.InstallmentFilters(
            date_from=self.date("date_from"),
            date_to=self.date("date_to"),
            status=self.value("status"),
        )


class InstallmentFilterForm(ScheduleFilterForm):
    """Installments across contracts, by default for the next three months."""

    contract = search_field(_("Umowa"), _("numer umowy"), datalist="contract-numbers")

    def __init__(self, data=None, *, today: dt.date):
        defaults = {
            "date_from": today.isoformat(),
            "date_to": (today + relativedelta(months=3)).isoformat(),
        }
        super().__init__(data, defaults=defaults)

    def filters(self) -> selectors.InstallmentFilters:
        return selectors.InstallmentFilters(
            date_from=self.date("date_from"),
            date_to=self.date("date_to"),
            status=self.value("status"),
            contract=self.value("contract"),
        )


class PolicyFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.POLICY_ORDERINGS)
    DEFAULT_SORT = "valid_to"

    q = search_field(_("Szukaj"), _("numer polisy, umowy, rejestracja"))
    status = choice_field(_("Status"), InsurancePolicy.Status.choices, empty_label=_("wszystkie"))
    type = choice_field(_("Rodzaj"), InsurancePolicy.Type.choices, empty_label=_("wszystkie"))

    def filters(self) -> selectors.PolicyFilters:
        return selectors.PolicyFilters(
            status=self.value("status"),
            type=self.value("type"),
            q=self.value("q"),
            sort=self.sort_key,
        )


class FeeFilterForm(ListFilterForm):
    SORT_KEYS = frozenset(selectors.FEE_ORDERINGS)
    DEFAULT_SORT = "-date"
    DATE_RANGES = (("date_from", "date_to"),)

    contract = search_field(_("Umowa"), _("numer umowy"), datalist="contract-numbers")
    kind = choice_field(_("Rodzaj"), AdditionalFee.Kind.choices, empty_label=_("wszystkie"))
    date_from = date_field(_("Naliczona od"))
    date_to = date_field(_("Naliczona do"))

    def filters(self) -> selectors.FeeFilters:
        return selectors.FeeFilters(
            kind=self.value("kind"),
            date_from=self.date("date_from"),
            date_to=self.date("date_to"),
            contract=self.value("contract"),
            sort=self.sort_key,
        )
